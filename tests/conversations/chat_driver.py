"""The dialogue without Telegram or a database: Desk.handle on the in-memory unit of work.

`Person` reads like the e2e harness's Customer (says, press), and `Staff` like its StaffMember
(says, press, reply), so a test that checks only what the dialogue says reads the same here and
runs in milliseconds. Desk.handle is what bot/telegram_app.py calls for every update, the staff
group's included.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from conversations.chat.events import Author, EventKind, FileRef, Inbound
from conversations.config import DeskConfig
from conversations.dialogue.engine import Desk, TurnResult
from conversations.domain import Attachment, OutgoingMessage
from conversations.ports import UnitOfWork
from storage.demo_data import DemoCase, demo_ledger
from tests.memory_uow import MemoryStore

# As the e2e harness: Friday 14 August 2026, Independence Day in Pakistan, before a weekend.
PINNED_NOW = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)
STAFF_CHAT_ID = -1001234567890
STAFF_IDS = (9001, 9002)
# What the e2e bot runs with (bot.settings' defaults and a staff group).
E2E_CONFIG = DeskConfig(
    staff_chat_id=STAFF_CHAT_ID,
    staff_user_ids=frozenset(STAFF_IDS),
    time_zone="Asia/Karachi",  # HOME_COUNTRY=PK's, as bot.settings derives it
)


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
    reply_to: int | None = None  # the message of this chat it answers, as Telegram shows it
    attachment: Attachment | None = None  # a file sent with it (the /report chart, a CSV)
    edits: int = 0

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
        self._uow = uow or self.store.uow
        self.desk = Desk(self._uow, self.clock, config or E2E_CONFIG)
        self._queued = queued or self._in_store
        # Every message each chat was sent, by message id (ids as Telegram: one per chat).
        self.chats: dict[int, dict[int, Shown]] = {}
        self._refs: dict[str, tuple[int, int]] = {}
        self._delivered = 0
        # The last turn's result: its toast (callback_text) is what a pressed button shows.
        self.last: TurnResult = TurnResult()

    async def show(self, message: OutgoingMessage) -> Shown:
        """Deliver a message the way the sender would: new, or an edit of an earlier one.

        A new message's ref is remembered in the store, as the sender does once Telegram gave
        it an id: that is how a staff reply to a prompt or a relayed message is traced.
        """
        chat = self.chats.setdefault(message.chat_id, {})
        buttons = [[(b.label, b.data) for b in row] for row in message.buttons]
        target = message.edit_message_id
        if target is None and message.edit_ref is not None and message.edit_ref in self._refs:
            target = self._refs[message.edit_ref][1]
        if target is not None and target in chat:
            before = chat[target]
            chat[target] = replace(
                before, text=message.text, buttons=buttons, edits=before.edits + 1
            )
            return chat[target]
        reply_to = self._refs.get(message.reply_ref or "", (0, None))[1]
        shown = Shown(len(chat) + 1, message.text, buttons, reply_to, message.attachment)
        chat[shown.message_id] = shown
        if message.ref is not None:
            self._refs[message.ref] = (message.chat_id, shown.message_id)
            async with self._uow() as uow:
                await uow.messages.remember(message.ref, message.chat_id, shown.message_id)
                await uow.commit()
        return shown

    async def apply(self, event: Inbound) -> list[Shown]:
        """One turn; the new messages it brought this chat (edits are applied in place).

        Messages the turn queued for other chats (a staff card) are delivered too.
        """
        result = self.last = await self.desk.handle(event)
        # As the sender does: the news first, menu-closing edits last.
        replies = sorted((m for _, m in result.replies), key=lambda m: m.closes_menu)
        before = len(self.chats.get(event.chat_id, {}))
        for message in replies:
            await self.show(message)
        queued = await self._queued()
        for message in queued[self._delivered :]:
            if message.chat_id != event.chat_id:
                await self.show(message)
        self._delivered = len(queued)
        return list(self.chats.get(event.chat_id, {}).values())[before:]

    async def _in_store(self) -> list[OutgoingMessage]:
        return self.store.outbox()

    def messages(self, chat_id: int) -> list[Shown]:
        return list(self.chats.get(chat_id, {}).values())

    def last_in(self, chat_id: int, contains: str) -> Shown:
        """The newest message in the chat (as it is now) containing `contains`."""
        for message in reversed(self.messages(chat_id)):
            if contains.lower() in message.text.lower():
                return message
        raise AssertionError(
            f"no message with {contains!r}: {[m.text for m in self.messages(chat_id)]}"
        )


class Person:
    """A customer in a private chat with the bot (as tests/e2e/harness.py's Customer)."""

    def __init__(
        self,
        world: World,
        user_id: int,
        name: str,
        language_code: str | None = None,
        username: str | None = None,
    ) -> None:
        self.world = world
        self.chat_id = user_id
        self.author = Author(user_id, name, username, language_code)
        self._unread: list[Shown] = []

    def texts(self) -> list[str]:
        return [m.text for m in self.world.messages(self.chat_id)]

    def last(self, contains: str) -> Shown:
        """The newest message in this chat containing `contains`, whichever turn brought it."""
        return self.world.last_in(self.chat_id, contains)

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
        return await self.press_data(message, message.button(label), label)

    async def sends_photo(self, unique_id: str = "photo-1", caption: str = "") -> None:
        """Send a photo (as bot/updates.py reads one); its replies wait for next()."""
        photo = FileRef("photo", f"file-{unique_id}", unique_id, size=50_000)
        event = Inbound(self.chat_id, self.author, EventKind.FILE, text=caption, file=photo)
        self._unread = await self.world.apply(event)

    async def press_data(self, message: Shown, data: str, label: str = "") -> Shown:
        """A press carrying this data (a double tap on an old button, or a forged one)."""
        event = Inbound(
            self.chat_id,
            self.author,
            EventKind.BUTTON,
            data=data,
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


class Staff:
    """Someone writing in a group, the staff group by default (as the e2e harness's StaffMember).

    Whether they are staff is the desk's call (STAFF_USER_IDS), as it is in Telegram.
    """

    def __init__(
        self,
        world: World,
        user_id: int,
        name: str,
        username: str | None = None,
        chat_id: int = STAFF_CHAT_ID,
    ) -> None:
        self.world = world
        self.chat_id = chat_id
        self.author = Author(user_id, name, username)
        self._unread: list[Shown] = []

    def texts(self) -> list[str]:
        return [m.text for m in self.world.messages(self.chat_id)]

    def last(self, contains: str) -> Shown:
        """The newest message in this chat containing `contains`, whichever turn brought it."""
        return self.world.last_in(self.chat_id, contains)

    async def send(
        self, text: str, reply_to: int | None = None, replied_text: str | None = None
    ) -> None:
        """Write in the group, optionally as a reply; its replies wait for next().

        As Telegram, a reply carries the replied message's text: a bot message's is looked up,
        a person's post (which this chat does not keep) is given as `replied_text`.
        """
        shown = self.world.chats.get(self.chat_id, {}).get(reply_to or 0)
        if replied_text is None and shown is not None:
            replied_text = shown.text
        event = Inbound.text_or_command(
            self.chat_id,
            self.author,
            text,
            reply_to_message_id=reply_to,
            reply_to_text=replied_text,
            is_private=self.chat_id > 0,
        )
        self._unread = await self.world.apply(event)

    async def says(self, text: str) -> Shown:
        """Write in the group; returns the bot's first reply there."""
        await self.send(text)
        return self.next()

    async def reply(self, message: Shown, text: str) -> Shown:
        """Reply to a bot message; returns the bot's first reply there."""
        await self.send(text, reply_to=message.message_id)
        return self.next()

    async def press(self, message: Shown, label: str) -> str | None:
        """Press a button on the message as it is now; returns the toast it shows, if any."""
        current = self.world.chats[self.chat_id][message.message_id]
        return await self.press_data(message, current.button(label), label)

    async def press_data(self, message: Shown, data: str, label: str = "") -> str | None:
        """A press carrying this data (a forged or an old button); returns its toast, if any."""
        event = Inbound(
            self.chat_id,
            self.author,
            EventKind.BUTTON,
            data=data,
            text=label,
            message_id=message.message_id,
            is_private=self.chat_id > 0,
        )
        self._unread = await self.world.apply(event)
        return self.world.last.callback_text

    def now(self, message: Shown) -> Shown:
        """The message as the group shows it now (after edits)."""
        return self.world.chats[self.chat_id][message.message_id]

    def next(self, contains: str | None = None) -> Shown:
        """The first unread message here (containing `contains`, skipping others)."""
        while self._unread:
            message = self._unread.pop(0)
            if contains is None or contains.lower() in message.text.lower():
                return message
        raise AssertionError(f"no message with {contains!r}; the chat: {self.texts()}")


async def file_claim(
    customer: Person,
    tx: str,
    contact: str,
    reason: str,
    *,
    campaign: str | None = None,
    description: str | None = None,
) -> Shown:
    """Walk the whole claim dialogue and return the bot's decision message."""
    await customer.says("/claim")
    await customer.says(tx)
    reasons = await customer.says(contact)
    await customer.press(reasons, reason)
    if campaign is not None:
        await customer.press(customer.next("which campaign"), campaign)
    if description is not None:
        customer.next("describe")
        await customer.send(description)
    await customer.press(customer.next("check your claim"), "Send")
    return customer.next("claim #")


def card_of(world: World, claim_id: int) -> Shown:
    """The claim's card as the staff group shows it now (the first message titled for it)."""
    title = f"🧾 Claim #{claim_id} ·"
    for message in world.messages(STAFF_CHAT_ID):
        if message.text.startswith(title):
            return message
    raise AssertionError(f"no card for claim #{claim_id} in the staff chat")
