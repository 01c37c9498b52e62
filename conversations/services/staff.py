"""Staff decisions from outside a chat turn (the CLI): one change, its messages queued."""

from __future__ import annotations

from datetime import datetime

from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.config import DeskConfig
from conversations.ports import UnitOfWork
from conversations.services.changes import Change, change_claim


async def staff_act(
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
) -> Change:
    """Apply the change and queue the customer's message and the card's update.

    The caller commits; the running bot's dispatcher sends what was queued.
    """
    change = await change_claim(
        uow,
        claim_id,
        transition,
        actor,
        now,
        config,
        credits=credits,
        text=text,
        overrule_refused=overrule_refused,
    )
    for message in change.messages:
        await uow.outbox.put(message, now)
    return change
