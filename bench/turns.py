"""How many dialogue turns per second the desk applies, on SQLite or PostgreSQL.

Each simulated customer walks a whole claim (8 turns: /claim, transaction, contact, reason,
campaign, send) through the real engine and database, without Telegram. Prints turns/s and
turn latency percentiles.

    python bench/turns.py [--customers 200] [--concurrency 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from conversations.chat.events import Author, EventKind, Inbound
from conversations.config import DeskConfig
from conversations.dialogue.engine import Desk
from storage.database import open_database
from storage.demo_data import load_demo_data


def _now() -> datetime:
    return datetime.now(UTC)


async def _customer(desk: Desk, user_id: int, latencies: list[float]) -> None:
    sender = Author(user_id, "Bench")

    async def turn(event: Inbound) -> None:
        started = time.perf_counter()
        await desk.handle(event)
        latencies.append(time.perf_counter() - started)

    for text in ("/claim", "TX-1001", "demo1@example.com"):
        await turn(Inbound.text_or_command(user_id, sender, text))
    for data in ("r:undelivered", "c:CMP-1001", "cl:cancel"):
        await turn(Inbound(user_id, sender, EventKind.BUTTON, data=data))
    for text in ("how long does a refund take", "/status"):
        await turn(Inbound.text_or_command(user_id, sender, text))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        db = await open_database(url)
        await load_demo_data(db, _now())
        desk = Desk(db.uow, _now, DeskConfig())
        latencies: list[float] = []
        gate = asyncio.Semaphore(args.concurrency)

        async def one(user_id: int) -> None:
            async with gate:
                await _customer(desk, user_id, latencies)

        started = time.perf_counter()
        await asyncio.gather(*(one(10_000 + i) for i in range(args.customers)))
        elapsed = time.perf_counter() - started
        await db.dispose()
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95)] * 1000
    print(f"database      {url.split(':')[0]}")
    print(f"customers     {args.customers} ({args.concurrency} at a time)")
    rate = len(latencies) / elapsed
    print(f"turns         {len(latencies)} in {elapsed:.2f} s = {rate:,.0f} turns/s")
    print(f"turn latency  p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {latencies[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
