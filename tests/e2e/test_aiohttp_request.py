"""The bot's Bot API transport (bot/aiohttp_request.py) against the fake Telegram, over HTTP.

Its timeouts are tested beside httpx's in test_fake_telegram.py.
"""

from __future__ import annotations

import socket

import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.aiohttp_request import AiohttpRequest
from tests.fake_telegram import FakeTelegram


def bot_on(fake: FakeTelegram, request: AiohttpRequest | None = None) -> Bot:
    return Bot(fake.token, base_url=fake.base_url, request=request or AiohttpRequest())


async def test_messages_buttons_and_uploads_arrive_as_sent(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.user(1001, "Ann")
    fake_telegram.private_chat(ann)
    async with bot_on(fake_telegram) as bot:
        sent = await bot.send_message(ann.id, "Grüße, سلام ✅ & more")
        await bot.send_document(
            ann.id, InputFile(b"id,credits\n1,40\n", filename="claims.csv"), caption="export"
        )
    text, document = fake_telegram.messages(ann.id)
    assert text.text == "Grüße, سلام ✅ & more" and text.message_id == sent.message_id
    assert (document.file_name, document.file_content) == ("claims.csv", b"id,credits\n1,40\n")
    assert document.text == "export"


async def test_telegram_errors_become_ptb_errors(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.user(1001, "Ann")
    fake_telegram.private_chat(ann)
    fake_telegram.fail_next("sendMessage", error_code=429, retry_after=7)
    fake_telegram.fail_next("sendMessage", error_code=400, description="Bad Request: nope")
    async with bot_on(fake_telegram) as bot:
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(ann.id, "one")
        with pytest.raises(BadRequest, match="(?i)nope"):
            await bot.send_message(ann.id, "two")
    assert limited.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]
    assert fake_telegram.messages(ann.id) == []


async def test_nobody_listening_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        bot = Bot("123:abc", base_url=f"http://127.0.0.1:{port}/bot", request=request)
        with pytest.raises(NetworkError) as failed:
            await bot.get_me()
        assert not isinstance(failed.value, TimedOut)
    finally:
        await request.shutdown()
