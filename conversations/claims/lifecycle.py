"""A claim's life: every status change is a transition here, checked against one table."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from conversations.business_days import overdue_from
from conversations.claims.events import (
    ClaimApproved,
    ClaimEvent,
    ClaimOverruled,
    ClaimRefunded,
    ClaimRejected,
    ClaimTaken,
    ClaimWithdrawn,
    QuestionAnswered,
    QuestionAsked,
)
from conversations.claims.transitions import (
    ALLOWED_FROM,
    APPROVALS,
    TARGET,
    Transition,
    allows,
)
from conversations.config import DeskConfig
from conversations.domain import (
    ERASED_TEXT,
    ERASED_USER_ID,
    Approval,
    AuditEntry,
    AuditKind,
    Claim,
    ClaimStatus,
)
from conversations.ports import UnitOfWork


class Refusal(enum.StrEnum):
    """Why a transition changed nothing."""

    UNKNOWN = "unknown"  # no such claim
    STATUS = "status"  # not allowed from the claim's status (maybe someone else was first)
    CREDITS = "credits"  # not between 1 and the credits the purchase has left (C-ONCE)
    CAMPAIGN_PAID = "campaign_paid"  # its campaign was paid by another claim (C-ONCE)
    LIVE_EXISTS = "live_exists"  # another claim on the transaction is open or approved
    NEEDS_REASON = "needs_reason"  # an overrule or rejection without words for the customer


# A closed claim can be rated once.
RATEABLE: frozenset[ClaimStatus] = frozenset({ClaimStatus.REJECTED, ClaimStatus.REFUNDED})


@dataclass(frozen=True)
class Actor:
    name: str
    user_id: int | None


@dataclass(frozen=True)
class Result:
    claim: Claim | None
    refusal: Refusal | None = None
    # When refused on status: who changed the claim last, so the loser can be told.
    last_actor: str | None = None
    # When refused on credits: the most this claim may still be approved for.
    credit_limit: int | None = None
    # What happened, for the edge to word (services.notify): one event per transition done.
    events: tuple[ClaimEvent, ...] = ()

    @property
    def ok(self) -> bool:
        return self.refusal is None


async def file(uow: UnitOfWork, claim: Claim) -> Claim:
    """Store a new claim with its audit row; LiveClaimExists if the transaction has a live one."""
    stored = await uow.claims.add(claim)
    assert stored.id is not None
    await uow.claims.add_audit(
        AuditEntry(
            claim_id=stored.id,
            at=stored.created_at,
            actor="bot",
            actor_id=None,
            from_status=None,
            to_status=stored.status,
            kind=AuditKind.FILED,
            text=stored.outcome.value,
        )
    )
    return stored


async def credit_limit(uow: UnitOfWork, claim: Claim) -> int:
    """The most credits a claim may be approved for: what its purchase has left (C-ONCE)."""
    purchase = await uow.ledger.purchase(claim.transaction_id)
    if purchase is None:
        return 0
    return max(purchase.credits - await uow.claims.credits_approved(claim.transaction_id), 0)


async def perform(
    uow: UnitOfWork,
    claim_id: int,
    transition: Transition,
    actor: Actor,
    now: datetime,
    config: DeskConfig,
    *,
    credits: int | None = None,
    text: str | None = None,
) -> Result:
    """Apply one transition if the claim's status allows it; nothing changes otherwise.

    The result says what happened as events; services.changes words them and the staff card.
    """
    current = await uow.claims.get(claim_id)
    if current is None:
        return Result(claim=None, refusal=Refusal.UNKNOWN)
    if not allows(current, transition):
        return await _refused_on_status(uow, current)
    words = (text or "").strip()
    needs_words = transition in (Transition.OVERRULE, Transition.REJECT, Transition.ASK)
    if needs_words and not words:
        return Result(claim=current, refusal=Refusal.NEEDS_REASON)
    updated = _changed(current, transition, actor, now, words, config)
    if transition in APPROVALS:
        amount = current.refundable_credits if credits is None else credits
        limit = await credit_limit(uow, current)
        if not 1 <= amount <= limit:
            return Result(claim=current, refusal=Refusal.CREDITS, credit_limit=limit)
        updated = replace(updated, refundable_credits=amount)
        booked = await uow.claims.approve(claim_id, ALLOWED_FROM[transition], updated)
        if booked is not Approval.DONE:
            return await _refused_approval(uow, current, booked)
    elif not await uow.claims.transition(claim_id, ALLOWED_FROM[transition], updated):
        # The conditional UPDATE makes two simultaneous presses safe: one row, one winner.
        latest = await uow.claims.get(claim_id)
        return await _refused_on_status(uow, latest or current)
    await uow.claims.add_audit(_audit(transition, actor, now, current, updated, words))
    return Result(claim=updated, events=(_event(transition, actor, updated, words),))


def _changed(
    current: Claim,
    transition: Transition,
    actor: Actor,
    now: datetime,
    words: str,
    config: DeskConfig,
) -> Claim:
    # Only an untaken claim and an unpaid approval ever need a reminder.
    remind_at = overdue_from(now, config.home_country) if transition in APPROVALS else None
    updated = replace(current, status=TARGET[transition], updated_at=now, remind_at=remind_at)
    if transition in (Transition.ANSWER, Transition.WITHDRAW):
        # The customer's own transitions: nobody on the team is assigned by them.
        updated.pending_question = None
        return updated
    if updated.assigned_to is None or transition is Transition.TAKE:
        updated.assigned_to = actor.name
        updated.assigned_to_id = actor.user_id
    if transition in APPROVALS:
        updated.decided_at = now
        updated.pending_question = None
    elif transition is Transition.REJECT:
        updated.reject_reason = words
        updated.decided_at = now
        updated.pending_question = None
    elif transition is Transition.ASK:
        updated.pending_question = words
    elif transition is Transition.REFUNDED:
        updated.refunded_at = now
    return updated


async def _refused_on_status(uow: UnitOfWork, claim: Claim) -> Result:
    assert claim.id is not None
    return Result(claim=claim, refusal=Refusal.STATUS, last_actor=await _last_actor(uow, claim.id))


async def _refused_approval(uow: UnitOfWork, claim: Claim, booked: Approval) -> Result:
    if booked is Approval.STALE:
        latest = await uow.claims.get(claim.id) if claim.id is not None else None
        return await _refused_on_status(uow, latest or claim)
    if booked is Approval.OVER_CAP:
        limit = await credit_limit(uow, claim)
        return Result(claim=claim, refusal=Refusal.CREDITS, credit_limit=limit)
    if booked is Approval.CAMPAIGN_PAID:
        return Result(claim=claim, refusal=Refusal.CAMPAIGN_PAID)
    return Result(claim=claim, refusal=Refusal.LIVE_EXISTS)


# The audit kind each transition writes.
AUDIT_KIND: dict[Transition, AuditKind] = {
    Transition.TAKE: AuditKind.TAKEN,
    Transition.APPROVE: AuditKind.APPROVED,
    Transition.OVERRULE: AuditKind.OVERRULED,
    Transition.REJECT: AuditKind.REJECTED,
    Transition.ASK: AuditKind.ASKED,
    Transition.ANSWER: AuditKind.ANSWERED,
    Transition.REFUNDED: AuditKind.REFUNDED,
    Transition.WITHDRAW: AuditKind.WITHDRAWN,
}
MAX_ANSWER = 500  # of a customer's answer, kept in the audit trail
MAX_ADDED = 1000  # of information a customer adds


def _audit(
    transition: Transition, actor: Actor, now: datetime, before: Claim, after: Claim, words: str
) -> AuditEntry:
    assert before.id is not None
    approval = transition in APPROVALS
    if transition not in WORDED:
        words = ""  # a press that carries no words: nothing a person typed is kept
    elif words and before.telegram_user_id == ERASED_USER_ID:
        words = ERASED_TEXT  # the customer asked to be forgotten: staff's words may name them
    return AuditEntry(
        before.id,
        now,
        actor.name,
        actor.user_id,
        before.status,
        after.status,
        AUDIT_KIND[transition],
        text=words[:MAX_ANSWER] if transition is Transition.ANSWER else words,
        credits_before=before.refundable_credits if approval else None,
        credits_after=after.refundable_credits if approval else None,
    )


async def _last_actor(uow: UnitOfWork, claim_id: int) -> str | None:
    trail = await uow.claims.audit(claim_id)
    changes = [a for a in trail if a.to_status is not None]
    return changes[-1].actor if changes else None


def _event(transition: Transition, actor: Actor, claim: Claim, words: str) -> ClaimEvent:
    """The fact a transition made, from the claim it left."""
    assert claim.id is not None
    by = actor.name
    if transition in APPROVALS:
        assert claim.decided_at is not None
        if transition is Transition.OVERRULE:
            return ClaimOverruled(claim.id, by, claim.refundable_credits, claim.decided_at, words)
        return ClaimApproved(claim.id, by, claim.refundable_credits, claim.decided_at)
    if transition is Transition.REJECT:
        return ClaimRejected(claim.id, by, claim.reject_reason or "")
    if transition is Transition.ASK:
        return QuestionAsked(claim.id, by, claim.pending_question or "")
    if transition is Transition.REFUNDED:
        return ClaimRefunded(claim.id, by, claim.refundable_credits)
    if transition is Transition.ANSWER:
        return QuestionAnswered(claim.id, by, words)
    if transition is Transition.WITHDRAW:
        return ClaimWithdrawn(claim.id, by)
    return ClaimTaken(claim.id, by)


# What a note may record: words on a claim that change no status.
NOTES = frozenset({AuditKind.NOTE, AuditKind.ADDED})
# The transitions whose audit entry keeps the words given with them.
WORDED = frozenset({Transition.OVERRULE, Transition.REJECT, Transition.ASK, Transition.ANSWER})


async def annotate(
    uow: UnitOfWork, claim: Claim, kind: AuditKind, actor: Actor, words: str, now: datetime
) -> None:
    """Staff's internal note, or information the customer added: audited, status unchanged."""
    assert claim.id is not None and kind in NOTES
    if claim.telegram_user_id == ERASED_USER_ID:
        words = ERASED_TEXT  # the customer asked to be forgotten: a note may name them
    await uow.claims.add_audit(
        AuditEntry(claim.id, now, actor.name, actor.user_id, None, None, kind, words[:MAX_ADDED])
    )
