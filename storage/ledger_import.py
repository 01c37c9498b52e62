"""Load a ledger CSV (purchases, campaigns or incidents) into the database, idempotently by id."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from conversations.domain import Campaign, Incident, Purchase
from storage.database import Database
from storage.ledger_rows import CampaignRow, IncidentRow, PurchaseRow, RowError
from storage.repositories.ledger import LedgerRepository

LedgerKind = Literal["purchases", "campaigns", "incidents"]
Record = Purchase | Campaign | Incident
BATCH_ROWS = 2_000

_ROWS: dict[str, type[PurchaseRow] | type[CampaignRow] | type[IncidentRow]] = {
    "purchases": PurchaseRow,
    "campaigns": CampaignRow,
    "incidents": IncidentRow,
}


class LedgerFileError(Exception):
    """The whole file cannot be read; str() says why, for the operator."""


@dataclass(frozen=True)
class Rejection:
    line: int  # the file's line number; the header is line 1
    reason: str


RowResult = Literal["added", "updated", "unchanged"]


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    # What became of each loaded row, by its line (the API answers per row).
    results: dict[int, tuple[str, RowResult]] = field(default_factory=dict)
    # The records added or updated, for the checks that follow a change of facts.
    changed: list[Record] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.added + self.updated + self.unchanged

    def as_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [{"line": r.line, "reason": r.reason} for r in self.rejected],
        }


@dataclass(frozen=True)
class _Parsed:
    line: int
    record: Record


async def import_csv(
    db: Database,
    kind: LedgerKind,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Validate every row, load the good ones, and report the bad ones by line number."""
    if kind not in _ROWS:
        raise LedgerFileError(
            f"unknown ledger kind {kind!r}: use purchases, campaigns or incidents"
        )
    rows = _read_rows(Path(path), _ROWS[kind].columns)
    return await import_rows(db, kind, rows, progress)


def columns_of(kind: LedgerKind) -> tuple[str, ...]:
    """The CSV columns of a ledger kind (the API's keys)."""
    return _ROWS[kind].columns


async def import_rows(
    db: Database,
    kind: LedgerKind,
    rows: Sequence[tuple[int, dict[str, str]]],
    progress: Callable[[int, int], None] | None = None,
    *,
    unit: str = "line",
) -> ImportReport:
    """Validate and load rows given as (line, cells by column): the CSV file's and the API's.

    `unit` names what the line numbers count, in the reason a repeated id is rejected.
    """
    if kind not in _ROWS:
        raise LedgerFileError(
            f"unknown ledger kind {kind!r}: use purchases, campaigns or incidents"
        )
    row_model = _ROWS[kind]
    report = ImportReport()
    total = len(rows)
    first_line: dict[str, int] = {}
    done = 0
    for start in range(0, total, BATCH_ROWS):
        batch: list[_Parsed] = []
        for line, raw in rows[start : start + BATCH_ROWS]:
            try:
                record = row_model.parse(raw).domain()
            except RowError as error:
                report.rejected.append(Rejection(line, str(error)))
                continue
            key = _key(record)
            if key in first_line:
                report.rejected.append(
                    Rejection(line, f"{row_model.key} {key} repeats {unit} {first_line[key]}")
                )
                continue
            first_line[key] = line
            batch.append(_Parsed(line, record))
        await _load_batch(db, batch, report)
        done = min(start + BATCH_ROWS, total)
        if progress is not None:
            progress(done, total)
    report.rejected.sort(key=lambda r: r.line)
    return report


def _read_rows(path: Path, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LedgerFileError(f"{path}: no such file") from None
    except OSError as error:
        raise LedgerFileError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LedgerFileError(
            f"{path}: not UTF-8 text (bad byte at offset {error.start}); "
            "save it as CSV UTF-8 and try again"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise LedgerFileError(
                f"{path}: the file is empty; expected a header row: {', '.join(columns)}"
            )
        names = [cell.strip().lower() for cell in header]
        missing = [c for c in columns if c not in names]
        if missing:
            raise LedgerFileError(
                f"{path}: the header has no column {', '.join(missing)} "
                f"(expected: {', '.join(columns)})"
            )
        index = {c: names.index(c) for c in columns}
        return list(_records(reader, index))
    except csv.Error as error:
        raise LedgerFileError(f"{path}: line {reader.line_num}: not valid CSV ({error})") from None


def _records(reader: Any, index: dict[str, int]) -> Iterator[tuple[int, dict[str, str]]]:
    previous_end = reader.line_num
    for cells in reader:
        # A quoted field may span lines; report the line the record starts on.
        line, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        yield line, {c: cells[i] if i < len(cells) else "" for c, i in index.items()}


def _key(record: Record) -> str:
    if isinstance(record, Purchase):
        return record.transaction_id
    if isinstance(record, Campaign):
        return record.campaign_id
    return record.incident_id


async def _load_batch(db: Database, batch: list[_Parsed], report: ImportReport) -> None:
    if not batch:
        return
    async with db.uow() as uow:
        ledger = uow.ledger
        keys = [_key(p.record) for p in batch]
        if isinstance(batch[0].record, Campaign):
            batch = await _with_known_purchases(ledger, batch, report)
        if batch and isinstance(batch[0].record, Purchase):
            batch = await _within_approved_credits(ledger, batch, report)
        existing = await _existing(ledger, batch[0].record, keys) if batch else {}
        changed: list[Record] = []
        for parsed in batch:
            before = existing.get(_key(parsed.record))
            key = _key(parsed.record)
            if before is None:
                report.added += 1
                report.results[parsed.line] = (key, "added")
                changed.append(parsed.record)
            elif before != parsed.record:
                report.updated += 1
                report.results[parsed.line] = (key, "updated")
                changed.append(parsed.record)
            else:
                report.unchanged += 1
                report.results[parsed.line] = (key, "unchanged")
        await _upsert(ledger, changed)
        await uow.commit()
    report.changed.extend(changed)


async def _with_known_purchases(
    ledger: LedgerRepository, batch: list[_Parsed], report: ImportReport
) -> list[_Parsed]:
    wanted = {p.record.transaction_id for p in batch if isinstance(p.record, Campaign)}
    known = await ledger.known_transactions(wanted)
    kept: list[_Parsed] = []
    for parsed in batch:
        assert isinstance(parsed.record, Campaign)
        if parsed.record.transaction_id in known:
            kept.append(parsed)
        else:
            report.rejected.append(
                Rejection(
                    parsed.line,
                    f"transaction_id {parsed.record.transaction_id} is not in the ledger "
                    "(import its purchase first)",
                )
            )
    return kept


async def _within_approved_credits(
    ledger: LedgerRepository, batch: list[_Parsed], report: ImportReport
) -> list[_Parsed]:
    """A purchase cannot shrink below the credits already approved for refund (C-ONCE)."""
    approved = await ledger.credits_approved_by_id([_key(p.record) for p in batch])
    kept: list[_Parsed] = []
    for parsed in batch:
        assert isinstance(parsed.record, Purchase)
        booked = approved.get(parsed.record.transaction_id, 0)
        if parsed.record.credits < booked:
            report.rejected.append(
                Rejection(
                    parsed.line,
                    f"credits ({parsed.record.credits:,}) is less than the {booked:,} credits "
                    "already approved for refund on this purchase",
                )
            )
        else:
            kept.append(parsed)
    return kept


async def _existing(ledger: LedgerRepository, sample: Record, keys: list[str]) -> dict[str, Record]:
    if isinstance(sample, Purchase):
        return dict(await ledger.purchases_by_id(keys))
    if isinstance(sample, Campaign):
        return dict(await ledger.campaigns_by_id(keys))
    return dict(await ledger.incidents_by_id(keys))


async def _upsert(ledger: LedgerRepository, records: list[Record]) -> None:
    if not records:
        return
    sample = records[0]
    if isinstance(sample, Purchase):
        await ledger.upsert_purchases([r for r in records if isinstance(r, Purchase)])
    elif isinstance(sample, Campaign):
        await ledger.upsert_campaigns([r for r in records if isinstance(r, Campaign)])
    else:
        await ledger.upsert_incidents([r for r in records if isinstance(r, Incident)])
