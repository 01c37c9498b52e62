"""Telegram upgrades the staff group to a supergroup, which gets a new id: the desk follows it,
although STAFF_CHAT_ID still names the old group, and keeps following it after a restart."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event

from storage.database import Database
from storage.demo_data import DemoCase
from tests.e2e.harness import (
    Customer,
    FakeClock,
    Running,
    StaffMember,
    file_claim,
    start_bot,
    stop_bot,
)
from tests.fake_telegram import FakeTelegram, RecordedMessage

OLD = -4_012_345_678  # a basic group
NEW = -1_009_876_543_210  # the supergroup it became


@pytest.fixture
async def running(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock, demo: dict[str, DemoCase]
) -> AsyncIterator[Running]:
    fake_telegram.group(OLD, "Refund staff")
    bot = await start_bot(fake_telegram, db, clock, staff_chat_id=OLD)
    try:
        yield bot
    finally:
        await stop_bot(bot)


async def card_in(fake: FakeTelegram, chat_id: int, claim_id: int) -> RecordedMessage:
    title = f"🧾 Claim #{claim_id} ·"
    return await fake.wait_for_message(chat_id, lambda m: (m.text or "").startswith(title))


def calls_to(fake: FakeTelegram, chat_id: int) -> int:
    return sum(1 for c in fake.calls() if str(c.params.get("chat_id")) == str(chat_id))


async def test_a_card_for_the_moved_group_goes_to_the_new_one_and_staff_work_there(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    fake = running.fake
    alice = Customer(fake, 502, "Alice", "alice")
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    await card_in(fake, OLD, 1)

    fake.migrate_group(OLD, NEW)
    bob = Customer(fake, 503, "Bob")
    with caplog.at_level(logging.WARNING):
        await file_claim(bob, "TX-1008", "+923001110008", "platform down")
        card = await card_in(fake, NEW, 2)
    assert [r.getMessage() for r in caplog.records if "STAFF_CHAT_ID" in r.getMessage()] == [
        f"Telegram moved the staff chat {OLD} to {NEW} (the group became a supergroup): "
        f"staff messages now go to {NEW} (queued messages readdressed: 1). "
        f"Set STAFF_CHAT_ID={NEW} in the settings."
    ]
    assert running.settings.staff_chat_id == OLD  # the operator's setting is left alone
    assert running.desk.config.staff_chat_id == NEW

    # Staff press Take in the new group: accepted, the customer hears, the card changes.
    sara = StaffMember(fake, 9001, "Sara", "sara", chat_id=NEW, db=running.db)
    await sara.press(card, "Take")
    await bob.next("looking at")
    await fake.wait_for_edit(NEW, card.message_id, lambda m: "in review" in (m.text or ""))

    # A staff command in the new group counts as the staff chat's.
    queue = await sara.says("/queue")
    assert "#1" in (queue.text or "")

    # Alice's card is still in the old group: its next edit cannot reach it, so the card is
    # posted afresh in the new group.
    await sara.send("/note 1 checked the delivery report")
    reposted = await card_in(fake, NEW, 1)
    assert "checked the delivery report" in (reposted.text or "")
    await fake.settle()
    async with running.db.reader() as uow:
        assert await uow.outbox.failed() == []
        assert await uow.outbox.chat_moves() == {OLD: NEW}


async def test_after_a_restart_cards_go_straight_to_the_new_group(
    running: Running, fake_telegram: FakeTelegram, db: Database, clock: FakeClock
) -> None:
    fake = fake_telegram
    fake.migrate_group(OLD, NEW)
    alice = Customer(fake, 502, "Alice", "alice")
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    await card_in(fake, NEW, 1)
    await stop_bot(running)

    again = await start_bot(fake, db, clock, staff_chat_id=OLD)
    try:
        assert again.settings.staff_chat_id == OLD
        assert again.desk.config.staff_chat_id == NEW
        tried_old = calls_to(fake, OLD)
        bob = Customer(fake, 503, "Bob")
        await file_claim(bob, "TX-1008", "+923001110008", "platform down")
        card = await card_in(fake, NEW, 2)
        await fake.settle()
        assert calls_to(fake, OLD) == tried_old  # nothing tried at the old id first
        sara = StaffMember(fake, 9001, "Sara", "sara", chat_id=NEW, db=db)
        await sara.press(card, "Take")
        await bob.next("looking at")
    finally:
        await stop_bot(again)


async def test_telegrams_notice_of_the_upgrade_moves_the_staff_chat_at_once(
    running: Running,
) -> None:
    fake = running.fake
    fake.migrate_group(OLD, NEW, notify=True)
    await fake.settle()
    assert running.desk.config.staff_chat_id == NEW
    sent_before = calls_to(fake, OLD)

    alice = Customer(fake, 502, "Alice", "alice")
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    await card_in(fake, NEW, 1)
    await fake.settle()
    assert calls_to(fake, OLD) == sent_before  # no send had to fail first
    assert fake.messages(OLD) == []  # and the bot said nothing about the notices


async def test_a_move_another_worker_recorded_is_known_at_the_first_word_from_the_new_group(
    running: Running,
) -> None:
    fake = running.fake
    fake.migrate_group(OLD, NEW)
    async with running.db.uow() as uow:  # what the worker that saw the move wrote
        await uow.outbox.follow_chat(OLD, NEW, running.clock())
        await uow.commit()
    assert running.desk.config.staff_chat_id == OLD  # this worker has not heard yet

    sara = StaffMember(fake, 9001, "Sara", "sara", chat_id=NEW, db=running.db)
    await sara.send("morning all")
    await fake.settle()
    assert running.desk.config.staff_chat_id == NEW
    assert fake.messages(NEW) == []  # staff chatter, not a customer to greet


async def test_a_customers_group_that_talks_all_day_is_checked_for_moves_once(
    running: Running,
) -> None:
    fake = running.fake
    group = -4_555_000_111
    fake.group(group, "Our shop")
    reads: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "chat_migrations" in statement:
            reads.append(statement)

    engine = running.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        talker = StaffMember(fake, 5551, "Ali", "ali", chat_id=group, db=running.db)
        for n in range(5):
            await talker.send(f"order {n} is on its way")
        await fake.settle()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(reads) == 1
