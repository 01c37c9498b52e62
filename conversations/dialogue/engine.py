"""The turn loop: load state, apply one event, save (optimistic concurrency), hand back replies."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from conversations.chat.events import Inbound
from conversations.chat.turn import Turn
from conversations.config import DeskConfig
from conversations.dialogue import customer
from conversations.domain import OutgoingMessage
from conversations.ports import Clock, UnitOfWork
from conversations.staff.scope import in_staff_chat
from conversations.staff_desk import actions as staff_actions

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
REPLY_LEASE = timedelta(seconds=30)


# The caller's claim on the update, first in the turn's own transaction (the inbox marks it
# applied, `uow.inbox.claim`); False: it was applied already, the turn does nothing.
AlongWith = Callable[[UnitOfWork], Awaitable[bool]]


class ConcurrencyError(RuntimeError):
    """A chat's state kept changing under us; the update is left for Telegram to re-deliver."""


@dataclass
class TurnResult:
    # This chat's replies, with their outbox ids, for the handler to send at once.
    replies: list[tuple[int, OutgoingMessage]] = field(default_factory=list)
    # Whether the turn queued messages to other chats (for the dispatcher).
    queued_elsewhere: bool = False
    callback_text: str | None = None
    callback_alert: bool = False
    duplicate: bool = False
    refused_staff_press: bool = False


def _keep_the_news(messages: list[OutgoingMessage], chat_id: int) -> list[OutgoingMessage]:
    """A menu-closing edit may be dropped only beside a new message: alone, it is the news."""
    says_more = any(
        m.chat_id == chat_id and m.edit_message_id is None and m.edit_ref is None for m in messages
    )
    if says_more:
        return messages
    return [replace(m, closes_menu=False) if m.closes_menu else m for m in messages]


class Desk:
    """Applies inbound events; the same object serves Telegram and the terminal chat."""

    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], clock: Clock, config: DeskConfig
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self.config = config

    def is_staff_event(self, event: Inbound) -> bool:
        """Staff chat traffic; elsewhere staff commands and buttons are a customer's, and fail."""
        return in_staff_chat(self.config, event.chat_id)

    async def handle(self, event: Inbound, along_with: AlongWith | None = None) -> TurnResult:
        """Apply one event; retried when another turn of the chat won the race.

        `along_with` claims the update in the turn's own transaction (the inbox's mark is the
        one duplicate key), so a turn costs one commit. Without it (the terminal chat, a
        benchmark) nothing guards against applying an event twice.
        """
        for attempt in range(MAX_ATTEMPTS):
            async with self._uow_factory() as uow:
                now = self._clock()
                if along_with is not None and not await along_with(uow):
                    return TurnResult(duplicate=True)
                snapshot = await uow.conversations.load_turn(event.chat_id, event.author.user_id)
                turn = Turn(uow, snapshot.state, event, now, self.config)
                turn.stored_language, turn.questions = snapshot.language, snapshot.questions
                if event.for_another_bot(self.config.bot_username):
                    turn.keep_state = False  # "/help@other_bot" in a group: not for us
                elif self.is_staff_event(event):
                    turn.keep_state = False
                    await staff_actions.apply(turn)
                else:
                    await customer.apply(turn)
                if turn.keep_state and not await uow.conversations.save(turn.store()):
                    await uow.rollback()
                    log.info("chat %s: lost a race, retrying (%d)", event.chat_id, attempt + 1)
                    continue
                result = TurnResult(
                    callback_text=turn.callback_text,
                    callback_alert=turn.callback_alert,
                    refused_staff_press=turn.refused_staff_press,
                )
                lease = turn.now + REPLY_LEASE
                # The handler sends the chat's own replies at once; the dispatcher only steps in
                # if one has not been marked sent when its lease runs out (a crash, an error).
                news = [
                    (message, lease if message.chat_id == event.chat_id else None)
                    for message in _keep_the_news(turn.messages, event.chat_id)
                ]
                ids = await uow.outbox.put_many(news, turn.now)
                for outbox_id, (message, leased) in zip(ids, news, strict=True):
                    if leased is not None:
                        result.replies.append((outbox_id, message))
                    else:
                        result.queued_elsewhere = True
                await uow.commit()
                return result
        raise ConcurrencyError(f"chat {event.chat_id}: gave up after {MAX_ATTEMPTS} attempts")
