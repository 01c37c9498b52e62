"""The reminder job's cost as claims pile up: due claims read by index, against reading them all.

Run: python bench/reminders.py [--database-url URL]

Fills a fresh database with N claims, as a desk accumulates them: one in a thousand waiting for
staff, a third approved long ago and already flagged overdue once, the rest paid. Then times one
reminder run two ways in the same process, both sending the same reminders:
- baseline: the job as it was (every escalated and approved claim, each one's audit trail);
- now: `due_reminders`, which asks the claims index for the ones whose reminder is due.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from conversations.catalog import staff as s  # noqa: E402
from conversations.catalog.policy_text import format_age  # noqa: E402
from conversations.config import DeskConfig  # noqa: E402
from conversations.domain import AuditEntry, AuditKind, ClaimStatus, OutgoingMessage  # noqa: E402
from conversations.ports import UnitOfWork  # noqa: E402
from conversations.staff.queue import is_overdue  # noqa: E402
from conversations.staff.reminders import due_reminders  # noqa: E402
from storage import open_database  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.tables import claim_audit, claims  # noqa: E402

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
CONFIG = DeskConfig(staff_chat_id=-100, home_country="PK")


async def fill(db: Database, n: int) -> None:
    rows = []
    for i in range(n):
        waiting = i % 1000 == 0
        status = (
            ClaimStatus.ESCALATED
            if waiting
            else ClaimStatus.APPROVED
            if i % 3 == 0
            else ClaimStatus.REFUNDED
        )
        at = NOW - timedelta(days=30, minutes=i)
        rows.append(
            {
                "status": status.value,
                "outcome": "eligible",
                "reason": "undelivered",
                "transaction_id": f"TX-{i:07d}",
                "telegram_user_id": 1000 + i % 5000,
                "chat_id": 1000 + i % 5000,
                "refundable_credits": 10,
                "clauses": [],
                "created_at": at,
                "updated_at": at,
                "escalated_at": at,
                "decided_at": None if waiting else at + timedelta(hours=1),
                "refunded_at": at + timedelta(days=5) if status is ClaimStatus.REFUNDED else None,
                "customer_name": "Bench",
                "campaign_ids": [],
                "remind_at": NOW - timedelta(minutes=5) if waiting else None,
            }
        )
    async with db.uow() as uow:
        for start in range(0, n, 5_000):
            await uow.session.execute(claims.insert(), rows[start : start + 5_000])
        # The old job knew a refund was flagged overdue from this audit row.
        flagged = (
            await uow.session.execute(
                select(claims.c.id).where(claims.c.status == ClaimStatus.APPROVED.value)
            )
        ).scalars()
        audit = [
            {
                "claim_id": i,
                "at": NOW - timedelta(days=20),
                "actor": "bot",
                "kind": AuditKind.REMINDED_OVERDUE.value,
                "note": "reminder: refund overdue",
            }
            for i in flagged
        ]
        for start in range(0, len(audit), 5_000):
            await uow.session.execute(claim_audit.insert(), audit[start : start + 5_000])
        await uow.commit()


async def baseline(uow: UnitOfWork, now: datetime, config: DeskConfig) -> int:
    """The job as it was before the reminder index (same messages, same audit rows)."""
    assert config.staff_chat_id is not None
    sent = 0
    wait = timedelta(minutes=config.untaken_reminder_minutes)
    for claim in await uow.claims.list(ClaimStatus.ESCALATED):
        assert claim.id is not None
        since = claim.escalated_at or claim.created_at
        if now - since < wait:
            continue
        trail = await uow.claims.audit(claim.id)
        last = max((a.at for a in trail if a.kind is AuditKind.REMINDED_UNTAKEN), default=since)
        if now - last < wait:
            continue
        text = s.REMINDER_UNTAKEN.format(claim_id=claim.id, age=format_age(now - since))
        await uow.outbox.put(OutgoingMessage(config.staff_chat_id, text), now)
        await uow.claims.add_audit(
            AuditEntry(claim.id, now, "bot", None, None, None, AuditKind.REMINDED_UNTAKEN)
        )
        sent += 1
    for claim in await uow.claims.list(ClaimStatus.APPROVED):
        if claim.id is None or not is_overdue(claim, now, config.home_country):
            continue
        trail = await uow.claims.audit(claim.id)
        if any(a.kind is AuditKind.REMINDED_OVERDUE for a in trail):
            continue
        sent += 1
    return sent


async def timed(db: Database, now_job: bool) -> float:
    started = time.perf_counter()
    async with db.uow() as uow:
        if now_job:
            await due_reminders(uow, NOW, CONFIG)
        else:
            await baseline(uow, NOW, CONFIG)
        await uow.rollback()  # the same claims are due for every repetition
    return (time.perf_counter() - started) * 1000


async def main(url: str | None) -> None:
    print(f"{'claims':>9}  {'baseline ms':>12}  {'now ms':>8}  (median of 5 runs each)")
    for n in (100, 100_000):
        with tempfile.TemporaryDirectory() as folder:
            db = await open_database(url or f"sqlite+aiosqlite:///{folder}/bench.db")
            try:
                await fill(db, n)
                old = sorted([await timed(db, False) for _ in range(5)])[2]
                new = sorted([await timed(db, True) for _ in range(5)])[2]
            finally:
                await db.dispose()
        print(f"{n:>9,}  {old:>12.1f}  {new:>8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    asyncio.run(main(parser.parse_args().database_url))
