"""Misses at proving a purchase, per Telegram user and per transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.ownership import Attempts
from storage.repositories._dialect import rowcount, upsert_insert
from storage.tables import ownership_attempts as table


def _attempts(row: Row[Any]) -> Attempts:
    return Attempts(
        misses=row.misses, last_miss_at=row.last_miss_at, blocked_until=row.blocked_until
    )


class OwnershipAttemptRepository:
    """The OwnershipAttempts port."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, subject: str) -> Attempts | None:
        row = (await self._session.execute(select(table).where(table.c.subject == subject))).first()
        return None if row is None else _attempts(row)

    async def put(self, subject: str, attempts: Attempts) -> None:
        values = {
            "misses": attempts.misses,
            "last_miss_at": attempts.last_miss_at,
            "blocked_until": attempts.blocked_until,
        }
        # Two accounts may miss on one transaction at the same moment: an upsert, not a race.
        insert = upsert_insert(self._session, table).values(subject=subject, **values)
        await self._session.execute(
            insert.on_conflict_do_update(index_elements=[table.c.subject], set_=values)
        )

    async def blocked(self, now: datetime) -> Sequence[tuple[str, Attempts]]:
        rows = (
            await self._session.execute(
                select(table)
                .where(table.c.blocked_until > now)
                .order_by(table.c.blocked_until.desc(), table.c.subject)
            )
        ).all()
        return [(row.subject, _attempts(row)) for row in rows]

    async def lift(self, subject: str) -> bool:
        result = await self._session.execute(delete(table).where(table.c.subject == subject))
        return rowcount(result) > 0
