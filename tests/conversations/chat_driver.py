"""The customer dialogue without Telegram or a database: Desk.handle on the in-memory unit of work.

`Person` reads like the e2e harness's Customer (says, press), so a test that checks only what
the dialogue says reads the same here and runs in milliseconds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from conversations.chat.events import Author, EventKind, Inbound
from conversations.config import DeskConfig
from conversations.dialogue.engine import Desk
from conversations.domain import OutgoingMessage
from conversations.ports import UnitOfWork
from storage.demo_data import DemoCase, demo_ledger
from tests.memory_uow import MemoryStore

# As the e2e harness: Friday 14 August 2026, Independence Day in Pakistan, before a weekend.
PINNED_NOW = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)
STAFF_CHAT_ID = -1001234567890
STAFF_IDS = (9001, 9002)
# What the e2e bot runs with (bot.settings' defaults and a staff group).
E2E_CONFIG = DeskConfig(staff_chat_id=STAFF_CHAT_ID, staff_user_ids=frozenset(STAFF_IDS))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = PINNED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class Shown:
    """A message as the chat shows it now (edits applied)."""

    message_id: int
    text: str
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)

    @property
    def button_labels(self) -> list[str]:
        return [label for row in self.buttons for label, _ in row]

    def button(self, label: str) -> str:
        """The callback data of the button whose label contains `label`."""
        for row in self.buttons:
            for text, data in row:
                if label in text:
                    return data
        raise AssertionError(f"no button {label!r} in {self.button_labels}")


class World:
    """One desk on one in-memory store, with the demo ledger loaded.

    `uow` and `queued` put the same desk on another unit of work (the contract test's SQL one):
    a factory, and what reads back every message queued so far, in order.
    """

    def __init__(
        self,
        config: DeskConfig | None = None,
        clock: Clock | None = None,
        *,
        uow: Callable[[], UnitOfWork] | None = None,
        queued: Callable[[], Awaitable[list[OutgoingMessage]]] | None = None,
    ) -> None:
        self.store = MemoryStore()
        self.clock = clock or Clock()
        ledger = demo_ledger(self.clock(), "PK")
        self.store.load_ledger(ledger.purchases, ledger.campaigns, ledger.incidents)
        self.cases: list[DemoCase] = ledger.cases
        self.desk = Desk(uow or self.store.uow, self.clock, config or E2E_CONFIG)
        self._queued = queued or self._in_store
        # Every message each chat was sent, by message id (ids as Telegram: one per chat).
        self.chats: dict[int, dict[int, Shown]] = {}
        self._refs: dict[str, tuple[int, int]] = {}
        self._delivered = 0

    def show(self, message: OutgoingMessage) -> Shown:
        """Deliver a message the way the sender would: new, or an edit of an earlier one."""
        chat = self.chats.setdefault(message.chat_id, {})
        buttons = [[(b.label, b.data) for b in row] for row in message.buttons]
        target = message.edit_message_id
        if target is None and message.edit_ref is not None and message.edit_ref in self._refs:
            target = self._refs[message.edit_ref][1]
        if target is not None and target in chat:
            chat[target] = replace(chat[target], text=message.text, buttons=buttons)
            return chat[target]
        shown = Shown(len(chat) + 1, message.text, buttons)
        chat[shown.message_id] = shown
        if message.ref is not None:
            self._refs[message.ref] = (message.chat_id, shown.message_id)
        return shown

    async def apply(self, event: Inbound) -> list[Shown]:
        """One turn; the new messages it brought this chat (edits are applied in place).

        Messages the turn queued for other chats (a staff card) are delivered too.
        """
        result = await self.desk.handle(event)
        # As the sender does: the news first, menu-closing edits last.
        replies = sorted((m for _, m in result.replies), key=lambda m: m.closes_menu)
        before = len(self.chats.get(event.chat_id, {}))
        for message in replies:
            self.show(message)
        queued = await self._queued()
        for message in queued[self._delivered :]:
            if message.chat_id != event.chat_id:
                self.show(message)
        self._delivered = len(queued)
        return list(self.chats.get(event.chat_id, {}).values())[before:]

    async def _in_store(self) -> list[OutgoingMessage]:
        return self.store.outbox()

    def messages(self, chat_id: int) -> list[Shown]:
        return list(self.chats.get(chat_id, {}).values())


class Person:
    """A customer in a private chat with the bot (as tests/e2e/harness.py's Customer)."""

    def __init__(
        self, world: World, user_id: int, name: str, language_code: str | None = None
    ) -> None:
        self.world = world
        self.chat_id = user_id
        self.author = Author(user_id, name, None, language_code)
        self._unread: list[Shown] = []

    def texts(self) -> list[str]:
        return [m.text for m in self.world.messages(self.chat_id)]

    async def says(self, text: str) -> Shown:
        """Type a message; returns the bot's first reply to it."""
        self._unread = await self.world.apply(
            Inbound.text_or_command(self.chat_id, self.author, text)
        )
        return self.next()

    async def send(self, text: str) -> None:
        """Type a message; its replies wait for next()."""
        self._unread = await self.world.apply(
            Inbound.text_or_command(self.chat_id, self.author, text)
        )

    async def press(self, message: Shown, label: str) -> Shown:
        """Press a button; returns the pressed message as it is now (often edited)."""
        event = Inbound(
            self.chat_id,
            self.author,
            EventKind.BUTTON,
            data=message.button(label),
            text=label,
            message_id=message.message_id,
        )
        self._unread = await self.world.apply(event)
        return self.world.chats[self.chat_id][message.message_id]

    def unread(self) -> list[Shown]:
        """The replies of the last turn not read yet (and reads them)."""
        unread, self._unread = self._unread, []
        return unread

    def next(self, contains: str | None = None) -> Shown:
        """The first unread reply (containing `contains`, skipping others)."""
        while self._unread:
            message = self._unread.pop(0)
            if contains is None or contains.lower() in message.text.lower():
                return message
        raise AssertionError(f"no reply with {contains!r}; the chat: {self.texts()}")
