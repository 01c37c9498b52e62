"""Staff decisions on a claim: one conditional transition, one audit row, one customer message."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from conversations.business_days import refund_window
from conversations.catalog import decisions as d
from conversations.catalog.policy_text import format_date
from conversations.config import DeskConfig
from conversations.dialogue import steps
from conversations.dialogue.turn import PERSISTENT_SLOTS
from conversations.domain import AuditEntry, Claim, ClaimStatus, OutgoingMessage
from conversations.ports import UnitOfWork
from conversations.staff import card


class Action(enum.StrEnum):
    TAKE = "take"
    APPROVE = "approve"
    REJECT = "reject"
    ASK = "ask"
    REFUNDED = "refunded"


ALLOWED_FROM: dict[Action, frozenset[ClaimStatus]] = {
    Action.TAKE: frozenset({ClaimStatus.ESCALATED}),
    Action.APPROVE: frozenset(
        {ClaimStatus.ESCALATED, ClaimStatus.IN_REVIEW, ClaimStatus.INFO_REQUESTED}
    ),
    Action.REJECT: frozenset(
        {ClaimStatus.ESCALATED, ClaimStatus.IN_REVIEW, ClaimStatus.INFO_REQUESTED}
    ),
    Action.ASK: frozenset({ClaimStatus.ESCALATED, ClaimStatus.IN_REVIEW}),
    Action.REFUNDED: frozenset({ClaimStatus.APPROVED}),
}
TARGET: dict[Action, ClaimStatus] = {
    Action.TAKE: ClaimStatus.IN_REVIEW,
    Action.APPROVE: ClaimStatus.APPROVED,
    Action.REJECT: ClaimStatus.REJECTED,
    Action.ASK: ClaimStatus.INFO_REQUESTED,
    Action.REFUNDED: ClaimStatus.REFUNDED,
}


@dataclass(frozen=True)
class Actor:
    name: str
    user_id: int | None


@dataclass(frozen=True)
class Outcome:
    ok: bool
    claim: Claim | None
    # When refused: who changed the claim last, so the loser can be told.
    last_actor: str | None = None
    messages: tuple[OutgoingMessage, ...] = ()
    # Set when an approval asked for more credits than the purchase bought.
    credit_limit: int | None = None


async def perform(
    uow: UnitOfWork,
    claim_id: int,
    action: Action,
    actor: Actor,
    now: datetime,
    config: DeskConfig,
    *,
    credits: int | None = None,
    text: str | None = None,
    with_card: bool = True,
) -> Outcome:
    """Apply one staff action if the claim's status allows it; nothing changes otherwise."""
    current = await uow.claims.get(claim_id)
    if current is None:
        return Outcome(ok=False, claim=None)
    allowed = ALLOWED_FROM[action]
    if current.status not in allowed:
        return Outcome(ok=False, claim=current, last_actor=await _last_actor(uow, claim_id))
    if action is Action.APPROVE and credits is not None:
        # A slipped digit must not pay out more than the customer ever bought.
        limit = await credit_limit(uow, claim_id)
        if credits > limit:
            return Outcome(ok=False, claim=current, credit_limit=limit)
    target = TARGET[action]
    updated = replace(current, status=target, updated_at=now)
    if updated.assigned_to is None or action is Action.TAKE:
        updated.assigned_to = actor.name
        updated.assigned_to_id = actor.user_id
    if action is Action.APPROVE:
        if credits is not None:
            updated.refundable_credits = credits
        updated.decided_at = now
        updated.pending_question = None
    elif action is Action.REJECT:
        updated.reject_reason = text
        updated.decided_at = now
        updated.pending_question = None
    elif action is Action.ASK:
        updated.pending_question = text
    elif action is Action.REFUNDED:
        updated.refunded_at = now
    # The conditional UPDATE is what makes two simultaneous presses safe: one row, one winner.
    if not await uow.claims.transition(claim_id, allowed, updated):
        latest = await uow.claims.get(claim_id)
        return Outcome(ok=False, claim=latest, last_actor=await _last_actor(uow, claim_id))
    if action is Action.ASK:
        await _await_answer(uow, updated, now)
    note = _note(action, current, updated)
    await uow.claims.add_audit(
        AuditEntry(claim_id, now, actor.name, actor.user_id, current.status, target, note)
    )
    messages = [_customer_message(action, updated, config)]
    if with_card and config.staff_chat_id is not None:
        messages.append(await card.card_message(uow, updated, now, config, edit=True))
    return Outcome(ok=True, claim=updated, messages=tuple(messages))


async def credit_limit(uow: UnitOfWork, claim_id: int) -> int:
    """The most credits staff may refund on a claim: what the purchase bought."""
    claim = await uow.claims.get(claim_id)
    purchase = await uow.ledger.purchase(claim.transaction_id) if claim else None
    return purchase.credits if purchase is not None else 0


class ConversationRace(RuntimeError):
    """The customer's chat changed while we switched it to answering; the turn is retried."""


async def _await_answer(uow: UnitOfWork, claim: Claim, now: datetime) -> None:
    """The customer's next message answers the question, whatever they were doing."""
    state = await uow.conversations.load(claim.chat_id)
    state.slots = {k: v for k, v in state.slots.items() if k in PERSISTENT_SLOTS}
    state.slots["question_claim"] = claim.id
    state.step = steps.ANSWER
    state.updated_at = now
    if not await uow.conversations.save(state):
        raise ConversationRace(f"chat {claim.chat_id}")


def _note(action: Action, before: Claim, after: Claim) -> str:
    if action is Action.APPROVE and after.refundable_credits != before.refundable_credits:
        return f"credits {before.refundable_credits} -> {after.refundable_credits}"
    if action is Action.REJECT:
        return f"reason: {after.reject_reason}"
    if action is Action.ASK:
        return f"question: {after.pending_question}"
    return ""


async def _last_actor(uow: UnitOfWork, claim_id: int) -> str | None:
    trail = await uow.claims.audit(claim_id)
    changes = [a for a in trail if a.to_status is not None]
    return changes[-1].actor if changes else None


def _customer_message(action: Action, claim: Claim, config: DeskConfig) -> OutgoingMessage:
    assert claim.id is not None
    if action is Action.TAKE:
        text = d.TAKEN.format(claim_id=claim.id)
    elif action is Action.APPROVE:
        assert claim.decided_at is not None
        start, end = refund_window(claim.decided_at, config.home_country)
        text = d.APPROVED.format(
            claim_id=claim.id,
            credits=claim.refundable_credits,
            start=format_date(start),
            end=format_date(end),
        )
    elif action is Action.REJECT:
        text = d.REJECTED.format(claim_id=claim.id, reason=claim.reject_reason)
    elif action is Action.ASK:
        text = d.QUESTION.format(claim_id=claim.id, question=claim.pending_question)
    else:
        text = d.REFUNDED.format(claim_id=claim.id, credits=claim.refundable_credits)
    return OutgoingMessage(chat_id=claim.chat_id, text=text)
