"""Outbox: messages wait until sent or retry later; message refs say what a message is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conversations.domain import Button, OutgoingMessage
from storage import Database
from tests.storage.rows import is_sent

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

CARD = OutgoingMessage(
    chat_id=-1001234567890,
    text="Claim #12: TX-1001, 120 credits",
    buttons=(
        (Button("Take", "take:12"), Button("Reject", "reject:12")),
        (Button("Ask", "ask:12"),),
    ),
    message_thread_id=5,
    ref="claim:12",
)
REPLY = OutgoingMessage(chat_id=42, text="Thanks! Your claim is #12.", edit_message_id=314)


async def test_put_messages_come_back_pending_oldest_first(db: Database) -> None:
    async with db.uow() as uow:
        card_id = await uow.outbox.put(CARD, now=T0)
        reply_id = await uow.outbox.put(REPLY, now=T0 + timedelta(seconds=1))
        await uow.commit()
    async with db.uow() as uow:
        pending = await uow.outbox.pending(T0 + timedelta(seconds=2), limit=10)

    assert [item.id for item in pending] == [card_id, reply_id]
    assert pending[0].message == CARD
    assert pending[1].message == REPLY
    assert pending[0].created_at == T0 and pending[0].attempts == 0


async def test_a_message_not_committed_is_never_sent(db: Database) -> None:
    async with db.uow() as uow:
        await uow.outbox.put(REPLY, now=T0)
    async with db.uow() as uow:
        pending = await uow.outbox.pending(T0 + timedelta(hours=1), limit=10)

    assert pending == []


async def test_sent_messages_leave_the_queue(db: Database) -> None:
    async with db.uow() as uow:
        card_id = await uow.outbox.put(CARD, now=T0)
        reply_id = await uow.outbox.put(REPLY, now=T0)
        await uow.commit()
    async with db.uow() as uow:
        await uow.outbox.mark_sent(card_id, 777)
        await uow.commit()
    async with db.uow() as uow:
        pending = await uow.outbox.pending(T0 + timedelta(minutes=1), limit=10)

    assert [item.id for item in pending] == [reply_id]
    assert await is_sent(db, card_id)


async def test_a_failed_send_waits_until_its_retry_time(db: Database) -> None:
    async with db.uow() as uow:
        reply_id = await uow.outbox.put(REPLY, now=T0)
        await uow.commit()
    async with db.uow() as uow:
        await uow.outbox.retry_later(reply_id, T0 + timedelta(seconds=30), "429 Too Many Requests")
        await uow.commit()
    async with db.uow() as uow:
        too_early = await uow.outbox.pending(T0 + timedelta(seconds=29), limit=10)
        due = await uow.outbox.pending(T0 + timedelta(seconds=30), limit=10)

    assert too_early == []
    assert [item.id for item in due] == [reply_id]
    assert due[0].attempts == 1 and due[0].not_before == T0 + timedelta(seconds=30)


async def test_pending_respects_the_limit(db: Database) -> None:
    async with db.uow() as uow:
        ids = [await uow.outbox.put(REPLY, now=T0) for _ in range(5)]
        await uow.commit()
    async with db.uow() as uow:
        first_two = await uow.outbox.pending(T0, limit=2)

    assert [item.id for item in first_two] == ids[:2]


async def test_a_staff_card_maps_back_to_its_claim(db: Database) -> None:
    async with db.uow() as uow:
        await uow.messages.remember("claim:12", -1001234567890, 501, 5)
        await uow.messages.remember("relay:42", 42, 90, None)
        await uow.messages.remember("relay:42", 42, 91, None)
        await uow.commit()
    async with db.uow() as uow:
        card = await uow.messages.lookup("claim:12")
        latest_relay = await uow.messages.lookup("relay:42")
        ref = await uow.messages.find_ref(-1001234567890, 501)
        earlier_relay = await uow.messages.find_ref(42, 90)
        unknown = await uow.messages.find_ref(42, 1)
        never = await uow.messages.lookup("claim:99")

    assert card == (-1001234567890, 501, 5)
    assert latest_relay == (42, 91, None)
    assert (ref, earlier_relay) == ("claim:12", "relay:42")
    assert (unknown, never) == (None, None)


async def test_remembering_the_same_message_again_moves_it_to_the_new_ref(db: Database) -> None:
    async with db.uow() as uow:
        await uow.messages.remember("claim:12", -100, 501, None)
        await uow.messages.remember("claim:13", -100, 501, None)
        await uow.commit()
    async with db.uow() as uow:
        ref = await uow.messages.find_ref(-100, 501)

    assert ref == "claim:13"
