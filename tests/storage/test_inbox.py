"""The inbox: unique by update_id, and each chat's updates applied one at a time, in order,
by however many workers share the database (two on PostgreSQL, one on SQLite)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from telegram import Update

from bot.inbox import InboxProcessor, store_updates
from bot.metrics import Metrics
from conversations.dialogue.engine import AlongWith
from storage.database import Database
from tests.storage.rows import waiting_updates

CHATS = 6
PER_CHAT = 15


def _payload(update_id: int, chat: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_800_000_000,
            "chat": {"id": chat, "type": "private", "first_name": "C"},
            "from": {"id": chat, "is_bot": False, "first_name": "C"},
            "text": "hi",
        },
    }


def _processor(
    db: Database, apply: Callable[[Update, AlongWith], Awaitable[bool]]
) -> InboxProcessor:
    """A worker's inbox processor that looks for work every 20 ms."""
    return InboxProcessor(
        db,
        lambda p: Update.de_json(p, None),
        apply,
        lambda: datetime.now(UTC),
        Metrics(),
        on_released=lambda: None,
        idle_seconds=0.02,
    )


async def test_a_redelivered_update_is_stored_once(db: Database) -> None:
    now = datetime.now(UTC)
    assert await store_updates(db, [(1, 10, _payload(1, 10)), (2, 10, _payload(2, 10))], now) == 2
    assert await store_updates(db, [(2, 10, _payload(2, 10)), (3, 11, _payload(3, 11))], now) == 1
    assert await waiting_updates(db) == [1, 2, 3]


async def test_workers_apply_each_chats_updates_once_in_order_one_at_a_time(
    db: Database, database_url: str
) -> None:
    # Interleaved ids, as Telegram numbers updates across chats.
    rows = [
        (n * CHATS + c, 5000 + c, _payload(n * CHATS + c, 5000 + c))
        for n in range(PER_CHAT)
        for c in range(CHATS)
    ]
    await store_updates(db, rows, datetime.now(UTC))

    applied: dict[int, list[int]] = {}
    in_flight: set[int] = set()
    overlaps: list[int] = []

    async def apply(update: Update, along_with: AlongWith) -> bool:
        assert update.effective_chat is not None
        chat = update.effective_chat.id
        if chat in in_flight:
            overlaps.append(update.update_id)
        in_flight.add(chat)
        await asyncio.sleep(random.uniform(0, 0.01))
        # As a turn does: the update is marked processed in the turn's own transaction.
        async with db.uow() as uow:
            await along_with(uow)
            await uow.commit()
        applied.setdefault(chat, []).append(update.update_id)
        in_flight.discard(chat)
        return False

    # A worker each: its own engine and connection pool, as in separate processes.
    workers = 2 if db.dialect == "postgresql" else 1
    databases = [Database(database_url) for _ in range(workers)]
    processors = [_processor(d, apply) for d in databases]
    try:
        for processor in processors:
            processor.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while sum(map(len, applied.values())) < len(rows) and loop.time() < deadline:
            await asyncio.sleep(0.05)
        for processor in processors:
            await processor.stop()
    finally:
        for d in databases:
            await d.dispose()

    assert overlaps == []
    expected = {5000 + c: [n * CHATS + c for n in range(PER_CHAT)] for c in range(CHATS)}
    assert applied == expected
    assert await waiting_updates(db) == []


async def test_an_update_is_claimed_once_and_a_rolled_back_claim_is_no_claim(db: Database) -> None:
    now = datetime.now(UTC)
    await store_updates(db, [(1, 10, _payload(1, 10)), (2, 10, _payload(2, 10))], now)
    async with db.uow() as uow:
        assert await uow.inbox.claim(1, now)
        await uow.rollback()  # a turn whose commit failed
    async with db.uow() as uow:
        assert await uow.inbox.claim(1, now)
        assert not await uow.inbox.claim(1, now)  # the duplicate key
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.inbox.claim(1, now)
        assert not await uow.inbox.claim(99, now)  # never stored
    assert await waiting_updates(db) == [2]


async def test_a_failed_turn_is_tried_again_once_unless_it_committed(db: Database) -> None:
    now = datetime.now(UTC)
    await store_updates(db, [(1, 10, _payload(1, 10)), (2, 11, _payload(2, 11))], now)
    async with db.uow() as uow:
        assert await uow.inbox.try_again(1, tries=2)
        assert not await uow.inbox.try_again(1, tries=2)  # its second failure: given up
        assert await uow.inbox.claim(2, now)
        assert not await uow.inbox.try_again(2, tries=2)  # applied: nothing to try again
        await uow.commit()
    # An operator's retry gives it its tries back.
    async with db.uow() as uow:
        await uow.inbox.mark_processed(1, now, "Boom: twice")
        assert await uow.inbox.retry(1)
        assert await uow.inbox.try_again(1, tries=2)
        await uow.commit()


async def _advisory_locks(db: Database) -> int:
    async with db.reader() as read:
        count = await read.session.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
    return int(count or 0)


async def test_a_worker_leaves_no_chat_locked_after_a_failed_turn_or_a_stop_mid_turn(
    db: Database, database_url: str
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("the chat lock is PostgreSQL's; SQLite's is the process's busy set")
    await store_updates(db, [(1, 10, _payload(1, 10)), (2, 11, _payload(2, 11))], datetime.now(UTC))
    stuck = asyncio.Event()
    tries: dict[int, int] = {}

    async def apply(update: Update, along_with: AlongWith) -> bool:
        tries[update.update_id] = tries.get(update.update_id, 0) + 1
        if update.update_id == 1:
            raise RuntimeError("a turn that fails every time")
        stuck.set()
        await asyncio.Event().wait()  # a turn still running when the worker stops
        return False

    worker = Database(database_url)
    processor = _processor(worker, apply)
    try:
        processor.start()
        await asyncio.wait_for(stuck.wait(), 10)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while tries.get(1, 0) < 2 and loop.time() < deadline:
            await asyncio.sleep(0.05)
        assert tries[1] == 2  # tried again once, then recorded failed
        assert await _advisory_locks(db) == 1  # chat 11's, its turn still running
        await processor.stop(grace=0.1)
        # Neither the failed chat's lock nor the stopped turn's went back into the pool.
        assert await _advisory_locks(db) == 0
        async with worker.uow() as uow:
            assert await uow.inbox.try_lock_chat(10)
            assert await uow.inbox.try_lock_chat(11)
    finally:
        await worker.dispose()


async def test_postgresql_drops_a_worker_that_vanished_within_a_minute(db: Database) -> None:
    """A chat's lock dies with its worker's connection, also when the machine just vanished."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no server to hold a lock for a vanished worker")
    async with db.reader() as read:
        settings = {
            name: await read.session.scalar(text(f"SHOW {name}"))
            for name in ("tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count")
        }
    idle, interval, count = (int(str(v).rstrip("s")) for v in settings.values())
    # 0 means the system's defaults: two hours before the first probe.
    assert min(idle, interval, count) > 0 and idle + interval * count <= 60, settings
