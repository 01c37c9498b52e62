"""Telling the staff chat about a newly escalated claim: a card, or a digest in a storm."""

from __future__ import annotations

from datetime import datetime, timedelta

from conversations.config import DeskConfig
from conversations.domain import Claim, OutgoingMessage
from conversations.ports import UnitOfWork
from conversations.staff import card, digest

STORM_WINDOW = timedelta(minutes=1)
STAFF_NOTIFY_LOCK = "staff-notify"


async def claim_escalated(
    uow: UnitOfWork, claim: Claim, now: datetime, config: DeskConfig
) -> list[OutgoingMessage]:
    """A card for the new claim, unless claims arrive faster than the staff chat can take."""
    if config.staff_chat_id is None:
        return []  # the claim waits in the queue; `refundbot claims list` shows it
    # Concurrent escalations take turns here, so the last one to commit counts and lists every
    # claim before it: the newest digest edit (the one the dispatcher sends) is complete.
    await uow.serialize(STAFF_NOTIFY_LOCK)
    # This claim (already added in this transaction) and every other one since a minute ago;
    # no upper bound at `now`, since a turn that read the clock earlier may commit later.
    recent = await uow.claims.count_escalated_between(now - STORM_WINDOW, now + STORM_WINDOW)
    if recent > config.staff_cards_per_minute:
        return [await digest.digest_message(uow, now, config)]
    return [await card.card_message(uow, claim, now, config, edit=False)]
