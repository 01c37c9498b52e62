"""The real bot (PTB Application from bot/) polling a fake Bot API server, on a real database."""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import SecretStr
from telegram.ext import BaseRateLimiter

from bot.bootstrap import bootstrap
from bot.polling import Poller
from bot.services import App, Services
from bot.settings import Settings
from conversations.dialogue.engine import Desk
from storage.database import Database
from tests.fake_telegram import CallbackAnswer, FakeTelegram, FakeUser, RecordedMessage

STAFF_CHAT_ID = -1001234567890
STAFF_IDS = (9001, 9002)


# Friday 14 August 2026, Independence Day in Pakistan, before a weekend: a refund approved now
# is due from Fri 21 to Tue 25 Aug 2026, and tests can say so in plain dates.
PINNED_NOW = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)


def pk_time(moment: datetime) -> str:
    """A moment as people in Pakistan (the default HOME_COUNTRY: UTC+5 all year) read it in
    the staff chat and the CLI, e.g. "14 Aug 2026, 14:30 PKT"."""
    local = moment.astimezone(UTC) + timedelta(hours=5)
    return f"{local.day} {local:%b %Y, %H:%M} PKT"


class FakeClock:
    """A clock the test moves by hand; starts at a fixed moment (demo data is built from it)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or PINNED_NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def make_settings(fake: FakeTelegram, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": SecretStr(fake.token),
        "telegram_api_base_url": fake.base_url,
        "database_url": database_url,
        "staff_chat_id": STAFF_CHAT_ID,
        "staff_user_ids": frozenset(STAFF_IDS),
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Running:
    fake: FakeTelegram
    db: Database
    clock: FakeClock
    settings: Settings
    services: Services
    poller: Poller
    extra: dict[str, Any] = field(default_factory=dict)

    async def jump(self, **kw: float) -> None:
        """Move the clock on once the bot is idle, as real time passing would find it.

        A jump past a reply's lease while the handler is still marking it sent would let the
        dispatcher send it a second time, which real time never does.
        """
        await self.fake.settle()
        self.clock.advance(**kw)

    @property
    def application(self) -> App:
        return self.services.application

    @property
    def desk(self) -> Desk:
        return self.services.desk


async def start_bot(
    fake: FakeTelegram,
    db: Database,
    clock: FakeClock,
    rate_limiter: BaseRateLimiter[Any] | None = None,
    **overrides: Any,
) -> Running:
    """Start the real application polling the fake; `rate_limiter` replaces PTB's own."""
    settings = make_settings(fake, db.url, **overrides)
    services = bootstrap(
        settings,
        db,
        clock,
        dispatcher_idle_seconds=0.05,
        inbox_idle_seconds=0.05,
        rate_limiter=rate_limiter,
    )
    # The same order as bot.runner.serve, which owns its event loop and signals.
    application = services.application
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.start()
    poller = Poller(application.bot, db, services.inbox, clock, services.metrics, poll_timeout=1)
    await poller.start()
    return Running(fake, db, clock, settings, services, poller)


async def _bounded(step: str, awaitable: Awaitable[Any], seconds: float = 30.0) -> None:
    """A stop step that hangs is reported with every task's stack, instead of hanging CI."""
    try:
        await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        stacks = []
        for task in asyncio.all_tasks():
            frames = "".join(
                f"\n    {f.f_code.co_filename}:{f.f_lineno} {f.f_code.co_name}"
                for f in task.get_stack(limit=12)
            )
            stacks.append(f"{task.get_name()}:{frames}")
        # Surface it loudly, but let the run go on: the test's own assertions have passed.
        warnings.warn(f"stopping the bot hung in {step}:\n" + "\n".join(stacks), stacklevel=2)


async def stop_bot(running: Running) -> None:
    application = running.application
    await _bounded("poller.stop", running.poller.stop())
    if application.running:
        await _bounded("application.stop", application.stop())
        assert application.post_stop is not None
        await _bounded("post_stop", application.post_stop(application))
    await _bounded("shutdown", application.shutdown())


class Customer:
    """A customer in a private chat with the bot."""

    def __init__(self, fake: FakeTelegram, user_id: int, name: str, username: str | None = None):
        self.fake = fake
        self.user: FakeUser = fake.user(user_id, name, username)
        self.chat_id = user_id
        fake.private_chat(self.user)

    async def says(self, text: str) -> RecordedMessage:
        """Type a message and return the bot's first reply to it."""
        await self.skip_unread()
        await self.fake.send_text(self.chat_id, self.user, text)
        return await self.fake.wait_for_message(self.chat_id)

    async def skip_unread(self) -> None:
        """Mark what the bot already sent as read, so the next wait sees only new replies."""
        for _ in self.fake.unconsumed(self.chat_id):
            await self.fake.wait_for_message(self.chat_id)

    async def send(self, text: str) -> None:
        await self.fake.send_text(self.chat_id, self.user, text)

    async def next(self, contains: str | None = None, timeout: float = 5.0) -> RecordedMessage:
        if contains is None:
            return await self.fake.wait_for_message(self.chat_id, timeout=timeout)
        needle = contains.lower()
        return await self.fake.wait_for_message(
            self.chat_id, lambda m: needle in m.text.lower(), timeout=timeout
        )

    async def press(self, message: RecordedMessage, label: str) -> None:
        current = self.fake.message(self.chat_id, message.message_id)
        await self.fake.press(self.chat_id, self.user, message.message_id, current.button(label))

    def last_with_buttons(self) -> RecordedMessage:
        for message in reversed(self.fake.messages(self.chat_id)):
            current = self.fake.message(self.chat_id, message.message_id)
            if current.buttons:
                return current
        raise AssertionError("no message with buttons in this chat")

    def texts(self) -> list[str]:
        return [m.text for m in self.fake.messages(self.chat_id)]


async def file_claim(
    customer: Customer,
    tx: str,
    contact: str,
    reason: str,
    *,
    campaign: str | None = None,
    description: str | None = None,
) -> RecordedMessage:
    """Walk the whole claim dialogue and return the bot's decision message."""
    await customer.says("/claim")
    await customer.says(tx)
    reasons = await customer.says(contact)
    await customer.press(reasons, reason)
    if campaign is not None:
        campaigns = await customer.next("which campaign")
        await customer.press(campaigns, campaign)
    if description is not None:
        await customer.next("describe")
        await customer.send(description)
    summary = await customer.next("check your claim")
    await customer.press(summary, "Send")
    return await customer.next("claim #")


class StaffMember:
    """A support staff member (or an intruder) acting in the staff group."""

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        name: str,
        username: str | None = None,
        chat_id: int = STAFF_CHAT_ID,
        db: Database | None = None,
    ):
        self.fake = fake
        self.user: FakeUser = fake.user(user_id, name, username)
        self.chat_id = chat_id
        self.db = db

    async def known(self, message: RecordedMessage, timeout: float = 5.0) -> None:
        """Wait until the bot has recorded what its message is about (needs db)."""
        # The fake shows a message before the bot has stored its ref; a person is never faster.
        assert self.db is not None, "StaffMember(..., db=...) is needed to wait for refs"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            async with self.db.uow() as uow:
                if await uow.messages.find_ref(self.chat_id, message.message_id):
                    return
            if loop.time() >= deadline:
                raise AssertionError(f"message {message.message_id} has no ref")
            await asyncio.sleep(0.02)

    async def reply(self, message: RecordedMessage, text: str) -> int:
        """Reply to a bot message, once the bot has recorded what that message is about."""
        if self.db is not None:
            await self.known(message)
        return await self.send(text, reply_to=message.message_id)

    async def send(self, text: str, reply_to: int | None = None) -> int:
        """Write in the staff chat, optionally as a reply; returns the update id."""
        return await self.fake.send_text(self.chat_id, self.user, text, reply_to)

    async def says(self, text: str, reply_to: int | None = None) -> RecordedMessage:
        """Write in the staff chat and return the bot's next message there."""
        await self.send(text, reply_to)
        return await self.fake.wait_for_message(self.chat_id)

    async def press(self, message: RecordedMessage, label: str) -> None:
        """Press the button whose label contains `label` on the message as it is now."""
        current = self.fake.message(self.chat_id, message.message_id)
        await self.fake.press(self.chat_id, self.user, message.message_id, current.button(label))

    async def next(self, contains: str | None = None, timeout: float = 5.0) -> RecordedMessage:
        """The bot's next unread message in the staff chat (containing the text)."""
        if contains is None:
            return await self.fake.wait_for_message(self.chat_id, timeout=timeout)
        needle = contains.lower()
        return await self.fake.wait_for_message(
            self.chat_id, lambda m: needle in (m.text or "").lower(), timeout=timeout
        )


async def wait_for_card(fake: FakeTelegram, claim_id: int, timeout: float = 5.0) -> RecordedMessage:
    """The claim's card as first posted in the staff chat."""
    title = f"Claim #{claim_id} ·"
    return await fake.wait_for_message(
        STAFF_CHAT_ID, lambda m: (m.text or "").startswith(f"🧾 {title}"), timeout=timeout
    )


async def callback_answers(
    fake: FakeTelegram, data: str, count: int = 1, timeout: float = 5.0
) -> list[CallbackAnswer]:
    """The answers to presses of the button with this callback data, once `count` have come."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = [a for a in fake.callback_answers if a.data == data]
        if len(found) >= count:
            return found
        if loop.time() >= deadline:
            raise AssertionError(f"{len(found)} of {count} answers to {data!r} in {timeout}s")
        await asyncio.sleep(0.02)


class LiveClock(FakeClock):
    """A clock that runs in real time from `start`, and can still be moved by hand."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._started = time.monotonic()

    def __call__(self) -> datetime:
        return self.now + timedelta(seconds=time.monotonic() - self._started)
