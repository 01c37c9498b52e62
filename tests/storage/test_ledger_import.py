"""Ledger CSV import: good rows load, bad rows are named by line, re-imports change nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from conversations.domain import Kind
from storage import Database, LedgerFileError, Rejection, import_csv

LEDGER = Path(__file__).parent.parent / "data" / "ledger"


async def load_good_ledger(db: Database) -> None:
    for kind in ("purchases", "campaigns", "incidents"):
        await import_csv(db, kind, LEDGER / f"{kind}.csv")


async def test_purchases_load_with_normalised_values(db: Database) -> None:
    report = await import_csv(db, "purchases", LEDGER / "purchases.csv")

    async with db.uow() as uow:
        first = await uow.ledger.purchase("TX-2001")
        local_phone = await uow.ledger.purchase("TX-2002")
        abroad = await uow.ledger.purchase("TX-2003")

    assert (report.added, report.updated, report.unchanged, report.rejected) == (3, 0, 0, [])
    assert first is not None and local_phone is not None and abroad is not None
    assert first.purchased_at == datetime(2025, 3, 1, 5, 0, tzinfo=UTC)
    assert (first.credits, first.credits_used, first.amount) == (5000, 1200, 2500.0)
    assert local_phone.account_phone == "+923007654321"
    assert local_phone.kind is Kind.SUBSCRIPTION
    assert abroad.account_phone == "+447700900123"
    assert (abroad.kind, abroad.currency) == (Kind.PACKAGE, "GBP")
    assert abroad.purchased_at == datetime(2025, 3, 4, 0, 59, 59, tzinfo=UTC)


async def test_campaigns_and_incidents_load(db: Database) -> None:
    await import_csv(db, "purchases", LEDGER / "purchases.csv")

    campaigns = await import_csv(db, "campaigns", LEDGER / "campaigns.csv")
    incidents = await import_csv(db, "incidents", LEDGER / "incidents.csv")

    async with db.uow() as uow:
        for_purchase = await uow.ledger.campaigns_for("TX-2001")
        cmp3 = await uow.ledger.campaign("CMP-3")
        overlapping = await uow.ledger.incidents_between(
            datetime(2025, 3, 1, 11, 0, tzinfo=UTC), datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
        )
        later = await uow.ledger.incidents_between(
            datetime(2025, 3, 3, 11, 0, tzinfo=UTC), datetime(2025, 3, 5, tzinfo=UTC)
        )

    assert (campaigns.added, campaigns.rejected) == (3, [])
    assert (incidents.added, incidents.rejected) == (3, [])
    assert sorted(c.campaign_id for c in for_purchase) == ["CMP-1", "CMP-2"]
    assert cmp3 is not None and cmp3.destination_country == "GB" and cmp3.failed_carrier == 40
    assert [i.incident_id for i in overlapping] == ["INC-1"]
    # INC-2 never ended, so it still overlaps; INC-3 is international, stored lower case.
    assert [(i.incident_id, i.scope, i.ended_at) for i in later] == [
        ("INC-2", "PK", None),
        ("INC-3", "international", datetime(2025, 3, 3, 12, 0, tzinfo=UTC)),
    ]
    assert later[1].description == ""


async def test_reimporting_the_same_files_changes_nothing(db: Database) -> None:
    await load_good_ledger(db)

    again = [
        await import_csv(db, kind, LEDGER / f"{kind}.csv")
        for kind in ("purchases", "campaigns", "incidents")
    ]

    assert [(r.added, r.updated, r.unchanged, r.rejected) for r in again] == [
        (0, 0, 3, []),
        (0, 0, 3, []),
        (0, 0, 3, []),
    ]


async def test_a_changed_row_counts_as_updated(db: Database, tmp_path: Path) -> None:
    await import_csv(db, "purchases", LEDGER / "purchases.csv")
    changed = tmp_path / "purchases.csv"
    changed.write_text(
        (LEDGER / "purchases.csv").read_text().replace(",5000,1200,", ",5000,4800,"),
        encoding="utf-8",
    )

    report = await import_csv(db, "purchases", changed)
    async with db.uow() as uow:
        purchase = await uow.ledger.purchase("TX-2001")

    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    assert purchase is not None and purchase.credits_used == 4800


async def test_bad_rows_are_rejected_by_line_and_the_good_ones_load(db: Database) -> None:
    report = await import_csv(db, "purchases", LEDGER / "purchases_bad.csv")

    async with db.uow() as uow:
        good = await uow.ledger.purchase("TX-3001")
        last = await uow.ledger.purchase("TX-3008")
        bad = await uow.ledger.purchase("TX-3003")

    assert (report.added, report.updated, report.unchanged) == (2, 0, 0)
    assert [r.line for r in report.rejected] == [3, 4, 5, 6, 7, 8, 9]
    reasons = {r.line: r.reason for r in report.rejected}
    assert reasons[3].startswith("purchased_at: bad date '01/03/2025'")
    assert reasons[4] == "credits: must not be negative"
    assert reasons[5].startswith("kind: unknown kind 'bundle'")
    assert reasons[6].startswith("purchased_at: time has no UTC offset")
    assert reasons[7] == "credits_used (101) is more than credits (100)"
    assert reasons[8] == "account_phone: not a phone number: 'call me'"
    assert reasons[9] == "transaction_id TX-3001 repeats line 2"
    assert good is not None and last is not None and bad is None


async def test_a_missing_column_rejects_the_whole_file(db: Database) -> None:
    with pytest.raises(LedgerFileError, match="no column kind"):
        await import_csv(db, "purchases", LEDGER / "purchases_missing_column.csv")

    async with db.uow() as uow:
        assert await uow.ledger.purchase("TX-4001") is None


async def test_a_campaign_of_an_unloaded_purchase_is_rejected_clearly(db: Database) -> None:
    await import_csv(db, "purchases", LEDGER / "purchases.csv")

    report = await import_csv(db, "campaigns", LEDGER / "campaigns_bad.csv")

    assert report.added == 1
    assert report.rejected == [
        Rejection(3, "transaction_id TX-9999 is not in the ledger (import its purchase first)"),
        Rejection(
            4,
            "delivered + failed_platform + failed_carrier (105) is more than messages_sent (100)",
        ),
        Rejection(5, "destination_country: unknown country 'Narnia' (expected ISO code, e.g. PK)"),
    ]


async def test_incidents_with_an_unknown_scope_or_backwards_times_are_rejected(
    db: Database,
) -> None:
    report = await import_csv(db, "incidents", LEDGER / "incidents_bad.csv")

    assert report.added == 1
    assert [(r.line, r.reason.split(" (")[0]) for r in report.rejected] == [
        (2, "scope: unknown scope 'europe'"),
        (3, "ended_at is before started_at"),
    ]


async def test_a_file_that_is_not_utf8_is_refused(db: Database, tmp_path: Path) -> None:
    latin1 = tmp_path / "purchases.csv"
    latin1.write_bytes((LEDGER / "purchases.csv").read_bytes().replace(b"one@", b"\xe9t\xe9@"))

    with pytest.raises(LedgerFileError, match="not UTF-8"):
        await import_csv(db, "purchases", latin1)


async def test_an_empty_file_or_a_missing_file_is_refused(db: Database, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")

    with pytest.raises(LedgerFileError, match="empty"):
        await import_csv(db, "incidents", empty)
    with pytest.raises(LedgerFileError, match="no such file"):
        await import_csv(db, "incidents", tmp_path / "nope.csv")


async def test_header_order_case_and_a_byte_order_mark_do_not_matter(
    db: Database, tmp_path: Path
) -> None:
    shuffled = tmp_path / "incidents.csv"
    shuffled.write_text(
        "\ufeffScope, Incident_ID ,description,started_at,ended_at,extra\n"
        "all,INC-9,Down,2025-03-01T09:00:00Z,,ignored\n",
        encoding="utf-8",
    )

    report = await import_csv(db, "incidents", shuffled)

    assert (report.added, report.rejected) == (1, [])


async def test_progress_reports_rows_done_of_total(db: Database, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []

    await import_csv(
        db, "purchases", LEDGER / "purchases.csv", progress=lambda d, t: seen.append((d, t))
    )

    assert seen[-1] == (3, 3)


async def test_a_multiline_quoted_field_keeps_later_line_numbers_right(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "incidents.csv"
    path.write_text(
        "incident_id,started_at,ended_at,scope,description\n"
        'INC-1,2025-03-01T09:00:00Z,,all,"line one\nline two"\n'
        "INC-2,2025-03-01T09:00:00Z,,mars,bad\n",
        encoding="utf-8",
    )

    report = await import_csv(db, "incidents", path)

    assert [r.line for r in report.rejected] == [4]
