"""The customer's words for what happened to their claim: made here, in their language.

The lifecycle returns facts (claims.events); this is the one place that turns them into
messages, so the domain carries no translated text.
"""

from __future__ import annotations

from collections.abc import Sequence

from conversations import i18n
from conversations.business_days import refund_window
from conversations.catalog import customer as t
from conversations.catalog import decisions as d
from conversations.catalog.policy_text import reword
from conversations.chat import keyboards as kb
from conversations.claims.events import (
    ClaimApproved,
    ClaimEvent,
    ClaimOverruled,
    ClaimRefunded,
    ClaimRejected,
    ClaimTaken,
    QuestionAsked,
)
from conversations.config import DeskConfig
from conversations.domain import ERASED_USER_ID, Claim, OutgoingMessage
from conversations.i18n import _
from conversations.ports import UnitOfWork

# Closed on staff's decision: the customer is asked how we did (not after their own withdrawal).
RATED = (ClaimRejected, ClaimRefunded)


async def customer_messages(
    uow: UnitOfWork, claim: Claim, events: Sequence[ClaimEvent], config: DeskConfig
) -> tuple[OutgoingMessage, ...]:
    """What the customer is told of these events, in the language they chose (else English)."""
    if claim.telegram_user_id == ERASED_USER_ID:
        return ()  # the customer asked to be forgotten: there is no chat to tell
    chosen = await uow.languages.get(claim.telegram_user_id)
    language = chosen.language if chosen is not None else i18n.ENGLISH
    with i18n.use(language), i18n.in_zone(config.time_zone):
        return tuple(m for event in events for m in _told(event, claim.chat_id, config))


def _told(event: ClaimEvent, chat_id: int, config: DeskConfig) -> list[OutgoingMessage]:
    text = _text(event, config)
    messages = [] if text is None else [OutgoingMessage(chat_id=chat_id, text=text)]
    if isinstance(event, RATED):
        messages.append(
            OutgoingMessage(
                chat_id=chat_id,
                text=_(t.RATE_ASK).format(claim_id=event.claim_id),
                buttons=kb.rating(event.claim_id),
            )
        )
    return messages


def _text(event: ClaimEvent, config: DeskConfig) -> str | None:
    """The sentence for one event; None when the customer, in the chat, hears it there."""
    claim_id = event.claim_id
    if isinstance(event, ClaimTaken):
        return _(d.TAKEN).format(claim_id=claim_id)
    if isinstance(event, ClaimApproved):
        start, end = refund_window(event.decided_at, config.home_country)
        template = _(d.OVERRULED) if isinstance(event, ClaimOverruled) else _(d.APPROVED)
        template = reword(template)  # PROCESSING_DAYS
        return template.format(
            claim_id=claim_id,
            credits=i18n.number(event.credits),
            start=i18n.day(start),
            end=i18n.day(end),
        )
    if isinstance(event, ClaimRejected):
        return _(d.REJECTED).format(claim_id=claim_id, reason=event.reason)
    if isinstance(event, QuestionAsked):
        return _(d.QUESTION).format(claim_id=claim_id, question=event.question)
    if isinstance(event, ClaimRefunded):
        return _(d.REFUNDED).format(claim_id=claim_id, credits=i18n.number(event.credits))
    return None  # answered or withdrawn: the dialogue answers the customer itself
