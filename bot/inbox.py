"""The durable inbox: an update is stored before Telegram hears it arrived, then applied.

Telegram forgets an update once the webhook answers 200 or getUpdates moves past its id.
PTB's own webhook server and Updater both do that as soon as the update is in an in-memory
queue, so a crash loses it. Here both doors store the update first (bot/web.py, bot/polling.py)
and a processor in every worker applies what is stored:

- Any worker may take any chat, but only one at a time: on PostgreSQL the taker holds a
  session-level advisory lock on the chat for as long as it applies the chat's waiting
  updates, and reads each next update only after the turn before it committed, so it sees
  what that turn (or the previous holder) committed. The lock dies with a killed worker's
  connection. SQLite serves one process, where the set of busy chats does the same job.
- A chat's updates are applied in update_id order, one after the other.
- A chat holds a turn slot (TURNS_AT_ONCE) only while its turn computes, not while its replies
  wait for the send budget; it keeps its place among the chats in flight, and its lock, until
  they are sent.
- A turn marks its update processed in its own transaction, first: that mark is the one
  duplicate key (an update already marked is not applied again). Its replies wait in the outbox,
  held back while the worker sends them. If that worker dies first, they are released to
  the dispatcher at once: on SQLite when the (only) process starts again; on PostgreSQL by
  any worker that finds the chat's lock free, which the sender would hold.
- A turn whose transaction did not commit (a failed commit, a fault in the turn) left nothing
  behind, so its update is applied once more before it is recorded failed and the customer
  hears "progress saved": a passing fault costs them nothing, and they are told at most once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from telegram import Update

from bot.background import BackgroundLoop
from bot.logging_setup import ThrottledLog, update_context
from bot.metrics import Metrics
from conversations.dialogue.engine import AlongWith
from conversations.ports import UnitOfWork
from storage.database import Database
from storage.repositories.inbox import InboxRow

log = logging.getLogger(__name__)

# Chats in flight in one worker: applying a turn, or sending its replies (holding the chat's
# lock, one connection on PostgreSQL). Under a storm these are what keeps the budget busy.
# With the turns' and the dispatcher's connections they must fit storage.database's pool, and
# two or three workers' pools PostgreSQL's default 100 connections.
MAX_CHATS_IN_FLIGHT = 16
# Turns computing at once (each on a connection of its own); a chat whose replies wait for
# the send budget has given its slot back.
TURNS_AT_ONCE = 8
# How many more of the longest-waiting chats than there are free slots a worker picks from.
CANDIDATE_SPREAD = 8
# Updates the door has read, kept for their turn in this worker (reading one costs about as
# much CPU as a statement); beyond this many the oldest are dropped and read again if need be.
DECODED_KEPT = 1024
# How often a PostgreSQL worker looks for replies held for a worker that is gone.
ORPHAN_SWEEP_SECONDS = 2.0
# Turns an update gets that fail without committing, before it is recorded failed.
TURN_TRIES = 2

# Told when an update is recorded failed (bot.telegram_app.report_failure tells the customer).
OnFailed = Callable[[Update, BaseException], Awaitable[None]]


def chat_key(update: Update) -> int:
    """The chat whose order an update belongs to (the user's id for chat-less updates)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0


async def store_updates(
    db: Database,
    updates: list[tuple[int, int, dict[str, Any]]],
    now: datetime,
    metrics: Metrics | None = None,
    failed: list[tuple[int, int, dict[str, Any], str]] | None = None,
) -> int:
    """Commit (update_id, chat, payload) rows to the inbox; returns how many were new.

    `failed` (update_id, chat, payload, reason): updates that could not be read, stored
    already marked failed (see bot/edge.py).
    """
    failed = failed or []
    async with db.single() as uow:  # one INSERT of them all
        added = await uow.inbox.add(updates, now, failed)
        await uow.commit()
    if metrics is not None:
        metrics.updates_received.inc(added)
        metrics.updates_redelivered.inc(len(updates) + len(failed) - added)
    return added


class InboxProcessor:
    """Takes waiting chats from the inbox and applies their updates in order."""

    def __init__(
        self,
        db: Database,
        decode: Callable[[dict[str, Any]], Update],
        apply: Callable[[Update, AlongWith], Awaitable[bool]],
        clock: Callable[[], datetime],
        metrics: Metrics,
        on_released: Callable[[], None],
        idle_seconds: float = 1.0,
        on_failed: OnFailed | None = None,
    ) -> None:
        self.db = db
        self._on_failed = on_failed
        self._decode = decode
        self._apply = apply
        self._clock = clock
        self._metrics = metrics
        self._idle_seconds = idle_seconds
        self._on_released = on_released
        self._loop = BackgroundLoop("inbox-processor", self._look, idle_seconds)
        # A database outage fails every pass and every chat: one counted line a second each.
        self._look_failures = ThrottledLog(log, "inbox: looking for waiting updates")
        self._chat_failures = ThrottledLog(log, "inbox: applying a chat's updates (they wait)")
        self._busy: dict[int, asyncio.Task[None]] = {}
        # Chats the door just stored updates for: taken without a scan of the inbox.
        self._hinted: set[int] = set()
        self._decoded: dict[int, Update] = {}
        # Busy chats that got more updates meanwhile: taken again when their drain ends.
        self._again: set[int] = set()
        # Whether the inbox must be scanned (idle timer, no free slot for a chat, at start).
        self._scan = True
        self._scanned = 0.0
        self.turn_slots = asyncio.Semaphore(TURNS_AT_ONCE)
        self._swept = -ORPHAN_SWEEP_SECONDS
        self._first = True

    def wake(self, chats: Iterable[int] = (), decoded: Iterable[Update] = ()) -> None:
        """Look for waiting updates now; `chats` are those the caller just stored updates for.

        `decoded`: those updates as the door read them, so the turn need not read them again.
        """
        for update in decoded:
            if len(self._decoded) >= DECODED_KEPT:  # the oldest: applied elsewhere, or a repeat
                del self._decoded[next(iter(self._decoded))]
            self._decoded[update.update_id] = update
        hinted = list(chats)
        if hinted:
            self._hinted.update(hinted)
        else:
            self._scan = True
        self._loop.wake()

    def start(self) -> None:
        self._first = True  # held replies of a stopped or killed worker are released first
        self._loop.start()

    async def stop(self, grace: float = 10.0) -> None:
        """Finish the updates being applied (up to `grace` s); the rest wait in the inbox."""
        await self._loop.stop()
        chats = list(self._busy.values())
        if chats:
            _, late = await asyncio.wait(chats, timeout=grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)

    async def _look(self) -> bool:
        """One pass of the loop: take the chats with waiting updates; then wait for a wake."""
        try:
            if self._first or (
                self.db.dialect == "postgresql"
                and time.monotonic() - self._swept >= ORPHAN_SWEEP_SECONDS
            ):
                self._swept = time.monotonic()
                await self._release_orphaned_replies(at_start=self._first)
                self._first = False
            self._take_hinted_chats()
            if self._scan or time.monotonic() - self._scanned >= self._idle_seconds:
                # Other workers' doors, chats another worker had locked, and updates a
                # failed pass left are found by a scan at least every idle_seconds.
                self._scan = False
                self._scanned = time.monotonic()
                await self._take_waiting_chats()
        except Exception as exc:  # a database hiccup must not stop the worker
            self._look_failures.failed(exc)
            self._scan = True
        else:
            self._look_failures.recovered()
        return False

    def _take_hinted_chats(self) -> None:
        hinted, self._hinted = self._hinted, set()
        for chat_id in hinted:
            if chat_id in self._busy:
                self._again.add(chat_id)
            elif len(self._busy) < MAX_CHATS_IN_FLIGHT:
                self._start(chat_id)
            else:
                self._scan = True  # when a slot frees up

    def _start(self, chat_id: int) -> None:
        self._busy[chat_id] = asyncio.create_task(self._drain(chat_id), name=f"chat-{chat_id}")

    async def _take_waiting_chats(self) -> None:
        free = MAX_CHATS_IN_FLIGHT - len(self._busy)
        if free <= 0:
            self._scan = True  # when a slot frees up
            return
        async with self.db.reader() as uow:
            chats = await uow.inbox.waiting_chats(free + CANDIDATE_SPREAD, skip=self._busy)
        # Workers see the same oldest chats; trying them in different orders keeps them from
        # all racing for one chat's lock while other chats wait.
        chats = chats[: free + CANDIDATE_SPREAD]
        random.shuffle(chats)
        for chat_id in chats[:free]:
            self._start(chat_id)
        if len(chats) > free:
            self._scan = True

    async def _drain(self, chat_id: int) -> None:
        try:
            if self.db.dialect == "sqlite":
                while not self._loop.stopping and await self._apply_next(chat_id):
                    pass
            else:
                await self._apply_all_locked(chat_id)
        except Exception as exc:
            # One counted line a second however many chats fail (a database outage).
            self._chat_failures.failed(exc)
            await asyncio.sleep(self._idle_seconds)
        finally:
            del self._busy[chat_id]
            if chat_id in self._again:
                self._again.discard(chat_id)
                self._hinted.add(chat_id)
            if self._hinted or self._scan:
                self._loop.wake()

    async def _apply_next(self, chat_id: int) -> bool:
        """SQLite: apply the chat's oldest waiting update; False when there is none.

        One process, where the busy set keeps the chat ours: a plain read, without SQLite's
        write lock, and the turn marks the update in its own transaction.
        """
        async with self.db.reader() as read:
            row = await read.inbox.next_for_chat(chat_id)
        if row is None:
            return False
        with update_context(row.update_id):
            await self._apply_one(row, chat_id)
        return True

    async def _apply_all_locked(self, chat_id: int) -> None:
        """PostgreSQL: take the chat's lock, then apply its waiting updates in order."""
        async with self.db.single() as lock:
            # A session-level lock on a connection whose statements commit by themselves: no
            # BEGIN or COMMIT of its own, and each turn commits on its own connection
            # meanwhile. The lock and the first read are one statement, whose snapshot may
            # predate the previous holder's last commit: the turn's own mark (the duplicate
            # key) catches an update read as waiting that was applied meanwhile. Each later
            # read is a statement of its own, after the lock, and gives the lock back when it
            # finds nothing.
            locked, row = await lock.inbox.lock_and_next(chat_id)
            if not locked or row is None:
                return
            held = True
            try:
                applied: int | None = None
                # The same update again: a failed turn left it waiting, to be tried on a
                # later pass.
                while row is not None and row.update_id != applied:
                    if self._loop.stopping:
                        break
                    with update_context(row.update_id):
                        await self._apply_one(row, chat_id)
                    applied = row.update_id
                    row = await lock.inbox.next_or_unlock(chat_id)
                    held = row is not None
                if held:
                    await lock.inbox.unlock_chat(chat_id)
                    held = False
            finally:
                if held:
                    # Never back into the pool still holding the chat: closing the
                    # connection ends the lock with it.
                    await lock.session.invalidate()

    async def _apply_one(self, row: InboxRow, chat_id: int) -> None:
        started = time.perf_counter()
        error: BaseException | None = None
        update: Update | None = None
        claimed = marked = False

        async def claim(uow: UnitOfWork) -> bool:
            nonlocal claimed
            claimed = await uow.inbox.claim(row.update_id, self._clock())
            return claimed

        try:
            update = self._decoded.pop(row.update_id, None) or self._decode(row.payload)
            duplicate = await self._apply(update, claim)
            # Only now: the turn returns after its commit; a claim in a transaction that then
            # failed to commit marked nothing.
            marked = claimed
        except Exception as exc:
            error = exc
            duplicate = False
        elapsed = time.perf_counter() - started
        self._metrics.turn_seconds.observe(elapsed)
        log.info(
            "update applied in %.0f ms%s",
            elapsed * 1000,
            " (already applied)" if duplicate else " (failed)" if error else "",
        )
        self._metrics.updates_processed.labels(result="failed" if error else "ok").inc()
        if duplicate or marked:
            return
        async with self.db.uow() as uow:
            # A failed turn whose transaction committed nothing is applied again; one that
            # committed (and failed after), or failed again, is recorded for the operator.
            again = error is not None and await uow.inbox.try_again(row.update_id, TURN_TRIES)
            if not again:
                reason = f"{type(error).__name__}: {error}" if error is not None else None
                await uow.inbox.mark_processed(row.update_id, self._clock(), reason)
            await uow.commit()
        if again:
            self._again.add(chat_id)
        elif error is not None and update is not None and self._on_failed is not None:
            # Told once, when it is given up: applying it again later would answer twice.
            await self._on_failed(update, error)

    async def _release_orphaned_replies(self, at_start: bool) -> None:
        """Send now the replies of turns whose worker died before it could send them."""
        now = self._clock()
        released = 0
        if self.db.dialect == "sqlite":
            if not at_start:
                return  # one process: every held reply is this process's own
            async with self.db.uow() as uow:
                released = await uow.outbox.release_held_replies(now)
                await uow.commit()
        else:
            async with self.db.reader() as read:
                chats = await read.outbox.chats_with_held_replies(now)
            for chat_id in chats:
                if chat_id in self._busy:
                    continue
                async with self.db.uow() as uow:
                    # Free means no worker is in that chat's turn, so none is sending them.
                    if await uow.inbox.try_lock_chat(chat_id):
                        released += await uow.outbox.release_held_replies(now, chat_id)
                        await uow.commit()
        if released:
            log.info("released %d reply(ies) of turns whose worker stopped", released)
            self._on_released()
