"""Staff decisions from outside a chat turn (the CLI): one transition, its messages queued."""

from __future__ import annotations

from datetime import datetime

from conversations.claims.lifecycle import Actor, Result, perform
from conversations.claims.transitions import Transition
from conversations.config import DeskConfig
from conversations.ports import UnitOfWork
from conversations.staff.card import with_card


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
) -> Result:
    """Apply the transition and queue the customer's message and the card's update.

    The caller commits; the running bot's dispatcher sends what was queued.
    """
    result = await perform(
        uow, claim_id, transition, actor, now, config, credits=credits, text=text
    )
    for message in await with_card(uow, result, now, config):
        await uow.outbox.put(message, now)
    return result
