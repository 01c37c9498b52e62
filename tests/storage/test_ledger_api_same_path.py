"""The API's rows and the CSV file's go through one path: the same rows, the same outcomes."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.api import LedgerApi
from conversations.config import DeskConfig
from storage.database import Database
from storage.ledger_import import columns_of, import_csv

GOOD = {
    "transaction_id": "TX-1",
    "account_id": "ACC-1",
    "account_phone": "0300 1234567",
    "account_email": "",
    "purchased_at": "2026-08-14T09:00:00+05:00",
    "kind": "package",
    "credits": "1000",
    "credits_used": "10",
    "amount": "500.00",
    "currency": "PKR",
}
ODD_VALUES = {
    "transaction_id": ["TX-1", "TX-2", "", "x" * 70, "TX\t3"],
    "account_phone": ["0300 1234567", "", "12", "+44 7700 900123"],
    "purchased_at": ["2026-08-14T09:00:00+05:00", "2026-08-14", "yesterday", ""],
    "kind": ["package", "subscription", "gift"],
    "credits": ["1000", "-1", "1.5", "ten", ""],
    "credits_used": ["10", "2000", ""],
    "amount": ["500.00", "0.1", "-3", "1e400", ""],
    "currency": ["PKR", "rupees", "usd"],
}
rows = st.lists(
    st.fixed_dictionaries({k: st.sampled_from(v) for k, v in ODD_VALUES.items()}).map(
        lambda changes: {**GOOD, **changes}
    ),
    min_size=1,
    max_size=8,
)


async def _via_csv(items: list[dict[str, str]], folder: Path) -> list[tuple[str, str | None]]:
    path = folder / "p.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns_of("purchases"))
        writer.writeheader()
        writer.writerows(items)
    db = Database(f"sqlite+aiosqlite:///{folder / 'csv.db'}")
    await db.upgrade()
    try:
        report = await import_csv(db, "purchases", path)
    finally:
        await db.dispose()
    # The CSV's line 2 is the API's item 0; a repeat names "line N" there and "item N" here.
    rejected = {r.line - 2: r.reason.split(" repeats ")[0] for r in report.rejected}
    results = {line - 2: kind for line, (_, kind) in report.results.items()}
    return [(results.get(i, "rejected"), rejected.get(i)) for i in range(len(items))]


async def _via_api(items: list[dict[str, str]], folder: Path) -> list[tuple[str, str | None]]:
    db = Database(f"sqlite+aiosqlite:///{folder / 'api.db'}")
    await db.upgrade()
    try:
        api = LedgerApi(db, lambda: None, ["t" * 16], DeskConfig)  # type: ignore[arg-type,return-value]
        payload: list[Any] = list(items)
        report, early = await api.ingest("purchases", payload)
    finally:
        await db.dispose()
    assert not early
    rejected = {r.line: r.reason.split(" repeats ")[0] for r in report.rejected}
    return [
        (report.results[i][1] if i in report.results else "rejected", rejected.get(i))
        for i in range(len(items))
    ]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=rows)
async def test_the_api_and_the_csv_import_agree_row_by_row(items: list[dict[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        assert await _via_api(items, folder) == await _via_csv(items, folder)
