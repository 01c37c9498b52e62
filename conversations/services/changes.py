"""One service for every change to a claim: the transition, the staff card, the messages.

Every door calls it: the staff chat's buttons and replies, the customer's answer and
withdrawal, the bulk approval and the CLI. The caller delivers `Change.messages` (a turn
sends them, the CLI queues them) and commits.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from conversations.claims.lifecycle import Actor, Refusal, Result, annotate, perform
from conversations.claims.transitions import Transition
from conversations.config import DeskConfig
from conversations.domain import (
    OPEN_STATUSES,
    AuditEntry,
    AuditKind,
    Claim,
    ClaimStatus,
    OutgoingMessage,
)
from conversations.ports import UnitOfWork
from conversations.services import notify
from conversations.staff import card, stale


class CardUpdate(enum.Enum):
    """Which staff card a change brings up to date."""

    ALWAYS = "always"  # edit the posted card, or post it when there is none yet
    IF_POSTED = "if_posted"  # only a card already posted: a storm's bulk approval posts none


@dataclass(frozen=True)
class Change:
    """What a change did: the lifecycle's result, the transition made, what to deliver."""

    result: Result
    transition: Transition
    # The customer's messages first, then the staff card's update.
    messages: tuple[OutgoingMessage, ...] = ()

    @property
    def ok(self) -> bool:
        return self.result.ok

    @property
    def claim(self) -> Claim | None:
        return self.result.claim

    @property
    def refusal(self) -> Refusal | None:
        return self.result.refusal


async def change_claim(
    uow: UnitOfWork,
    claim_id: int,
    transition: Transition,
    actor: Actor,
    now: datetime,
    config: DeskConfig,
    *,
    credits: int | None = None,
    text: str | None = None,
    overrule_refused: bool = False,
    card_update: CardUpdate = CardUpdate.ALWAYS,
) -> Change:
    """Apply one transition and return the messages it makes; nothing changes when refused.

    With `overrule_refused`, approving a claim the bot found not eligible is an overrule
    (C-FINAL), which then needs `text`: the reason (else refused with NEEDS_REASON).
    """
    if overrule_refused and transition is Transition.APPROVE:
        current = await uow.claims.get(claim_id)
        if current is not None and current.status is ClaimStatus.INELIGIBLE:
            transition = Transition.OVERRULE
    result = await perform(
        uow, claim_id, transition, actor, now, config, credits=credits, text=text
    )
    if not result.ok or result.claim is None:
        return Change(result, transition)
    messages = list(await notify.customer_messages(uow, result.claim, result.events, config))
    if await _card_wanted(uow, result.claim, config, card_update):
        messages.append(await card.card_message(uow, result.claim, now, config, edit=True))
    return Change(result, transition, tuple(messages))


async def annotate_claim(
    uow: UnitOfWork,
    claim: Claim,
    kind: AuditKind,
    actor: Actor,
    words: str,
    now: datetime,
    config: DeskConfig,
) -> tuple[OutgoingMessage, ...]:
    """A note on a claim (staff's, or information the customer added): the card's update."""
    await annotate(uow, claim, kind, actor, words, now)
    if config.staff_chat_id is None:
        return ()
    return (await card.card_message(uow, claim, now, config, edit=True),)


async def _card_wanted(
    uow: UnitOfWork, claim: Claim, config: DeskConfig, card_update: CardUpdate
) -> bool:
    if config.staff_chat_id is None or claim.id is None:
        return False
    if card_update is CardUpdate.ALWAYS:
        return True
    return await uow.messages.lookup(card.card_ref(claim.id)) is not None


async def reopen_stale(
    uow: UnitOfWork,
    ids: Sequence[int],
    actor: str,
    actor_id: int | None,
    now: datetime,
    config: DeskConfig,
) -> tuple[list[int], list[OutgoingMessage]]:
    """Put each listed claim whose decision is still stale back in the queue with the new one.

    New facts (an incident, a campaign's counts) re-run the rules (staff.stale); this is the
    change, made here like every other change to a claim.

    A refused claim becomes escalated; an open one keeps its status and gets the new decision.
    Returns the claims re-opened and their cards. The customer is told nothing here.
    """
    done: list[int] = []
    cards: list[OutgoingMessage] = []
    for claim_id in ids:
        claim = await uow.claims.get(claim_id)
        if claim is None or claim.status not in stale.REFUSED | OPEN_STATUSES:
            continue
        decision = await stale.redecide(uow, claim, config)
        if decision is None or not stale.differs(claim, decision):
            continue
        if claim.status in stale.REFUSED and await uow.claims.live_for_transaction(
            claim.transaction_id
        ):
            continue  # the customer filed again meanwhile: that claim is the live one
        updated = stale.reopened(claim, decision, now, config)
        status = updated.status
        if not await uow.claims.transition(claim_id, frozenset({claim.status}), updated):
            continue
        note = stale.REOPENED_NOTE.format(before=claim.outcome.value, after=decision.outcome.value)
        await uow.claims.add_audit(
            AuditEntry(
                claim_id,
                now,
                actor,
                actor_id,
                claim.status if status is not claim.status else None,
                status if status is not claim.status else None,
                AuditKind.REOPENED,
                note,
            )
        )
        done.append(claim_id)
        if config.staff_chat_id is not None:
            cards.append(await card.card_message(uow, updated, now, config, edit=True))
    return done, cards
