"""Claim events for billing: recorded with the claim's change, posted later by bot/events.py."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import AuditEntry, AuditKind, Claim, ClaimStatus, Purchase
from conversations.money import pro_rata
from storage.tables import events

# The event a claim's arrival in a status means for billing (filing is "filed" as well).
EVENT_OF_STATUS: dict[ClaimStatus, str] = {
    ClaimStatus.ESCALATED: "escalated",
    ClaimStatus.APPROVED: "approved",
    ClaimStatus.REJECTED: "rejected",
    ClaimStatus.REFUNDED: "refunded",
    ClaimStatus.CANCELLED: "withdrawn",
}


def event_types(entry: AuditEntry) -> list[str]:
    """The events an audit row of a status change stands for, in order."""
    if entry.kind is AuditKind.ERASED:
        return ["erased"]
    if entry.to_status is None:
        return []
    types = ["filed"] if entry.from_status is None else []
    if entry.to_status in EVENT_OF_STATUS:
        types.append(EVENT_OF_STATUS[entry.to_status])
    return types


def claim_json(claim: Claim, purchase: Purchase | None) -> dict[str, Any]:
    """The claim as billing sees it: no chat ids or names, money as text (JSON has no decimal)."""
    due = (
        pro_rata(purchase.amount, claim.refundable_credits, purchase.credits)
        if purchase is not None
        else None
    )
    return {
        "id": claim.id,
        "status": claim.status.value,
        "outcome": claim.outcome.value,
        "reason": claim.reason.value,
        "transaction_id": claim.transaction_id,
        "campaign_id": claim.campaign_id,
        "account_id": purchase.account_id if purchase else None,
        "credits": claim.refundable_credits,
        "amount_due": None if due is None else str(due),
        "currency": purchase.currency if purchase else None,
        "created_at": claim.created_at.isoformat(),
        "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
        "refunded_at": claim.refunded_at.isoformat() if claim.refunded_at else None,
    }


def event_body(event_id: str, kind: str, at: datetime, claim: dict[str, Any]) -> str:
    """The JSON posted to EVENTS_URL (docs/events.md)."""
    payload = {
        "id": event_id,
        "type": f"claim.{kind}",
        "occurred_at": at.isoformat(),
        "claim": claim,
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True)
class PendingEvent:
    row_id: int
    event_id: str
    body: str
    attempts: int


@dataclass(frozen=True)
class EventStats:
    queued: int
    failing: int
    oldest: datetime | None


class EventRepository:
    """The event outbox."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, kind: str, claim: Claim, purchase: Purchase | None, at: datetime) -> str:
        """Queue one event about the claim as it is now; returns the event id."""
        assert claim.id is not None
        event_id = str(uuid.uuid4())
        await self._session.execute(
            events.insert().values(
                event_id=event_id,
                type=kind,
                claim_id=claim.id,
                occurred_at=at,
                body=event_body(event_id, kind, at, claim_json(claim, purchase)),
                attempts=0,
                next_attempt_at=at,
            )
        )
        return event_id

    async def take_due(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[PendingEvent]:
        """The oldest events due now, leased to this worker until `lease_until` (commit after)."""
        rows = (
            await self._session.execute(
                select(events.c.id, events.c.event_id, events.c.body, events.c.attempts)
                .where(events.c.sent_at.is_(None), events.c.next_attempt_at <= now)
                .order_by(events.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if rows:
            await self._session.execute(
                update(events)
                .where(events.c.id.in_([r.id for r in rows]))
                .values(next_attempt_at=lease_until)
            )
        return [PendingEvent(r.id, r.event_id, r.body, r.attempts) for r in rows]

    async def mark_sent(self, row_id: int, now: datetime) -> None:
        await self._session.execute(
            update(events)
            .where(events.c.id == row_id)
            .values(sent_at=now, attempts=events.c.attempts + 1, last_error=None)
        )

    async def retry_later(self, row_id: int, at: datetime, error: str) -> None:
        await self._session.execute(
            update(events)
            .where(events.c.id == row_id)
            .values(next_attempt_at=at, attempts=events.c.attempts + 1, last_error=error[:500])
        )

    async def postpone(self, row_ids: Sequence[int], at: datetime) -> None:
        """Give leased events back, due at `at` (not counted as an attempt)."""
        if row_ids:
            await self._session.execute(
                update(events).where(events.c.id.in_(row_ids)).values(next_attempt_at=at)
            )

    async def stats(self) -> EventStats:
        row = (
            await self._session.execute(
                select(
                    func.count(),
                    func.count().filter(events.c.attempts > 0),
                    func.min(events.c.occurred_at),
                ).where(events.c.sent_at.is_(None))
            )
        ).one()
        return EventStats(int(row[0]), int(row[1]), row[2])

    async def forget_sent_before(self, before: datetime) -> None:
        await self._session.execute(
            events.delete().where(events.c.sent_at.is_not(None), events.c.sent_at < before)
        )

    async def types_for(self, claim_id: int) -> Sequence[str]:
        """The events queued or sent about a claim, oldest first (for tests and the CLI)."""
        rows = await self._session.execute(
            select(events.c.type).where(events.c.claim_id == claim_id).order_by(events.c.id)
        )
        return [r.type for r in rows]
