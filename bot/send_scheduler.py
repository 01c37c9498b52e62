"""One send scheduler: every message and edit to Telegram waits here for its turn.

It is PTB's rate limiter (every Bot API call passes `process_request`), so nothing can go
around it. Three limits, as Telegram states them, each a sliding window (at most N calls in
any window), so nothing queues while a limit has room:

- the deployment's overall rate, SEND_RATE_PER_SECOND, shared by every worker through the
  send budget (bot/send_budget.py: Redis, PostgreSQL, or this process), of which a fifth of
  each worker's window is kept for replies: a busy second's cards, notices and menu-closing
  edits never make a customer's answer wait;
- about one message a second in a private chat, with a short burst (a reply and its edit);
- 20 a minute in a group (the staff chat), of which a few are kept for the answer to a staff
  member's own button, so a busy group never makes the person pressing it wait a minute.

Waiting calls go out by priority, oldest first within one: the answer a customer is waiting
for, then staff cards, then notices, reminders and digests. A call may carry a deadline: one
not admitted by then fails with `TooLate`, so a reply held under a lease is handed back before
the lease can run out (and another sender send it again). An edit that only closes a pressed
menu is dropped when its chat's window or the overall budget is full: it carries nothing the
customer needs.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, TypedDict

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.send_budget import SendBudget, window_of

log = logging.getLogger(__name__)


class Priority(IntEnum):
    REPLY = 0  # the answer to what someone just did: a customer, or a staff member's button
    STAFF = 1  # staff cards
    NOTICE = 2  # notices to customers, reminders, digests
    TIDY = 3  # edits that only close a pressed menu: last, and dropped if they would wait


class SendArgs(TypedDict, total=False):
    """What the sender tells the scheduler about one call (PTB's `rate_limit_args`)."""

    priority: Priority
    droppable: bool
    # On the scheduler's timer: fail with TooLate rather than be let go after this moment.
    deadline: float


class Dropped(Exception):
    """A menu-closing edit was not sent: the chat was busy and it carried no information."""


class TooLate(Exception):
    """A call was not let go before its deadline; nothing was sent."""


# Calls that put something in a chat; Telegram's flood limits count these.
COUNTED = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "sendPhoto",
        "sendDocument",
        "copyMessage",
        "forwardMessage",
    }
)


@dataclass(frozen=True)
class ChatLimits:
    """Telegram's limits for one chat: at most `calls` in any `window` seconds, per rule."""

    # Any chat: a reply and the edit closing the pressed menu, then about one a second; the
    # windows have some to spare for calls that reach Telegram a moment late.
    chat_calls: int = 2
    chat_window: float = 1.1
    group_calls: int = 20
    group_window: float = 61.0  # a minute
    # Of a group's calls, these are only for answers to what a staff member just did.
    group_kept_for_replies: int = 3

    def of(self, chat_id: int, priority: int = 0) -> tuple[tuple[int, float], ...]:
        every = (self.chat_calls, self.chat_window)
        if chat_id > 0:
            return (every,)
        calls = self.group_calls
        if priority > Priority.REPLY:
            calls = max(1, calls - self.group_kept_for_replies)
        return (every, (calls, self.group_window))

    def group_rule(self, priority: int) -> tuple[int, float]:
        """A group's limit for a call of this priority: (calls, window)."""
        return self.of(-1, priority)[-1]

    def remembered(self, chat_id: int) -> int:
        return max(calls for calls, _ in self.of(chat_id))


# A droppable call that would wait longer than this is dropped instead.
DROP_AFTER_SECONDS = 0.5
# Of the overall window, this share is only for answers to what someone just did: notices,
# cards and menu-closing edits never take the last slots a customer's reply needs.
KEPT_FOR_REPLIES = 0.2


@dataclass(order=True)
class _Waiting:
    priority: int
    seq: int
    chat_id: int | None = field(compare=False)
    droppable: bool = field(compare=False)
    since: float = field(compare=False)
    deadline: float | None = field(compare=False)
    admitted: asyncio.Future[None] = field(compare=False)


class SendScheduler(BaseRateLimiter[SendArgs]):
    """Admits Bot API calls in priority order within the overall, chat and group limits."""

    def __init__(
        self,
        budget: SendBudget,
        rate: float,
        limits: ChatLimits | None = None,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.budget = budget
        self.rate = rate
        self.limits = limits or ChatLimits()
        self._timer = timer
        self._waiting: list[_Waiting] = []
        self._seq = itertools.count()
        # Per chat, when its recent calls were admitted (a sliding window, as Telegram counts).
        self._chat_sent: dict[int, collections.deque[float]] = {}
        # After a 429, nothing to the chat before this moment.
        self._chat_blocked: dict[int, float] = {}
        # A group that other workers filled (or a 429 one of them got): nothing before this
        # moment, per (group, not a reply).
        self._group_full: dict[tuple[int, bool], float] = {}
        self._arrived = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        self._stopping = False
        # Until when the overall budget makes calls wait.
        self._budget_full_until = 0.0
        # When this worker's recent calls were let go, for the share kept for replies.
        self._sends, self._window = window_of(rate) if rate > 0 else (1, 1.0)
        self._kept = int(self._sends * KEPT_FOR_REPLIES)
        self._admitted: collections.deque[float] = collections.deque()
        self.dropped = 0
        self.too_late = 0
        # Sends that had to wait for the overall budget: what tests read instead of a clock.
        self.paced = 0

    def now(self) -> float:
        """The scheduler's timer, on which deadlines are given."""
        return self._timer()

    async def initialize(self) -> None:
        self._stopping = False
        self._pump = asyncio.create_task(self._run(), name="send-scheduler")

    async def shutdown(self) -> None:
        if self._pump is not None:
            self._stopping = True  # as well as the cancel, which wait_for may swallow
            self._arrived.set()
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None
        for waiting in self._waiting:
            waiting.admitted.cancel()
        self._waiting.clear()
        await self.budget.close()

    def ready_in(self, chat_id: int, priority: int = Priority.NOTICE) -> float:
        """Seconds until a call of this priority to the chat would fit in its window (0: now)."""
        return self._chat_ready_in(chat_id, priority, self._timer())

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: SendArgs | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint not in COUNTED:
            return await callback(*args, **kwargs)
        chat_id = _chat_id(data.get("chat_id"))
        wish = rate_limit_args or {}
        await self._admission(chat_id, wish.get("priority", Priority.NOTICE), wish)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            # Nothing more to this chat until Telegram says so; the caller reschedules this one.
            if chat_id is not None:
                wait = exc.retry_after
                seconds = wait.total_seconds() if not isinstance(wait, int) else float(wait)
                self._chat_blocked[chat_id] = self._timer() + seconds
                if chat_id < 0:  # a group: every worker sends to it
                    await self._share_block(chat_id, seconds)
            raise

    async def _admission(self, chat_id: int | None, priority: int, wish: SendArgs) -> None:
        if self._pump is None:  # not initialized (a tool's one-off Bot): no waiting
            return
        admitted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = _Waiting(
            priority,
            next(self._seq),
            chat_id,
            bool(wish.get("droppable")),
            self._timer(),
            wish.get("deadline"),
            admitted,
        )
        heapq.heappush(self._waiting, entry)
        self._arrived.set()
        try:
            await admitted
        except asyncio.CancelledError:
            if entry in self._waiting:
                self._waiting.remove(entry)
                heapq.heapify(self._waiting)
            raise

    async def _run(self) -> None:
        while not self._stopping:
            entry, wait = self._next()
            if entry is None:
                self._arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), wait)
                continue
            if entry.chat_id is not None and entry.chat_id < 0 and await self._group_is_full(entry):
                continue
            try:
                due_in = await self.budget.take(self.rate)
            except Exception as exc:  # a budget that cannot be reached must not stop sending
                log.warning("send budget failed (%s); pacing this worker alone", type(exc).__name__)
                due_in = 1 / self.rate
            now = self._timer()
            self._budget_full_until = now + due_in
            if due_in > 0:
                self.paced += 1
                if entry.deadline is not None and now + due_in > entry.deadline:
                    self._fail(entry, TooLate())
                    continue
                await asyncio.sleep(due_in)
            if not entry.admitted.done():
                entry.admitted.set_result(None)
                self._admitted.append(self._timer())

    async def _group_is_full(self, entry: _Waiting) -> bool:
        """Ask the shared budget for room in the group; if there is none, the call waits again.

        Room found is counted there at once, so it is the call's; this worker's own window
        has counted it already (in `_next`).
        """
        assert entry.chat_id is not None
        calls, window = self.limits.group_rule(entry.priority)
        try:
            wait = await self.budget.take_group(entry.chat_id, calls, window)
        except Exception as exc:  # a budget that cannot be reached must not stop sending
            log.info("send budget: group room unknown (%s); sending", type(exc).__name__)
            return False
        if wait <= 0:
            return False
        until = self._timer() + wait
        for not_a_reply in (True, False) if entry.priority == Priority.REPLY else (True,):
            key = (entry.chat_id, not_a_reply)
            self._group_full[key] = max(self._group_full.get(key, 0.0), until)
        sent = self._chat_sent.get(entry.chat_id)
        if sent:
            sent.pop()  # it did not go after all
        heapq.heappush(self._waiting, entry)
        return True

    async def _share_block(self, chat_id: int, seconds: float) -> None:
        try:
            await self.budget.block(chat_id, seconds)
        except Exception as exc:
            log.info("send budget: could not share a 429 (%s)", type(exc).__name__)

    def _fail(self, entry: _Waiting, error: Exception) -> None:
        if entry.admitted.done():
            return
        entry.admitted.set_exception(error)
        if isinstance(error, Dropped):
            self.dropped += 1
        else:
            self.too_late += 1

    def _next(self) -> tuple[_Waiting | None, float | None]:
        """The first waiting call whose chat may have it now, or how long until one may.

        Every waiting call is looked at, not only those before the first that may go: a
        droppable edit or a call past its deadline further back is let go of at once.
        """
        now = self._timer()
        soonest: float | None = None
        chosen: _Waiting | None = None
        budget_full = self._budget_full_until - now > DROP_AFTER_SECONDS
        for entry in sorted(self._waiting):
            if entry.admitted.done():
                continue
            if entry.deadline is not None and now >= entry.deadline:
                self._fail(entry, TooLate())
                continue
            ready_in = self._chat_ready_in(entry.chat_id, entry.priority, now)
            if entry.priority > Priority.REPLY:
                ready_in = max(ready_in, self._share_ready_in(now))
            # A menu-closing edit goes when its chat and the budget have room, or not at all.
            # It counts in the chat's window: Telegram counts edits too, and a 429 would cost
            # the customer's next answer a whole second.
            if entry.droppable and (
                budget_full
                or ready_in > DROP_AFTER_SECONDS
                or now - entry.since > DROP_AFTER_SECONDS
            ):
                self._fail(entry, Dropped())
                continue
            if ready_in <= 0:
                if chosen is None:
                    chosen = entry
                continue
            if entry.deadline is not None:
                ready_in = min(ready_in, entry.deadline - now)
            soonest = ready_in if soonest is None else min(soonest, ready_in)
        self._waiting = [e for e in self._waiting if not e.admitted.done() and e is not chosen]
        heapq.heapify(self._waiting)
        if chosen is not None and chosen.chat_id is not None:
            calls = self.limits.remembered(chosen.chat_id)
            sent = self._chat_sent.setdefault(chosen.chat_id, collections.deque(maxlen=calls))
            sent.append(now)
        return chosen, soonest

    def _share_ready_in(self, now: float) -> float:
        """Seconds until a call that is not a reply fits beside the slots kept for replies."""
        while self._admitted and self._admitted[0] <= now - self._window:
            self._admitted.popleft()
        allowed = self._sends - self._kept
        if len(self._admitted) < allowed:
            return 0.0
        return self._admitted[len(self._admitted) - allowed] + self._window - now

    def _blocked_for(self, chat_id: int | None, now: float) -> float:
        """Seconds left of a 429's block on the chat."""
        if chat_id is None or chat_id not in self._chat_blocked:
            return 0.0
        if self._chat_blocked[chat_id] <= now:
            del self._chat_blocked[chat_id]
            return 0.0
        return self._chat_blocked[chat_id] - now

    def _group_full_for(self, chat_id: int, priority: int, now: float) -> float:
        """Seconds left until the group, filled by other workers, has room again."""
        key = (chat_id, priority > Priority.REPLY)
        until = self._group_full.get(key)
        if until is None:
            return 0.0
        if until <= now:
            del self._group_full[key]
            return 0.0
        return until - now

    def _chat_ready_in(self, chat_id: int | None, priority: int, now: float) -> float:
        if chat_id is None:
            return 0.0
        wait = self._blocked_for(chat_id, now)
        if chat_id < 0:
            wait = max(wait, self._group_full_for(chat_id, priority, now))
        sent = self._chat_sent.get(chat_id)
        if not sent:
            return wait
        rules = self.limits.of(chat_id, priority)
        if sent[-1] <= now - max(window for _, window in rules):
            del self._chat_sent[chat_id]  # quiet for the longest window: forget the chat
            return wait
        for calls, window in rules:
            if len(sent) >= calls:
                wait = max(wait, sent[len(sent) - calls] + window - now)
        return max(0.0, wait)


def _chat_id(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None  # an @channel name: only the overall budget applies
