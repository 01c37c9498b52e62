"""Time importing 100,000 purchases into a fresh SQLite file, then importing them again.

Run: python bench/import_purchases.py [ROWS]
"""

from __future__ import annotations

import asyncio
import csv
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import ImportReport, import_csv, open_database  # noqa: E402
from storage.ledger_rows import PurchaseRow  # noqa: E402


def write_purchases(path: Path, rows: int) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(PurchaseRow.columns)
        for n in range(rows):
            credits = 1000 + (n % 50) * 100
            writer.writerow(
                [
                    f"TX-{n:07d}",
                    # 20,000 accounts, each with one phone and e-mail, as in a real export.
                    f"ACC-{n % 20_000:05d}",
                    f"+92300{n % 20_000:07d}",
                    f"user{n % 20_000}@example.com",
                    (start + timedelta(minutes=n)).astimezone().isoformat(),
                    "subscription" if n % 10 == 0 else "package",
                    credits,
                    credits // 3,
                    f"{credits * 0.5:.2f}",
                    "PKR",
                ]
            )


async def timed(label: str, run: asyncio.Future[ImportReport] | object) -> ImportReport:
    began = time.perf_counter()
    report: ImportReport = await run  # type: ignore[misc]
    seconds = time.perf_counter() - began
    rows = report.loaded + len(report.rejected)
    print(
        f"{label:<10} {rows:>7} rows in {seconds:6.2f} s = {rows / seconds:>9,.0f} rows/s "
        f"(added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"rejected {len(report.rejected)})"
    )
    return report


async def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "purchases.csv"
        write_purchases(csv_path, rows)
        db = await open_database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            await timed("import", import_csv(db, "purchases", csv_path))
            await timed("re-import", import_csv(db, "purchases", csv_path))
        finally:
            await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
