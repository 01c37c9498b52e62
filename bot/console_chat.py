"""`refundbot chat`: the customer dialogue in a terminal, buttons shown as numbered choices."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.clock import utc_now
from bot.settings import Settings
from conversations.catalog.console import (
    CONSOLE_BYE,
    CONSOLE_DEMO_INTRO,
    CONSOLE_HINT,
    CONSOLE_PICK_RANGE,
    CONSOLE_STAFF_COPY,
)
from conversations.chat.events import EventKind, Inbound, Sender
from conversations.dialogue.engine import Desk
from conversations.domain import Button, OutgoingMessage
from storage.database import Database, open_database
from storage.demo_data import load_demo_data

CONSOLE_CHAT_ID = 1
CONSOLE_USER = Sender(user_id=1, first_name="You", username=None)
# A longer run of digits is an answer (a phone number, an id), not a button number.
MAX_PICK_DIGITS = 2


def _render(message: OutgoingMessage, choices: list[Button]) -> str:
    lines = [message.text]
    for row in message.buttons:
        for button in row:
            choices.append(button)
            lines.append(f"  [{len(choices)}] {button.label}")
    return "\n".join(lines)


async def _read_line(prompt: str) -> str | None:
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


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
        if demo:
            cases = await load_demo_data(db, utc_now(), settings.home_country)
            print(CONSOLE_DEMO_INTRO)
            for case in cases:
                print(f"  {case.transaction_id}  {case.phone}  {case.email}  – {case.shows}")
            print()
        print(CONSOLE_HINT)
        desk = Desk(db.uow, utc_now, settings.desk_config())
        await _loop(desk, db)
    finally:
        await db.dispose()
        if tmp is not None:
            tmp.cleanup()


async def _loop(desk: Desk, db: Database) -> None:
    choices: list[Button] = []
    last_message_id = 0
    event: Inbound | None = Inbound.text_or_command(CONSOLE_CHAT_ID, CONSOLE_USER, "/start")
    while True:
        if event is not None:
            result = await desk.handle(event)
            choices = []
            async with db.uow() as uow:
                for outbox_id, message in result.replies:
                    print("\n" + _render(message, choices))
                    last_message_id += 1
                    await uow.outbox.mark_sent(outbox_id, last_message_id)
                await uow.commit()
            if result.queued_elsewhere:
                print(CONSOLE_STAFF_COPY)
        line = await _read_line("\n> ")
        if line is None or line.strip() in ("/quit", "/exit"):
            print(CONSOLE_BYE)
            return
        text = line.strip()
        if not text:
            event = None
            continue
        if text.isdigit() and len(text) <= MAX_PICK_DIGITS and choices:
            number = int(text)
            if not 1 <= number <= len(choices):
                print(CONSOLE_PICK_RANGE.format(n=len(choices)))
                event = None
                continue
            button = choices[number - 1]
            event = Inbound(
                CONSOLE_CHAT_ID,
                CONSOLE_USER,
                EventKind.BUTTON,
                data=button.data,
                text=button.label,
            )
        else:
            event = Inbound.text_or_command(CONSOLE_CHAT_ID, CONSOLE_USER, text)
        sys.stdout.flush()
