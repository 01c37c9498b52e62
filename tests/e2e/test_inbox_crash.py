"""kill -9 right after Telegram was told an update arrived: after a restart, every one is answered.

Telegram forgets an update once the webhook answered 200, or once getUpdates' offset moved
past it. These tests make the process die at exactly that moment.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.processes import (
    Spawn,
    assert_doubles_only_in_flight,
    free_port,
    wait_listening,
    webhook_env,
)
from tests.fake_telegram import FakeTelegram

CHATS = 40
FIRST_CUSTOMER = 610_000
WELCOME = "I'm the refund desk"


@pytest.fixture
def base_env(fake_telegram: FakeTelegram, database_url: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        "DATABASE_URL": database_url,
        "STAFF_CHAT_ID": "",
    }


def _start_update(update_id: int, user_id: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_800_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": f"C{user_id}"},
            "from": {"id": user_id, "is_bot": False, "first_name": f"C{user_id}"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def _every_chat_welcomed(fake: FakeTelegram, chats: list[int], killed_at: float) -> None:
    """Each chat got its welcome; only one in flight at the kill may have come twice."""

    def welcomes(chat: int) -> int:
        return sum(WELCOME in (m.text or "") for m in fake.messages(chat))

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while any(welcomes(chat) == 0 for chat in chats):
        if loop.time() > deadline:
            missing = [chat for chat in chats if welcomes(chat) == 0]
            raise AssertionError(f"{len(missing)} of {len(chats)} chats never answered")
        await asyncio.sleep(0.05)
    await fake.settle(quiet=0.5)
    assert_doubles_only_in_flight(fake, killed_at)


async def test_webhook_updates_answered_200_survive_kill_9(
    fake_telegram: FakeTelegram, base_env: dict[str, str], spawn: Spawn
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    env = webhook_env(base_env, port)
    chats = [FIRST_CUSTOMER + i for i in range(CHATS)]
    for chat in chats:
        fake_telegram.private_chat(fake_telegram.user(chat, f"C{chat}"))
    first = await spawn(env)
    await fake_telegram.wait_for_call("setWebhook", timeout=30)
    await wait_listening(port)

    posts = [
        fake_telegram.post_update_to(url, _start_update(900_000 + i, chat), "s3cret-token")
        for i, chat in enumerate(chats)
    ]
    statuses = [status for status, _ in await asyncio.gather(*posts)]
    killed_at = await first.kill9()
    assert statuses == [200] * CHATS

    second = await spawn(env)
    try:
        await _every_chat_welcomed(fake_telegram, chats, killed_at)
    finally:
        output = await second.stop()
    assert second.process.returncode == 0, output


async def test_polled_updates_confirmed_by_get_updates_survive_kill_9(
    fake_telegram: FakeTelegram, base_env: dict[str, str], spawn: Spawn
) -> None:
    chats = [FIRST_CUSTOMER + i for i in range(CHATS)]
    last = 0
    for chat in chats:
        last = await fake_telegram.send_text(chat, fake_telegram.user(chat, f"C{chat}"), "/start")

    first = await spawn(base_env)
    # The moment the process's getUpdates moves the offset past them, Telegram forgets them.
    await fake_telegram.wait_until_confirmed(last, timeout=30)
    killed_at = await first.kill9()
    assert fake_telegram.pending_updates() == []

    second = await spawn(base_env)
    try:
        await _every_chat_welcomed(fake_telegram, chats, killed_at)
    finally:
        output = await second.stop()
    assert second.process.returncode == 0, output
