"""The shared send window's rows (bot/send_budget.py): one row a lane, taken in one statement."""

from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import String

_OPEN = text(
    "INSERT INTO send_budget (key, tat) SELECT unnest(:keys), 0 ON CONFLICT (key) DO NOTHING"
).bindparams(bindparam("keys", type_=ARRAY(String)))

# The lane used longest ago moves on to max(now, its last use + window). SKIP LOCKED: two
# workers taking at once get two lanes; any lane is safe, the oldest only waits least. In
# asyncpg's own form: it runs before every message the bot sends, and SQLAlchemy's handling of
# a statement cost more CPU than the statement itself.
_TAKE = (
    "WITH lane AS ("
    " SELECT key FROM send_budget WHERE key = ANY($1::varchar[])"
    " ORDER BY tat LIMIT 1 FOR UPDATE SKIP LOCKED"
    "), clock AS (SELECT extract(epoch from clock_timestamp())::float8 AS now) "
    "UPDATE send_budget AS b SET tat = greatest(b.tat + $2::float8, clock.now) "
    "FROM lane, clock WHERE b.key = lane.key "
    "RETURNING b.tat, clock.now"
)


async def open_lanes(engine: AsyncEngine, keys: list[str]) -> None:
    """Create the window's lanes if they are not there yet."""
    async with engine.connect() as connection:
        await connection.execute(_OPEN, {"keys": keys})
        await connection.commit()


async def take_lane(engine: AsyncEngine, keys: list[str], window: float) -> tuple[float, float]:
    """Take the oldest free lane; returns (the slot it gives, now), on the server's clock.

    The engine is expected to be PostgreSQL through asyncpg, outside a transaction, with
    synchronous_commit off: the statement commits by itself.
    """
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        row = await raw.driver_connection.fetchrow(_TAKE, keys, window)  # type: ignore[union-attr]
    if row is None:  # every lane is being taken by another worker this very moment
        return window / len(keys), 0.0
    return float(row["tat"]), float(row["now"])


_BLOCK = text(
    "INSERT INTO send_budget (key, tat) "
    "VALUES (:key, extract(epoch from clock_timestamp()) + :seconds) "
    "ON CONFLICT (key) DO UPDATE SET tat = greatest(send_budget.tat, excluded.tat)"
)

# A group's lanes: the time of each of its last sends, from every worker. One lane that has
# aged out of the window is moved to now, but only while fewer than :calls lanes are inside
# it and no 429 blocks the group; the rows are locked, so two workers never both take the
# last room. A group hears from the desk at most 20 times a minute: the lock costs nothing.
_TAKE_GROUP = text(
    "WITH clock AS (SELECT extract(epoch from clock_timestamp()) AS now), "
    "lanes AS (SELECT key, tat FROM send_budget WHERE key = ANY(:keys) FOR UPDATE), "
    "used AS (SELECT count(*) AS n FROM lanes, clock WHERE lanes.tat > clock.now - :window), "
    "blocked AS ("
    " SELECT coalesce(max(tat), 0) AS until FROM send_budget WHERE key = :block"
    "), "
    "free AS ("
    " SELECT lanes.key FROM lanes, clock WHERE lanes.tat <= clock.now - :window"
    " ORDER BY lanes.tat LIMIT 1"
    "), "
    "taken AS ("
    " UPDATE send_budget AS b SET tat = clock.now FROM free, clock, used, blocked"
    " WHERE b.key = free.key AND used.n < :calls AND blocked.until <= clock.now"
    " RETURNING b.key"
    ") "
    "SELECT (SELECT count(*) FROM taken) AS taken, clock.now, blocked.until,"
    " ARRAY(SELECT tat FROM lanes, clock WHERE lanes.tat > clock.now - :window"
    " ORDER BY tat) AS inside "
    "FROM clock, blocked"
).bindparams(bindparam("keys", type_=ARRAY(String)))


async def take_group_lane(
    engine: AsyncEngine, keys: list[str], block_key: str, calls: int, window: float
) -> float:
    """Count a send to a group now if there is room (0.0); else seconds until there may be."""
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                _TAKE_GROUP,
                {"keys": keys, "block": block_key, "calls": calls, "window": window},
            )
        ).one()
        await connection.commit()
    if row.taken:
        return 0.0
    now = float(row.now)
    if float(row.until) > now:
        return float(row.until) - now
    inside = [float(t) for t in row.inside]
    if len(inside) < calls:  # room, but every free lane was being taken this very moment
        return 0.05
    return max(0.05, inside[len(inside) - calls] + window - now)


async def block_chat(engine: AsyncEngine, block_key: str, seconds: float) -> None:
    """Nothing to the chat from any worker for this long (Telegram's retry_after)."""
    async with engine.connect() as connection:
        await connection.execute(_BLOCK, {"key": block_key, "seconds": seconds})
        await connection.commit()
