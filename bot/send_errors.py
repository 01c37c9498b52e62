"""What becomes of a message Telegram refused or could not take: one outcome per kind of error.

| error                      | outcome                                                   |
| -------------------------- | --------------------------------------------------------- |
| ChatMigrated               | follow the chat to its new id and send there at once      |
| Forbidden (403)            | give up, one log line (blocked, kicked: retrying cannot help) |
| BadRequest (400)           | give up, one log line                                     |
| RetryAfter (429)           | try again after retry_after; nothing else to that chat till then |
| TimedOut, NetworkError, 5xx | try again with backoff (2 s doubling to 5 min); parked after a cap |
| anything else              | parked for an operator (`refundbot outbox failed`)        |

No outcome raises: one message can never stop the ones behind it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.chat_moves import ChatMoves
from bot.metrics import Metrics
from bot.send_scheduler import Priority
from conversations.domain import OutboxItem, OutgoingMessage
from storage.database import Database
from storage.uow import SqlUnitOfWork


class Sender(Protocol):
    """What an outcome needs of the sender (bot/sender.py) that met the error."""

    db: Database
    clock: Callable[[], datetime]
    metrics: Metrics
    moves: ChatMoves | None

    async def send(
        self, message: OutgoingMessage, priority: Priority = ..., within: float | None = ...
    ) -> int | None: ...


log = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 300.0
# Past either, a message Telegram cannot be reached for waits for an operator instead.
MAX_NETWORK_ATTEMPTS = 30  # about two hours of tries at the capped backoff
MAX_NETWORK_AGE = timedelta(hours=24)
# A chat that moves again at its new id, and again: give the dispatcher's next round a turn.
MAX_FOLLOWS = 2


class Action(Enum):
    FOLLOW = "follow"
    GIVE_UP = "give_up"
    RETRY = "retry"
    PARK = "park"


@dataclass(frozen=True)
class Outcome:
    action: Action
    kind: str  # the label counted in refundbot_send_errors
    wait: float = 0.0  # RETRY: seconds until the next try
    new_chat_id: int | None = None  # FOLLOW: where the chat is now


def backoff(attempts: int) -> float:
    """Seconds before the next try after `attempts` earlier ones: 2, 4, 8, … up to 5 min."""
    return min(2.0 ** min(attempts + 1, 16), BACKOFF_CAP_SECONDS)


def classify(exc: BaseException, attempts: int = 0, age: timedelta = timedelta(0)) -> Outcome:
    """The outcome for an error on a message tried `attempts` times, first queued `age` ago."""
    if isinstance(exc, ChatMigrated):
        return Outcome(Action.FOLLOW, "migrated", new_chat_id=int(exc.new_chat_id))
    if isinstance(exc, RetryAfter):
        return Outcome(Action.RETRY, "rate_limited", wait=seconds(exc.retry_after))
    if isinstance(exc, Forbidden | BadRequest):  # BadRequest first: PTB makes it a NetworkError
        return Outcome(Action.GIVE_UP, "refused")
    if isinstance(exc, NetworkError):  # TimedOut, a dropped connection, Telegram's 5xx
        if attempts + 1 >= MAX_NETWORK_ATTEMPTS or age >= MAX_NETWORK_AGE:
            return Outcome(Action.PARK, "parked")
        return Outcome(Action.RETRY, "network", wait=backoff(attempts))
    return Outcome(Action.PARK, "parked")


def moves_of(sender: Sender) -> ChatMoves:
    if sender.moves is None:
        sender.moves = ChatMoves(sender.db, sender.clock)
    return sender.moves


def readdressed(sender: Sender, item: OutboxItem) -> OutboxItem:
    """The item sent to where its chat is now (rows read before a move still name the old id)."""
    if sender.moves is None:
        return item
    chat_id = sender.moves.resolve(item.message.chat_id)
    if chat_id == item.message.chat_id:
        return item
    return replace(item, message=replace(item.message, chat_id=chat_id))


async def after_error(
    sender: Sender,
    item: OutboxItem,
    exc: Exception,
    uow: SqlUnitOfWork | None,
    priority: Priority,
    now: datetime,
    follows: int = 0,
) -> bool:
    """Record the outcome of a failed send of a taken outbox row; False if its chat is in a 429.

    `uow` is the dispatcher's transaction holding the row (PostgreSQL), or None.
    """
    outcome = classify(exc, item.attempts, now - item.created_at)
    chat_id = item.message.chat_id
    if outcome.kind != "rate_limited":  # 429s have their own counter
        sender.metrics.send_errors.labels(kind=outcome.kind).inc()
    if outcome.action is Action.FOLLOW and follows < MAX_FOLLOWS:
        assert outcome.new_chat_id is not None
        try:
            await moves_of(sender).follow(chat_id, outcome.new_chat_id, uow)
        except Exception as failed:  # e.g. two workers following at once: the next round will
            log.warning("outbox %s: recording chat %s's move failed: %r", item.id, chat_id, failed)
            await record(sender, uow, lambda u: u.outbox.retry_later(item.id, now, str(exc)))
            return True
        moved = replace(item, message=replace(item.message, chat_id=outcome.new_chat_id))
        try:
            message_id = await sender.send(moved.message, priority)
        except Exception as again:
            return await after_error(sender, moved, again, uow, priority, now, follows + 1)
        await record(sender, uow, lambda u: u.outbox.mark_sent(item.id, message_id))
        return True
    if outcome.action is Action.RETRY or outcome.action is Action.FOLLOW:
        wait = outcome.wait if outcome.action is Action.RETRY else 1.0
        if outcome.kind == "network":
            log.warning(
                "outbox %s to chat %s: %s; retrying in %.0f s", item.id, chat_id, _why(exc), wait
            )
        when = now + timedelta(seconds=wait)
        await record(sender, uow, lambda u: u.outbox.retry_later(item.id, when, _why(exc)))
        return outcome.kind != "rate_limited"
    if outcome.action is Action.GIVE_UP:
        log.warning("outbox %s to chat %s refused: %s", item.id, chat_id, _why(exc))
        await record(sender, uow, lambda u: u.outbox.give_up(item.id, _why(exc), now))
        return True
    log.error(
        "outbox %s to chat %s parked for an operator after %d tries: %s "
        "(see `refundbot outbox failed`)",
        item.id,
        chat_id,
        item.attempts + 1,
        _why(exc),
    )
    await record(sender, uow, lambda u: u.outbox.park(item.id, _why(exc), now))
    return True


def _why(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def record(sender: Sender, uow: SqlUnitOfWork | None, work: _Work) -> None:
    """Write what became of a row: in the dispatcher's transaction holding it, else in its own."""
    if uow is not None:
        await work(uow)
        return
    async with sender.db.uow() as own:
        await work(own)
        await own.commit()


def seconds(value: int | float | timedelta) -> float:
    """A retry_after as PTB gives it (seconds, or a timedelta), in seconds."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    _Work = Callable[[SqlUnitOfWork], Awaitable[None]]
