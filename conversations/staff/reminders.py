"""Raising claims nobody took, and approved refunds past their window, in the staff chat."""

from __future__ import annotations

from datetime import datetime, timedelta

from conversations.business_days import refund_window
from conversations.catalog import staff as s
from conversations.catalog.policy_text import format_age, format_date, format_when
from conversations.config import DeskConfig
from conversations.domain import AuditEntry, ClaimStatus, OutgoingMessage
from conversations.ports import UnitOfWork
from conversations.staff import card
from conversations.staff.queue import is_overdue

UNTAKEN_NOTE = "reminder: untaken"
OVERDUE_NOTE = "reminder: refund overdue"


async def due_reminders(uow: UnitOfWork, now: datetime, config: DeskConfig) -> int:
    """Queue every reminder that is due; each is recorded so it is raised once per period."""
    if config.staff_chat_id is None:
        return 0
    sent = 0
    wait = timedelta(minutes=config.untaken_reminder_minutes)
    for claim in await uow.claims.list(ClaimStatus.ESCALATED):
        assert claim.id is not None
        since = claim.escalated_at or claim.created_at
        if now - since < wait:
            continue
        trail = await uow.claims.audit(claim.id)
        last = max((a.at for a in trail if a.note == UNTAKEN_NOTE), default=since)
        if now - last < wait:
            continue
        await uow.outbox.put(
            OutgoingMessage(
                chat_id=config.staff_chat_id,
                text=s.REMINDER_UNTAKEN.format(claim_id=claim.id, age=format_age(now - since)),
                reply_ref=card.card_ref(claim.id),
            ),
            now,
        )
        await uow.claims.add_audit(AuditEntry(claim.id, now, "bot", None, None, None, UNTAKEN_NOTE))
        sent += 1
    for claim in await uow.claims.list(ClaimStatus.APPROVED):
        if claim.id is None or claim.decided_at is None:
            continue
        if not is_overdue(claim, now, config.home_country):
            continue
        trail = await uow.claims.audit(claim.id)
        if any(a.note == OVERDUE_NOTE for a in trail):
            continue
        _, end = refund_window(claim.decided_at, config.home_country)
        await uow.outbox.put(
            OutgoingMessage(
                chat_id=config.staff_chat_id,
                text=s.REMINDER_OVERDUE.format(
                    claim_id=claim.id, approved=format_when(claim.decided_at), end=format_date(end)
                ),
                reply_ref=card.card_ref(claim.id),
            ),
            now,
        )
        await uow.claims.add_audit(AuditEntry(claim.id, now, "bot", None, None, None, OVERDUE_NOTE))
        sent += 1
    return sent
