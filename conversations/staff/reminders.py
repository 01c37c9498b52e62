"""Raising claims nobody took, and approved refunds past their window, in the staff chat."""

from __future__ import annotations

from datetime import datetime, timedelta

from conversations import i18n
from conversations.business_days import overdue_from, refund_window
from conversations.catalog import staff as s
from conversations.catalog.policy_text import format_age, format_date, format_when
from conversations.config import DeskConfig
from conversations.domain import AuditEntry, AuditKind, Claim, ClaimStatus, OutgoingMessage
from conversations.ports import UnitOfWork
from conversations.staff import card

# Claims handled per run; the rest are due still and wait for the next run a minute later.
BATCH = 500


async def due_reminders(uow: UnitOfWork, now: datetime, config: DeskConfig) -> int:
    """Queue the reminders that are due; each claim's next one is rescheduled or cleared."""
    if config.staff_chat_id is None:
        return 0
    sent = 0
    for claim in await uow.claims.due_for_reminder(now, BATCH):
        assert claim.id is not None
        with i18n.in_zone(config.time_zone):
            message, next_at = _reminder(claim, now, config)
        if message is not None:
            await uow.outbox.put(message, now)
            untaken = claim.status is ClaimStatus.ESCALATED
            kind = AuditKind.REMINDED_UNTAKEN if untaken else AuditKind.REMINDED_OVERDUE
            await uow.claims.add_audit(AuditEntry(claim.id, now, "bot", None, None, None, kind))
            sent += 1
        await uow.claims.remind_next(claim.id, next_at)
    return sent


def _reminder(
    claim: Claim, now: datetime, config: DeskConfig
) -> tuple[OutgoingMessage | None, datetime | None]:
    """The reminder due now, if any, and when the next one is due (None: never again)."""
    assert claim.id is not None and config.staff_chat_id is not None
    if claim.status is ClaimStatus.ESCALATED:
        wait = timedelta(minutes=config.untaken_reminder_minutes)
        since = claim.escalated_at or claim.created_at
        if now - since < wait:  # the setting changed, or an upgraded database's first run
            return None, since + wait
        text = s.REMINDER_UNTAKEN.format(claim_id=claim.id, age=format_age(now - since))
        return _to_staff(claim.id, text, config), now + wait
    if claim.status is ClaimStatus.APPROVED and claim.decided_at is not None:
        due = overdue_from(claim.decided_at, config.home_country)
        if now < due:
            return None, due
        _, end = refund_window(claim.decided_at, config.home_country)
        text = s.REMINDER_OVERDUE.format(
            claim_id=claim.id, approved=format_when(claim.decided_at), end=format_date(end)
        )
        return _to_staff(claim.id, text, config), None  # raised once
    return None, None


def _to_staff(claim_id: int, text: str, config: DeskConfig) -> OutgoingMessage:
    assert config.staff_chat_id is not None
    return OutgoingMessage(
        chat_id=config.staff_chat_id, text=text, reply_ref=card.card_ref(claim_id)
    )
