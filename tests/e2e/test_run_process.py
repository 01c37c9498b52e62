"""`refundbot run` as a real process: polling, webhook with its secret, and SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.processes import free_port, wait_listening, webhook_env
from tests.fake_telegram import FakeTelegram

CUSTOMER = 4242


async def _spawn(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env={**os.environ, **env},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def _stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    return output.decode()


@pytest.fixture
def base_env(fake_telegram: FakeTelegram, database_url: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        "DATABASE_URL": database_url,
        "STAFF_CHAT_ID": "",
    }


@pytest.fixture
async def polling_bot(
    fake_telegram: FakeTelegram, base_env: dict[str, str], tmp_path: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await _spawn(base_env, tmp_path)
    yield process
    await _stop(process)


async def test_polling_process_answers_and_stops_cleanly_on_sigterm(
    fake_telegram: FakeTelegram, polling_bot: asyncio.subprocess.Process
) -> None:
    user = fake_telegram.user(CUSTOMER, "Pat")
    fake_telegram.private_chat(user)
    await fake_telegram.send_text(CUSTOMER, user, "/start")
    reply = await fake_telegram.wait_for_message(CUSTOMER, timeout=30)
    assert "refund desk" in reply.text
    output = await _stop(polling_bot)
    assert polling_bot.returncode == 0, output
    # The token never reaches the log.
    assert fake_telegram.token not in output
    assert "STAFF_CHAT_ID is not set" in output


async def test_webhook_needs_the_secret_token(
    fake_telegram: FakeTelegram, base_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    env = webhook_env(base_env, port)
    process = await _spawn(env, tmp_path)
    try:
        await fake_telegram.wait_for_call("setWebhook", timeout=30)
        await wait_listening(port)
        fake_telegram.private_chat(fake_telegram.user(CUSTOMER, "Pat"))
        update = {
            "update_id": 777001,
            "message": {
                "message_id": 1,
                "date": 1_800_000_000,
                "chat": {"id": CUSTOMER, "type": "private", "first_name": "Pat"},
                "from": {"id": CUSTOMER, "is_bot": False, "first_name": "Pat"},
                "text": "/help",
            },
        }
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update) as response:
                assert response.status == 403
            async with http.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            ) as response:
                assert response.status == 403
        assert fake_telegram.messages(CUSTOMER) == []
        status, _ = await fake_telegram.post_update_to(url, update, secret_token="s3cret-token")
        assert status == 200
        try:
            reply = await fake_telegram.wait_for_message(CUSTOMER, timeout=15)
        except AssertionError:
            print(await _stop(process))
            raise
        assert "/claim" in reply.text
    finally:
        output = await _stop(process)
    assert process.returncode == 0, output
    assert "s3cret-token" not in output
