"""Ledger ingest throughput: 100,000 purchases through the API in batches, beside the CSV import.

Run: python bench/api_ingest.py [--rows N] [--batch N] [--database-url URL]

Both load the same purchases into a fresh database each (SQLite files in a temporary folder,
or the PostgreSQL URL given, emptied before each run):
- csv: `import_csv` on one file, as `refundbot import purchases FILE.csv` does;
- api: `POST /api/v1/purchases` over real HTTP on 127.0.0.1, one request per batch, one after
  the other, as billing's exporter would send them.
Prints rows/s for each (best of --repeat runs, alternating), and the API's share of the CSV
import's speed.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402

from bot.api import MAX_ROWS, LedgerApi  # noqa: E402
from bot.metrics import Metrics  # noqa: E402
from bot.web import WebServer  # noqa: E402
from conversations.config import DeskConfig  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.ledger_import import columns_of, import_csv  # noqa: E402
from storage.tables import metadata  # noqa: E402
from tests.e2e.processes import free_port  # noqa: E402

NOW = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)
TOKEN = "bench-token-0123456789abcdef"


def purchase(i: int) -> dict[str, str]:
    return {
        "transaction_id": f"TX-B{i:07d}",
        "account_id": f"ACC-{i % 5000:05d}",
        "account_phone": f"0300 {1000000 + i % 9000000:07d}",
        "account_email": f"c{i}@example.com" if i % 2 else "",
        "purchased_at": (NOW - timedelta(minutes=i % 5000)).isoformat(),
        "kind": "package",
        "credits": str(1000 + i % 9000),
        "credits_used": str(i % 1000),
        "amount": f"{500 + i % 9000}.50",
        "currency": "PKR",
    }


async def fresh(url: str) -> Database:
    db = Database(url)
    await db.upgrade()
    async with db.engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            await connection.execute(table.delete())
    return db


async def bench_csv(url: str, rows: list[dict[str, str]], folder: Path) -> float:
    path = folder / "purchases.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns_of("purchases"))
        writer.writeheader()
        writer.writerows(rows)
    db = await fresh(url)
    try:
        started = time.perf_counter()
        report = await import_csv(db, "purchases", path)
        seconds = time.perf_counter() - started
    finally:
        await db.dispose()
    assert report.added == len(rows), report.as_json()
    return seconds


async def bench_api(url: str, rows: list[dict[str, str]], batch: int) -> float:
    db = await fresh(url)
    api = LedgerApi(db, lambda: NOW, [TOKEN], DeskConfig)
    server = WebServer(db, Metrics(), lambda: NOW, api=api)
    port = free_port()
    await server.start("127.0.0.1", port)
    added = 0
    try:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with aiohttp.ClientSession() as http:
            started = time.perf_counter()
            for start in range(0, len(rows), batch):
                chunk = rows[start : start + batch]
                endpoint = f"http://127.0.0.1:{port}/api/v1/purchases"
                async with http.post(endpoint, json=chunk, headers=headers) as response:
                    assert response.status == 200, await response.text()
                    added += (await response.json())["added"]
            seconds = time.perf_counter() - started
    finally:
        await server.stop()
        await db.dispose()
    assert added == len(rows), added
    return seconds


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=MAX_ROWS)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=2, help="best of this many, alternating")
    args = parser.parse_args()
    rows = [purchase(i) for i in range(args.rows)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_url = args.database_url or f"sqlite+aiosqlite:///{folder / 'csv.db'}"
        api_url = args.database_url or f"sqlite+aiosqlite:///{folder / 'api.db'}"
        # Alternating, best of each: a shared machine's noise hits both alike.
        csv_times, api_times = [], []
        for _ in range(args.repeat):
            csv_times.append(await bench_csv(csv_url, rows, folder))
            api_times.append(await bench_api(api_url, rows, args.batch))
        csv_seconds, api_seconds = min(csv_times), min(api_times)
    backend = "postgresql" if args.database_url.startswith("postgresql") else "sqlite"
    n = args.rows
    print(f"ledger ingest, {n:,} purchases, {backend}")
    print(f"  csv import      {n / csv_seconds:>9,.0f} rows/s  ({csv_seconds:.1f} s)")
    print(
        f"  api, {args.batch:,}/req  {n / api_seconds:>9,.0f} rows/s  ({api_seconds:.1f} s, "
        f"{-(-n // args.batch)} requests)"
    )
    print(f"  api / csv       {csv_seconds / api_seconds:>9.2f}")


if __name__ == "__main__":
    asyncio.run(main())
