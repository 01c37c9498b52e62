"""Sending outbox messages to Telegram: at once for a turn's replies, later by the dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from telegram import Bot, InputFile, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from bot.attachments import is_photo, render, telegram_file_id
from bot.background import BackgroundLoop
from bot.chat_moves import ChatMoves
from bot.logging_setup import ThrottledLog, claim_named, update_context
from bot.metrics import Metrics
from bot.send_errors import Action, after_error, classify, readdressed, record, seconds
from bot.send_scheduler import Dropped, Priority, SendArgs, SendScheduler, TooLate
from bot.updates import markup
from bot.updates import reply_markup as reply_markup_of
from conversations import refs
from conversations.catalog import staff as staff_text
from conversations.domain import OutboxItem, OutgoingMessage
from storage.database import Database
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

# How long a dispatcher may hold a message it is sending before another may try.
CLAIM_LEASE = timedelta(seconds=60)
# A send not let go by the scheduler within this is handed back, well before the lease on its
# row (REPLY_LEASE, CLAIM_LEASE) runs out, counting the Bot API call's own timeouts: a row is
# never sent by one sender while another takes it over.
DELIVER_WITHIN_SECONDS = 10.0
DISPATCH_WITHIN_SECONDS = 20.0
# Chats sent to at once by one dispatcher; each may hold a database connection while it sends.
MAX_CHATS_SENDING = 8
# A chat whose window frees later than this is left for a later pass: its rows are not taken
# (nor a connection held) while they could only wait.
HOLD_SECONDS = 1.5
# How long a chat whose rows another sender holds is left before it is looked at again.
ELSEWHERE_PAUSE_SECONDS = 0.5


class Sender:
    """Turns one outbox message into the right Bot API call and records what it became."""

    # Chats Telegram moved to a new id; set by the composition root (bot/chat_moves.py).
    moves: ChatMoves | None = None

    def __init__(
        self,
        bot: Bot,
        db: Database,
        clock: Callable[[], datetime],
        metrics: Metrics | None = None,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock
        self.metrics = metrics or Metrics()
        # After a 429 nothing goes to that chat until retry_after has passed, on `timer` (wall
        # time by default, as Telegram counts it): the handlers' replies and the dispatcher
        # share this. Tests pass a timer they move by hand instead of sleeping.
        self._timer = timer
        self._blocked_until: dict[int, float] = {}
        self._group_locks: dict[int, asyncio.Lock] = {}
        self._is_forum: dict[int, bool] = {}

    @property
    def scheduler(self) -> SendScheduler | None:
        limiter = getattr(self.bot, "rate_limiter", None)
        return limiter if isinstance(limiter, SendScheduler) else None

    def ready_in(self, chat_id: int) -> float:
        """Seconds until a message to the chat could go (a 429's block, the chat's window)."""
        blocked = self._blocked_until.get(chat_id, 0.0) - self._timer()
        scheduler = self.scheduler
        window = scheduler.ready_in(chat_id) if scheduler is not None else 0.0
        return max(0.0, blocked, window)

    def _pace(
        self, priority: Priority, droppable: bool = False, within: float | None = None
    ) -> dict[str, Any]:
        """The keyword that tells the send scheduler where this call stands in line."""
        scheduler = self.scheduler
        if scheduler is None:
            return {}
        if droppable:
            priority = Priority.TIDY
        args = SendArgs(priority=priority, droppable=droppable)
        if within is not None:
            args["deadline"] = scheduler.now() + within
        return {"rate_limit_args": args}

    async def send(
        self,
        message: OutgoingMessage,
        priority: Priority = Priority.NOTICE,
        within: float | None = None,
    ) -> int | None:
        """Send or edit; returns the Telegram message id. Raises Telegram errors to the caller.

        With `within`, raises TooLate when the send could not start within that many seconds.
        """
        chat_id = message.chat_id
        # One call at a time per group, so a 429 is known before the next call goes out.
        lock = (
            self._group_locks.setdefault(chat_id, asyncio.Lock())
            if chat_id < 0
            else contextlib.nullcontext()
        )
        async with lock:
            wait = self._blocked_until.get(chat_id, 0.0) - self._timer()
            if wait > 0:
                raise RetryAfter(math.ceil(wait))
            try:
                return await self._send(message, priority, within)
            except RetryAfter as exc:
                self.metrics.telegram_429.inc()
                self._blocked_until[chat_id] = self._timer() + seconds(exc.retry_after)
                raise

    async def _claim_topic(self, chat_id: int, ref: str) -> int | None:
        """In a forum staff chat, each claim's card opens the claim's own topic."""
        about = refs.parse(ref)
        if about is None or about.kind is not refs.Kind.CARD or chat_id > 0:
            return None
        if chat_id not in self._is_forum:
            chat = await self.bot.get_chat(chat_id)
            self._is_forum[chat_id] = bool(chat.is_forum)
        if not self._is_forum[chat_id]:
            return None
        topic_ref = refs.topic(about.number)
        async with self.db.uow() as uow:
            known = await uow.messages.lookup(topic_ref)
        if known is not None and known[2] is not None:
            return known[2]
        title = staff_text.TOPIC_TITLE.format(claim_id=about.number)
        try:
            topic = await self.bot.create_forum_topic(chat_id, name=title[:128])
        except (BadRequest, Forbidden) as exc:
            # Not allowed to manage topics (not an admin, or the right was taken away): the
            # card goes to the main thread rather than nowhere; asked again at a restart.
            log.warning(
                "chat %s: cannot open a topic for claim %s (%s); cards go to the main thread. "
                "Make the bot an admin who may manage topics.",
                chat_id,
                about.number,
                exc,
            )
            self._is_forum[chat_id] = False
            return None
        async with self.db.uow() as uow:
            await uow.messages.remember(
                topic_ref, chat_id, topic.message_thread_id, topic.message_thread_id
            )
            await uow.commit()
        return topic.message_thread_id

    async def _send(
        self, message: OutgoingMessage, priority: Priority, within: float | None
    ) -> int | None:
        inline = markup(message.buttons)  # an edit keeps inline buttons only
        target: tuple[int, int, int | None] | None = None
        reply_to: int | None = None
        thread_id = message.message_thread_id
        if message.edit_ref is not None or message.reply_ref is not None:
            async with self.db.reader() as uow:
                if message.edit_ref is not None:
                    target = await uow.messages.lookup(message.edit_ref)
                if message.reply_ref is not None:
                    found = await uow.messages.lookup(message.reply_ref)
                    if found is not None and found[0] == message.chat_id:
                        reply_to, thread_id = found[1], found[2]
        if message.edit_message_id is not None:
            target = (message.chat_id, message.edit_message_id, thread_id)
        if target is None and thread_id is None and message.ref is not None:
            thread_id = await self._claim_topic(message.chat_id, message.ref)
        if target is not None:
            try:
                await self.bot.edit_message_text(
                    chat_id=target[0],
                    message_id=target[1],
                    text=shorten(message.text),
                    reply_markup=inline,
                    **self._pace(priority, message.closes_menu, within),
                )
                return target[1]
            except Dropped:
                log.info("chat %s busy: an edit closing a menu was dropped", message.chat_id)
                return target[1]
            except (BadRequest, ChatMigrated) as exc:
                if "not modified" in str(exc).lower():
                    return target[1]
                # Too old, deleted, not ours, or in a group that has since moved: a fresh
                # message says the same thing.
                log.info("edit failed (%s); sending a new message instead", exc)
        if message.closes_menu:
            return None  # the menu is gone: nothing to close, and nothing new to say
        try:
            return await self._send_new(message, thread_id, reply_to, priority, within)
        except BadRequest as exc:
            if thread_id is None or not _topic_gone(exc):
                raise
            # Staff deleted or closed the claim's topic: what was bound for it still goes, to
            # the group's main thread, and the claim's next card opens a new topic.
            log.info(
                "chat %s: topic %s is gone (%s); sending outside it",
                message.chat_id,
                thread_id,
                exc,
            )
            await self._forget_topic(message)
            thread_id = None
            if message.ref is not None:
                thread_id = await self._claim_topic(message.chat_id, message.ref)
            return await self._send_new(message, thread_id, None, priority, within)

    async def _send_new(
        self,
        message: OutgoingMessage,
        thread_id: int | None,
        reply_to: int | None,
        priority: Priority,
        within: float | None,
    ) -> int:
        """The message as a new one (in parts if long), or its file."""
        if message.attachment is not None:
            return await self._send_file(message, thread_id, reply_to, priority, within)
        reply_markup = reply_markup_of(message)
        # A long message goes out in parts, never dropped; the buttons ride on the last part,
        # and a reply to any part (e.g. of a relayed message) is traced by its ref.
        parts = split(message.text)
        sent_parts: list[Message] = []
        for number, part in enumerate(parts, start=1):
            sent_parts.append(
                await self.bot.send_message(
                    chat_id=message.chat_id,
                    text=part,
                    reply_markup=reply_markup if number == len(parts) else None,
                    message_thread_id=thread_id,
                    reply_to_message_id=reply_to if number == 1 else None,
                    allow_sending_without_reply=True,
                    # Only the first part can be too late: the rest must follow it.
                    **self._pace(priority, within=within if number == 1 else None),
                )
            )
        if message.ref is not None:
            async with self.db.single() as uow:  # each part's ref stands alone
                for sent in sent_parts:
                    await uow.messages.remember(
                        message.ref, sent.chat_id, sent.message_id, sent.message_thread_id
                    )
                await uow.commit()
        return sent_parts[-1].message_id

    async def _forget_topic(self, message: OutgoingMessage) -> None:
        """The claim's topic is gone: its next card opens a new one."""
        about = refs.parse(message.ref) if message.ref is not None else None
        if about is None or about.kind is not refs.Kind.CARD:
            return
        async with self.db.uow() as uow:
            await uow.messages.remember(refs.topic(about.number), message.chat_id, 0, None)
            await uow.commit()

    async def _send_file(
        self,
        message: OutgoingMessage,
        thread_id: int | None,
        reply_to: int | None,
        priority: Priority,
        within: float | None,
    ) -> int:
        """A photo or document, with the text as its caption (sent before it if too long)."""
        assert message.attachment is not None
        caption: str | None = message.text
        if len(message.text) > MAX_CAPTION:
            await self.bot.send_message(
                chat_id=message.chat_id,
                text=shorten(message.text),
                message_thread_id=thread_id,
                **self._pace(priority, within=within),
            )
            caption = None
            within = None  # the file must follow its text
        attachment = message.attachment
        content: str | InputFile = telegram_file_id(attachment) or InputFile(
            render(attachment), filename=attachment.filename
        )
        send = self.bot.send_photo if is_photo(attachment) else self.bot.send_document
        sent: Message = await send(
            message.chat_id,
            content,
            caption=caption,
            message_thread_id=thread_id,
            reply_to_message_id=reply_to,
            allow_sending_without_reply=True,
            **self._pace(priority, within=within),
        )
        if message.ref is not None:  # e.g. a relayed photo, which staff answer by replying
            async with self.db.uow() as uow:
                await uow.messages.remember(
                    message.ref, sent.chat_id, sent.message_id, sent.message_thread_id
                )
                await uow.commit()
        return sent.message_id

    async def deliver(
        self, replies: list[tuple[int, OutgoingMessage]], priority: Priority = Priority.REPLY
    ) -> bool:
        """Send a turn's replies now; False if any stays for the dispatcher.

        What the customer must read goes first, edits closing a menu after it. What became of
        them all is recorded in one transaction after the last is sent.
        """
        sent: list[tuple[int, int | None]] = []
        deferred: list[tuple[int, float, str]] = []
        for outbox_id, message in sorted(replies, key=lambda reply: reply[1].closes_menu):
            if deferred:  # the rest follow it, in order
                deferred.append((outbox_id, deferred[-1][1], "after an earlier reply"))
                continue
            try:
                sent.append((outbox_id, await self.send(message, priority, DELIVER_WITHIN_SECONDS)))
            except TooLate:
                # The budget is full: the dispatcher sends it, and this turn's lease ends now.
                deferred.append((outbox_id, 0.0, "waited too long to be sent"))
            except Exception as exc:  # each kind has its outcome (bot/send_errors.py)
                outcome = classify(exc)
                if outcome.kind != "rate_limited":
                    self.metrics.send_errors.labels(kind=outcome.kind).inc()
                if outcome.action is Action.GIVE_UP:
                    # Blocked by the user, or a chat that is gone: retrying cannot help.
                    log.warning("reply %s to chat %s refused: %s", outbox_id, message.chat_id, exc)
                    sent.append((outbox_id, None))
                    continue
                # Handed to the dispatcher now rather than when the reply's lease runs out: it
                # follows a moved chat, retries, or parks the message for an operator.
                wait = outcome.wait if outcome.action is Action.RETRY else 0.0
                log.warning(
                    "reply %s to chat %s deferred %.0f s: %r", outbox_id, message.chat_id, wait, exc
                )
                deferred.append((outbox_id, wait, f"{type(exc).__name__}: {exc}"))
        if sent or deferred:
            # Each row's record stands alone, so none needs the others' transaction.
            async with self.db.single() as uow:
                await uow.outbox.mark_all_sent(sent, datetime.now(UTC))
                for outbox_id, wait, error in deferred:
                    await uow.outbox.retry_later(
                        outbox_id, self.clock() + timedelta(seconds=wait), error
                    )
                await uow.commit()
        return not deferred


class Dispatcher:
    """Drains the outbox: cross-chat messages and anything a crash or an error left unsent.

    Each chat is sent to by a task of its own, all under the one send scheduler, so a chat
    waiting for its window (the staff group's 20 a minute) or for Telegram never holds up
    another's messages. Within a chat, messages go out in order, but those of different
    sources (one customer's relayed messages, another claim's card) take turns, so one
    customer's flood costs that customer, not the rest.
    """

    def __init__(
        self,
        sender: Sender,
        clock: Callable[[], datetime],
        idle_seconds: float = 1.0,
        max_chats: int = MAX_CHATS_SENDING,
    ) -> None:
        self.sender = sender
        self.clock = clock
        self.idle_seconds = idle_seconds
        self.max_chats = max_chats
        self._loop = BackgroundLoop("outbox-dispatcher", self._pass, idle_seconds)
        self._sending: dict[int, asyncio.Task[None]] = {}
        # Chats whose due rows another sender had at the last look, until when to leave them.
        self._elsewhere: dict[int, float] = {}
        # A database outage fails every pass: one counted line a second, not a traceback each.
        self._failures = ThrottledLog(log, "outbox: sending due messages")

    def wake(self) -> None:
        self._loop.wake()

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
        chats = list(self._sending.values())
        for task in chats:
            task.cancel()
        if chats:
            await asyncio.wait(chats)

    async def _pass(self) -> bool:
        """One pass of the loop; True when a chat was started (look again at once)."""
        try:
            return await self.drain_once()
        except Exception as exc:  # keep the dispatcher alive whatever one batch did
            self._failures.failed(exc)
            return False

    async def drain_once(self, limit: int = 200) -> bool:
        """Start sending to each chat with due messages; True when a chat was started."""
        free = self.max_chats - len(self._sending)
        if free <= 0:
            return False
        now = self.clock()
        # Chats being sent to, and chats whose window is full, are not read at all: their
        # rows must not fill the batch and hide other chats' messages.
        now_mono = time.monotonic()
        self._elsewhere = {c: until for c, until in self._elsewhere.items() if until > now_mono}
        busy = set(self._sending) | set(self._elsewhere)
        async with self.sender.db.reader() as uow:
            waiting = await uow.outbox.pending_chats(now, skip=busy)
        held = {chat for chat in waiting if self.sender.ready_in(chat) > HOLD_SECONDS}
        chats = [chat for chat in waiting if chat not in held][:free]
        if not chats:
            return False
        async with self.sender.db.reader() as uow:
            items = await uow.outbox.pending(now, limit, chats=chats)
        items = await self._drop_obsolete(items)
        queues: dict[int, list[OutboxItem]] = {}
        for item in items:
            queues.setdefault(item.message.chat_id, []).append(item)
        for chat_id, queue in queues.items():
            sending = self._send_chat(chat_id, _fair(queue))
            self._sending[chat_id] = asyncio.create_task(sending, name=f"send-{chat_id}")
        return bool(queues)

    async def _drop_obsolete(self, items: Sequence[OutboxItem]) -> list[OutboxItem]:
        """A newer version of the same card or digest is queued: the older ones are obsolete."""
        newest_edit: dict[str, int] = {}
        for item in items:
            if item.message.edit_ref is not None:
                newest_edit[item.message.edit_ref] = item.id
        obsolete = [
            item
            for item in items
            if item.message.edit_ref is not None and newest_edit[item.message.edit_ref] != item.id
        ]
        if obsolete:
            # One transaction for all of them: in a storm there are hundreds of digest edits.
            async with self.sender.db.uow() as uow:
                for item in obsolete:
                    await uow.outbox.mark_sent(item.id, None)
                await uow.commit()
        skip = {item.id for item in obsolete}
        return [item for item in items if item.id not in skip]

    async def _send_chat(self, chat_id: int, queue: list[OutboxItem]) -> None:
        """Send one chat's due messages in order, until its window fills or a 429 stops it."""
        taken = False
        try:
            for number, item in enumerate(queue):
                if number and self.sender.ready_in(chat_id) > HOLD_SECONDS:
                    return  # the rest wait in the outbox; a later pass takes them
                with update_context(None, claim_named(item.message.ref or item.message.edit_ref)):
                    outcome = await self._send_one(item)
                taken = taken or outcome != "elsewhere"
                if outcome == "blocked":
                    return
        except Exception as exc:
            # The chat's rows stay in the outbox for a later pass; other chats go on.
            self._failures.failed(exc)
        finally:
            del self._sending[chat_id]
            if taken:
                self._loop.wake()
            else:
                # Another sender has these rows (a turn's handler, another worker): look again
                # after a pause rather than spin on rows that are not ours.
                self._elsewhere[chat_id] = time.monotonic() + ELSEWHERE_PAUSE_SECONDS

    async def _send_one(self, item: OutboxItem) -> Literal["sent", "elsewhere", "blocked"]:
        """Take the message and send it, unless another sender has it; "blocked" after a 429."""
        if self.sender.db.dialect != "postgresql":
            if not await self._claim(item):
                return "elsewhere"  # the turn's own handler has it
            return "sent" if await self._send_item(item, None) else "blocked"
        # PostgreSQL: the row stays locked while it is sent and marked, in one transaction,
        # so other workers skip it; if this worker dies, the lock goes with its connection
        # and the next dispatcher takes the message at once instead of after a lease.
        async with self.sender.db.uow() as uow:
            if not await uow.outbox.lock_due(item.id, self.clock()):
                return "elsewhere"  # another worker's dispatcher has it, or it is sent
            sent = await self._send_item(item, uow)
            await uow.commit()
        return "sent" if sent else "blocked"

    async def _send_item(self, item: OutboxItem, uow: SqlUnitOfWork | None) -> bool:
        """Send one taken message; False if its chat is blocked by a 429."""
        item = readdressed(self.sender, item)
        message = item.message
        # Whoever waits for it is not waiting on this turn: staff first, then customers' notices.
        priority = Priority.STAFF if message.chat_id < 0 else Priority.NOTICE
        try:
            message_id = await self.sender.send(message, priority, DISPATCH_WITHIN_SECONDS)
        except TooLate:
            # Its chat's window or the budget stayed full: back in line for a later pass, no
            # try counted (it was never sent; on SQLite the claim ends).
            await record(self.sender, uow, lambda u: u.outbox.release(item.id, self.clock()))
            return False
        except Exception as exc:  # each kind has its outcome; none may stop the rows behind
            return await after_error(self.sender, item, exc, uow, priority, self.clock())
        await record(self.sender, uow, lambda u: u.outbox.mark_sent(item.id, message_id))
        return True

    async def _claim(self, item: OutboxItem) -> bool:
        now = self.clock()
        async with self.sender.db.uow() as uow:
            taken = await uow.outbox.claim(item.id, now, now + CLAIM_LEASE)
            await uow.commit()
        return taken


# Telegram's limits for a message's text and a file's caption, in characters.
MAX_TEXT = 4096
MAX_CAPTION = 1024


def split(text: str, limit: int = MAX_TEXT) -> list[str]:
    """The text in parts of at most `limit` characters, cut at a line break or space if any."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit  # one long word: cut it
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return [p for p in parts if p] or [""]


def shorten(text: str, limit: int = MAX_TEXT) -> str:
    """An edit cannot become two messages: keep the start and say it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fair(queue: list[OutboxItem]) -> list[OutboxItem]:
    """One chat's messages with their sources taking turns, each source's in order.

    A source is what a message is about: a claim's card, one customer's relayed messages.
    """
    by_source: dict[str, list[OutboxItem]] = {}
    for item in queue:
        message = item.message
        source = message.ref or message.edit_ref or message.reply_ref or f"#{item.id}"
        by_source.setdefault(source, []).append(item)
    rounds = itertools.zip_longest(*by_source.values())
    return [item for round_ in rounds for item in round_ if item is not None]


def _topic_gone(exc: BadRequest) -> bool:
    """Telegram's answer to a send into a forum topic that was deleted or closed."""
    text = str(exc).lower()
    return any(sign in text for sign in ("thread not found", "topic_deleted", "topic_closed"))
