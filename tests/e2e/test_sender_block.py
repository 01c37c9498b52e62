"""The sender's own 429 block, on a timer the test moves instead of sleeping."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from bot.clock import utc_now
from bot.sender import Sender
from conversations.domain import OutgoingMessage
from storage.database import Database
from tests.fake_telegram import FakeTelegram


class Timer:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_after_a_429_nothing_goes_to_that_chat_until_retry_after_has_passed(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    ann = fake_telegram.user(1001, "Ann")
    fake_telegram.private_chat(ann)
    bob = fake_telegram.user(1002, "Bob")
    fake_telegram.private_chat(bob)
    fake_telegram.fail_next("sendMessage", error_code=429, retry_after=30, chat_id=ann.id)
    timer = Timer()
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        sender = Sender(bot, db, utc_now, timer=timer)
        with pytest.raises(RetryAfter):
            await sender.send(OutgoingMessage(ann.id, "first"))
        calls = len(fake_telegram.calls("sendMessage"))

        timer.now += 29
        with pytest.raises(RetryAfter) as blocked:
            await sender.send(OutgoingMessage(ann.id, "too soon"))
        # Refused by the sender itself: Telegram never saw the early retry.
        assert len(fake_telegram.calls("sendMessage")) == calls
        assert (
            blocked.value.retry_after in (1, 1.0)
            or getattr(blocked.value.retry_after, "total_seconds", lambda: 0)() == 1
        )
        # Other chats are not held up.
        assert await sender.send(OutgoingMessage(bob.id, "hello")) is not None

        timer.now += 1
        fake_telegram.fail_next("sendMessage", error_code=429, retry_after=30, chat_id=ann.id)
        with pytest.raises(RetryAfter):
            await sender.send(OutgoingMessage(ann.id, "on time"))
        assert len(fake_telegram.calls("sendMessage")) == calls + 2  # bob's, then this one
