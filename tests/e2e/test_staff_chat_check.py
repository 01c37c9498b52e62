"""At start the bot asks Telegram about STAFF_CHAT_ID: a wrong one is said, a moved one followed."""

from __future__ import annotations

import logging

import pytest

from storage.database import Database
from tests.e2e.harness import FakeClock, start_bot, stop_bot
from tests.fake_telegram import FakeTelegram

OLD = -4_012_345_678
NEW = -1_009_876_543_210


async def test_a_group_upgraded_while_the_bot_was_down_is_followed_before_any_card(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock
) -> None:
    fake_telegram.group(OLD, "Refund staff")
    fake_telegram.migrate_group(OLD, NEW)
    bot = await start_bot(fake_telegram, db, clock, staff_chat_id=OLD)
    try:
        assert bot.desk.config.staff_chat_id == NEW
    finally:
        await stop_bot(bot)


async def test_a_staff_chat_the_bot_is_not_in_is_named_in_one_warning_at_start(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.staff_chat_check"):
        bot = await start_bot(fake_telegram, db, clock, staff_chat_id=-1_001_999_000_111)
        await stop_bot(bot)
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.staff_chat_check"]
    assert len(warnings) == 1
    assert "STAFF_CHAT_ID -1001999000111" in warnings[0] and "Add the bot" in warnings[0]


async def test_a_private_chat_as_staff_chat_is_warned_about(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telegram.private_chat(fake_telegram.user(9001, "Sara"))
    with caplog.at_level(logging.WARNING, logger="bot.staff_chat_check"):
        bot = await start_bot(fake_telegram, db, clock, staff_chat_id=9001)
        await stop_bot(bot)
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.staff_chat_check"]
    assert len(warnings) == 1 and "private chat" in warnings[0]
