"""The shared send schedule's row (see bot/send_budget.py): taken in one statement."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_TAKE = text(
    "INSERT INTO send_budget AS b (key, tat) "
    "VALUES (:key, extract(epoch from clock_timestamp()) + :step) "
    "ON CONFLICT (key) DO UPDATE "
    "SET tat = greatest(b.tat, extract(epoch from clock_timestamp())) + :step "
    "RETURNING tat, extract(epoch from clock_timestamp()) AS now"
)


async def take_slot(engine: AsyncEngine, key: str, step: float) -> tuple[float, float]:
    """Move the schedule on by `step` seconds; returns (its new end, now), on the server's clock.

    One statement, so the row is locked only for it. The engine is expected to run it outside
    a transaction, with synchronous_commit off (bot/send_budget.py).
    """
    async with engine.connect() as connection:
        row = (await connection.execute(_TAKE, {"key": key, "step": step})).one()
        await connection.commit()  # a no-op in autocommit; a commit on any other engine
    return float(row.tat), float(row.now)
