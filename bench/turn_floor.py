"""What a turn's database work alone costs: the floor under `bench/speed.py`'s desk figures.

A FAQ turn's statements, through the same repositories and units of work the bot uses, with
no dialogue and no Telegram: store the update; take the chat's lock and read the update; the
turn's transaction (mark it applied, load the chat's state, its language and its claims
waiting for an answer, save the state, queue the reply, mark the update processed); mark the
reply sent; look for the chat's next update. N chats at once, as the inbox applies them.

    python bench/turn_floor.py [--chats 10] [--turns 2000] [--database-url URL]

Prints turns/s and this process's CPU per turn. Beside it, the same number of plain
`SELECT 1` round trips, to show how much of the floor is the round trips themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from conversations.domain import OutgoingMessage  # noqa: E402
from storage.database import Database, open_database  # noqa: E402

# Round trips a turn makes on PostgreSQL: 1 store, 3 lock and read (BEGIN, lock, read),
# 9 in the turn (BEGIN, 7 statements, COMMIT), 1 mark sent, 1 next read; the lock's
# ROLLBACK is shared by the chat's turns in a row.
ROUND_TRIPS = 15


async def one_turn(db: Database, chat_id: int, update_id: int) -> None:
    now = datetime.now(UTC)
    payload = {"update_id": update_id, "message": {"text": "how long does a refund take"}}
    async with db.single() as store:
        await store.inbox.add([(update_id, chat_id, payload)], now)
        await store.commit()
    if db.dialect == "sqlite":  # one process: a plain read, as bot/inbox.py does
        async with db.reader() as read:
            assert await read.inbox.next_for_chat(chat_id) is not None
        await apply_and_send(db, chat_id, update_id, now)
        async with db.reader() as read:
            await read.inbox.next_for_chat(chat_id)
        return
    async with db.uow() as lock:
        await lock.inbox.try_lock_chat(chat_id)
        assert await lock.inbox.next_for_chat(chat_id) is not None
        await apply_and_send(db, chat_id, update_id, now)
        await lock.inbox.next_for_chat(chat_id)


async def apply_and_send(db: Database, chat_id: int, update_id: int, now: datetime) -> None:
    async with db.uow() as uow:
        await uow.inbox.claim(update_id, now)  # the one duplicate key
        snapshot = await uow.conversations.load_turn(chat_id, chat_id)
        await uow.conversations.save(snapshot.state)
        reply = OutgoingMessage(chat_id, "Refunds take 5 to 7 business days.")
        outbox_id = await uow.outbox.put(reply, now, now + timedelta(seconds=30))
        await uow.commit()
    async with db.single() as sent:
        await sent.outbox.mark_sent(outbox_id, update_id)
        await sent.commit()


async def select_ones(db: Database, count: int) -> None:
    async with db.engine.connect() as connection:
        for _ in range(count):
            await connection.execute(text("SELECT 1"))


async def measure(label: str, chats: int, work: object) -> None:
    assert callable(work)
    cpu, wall = time.process_time(), time.perf_counter()
    turns = await work()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"{label:<44} {turns / wall:>8.0f} turns/s {cpu / turns * 1000:>7.2f} ms CPU a turn",
        flush=True,
    )


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'floor.db'}"
        db = await open_database(url)
        per_chat = args.turns // args.chats
        print(f"{db.dialect}: {args.chats} chats at once, {per_chat * args.chats} turns")

        async def turns() -> int:
            async def chat(n: int) -> None:
                for k in range(per_chat):
                    await one_turn(db, 900_000 + n, n * per_chat + k + 1)

            await asyncio.gather(*(chat(n) for n in range(args.chats)))
            return per_chat * args.chats

        async def round_trips() -> int:
            await asyncio.gather(
                *(select_ones(db, per_chat * ROUND_TRIPS) for _ in range(args.chats))
            )
            return per_chat * args.chats

        await measure("a FAQ turn's database work", args.chats, turns)
        await measure(
            f"{ROUND_TRIPS} x SELECT 1 a turn (round trips only)", args.chats, round_trips
        )
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--chats", type=int, default=10)
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    asyncio.run(main(parser.parse_args()))
