"""Claims and their audit trail."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from conversations.domain import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    Approval,
    AuditEntry,
    AuditKind,
    Claim,
    ClaimStatus,
    ClauseResult,
    CustomerQuery,
    Fact,
    LiveClaimExists,
    Outcome,
    Reason,
)
from storage.repositories._dialect import rowcount, upsert_insert
from storage.repositories.events import EventRepository, event_types
from storage.repositories.ledger import LedgerRepository
from storage.tables import LIVE_SQL, claim_audit, claims, purchases, refunded_campaigns

_NEWEST_FIRST = (claims.c.created_at.desc(), claims.c.id.desc())


def _values(claim: Claim) -> dict[str, Any]:
    return {
        "status": claim.status.value,
        "outcome": claim.outcome.value,
        "reason": claim.reason.value,
        "transaction_id": claim.transaction_id,
        "telegram_user_id": claim.telegram_user_id,
        "chat_id": claim.chat_id,
        "refundable_credits": claim.refundable_credits,
        "clauses": [_clause_json(c) for c in claim.clauses],
        "created_at": claim.created_at,
        "updated_at": claim.updated_at,
        "campaign_id": claim.campaign_id,
        "description": claim.description,
        "incident_id": claim.incident_id,
        "customer_name": claim.customer_name,
        "customer_username": claim.customer_username,
        "assigned_to": claim.assigned_to,
        "assigned_to_id": claim.assigned_to_id,
        "decided_at": claim.decided_at,
        "escalated_at": claim.escalated_at,
        "refunded_at": claim.refunded_at,
        "reject_reason": claim.reject_reason,
        "pending_question": claim.pending_question,
        "campaign_ids": list(claim.campaign_ids),
        "remind_at": claim.remind_at,
    }


def _first_check(claim: Claim) -> datetime | None:
    if claim.status is ClaimStatus.ESCALATED:
        return claim.escalated_at or claim.created_at
    if claim.status is ClaimStatus.APPROVED:
        return claim.decided_at or claim.created_at
    return None


def _claim(row: Row[Any]) -> Claim:
    values = row._asdict()
    values["status"] = ClaimStatus(values["status"])
    values["outcome"] = Outcome(values["outcome"])
    values["reason"] = Reason(values["reason"])
    values["campaign_ids"] = list(values["campaign_ids"] or [])
    values["clauses"] = [_clause(c) for c in values["clauses"] or []]
    return Claim(**values)


def _clause(stored: dict[str, Any]) -> ClauseResult:
    """A clause as stored: its finding and facts; or, decided before 0010, its words."""
    recorded: dict[str, str] = {}
    if "explanation" in stored:
        recorded = {"en": str(stored["explanation"])}
        recorded.update((str(k), str(v)) for k, v in (stored.get("in") or {}).items())
    return ClauseResult(
        id=stored["id"],
        passed=bool(stored["passed"]),
        finding=stored.get("finding", ""),
        params=tuple((k, _fact(v)) for k, v in (stored.get("params") or {}).items()),
        recorded=tuple(recorded.items()),
    )


def _clause_json(clause: ClauseResult) -> dict[str, Any]:
    stored: dict[str, Any] = {
        "id": clause.id,
        "passed": clause.passed,
        "finding": clause.finding,
        "params": {k: _fact_json(v) for k, v in clause.params},
    }
    if clause.recorded:
        recorded = dict(clause.recorded)
        stored["explanation"] = recorded.pop("en", "")
        if recorded:
            stored["in"] = recorded
    return stored


def _fact_json(fact: Fact) -> Any:
    """JSON for a clause's fact: moments and durations tagged, lists as lists."""
    if isinstance(fact, datetime):
        return {"at": fact.isoformat()}
    if isinstance(fact, timedelta):
        return {"us": fact // timedelta(microseconds=1)}
    if isinstance(fact, tuple):
        return list(fact)
    return fact


def _fact(stored: Any) -> Fact:
    if isinstance(stored, dict) and "at" in stored:
        return datetime.fromisoformat(stored["at"])
    if isinstance(stored, dict) and "us" in stored:
        return timedelta(microseconds=stored["us"])
    if isinstance(stored, list):
        return tuple(stored)
    assert stored is None or isinstance(stored, int | str)
    return stored


def _statuses(status: ClaimStatus | Iterable[ClaimStatus]) -> builtins.list[str]:
    if isinstance(status, ClaimStatus):
        return [status.value]
    return [s.value for s in status]


class ClaimRepositorySql:
    """The ClaimRepository port; the claim number is the table's integer primary key."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # A claim as this unit of work just wrote it, for the audit entry that follows the
        # write (and only that one): billing's events need not read it back.
        self._written: dict[int, Claim] = {}

    async def add(self, claim: Claim) -> Claim:
        """Insert; a second live claim on the transaction trips the partial unique index."""
        values = _values(claim)
        if claim.remind_at is None:
            # A claim that can need a reminder gets one checked at once; the reminder job then
            # puts it at its real time.
            values["remind_at"] = _first_check(claim)
        insert = upsert_insert(self._session, claims).values(**values)
        if claim.status in LIVE_STATUSES:
            # C-DUPLICATE without a savepoint: the index's conflict inserts nothing (after
            # waiting for a racing insert to commit) and the turn's transaction stays usable.
            insert = insert.on_conflict_do_nothing(
                index_elements=[claims.c.transaction_id], index_where=text(LIVE_SQL)
            )
        claim_id = (await self._session.execute(insert.returning(claims.c.id))).scalar()
        if claim_id is None:
            raise LiveClaimExists(await self.live_for_transaction(claim.transaction_id))
        stored = replace(claim, id=int(claim_id), remind_at=values["remind_at"])
        self._written[int(claim_id)] = stored
        return stored

    async def for_transaction(self, transaction_id: str) -> builtins.list[Claim]:
        """Every claim on a transaction, oldest first (C-HISTORY)."""
        return await self._all(
            select(claims)
            .where(claims.c.transaction_id == transaction_id)
            .order_by(claims.c.created_at, claims.c.id)
        )

    async def find(self, query: CustomerQuery, limit: int) -> builtins.list[Claim]:
        """A customer's claims, newest first: by transaction, Telegram username or phone."""
        statement = select(claims).order_by(*_NEWEST_FIRST).limit(limit)
        if query.transaction_id is not None:
            statement = statement.where(claims.c.transaction_id == query.transaction_id)
        elif query.username is not None:
            statement = statement.where(
                func.lower(claims.c.customer_username) == query.username.lower()
            )
        elif query.phone is not None:
            bought = select(purchases.c.transaction_id).where(
                purchases.c.account_phone == query.phone
            )
            statement = statement.where(claims.c.transaction_id.in_(bought))
        else:
            return []
        return await self._all(statement)

    async def approve(
        self, claim_id: int, allowed_from: frozenset[ClaimStatus], claim: Claim
    ) -> Approval:
        """The approval, its credits and its campaigns, booked all together or not at all."""
        try:
            async with self._session.begin_nested() as savepoint:
                if not await self.transition(claim_id, allowed_from, claim):
                    await savepoint.rollback()
                    return Approval.STALE
                # The conditional UPDATE locks the purchase row: a concurrent approval of
                # another claim of this purchase waits here, then sees these credits booked.
                booked = await self._session.execute(
                    update(purchases)
                    .where(
                        purchases.c.transaction_id == claim.transaction_id,
                        purchases.c.credits_approved + claim.refundable_credits
                        <= purchases.c.credits,
                    )
                    .values(
                        credits_approved=purchases.c.credits_approved + claim.refundable_credits
                    )
                )
                if rowcount(booked) != 1:
                    await savepoint.rollback()
                    self._written.pop(claim_id, None)
                    return Approval.OVER_CAP
                try:
                    async with self._session.begin_nested():
                        for campaign_id in claim.paid_campaigns:
                            await self._session.execute(
                                refunded_campaigns.insert().values(
                                    campaign_id=campaign_id,
                                    claim_id=claim_id,
                                    transaction_id=claim.transaction_id,
                                )
                            )
                except IntegrityError:
                    await savepoint.rollback()
                    self._written.pop(claim_id, None)
                    return Approval.CAMPAIGN_PAID
        except IntegrityError:
            # The only other constraint an approval can meet: one live claim per transaction.
            self._written.pop(claim_id, None)
            return Approval.LIVE_EXISTS
        return Approval.DONE

    async def active_since(self, start: datetime) -> builtins.list[Claim]:
        """Claims filed, decided or refunded at or after `start`, oldest first."""
        return await self._all(
            select(claims)
            .where(
                or_(
                    claims.c.created_at >= start,
                    claims.c.decided_at >= start,
                    claims.c.refunded_at >= start,
                )
            )
            .order_by(claims.c.created_at, claims.c.id)
        )

    async def due_for_reminder(self, now: datetime, limit: int) -> builtins.list[Claim]:
        """Claims whose reminder time has come, the longest overdue first (uses the index)."""
        return await self._all(
            select(claims)
            .where(claims.c.remind_at <= now)
            .order_by(claims.c.remind_at, claims.c.id)
            .limit(limit)
        )

    async def remind_next(self, claim_id: int, at: datetime | None) -> None:
        """Move a claim's next reminder (None: no more reminders)."""
        await self._session.execute(
            update(claims).where(claims.c.id == claim_id).values(remind_at=at)
        )

    async def credits_approved(self, transaction_id: str) -> int:
        value = await self._session.scalar(
            select(purchases.c.credits_approved).where(purchases.c.transaction_id == transaction_id)
        )
        return int(value or 0)

    async def get(self, claim_id: int) -> Claim | None:
        row = (await self._session.execute(select(claims).where(claims.c.id == claim_id))).first()
        return _claim(row) if row else None

    async def live_for_transaction(self, transaction_id: str) -> Claim | None:
        found = await self._all(
            select(claims)
            .where(
                claims.c.transaction_id == transaction_id,
                claims.c.status.in_(_statuses(LIVE_STATUSES)),
            )
            .order_by(*_NEWEST_FIRST)
            .limit(1)
        )
        return found[0] if found else None

    async def for_user(self, telegram_user_id: int) -> Sequence[Claim]:
        return await self._all(
            select(claims)
            .where(claims.c.telegram_user_id == telegram_user_id)
            .order_by(*_NEWEST_FIRST)
        )

    async def list(
        self, status: ClaimStatus | None = None, limit: int | None = None
    ) -> Sequence[Claim]:
        """Newest first; only claims in `status` when given."""
        query = select(claims).order_by(*_NEWEST_FIRST)
        if status is not None:
            query = query.where(claims.c.status == status.value)
        if limit is not None:
            query = query.limit(limit)
        return await self._all(query)

    async def open_oldest_first(self, limit: int, offset: int = 0) -> Sequence[Claim]:
        """The staff queue: claims still needing work, the longest-waiting first."""
        return await self._all(
            select(claims)
            .where(claims.c.status.in_(_statuses(OPEN_STATUSES)))
            .order_by(func.coalesce(claims.c.escalated_at, claims.c.created_at), claims.c.id)
            .limit(limit)
            .offset(offset)
        )

    async def count_by_status(self) -> dict[str, int]:
        rows = await self._session.execute(
            select(claims.c.status, func.count()).group_by(claims.c.status)
        )
        return {status: int(count) for status, count in rows.all()}

    async def escalated_between(self, start: datetime, end: datetime) -> builtins.list[Claim]:
        """Claims escalated in [start, end), oldest first."""
        return await self._all(
            select(claims)
            .where(claims.c.escalated_at >= start, claims.c.escalated_at < end)
            .order_by(claims.c.escalated_at, claims.c.id)
        )

    async def count_escalated_between(self, start: datetime, end: datetime) -> int:
        """How many claims were escalated in [start, end)."""
        result = await self._session.scalar(
            select(func.count())
            .select_from(claims)
            .where(claims.c.escalated_at >= start, claims.c.escalated_at < end)
        )
        return int(result or 0)

    async def for_incident(
        self,
        incident_id: str,
        status: ClaimStatus | Iterable[ClaimStatus] | None = None,
        outcome: Outcome | None = None,
    ) -> builtins.list[Claim]:
        """Claims resting on an incident, oldest first; narrowed by status(es) and outcome."""
        query = select(claims).where(claims.c.incident_id == incident_id)
        if status is not None:
            query = query.where(claims.c.status.in_(_statuses(status)))
        if outcome is not None:
            query = query.where(claims.c.outcome == outcome.value)
        return await self._all(query.order_by(claims.c.created_at, claims.c.id))

    async def transition(
        self,
        claim_id: int,
        allowed_from: frozenset[ClaimStatus],
        claim: Claim,
    ) -> bool:
        """Save `claim` only if the stored status is still in `allowed_from`; False otherwise."""
        if not allowed_from:
            return False
        values = _values(claim)
        # The claim's birth facts never change; only a buggy caller would try.
        values.pop("created_at")
        result = await self._session.execute(
            update(claims)
            .where(claims.c.id == claim_id, claims.c.status.in_(_statuses(allowed_from)))
            .values(**values)
        )
        if rowcount(result) != 1:
            return False
        self._written[claim_id] = replace(claim, id=claim_id)
        return True

    async def add_audit(self, entry: AuditEntry) -> None:
        written = self._written.pop(entry.claim_id, None)
        await self._session.execute(
            claim_audit.insert().values(
                claim_id=entry.claim_id,
                at=entry.at,
                actor=entry.actor,
                actor_id=entry.actor_id,
                from_status=entry.from_status.value if entry.from_status else None,
                to_status=entry.to_status.value if entry.to_status else None,
                kind=entry.kind.value,
                text=entry.text,
                credits_before=entry.credits_before,
                credits_after=entry.credits_after,
                note=entry.note,
            )
        )
        await self._record_events(entry, written)

    async def _record_events(self, entry: AuditEntry, written: Claim | None) -> None:
        """Billing's events for a status change, in this same transaction (storage/events)."""
        kinds = event_types(entry)
        if not kinds:
            return
        claim = written or await self.get(entry.claim_id)
        if claim is None:
            return
        purchase = await LedgerRepository(self._session).purchase(claim.transaction_id)
        outbox = EventRepository(self._session)
        for kind in kinds:
            await outbox.record(kind, claim, purchase, entry.at)

    async def audit(self, claim_id: int) -> Sequence[AuditEntry]:
        rows = await self._session.execute(
            select(claim_audit)
            .where(claim_audit.c.claim_id == claim_id)
            .order_by(claim_audit.c.at, claim_audit.c.id)
        )
        return [audit_entry(row) for row in rows]

    async def _all(self, query: Select[Any]) -> builtins.list[Claim]:
        return [_claim(row) for row in await self._session.execute(query)]


def audit_entry(row: Any) -> AuditEntry:
    """An audit row as the core's entry."""
    return AuditEntry(
        claim_id=row.claim_id,
        at=row.at,
        actor=row.actor,
        actor_id=row.actor_id,
        from_status=ClaimStatus(row.from_status) if row.from_status else None,
        to_status=ClaimStatus(row.to_status) if row.to_status else None,
        kind=AuditKind(row.kind),
        text=row.text,
        credits_before=row.credits_before,
        credits_after=row.credits_after,
    )
