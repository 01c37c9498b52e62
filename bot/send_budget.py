"""The deployment's overall send budget: at most N sends in any window, shared by every worker.

Telegram counts the calls of any second, so the budget is a sliding window, not fixed spacing:
N = the rate's sends go out at once after a quiet spell, and the next waits until the oldest of
the last N is a window old. The window is a little wider than N/rate, because calls reach
Telegram a few milliseconds after they were let go.

The window is kept as N lanes, each the time of its last use: taking a slot takes the lane used
longest ago and moves it to max(now, its time + window). Whichever lane a caller gets, no lane is
used twice within a window, so no window ever holds more than N sends. A slot is reserved by one
caller only, so waiting callers never race each other and never spin.

- `LocalBudget`: in the process; for one worker (SQLite deployments).
- `PostgresBudget`: N rows in the deployment's database, one statement a slot.
- `RedisBudget`: one list, moved on by a Lua script on Redis's clock; for REDIS_URL.
- `GuardedBudget`: a shared budget that may fail or hang is asked with a short timeout; while
  it does not answer, a fallback paces, and only each change of state is logged.

A shared budget also keeps what every worker must know of a group (the staff chat): its sends
of the last minute, and the 429 Telegram answered one of them with. Each worker's scheduler
keeps its own windows as well; without these, two workers would each send a group its 20 a
minute, and one would call again while Telegram still blocks the group for the other.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
import time
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import create_async_engine

from storage.database import Database
from storage.repositories.send_budget import (
    block_chat,
    open_lanes,
    take_group_lane,
    take_lane,
)

log = logging.getLogger(__name__)

# The window is this much wider than N/rate: calls reach Telegram a few milliseconds late.
MARGIN = 1.05
KEY = "refundbot:send-budget"
# A shared budget slower than this is treated as down: a send must not wait for Redis.
ANSWER_WITHIN_SECONDS = 0.25
# How long a failed shared budget is left alone before it is asked again.
RETRY_SHARED_AFTER_SECONDS = 5.0
# A group's sends are kept as this many rows (Telegram allows a group 20 a minute).
GROUP_LANES = 20


def window_of(rate: float) -> tuple[int, float]:
    """The rate as (N sends, in any window of this many seconds)."""
    sends = max(1, math.floor(rate))
    return sends, sends / rate * MARGIN


class SendBudget(Protocol):
    async def take(self, rate: float) -> float:
        """Take the next slot; returns seconds to wait before it is due (0: now)."""
        ...

    async def take_group(self, chat_id: int, calls: int, window: float) -> float:
        """Count a send to the group now if all workers sent it fewer than `calls` in the last
        `window` seconds and no 429 blocks it (0.0); else seconds until one may."""
        ...

    async def block(self, chat_id: int, seconds: float) -> None:
        """Telegram answered 429: no worker sends to the chat for this long."""
        ...

    async def close(self) -> None: ...


class LocalBudget:
    """The lanes in this process's memory."""

    def __init__(self, timer: Callable[[], float] = time.monotonic) -> None:
        self._timer = timer
        self._lanes: list[float] = []
        self._rate = 0.0

    async def take(self, rate: float) -> float:
        sends, window = window_of(rate)
        if rate != self._rate:
            self._lanes, self._rate = [-math.inf] * sends, rate
        now = self._timer()
        slot = max(now, self._lanes[0] + window)
        heapq.heapreplace(self._lanes, slot)
        return slot - now

    async def take_group(self, chat_id: int, calls: int, window: float) -> float:
        return 0.0  # one worker: its scheduler's own windows count every send

    async def block(self, chat_id: int, seconds: float) -> None:
        return None  # one worker: its scheduler already holds the chat

    async def close(self) -> None:
        return None


class PostgresBudget:
    """The lanes as rows of table send_budget, so every worker on the database shares them."""

    def __init__(self, db: Database, key: str = KEY) -> None:
        # A connection of its own: were it to queue for the turns' pool, every send would
        # wait behind turns that are themselves waiting to send.
        # Each take is one statement that commits by itself (no BEGIN/COMMIT round trips),
        # without waiting for the disk: after a database crash the schedule restarts, which
        # costs nothing.
        self._engine = create_async_engine(
            db.engine.url,
            pool_size=1,
            max_overflow=0,
            isolation_level="AUTOCOMMIT",
            connect_args={"server_settings": {"synchronous_commit": "off"}},
        )
        self._key = key
        self._opened: dict[int, list[str]] = {}
        self._opened_groups: dict[int, list[str]] = {}

    async def take(self, rate: float) -> float:
        sends, window = window_of(rate)
        keys = self._opened.get(sends)
        if keys is None:
            keys = [f"{self._key}:{sends}:{lane}" for lane in range(sends)]
            await open_lanes(self._engine, keys)
            self._opened[sends] = keys
        slot, now = await take_lane(self._engine, keys, window)
        return max(0.0, slot - now)

    async def take_group(self, chat_id: int, calls: int, window: float) -> float:
        keys = self._opened_groups.get(chat_id)
        if keys is None:
            keys = [f"{self._key}:g:{chat_id}:{lane}" for lane in range(GROUP_LANES)]
            await open_lanes(self._engine, keys)
            self._opened_groups[chat_id] = keys
        return await take_group_lane(
            self._engine, keys, f"{self._key}:b:{chat_id}", min(calls, GROUP_LANES), window
        )

    async def block(self, chat_id: int, seconds: float) -> None:
        await block_chat(self._engine, f"{self._key}:b:{chat_id}", seconds)

    async def close(self) -> None:
        await self._engine.dispose()


class RedisBudget:
    """The last N slots in one Redis list, moved on atomically by a script on Redis's clock."""

    # Slots are handed out in increasing order, so the list stays sorted: its head is the
    # oldest of the last N.
    _SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local sends = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local length = redis.call('LLEN', KEYS[1])
local slot = now
if length >= sends then
  slot = math.max(now, tonumber(redis.call('LINDEX', KEYS[1], length - sends)) + window)
end
redis.call('RPUSH', KEYS[1], string.format('%.6f', slot))
redis.call('LTRIM', KEYS[1], -sends, -1)
redis.call('PEXPIRE', KEYS[1], math.ceil((slot - now + window) * 1000) + 60000)
return string.format('%.6f', slot - now)
"""

    # A group's sends of the last window in a sorted set (score: when), and its 429 block in a
    # key of its own; counted and added in one script, so two workers never both take the
    # last room.
    _GROUP_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local calls = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then
  return string.format('%.6f', blocked - now)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n >= calls then
  local oldest = redis.call('ZRANGE', KEYS[1], n - calls, n - calls, 'WITHSCORES')
  return string.format('%.6f', math.max(0.05, tonumber(oldest[2]) + window - now))
end
local member = string.format('%.6f', now) .. ':' .. redis.call('INCR', KEYS[1] .. ':seq')
redis.call('ZADD', KEYS[1], now, member)
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
redis.call('PEXPIRE', KEYS[1] .. ':seq', math.ceil(window * 1000) + 1000)
return '0'
"""

    _BLOCK_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local seconds = tonumber(ARGV[1])
local until_ = math.max(now + seconds, tonumber(redis.call('GET', KEYS[1]) or '0'))
local keep = math.ceil((until_ - now) * 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.6f', until_), 'PX', keep)
return 1
"""

    def __init__(self, url: str, key: str = KEY, timeout: float = ANSWER_WITHIN_SECONDS) -> None:
        # Short socket timeouts: a Redis that accepts connections but never answers must cost
        # a send a fraction of a second, not redis-py's default of seconds.
        self._redis: Redis = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._key = key
        self._take = self._redis.register_script(self._SCRIPT)
        self._take_group = self._redis.register_script(self._GROUP_SCRIPT)
        self._block = self._redis.register_script(self._BLOCK_SCRIPT)

    async def take(self, rate: float) -> float:
        sends, window = window_of(rate)
        ahead = await self._take(keys=[self._key], args=[sends, repr(window)])
        return max(0.0, float(ahead))

    async def take_group(self, chat_id: int, calls: int, window: float) -> float:
        keys = [f"{self._key}:g:{chat_id}", f"{self._key}:b:{chat_id}"]
        ahead = await self._take_group(keys=keys, args=[calls, repr(window)])
        return max(0.0, float(ahead))

    async def block(self, chat_id: int, seconds: float) -> None:
        await self._block(keys=[f"{self._key}:b:{chat_id}"], args=[repr(seconds)])

    async def close(self) -> None:
        await self._redis.aclose()


class GuardedBudget:
    """A shared budget asked with a timeout; a fallback paces while it fails or hangs."""

    def __init__(
        self,
        shared: SendBudget,
        fallback: SendBudget,
        name: str,
        *,
        timeout: float = ANSWER_WITHIN_SECONDS,
        retry_after: float = RETRY_SHARED_AFTER_SECONDS,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._shared = shared
        self._fallback = fallback
        self._name = name
        self._timeout = timeout
        self._retry_after = retry_after
        self._timer = timer
        self._down_until: float | None = None
        self.failures = 0

    @property
    def is_down(self) -> bool:
        return self._down_until is not None

    async def take(self, rate: float) -> float:
        if self._down_until is not None and self._timer() < self._down_until:
            return await self._fallback.take(rate)
        try:
            async with asyncio.timeout(self._timeout):
                due_in = await self._shared.take(rate)
        except Exception as exc:  # whatever went wrong, sending goes on
            self._failed(exc)
            return await self._fallback.take(rate)
        self._answered()
        return due_in

    async def take_group(self, chat_id: int, calls: int, window: float) -> float:
        if self._down_until is not None and self._timer() < self._down_until:
            return await self._fallback.take_group(chat_id, calls, window)
        try:
            async with asyncio.timeout(self._timeout):
                due_in = await self._shared.take_group(chat_id, calls, window)
        except Exception as exc:
            self._failed(exc)
            return await self._fallback.take_group(chat_id, calls, window)
        self._answered()
        return due_in

    async def block(self, chat_id: int, seconds: float) -> None:
        if self._down_until is not None and self._timer() < self._down_until:
            await self._fallback.block(chat_id, seconds)
            return
        try:
            async with asyncio.timeout(self._timeout):
                await self._shared.block(chat_id, seconds)
        except Exception as exc:
            self._failed(exc)
            await self._fallback.block(chat_id, seconds)

    def _failed(self, exc: Exception) -> None:
        self.failures += 1
        if self._down_until is None:
            log.warning(
                "send budget: %s is not answering (%s); pacing this worker alone until it does",
                self._name,
                type(exc).__name__,
            )
        self._down_until = self._timer() + self._retry_after

    def _answered(self) -> None:
        if self._down_until is not None:
            log.warning("send budget: %s answers again; pacing is shared again", self._name)
            self._down_until = None

    async def close(self) -> None:
        for budget in (self._shared, self._fallback):
            try:
                await budget.close()
            except Exception as exc:  # a budget that is down may fail to close as well
                log.info("send budget: closing failed: %s", type(exc).__name__)


def open_budget(db: Database, redis_url: str | None) -> SendBudget:
    """Redis when configured, else the PostgreSQL database, else this process alone.

    A shared budget falls back to the next while it does not answer: Redis to PostgreSQL (or
    this process), PostgreSQL to this process.
    """
    local = LocalBudget()
    database: SendBudget = local
    if db.dialect == "postgresql":
        database = GuardedBudget(PostgresBudget(db), local, "PostgreSQL", timeout=1.0)
    if redis_url:
        return GuardedBudget(RedisBudget(redis_url), database, "Redis")
    return database
