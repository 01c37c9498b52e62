"""A claim's life: every status change is a transition here, checked against one table."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from conversations import i18n
from conversations.business_days import overdue_from, refund_window
from conversations.catalog import customer as t
from conversations.catalog import decisions as d
from conversations.chat import keyboards as kb
from conversations.claims.transitions import (
    ADDED_PREFIX,
    ALLOWED_FROM,
    ANSWER_NOTE,
    APPROVALS,
    CUSTOMER,
    OVERRULE_NOTE,
    TARGET,
    Transition,
    allows,
)
from conversations.config import DeskConfig
from conversations.domain import (
    Approval,
    AuditEntry,
    Claim,
    ClaimStatus,
    OutgoingMessage,
)
from conversations.i18n import _
from conversations.policy_numbers import reword
from conversations.ports import UnitOfWork


class Refusal(enum.StrEnum):
    """Why a transition changed nothing."""

    UNKNOWN = "unknown"  # no such claim
    STATUS = "status"  # not allowed from the claim's status (maybe someone else was first)
    CREDITS = "credits"  # not between 1 and the credits the purchase has left (C-ONCE)
    CAMPAIGN_PAID = "campaign_paid"  # its campaign was paid by another claim (C-ONCE)
    LIVE_EXISTS = "live_exists"  # another claim on the transaction is open or approved
    NEEDS_REASON = "needs_reason"  # an overrule or rejection without words for the customer


# Transitions that close a claim on staff's decision: the customer is asked for a rating.
RATED = frozenset({Transition.REJECT, Transition.REFUNDED})
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
    messages: tuple[OutgoingMessage, ...] = ()

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
            note=f"outcome {stored.outcome.value}",
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

    The result's messages are the customer's; the caller brings the staff card up to date.
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
    await uow.claims.add_audit(
        AuditEntry(
            claim_id,
            now,
            actor.name,
            actor.user_id,
            current.status,
            updated.status,
            _note(transition, current, updated, words),
        )
    )
    messages: list[OutgoingMessage] = []
    # The customer reads it in their language (staff text around it stays English).
    chosen = await uow.languages.get(updated.telegram_user_id)
    with i18n.use(chosen.language if chosen is not None else i18n.ENGLISH):
        told = _customer_message(transition, updated, config)
        if told is not None:
            messages.append(told)
        if transition in RATED:
            # The claim is closed: how did we do? (The customer's own withdrawal is not asked.)
            messages.append(
                OutgoingMessage(
                    chat_id=updated.chat_id,
                    text=_(t.RATE_ASK).format(claim_id=claim_id),
                    buttons=kb.rating(claim_id),
                )
            )
    return Result(claim=updated, messages=tuple(messages))


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


def _note(transition: Transition, before: Claim, after: Claim, words: str) -> str:
    changed = after.refundable_credits != before.refundable_credits
    credits = f"credits {before.refundable_credits} -> {after.refundable_credits}"
    if transition is Transition.OVERRULE:
        return f"{OVERRULE_NOTE}{words}; {credits}"
    if transition is Transition.APPROVE and changed:
        return credits
    if transition is Transition.REJECT:
        return f"reason: {words}"
    if transition is Transition.ASK:
        return f"question: {words}"
    if transition is Transition.ANSWER:
        return ANSWER_NOTE + words[:500]
    if transition is Transition.WITHDRAW:
        return "withdrawn by the customer"
    return ""


async def _last_actor(uow: UnitOfWork, claim_id: int) -> str | None:
    trail = await uow.claims.audit(claim_id)
    changes = [a for a in trail if a.to_status is not None]
    return changes[-1].actor if changes else None


def _customer_message(
    transition: Transition, claim: Claim, config: DeskConfig
) -> OutgoingMessage | None:
    assert claim.id is not None
    if transition in (Transition.ANSWER, Transition.WITHDRAW):
        return None  # the customer is in the chat; the dialogue answers them itself
    if transition is Transition.TAKE:
        text = _(d.TAKEN).format(claim_id=claim.id)
    elif transition in APPROVALS:
        assert claim.decided_at is not None
        start, end = refund_window(claim.decided_at, config.home_country)
        template = _(d.OVERRULED) if transition is Transition.OVERRULE else _(d.APPROVED)
        template = reword(template)  # PROCESSING_DAYS
        text = template.format(
            claim_id=claim.id,
            credits=i18n.number(claim.refundable_credits),
            start=i18n.day(start),
            end=i18n.day(end),
        )
    elif transition is Transition.REJECT:
        text = _(d.REJECTED).format(claim_id=claim.id, reason=claim.reject_reason)
    elif transition is Transition.ASK:
        text = _(d.QUESTION).format(claim_id=claim.id, question=claim.pending_question)
    else:
        text = _(d.REFUNDED).format(
            claim_id=claim.id, credits=i18n.number(claim.refundable_credits)
        )
    return OutgoingMessage(chat_id=claim.chat_id, text=text)


async def add_information(
    uow: UnitOfWork, claim: Claim, words: str, user_id: int, now: datetime
) -> None:
    """The customer adds to their open claim: audited beside its transitions, status unchanged."""
    assert claim.id is not None
    await uow.claims.add_audit(
        AuditEntry(claim.id, now, CUSTOMER, user_id, None, None, ADDED_PREFIX + words[:1000])
    )
