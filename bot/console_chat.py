"""`refundbot chat`: the customer dialogue in a terminal, buttons shown as numbered choices.

With --demo the staff side runs too: what the staff chat receives is printed as it arrives,
and /staff lets the person at the terminal work the queue (take, approve, reject) as staff.
"""

from __future__ import annotations

import asyncio
import codecs
import dataclasses
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.clock import utc_now
from bot.settings import Settings
from conversations import refs
from conversations.catalog.console import (
    CONSOLE_BYE,
    CONSOLE_CUSTOMER_BUTTON,
    CONSOLE_CUSTOMER_MODE,
    CONSOLE_DEMO_INTRO,
    CONSOLE_DEMO_STAFF,
    CONSOLE_FILE_NOT_HERE,
    CONSOLE_FILE_SAVED,
    CONSOLE_FROM_STAFF_CHAT,
    CONSOLE_HINT,
    CONSOLE_PICK_RANGE,
    CONSOLE_STAFF_BUTTON,
    CONSOLE_STAFF_COPY,
    CONSOLE_STAFF_MODE,
    CONSOLE_TO_YOU,
)
from conversations.chat.events import Author, EventKind, Inbound
from conversations.dialogue.engine import Desk
from conversations.domain import Attachment, AttachmentKind, Button, OutgoingMessage
from storage.database import Database, open_database
from storage.demo_data import load_demo_data
from storage.uow import SqlUnitOfWork

CONSOLE_CHAT_ID = 1
CONSOLE_USER = Author(user_id=1, first_name="Demo customer", username=None)
# In the demo, the terminal is also a staff member in a staff group of its own.
DEMO_STAFF_CHAT_ID = -100
DEMO_STAFF_USER = Author(user_id=2, first_name="Demo staff", username=None)
# A longer run of digits is an answer (a phone number, an id), not a button number.
MAX_PICK_DIGITS = 2


@dataclass
class _Screen:
    """What the terminal shows: numbered buttons, and the message a typed staff reply answers."""

    choices: list[tuple[int, int, Button]] = field(default_factory=list)
    next_message_id: int = 0
    # The last staff-chat message asking for a reply (a prompt, a relayed message), until a
    # typed staff line answers it.
    staff_prompt: int | None = None
    # Where files the bot sends (the /report chart and CSV) are saved.
    files: Path = field(default_factory=Path.cwd)

    def new_id(self) -> int:
        self.next_message_id += 1
        return self.next_message_id

    def render(self, message: OutgoingMessage, message_id: int, label: str = "") -> str:
        lines = [label + message.text if label else message.text]
        if message.attachment is not None:
            lines.append(_save(message.attachment, self.files))
        for row in message.buttons:
            for button in row:
                self.choices.append((message.chat_id, message_id, button))
                lines.append(f"  [{len(self.choices)}] {button.label}")
        return "\n".join(lines)


def _save(attachment: Attachment, folder: Path) -> str:
    """Write a file the bot sends (a chart, a CSV) where the person can open it; say where."""
    if attachment.kind not in (AttachmentKind.CLAIMS_CHART, AttachmentKind.FINANCE_CSV):
        return CONSOLE_FILE_NOT_HERE.format(filename=attachment.filename)
    from bot.attachments import render

    path = folder.absolute() / Path(attachment.filename).name
    path.write_bytes(render(attachment))
    return CONSOLE_FILE_SAVED.format(filename=attachment.filename, path=path)


class _Stdin:
    """Lines from standard input, read without a thread when it is a terminal or a pipe.

    A thread blocked in input() would keep the program alive after Ctrl-C until Enter;
    reading the file descriptor when the event loop says it is readable does not.
    """

    def __init__(self) -> None:
        self._fd: int | None
        try:
            self._fd = sys.stdin.fileno()
        except (AttributeError, OSError, ValueError):  # a replaced stdin (tests): no descriptor
            self._fd = None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._ended = False

    async def line(self, prompt: str) -> str | None:
        if self._fd is None:
            try:
                return await asyncio.to_thread(input, prompt)
            except EOFError:
                return None
        print(prompt, end="", flush=True)
        while "\n" not in self._pending and not self._ended:
            await self._readable(self._fd)
            chunk = os.read(self._fd, 4096)
            self._ended = not chunk
            self._pending += self._decoder.decode(chunk, final=self._ended)
        if "\n" in self._pending:
            line, self._pending = self._pending.split("\n", 1)
            return line
        line, self._pending = self._pending, ""
        return line or None

    @staticmethod
    async def _readable(fd: int) -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await ready
        finally:
            loop.remove_reader(fd)


async def run_console(
    settings: Settings,
    demo: bool = False,
    open_db: Callable[[str], Awaitable[Database]] = open_database,
) -> None:
    """Chat with the desk in this terminal until end of input or /quit."""
    tmp: tempfile.TemporaryDirectory[str] | None = None
    url = settings.database_url
    if demo:
        tmp = tempfile.TemporaryDirectory(prefix="refundbot-demo-")
        url = f"sqlite+aiosqlite:///{Path(tmp.name) / 'demo.db'}"
    try:
        db = await open_db(url)
    except BaseException:
        if tmp is not None:
            tmp.cleanup()
        raise
    try:
        config = settings.desk_config()
        if demo:
            cases = await load_demo_data(
                db, utc_now(), settings.home_country, settings.pk_suspension_notice
            )
            print(CONSOLE_DEMO_INTRO)
            for case in cases:
                print(f"  {case.transaction_id}  {case.phone}  {case.email}  – {case.shows}")
            print()
            print(CONSOLE_DEMO_STAFF)
            config = dataclasses.replace(
                config,
                staff_chat_id=DEMO_STAFF_CHAT_ID,
                staff_user_ids=frozenset({DEMO_STAFF_USER.user_id}),
            )
        print(CONSOLE_HINT)
        await _loop(Desk(db.uow, utc_now, config), db, show_staff=demo)
    finally:
        await db.dispose()
        if tmp is not None:
            tmp.cleanup()


def _press(number: int, screen: _Screen, staff_mode: bool) -> Inbound | None:
    """A numbered choice as the button press it stands for; None (and why) if it is not one."""
    if not 1 <= number <= len(screen.choices):
        print(CONSOLE_PICK_RANGE.format(n=len(screen.choices)))
        return None
    chat_id, message_id, button = screen.choices[number - 1]
    staff = chat_id == DEMO_STAFF_CHAT_ID
    if staff != staff_mode:
        # Each side presses only its own buttons, as in Telegram.
        print((CONSOLE_STAFF_BUTTON if staff else CONSOLE_CUSTOMER_BUTTON).format(n=number))
        return None
    return Inbound(
        chat_id,
        DEMO_STAFF_USER if staff else CONSOLE_USER,
        EventKind.BUTTON,
        data=button.data,
        text=button.label,
        message_id=message_id,
    )


async def _loop(desk: Desk, db: Database, show_staff: bool) -> None:
    screen = _Screen()
    stdin = _Stdin()
    staff_mode = False
    event: Inbound | None = Inbound.text_or_command(CONSOLE_CHAT_ID, CONSOLE_USER, "/start")
    while True:
        if event is not None:
            result = await desk.handle(event)
            screen.choices = []
            async with db.uow() as uow:
                for outbox_id, message in result.replies:
                    message_id = screen.new_id()
                    print("\n" + screen.render(message, message_id))
                    await _sent(uow, outbox_id, message, message_id, screen)
                await uow.commit()
            if result.queued_elsewhere and not show_staff:
                print(CONSOLE_STAFF_COPY)
            if show_staff:
                await _deliver_elsewhere(db, screen)
        line = await stdin.line("\nstaff> " if staff_mode else "\n> ")
        if line is None or line.strip() in ("/quit", "/exit"):
            print(CONSOLE_BYE)
            return
        text = line.strip()
        event = None
        if show_staff and text in ("/staff", "/customer"):
            staff_mode = text == "/staff"
            print(CONSOLE_STAFF_MODE if staff_mode else CONSOLE_CUSTOMER_MODE)
            continue
        if not text:
            continue
        if text.isdigit() and len(text) <= MAX_PICK_DIGITS and screen.choices:
            event = _press(int(text), screen, staff_mode)
        elif staff_mode:
            # A typed line in the staff chat answers the newest prompt, as a Telegram reply.
            replying = None if text.startswith("/") else screen.staff_prompt
            if replying is not None:
                screen.staff_prompt = None  # answered; a new prompt opens it again
            event = Inbound.text_or_command(
                DEMO_STAFF_CHAT_ID,
                DEMO_STAFF_USER,
                text,
                reply_to_message_id=replying,
                is_private=False,
            )
        else:
            event = Inbound.text_or_command(CONSOLE_CHAT_ID, CONSOLE_USER, text)
        sys.stdout.flush()


async def _deliver_elsewhere(db: Database, screen: _Screen) -> None:
    """Print what went to the staff chat and the customer from elsewhere, as the bot would send."""
    async with db.uow() as uow:
        for item in await uow.outbox.pending(utc_now()):
            message = item.message
            message_id = screen.new_id()
            label = (
                CONSOLE_FROM_STAFF_CHAT if message.chat_id == DEMO_STAFF_CHAT_ID else CONSOLE_TO_YOU
            )
            print("\n" + screen.render(message, message_id, label))
            await _sent(uow, item.id, message, message_id, screen)
        await uow.commit()


async def _sent(
    uow: SqlUnitOfWork, outbox_id: int, message: OutgoingMessage, message_id: int, screen: _Screen
) -> None:
    """Record a printed message as the sender records a sent one, so replies can find it."""
    await uow.outbox.mark_sent(outbox_id, message_id)
    if message.ref is None:
        return
    await uow.messages.remember(message.ref, message.chat_id, message_id)
    about = refs.parse(message.ref)
    answerable = about is not None and about.kind in (refs.Kind.PROMPT, refs.Kind.RELAY)
    if message.chat_id == DEMO_STAFF_CHAT_ID and answerable:
        screen.staff_prompt = message_id
