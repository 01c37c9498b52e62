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
# workers taking at once get two lanes; any lane is safe, the oldest only waits least.
_TAKE = text(
    "WITH lane AS ("
    " SELECT key FROM send_budget WHERE key = ANY(:keys)"
    " ORDER BY tat LIMIT 1 FOR UPDATE SKIP LOCKED"
    "), clock AS (SELECT extract(epoch from clock_timestamp()) AS now) "
    "UPDATE send_budget AS b SET tat = greatest(b.tat + :window, clock.now) "
    "FROM lane, clock WHERE b.key = lane.key "
    "RETURNING b.tat, clock.now"
).bindparams(bindparam("keys", type_=ARRAY(String)))


async def open_lanes(engine: AsyncEngine, keys: list[str]) -> None:
    """Create the window's lanes if they are not there yet."""
    async with engine.connect() as connection:
        await connection.execute(_OPEN, {"keys": keys})
        await connection.commit()


async def take_lane(engine: AsyncEngine, keys: list[str], window: float) -> tuple[float, float]:
    """Take the oldest free lane; returns (the slot it gives, now), on the server's clock.

    The engine is expected to run it outside a transaction, with synchronous_commit off.
    """
    async with engine.connect() as connection:
        row = (await connection.execute(_TAKE, {"keys": keys, "window": window})).first()
        await connection.commit()  # a no-op in autocommit; a commit on any other engine
    if row is None:  # every lane is being taken by another worker this very moment
        return window / len(keys), 0.0
    return float(row.tat), float(row.now)
