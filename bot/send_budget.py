"""The deployment's overall send budget: one shared schedule of send slots for every worker.

Each backend keeps a "theoretical arrival time" (GCRA): taking a slot moves it on by
1/rate and says how long to wait before the slot is due. A slot is taken by one caller
only, so waiting callers never race each other and never spin.

- `LocalBudget`: in the process; for one worker (SQLite deployments).
- `PostgresBudget`: one row in the deployment's database, updated in one statement.
- `RedisBudget`: one key, updated by a Lua script; for REDIS_URL.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import create_async_engine

from storage.database import Database
from storage.repositories.send_budget import take_slot

# Slots that may be taken at once after a quiet spell: none beyond the rate itself, since
# Telegram counts any second's calls.
OVERALL_BURST = 1
# Calls reach Telegram a few milliseconds apart from when they were let go: spacing them a
# little wider than 1/rate keeps any one second's count under the limit.
MARGIN = 1.05
KEY = "refundbot:send-budget"


class SendBudget(Protocol):
    async def take(self, rate: float) -> float:
        """Take the next slot; returns seconds to wait before it is due (0: now)."""
        ...

    async def close(self) -> None: ...


def _due_in(tat: float, now: float, rate: float) -> float:
    """Seconds until a slot whose schedule ends at `tat` may be used."""
    return max(0.0, tat - now - OVERALL_BURST * _step(rate))


def _step(rate: float) -> float:
    return MARGIN / rate


class LocalBudget:
    """The schedule in this process's memory."""

    def __init__(self, timer: Any = time.monotonic) -> None:
        self._timer = timer
        self._tat = 0.0

    async def take(self, rate: float) -> float:
        now = self._timer()
        self._tat = max(self._tat, now) + _step(rate)
        return _due_in(self._tat, now, rate)

    async def close(self) -> None:
        return None


class PostgresBudget:
    """The schedule in table send_budget, so every worker on the database shares it."""

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

    async def take(self, rate: float) -> float:
        tat, now = await take_slot(self._engine, self._key, _step(rate))
        return _due_in(tat, now, rate)

    async def close(self) -> None:
        await self._engine.dispose()


class RedisBudget:
    """The schedule in one Redis key, moved on atomically by a script on Redis's clock."""

    _SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now) + tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil((tat - now) * 1000) + 60000)
return tostring(tat - now)
"""

    def __init__(self, url: str, key: str = KEY) -> None:
        self._redis: Redis = Redis.from_url(url)
        self._key = key
        self._take = self._redis.register_script(self._SCRIPT)

    async def take(self, rate: float) -> float:
        ahead = float(await self._take(keys=[self._key], args=[repr(_step(rate))]))
        return _due_in(ahead, 0.0, rate)

    async def close(self) -> None:
        await self._redis.aclose()


def open_budget(db: Database, redis_url: str | None) -> SendBudget:
    """Redis when configured, else the PostgreSQL database, else this process alone."""
    if redis_url:
        return RedisBudget(redis_url)
    if db.dialect == "postgresql":
        return PostgresBudget(db)
    return LocalBudget()
