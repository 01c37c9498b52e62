"""Read-only figures for operators: queue depths and ages, claims by outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import claims, inbox, outbox


@dataclass(frozen=True)
class Queues:
    inbox_waiting: int
    inbox_oldest: datetime | None
    outbox_waiting: int
    outbox_oldest: datetime | None


class OpsQueries:
    """What /healthz and /metrics show; every worker sees the same figures."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def queues(self) -> Queues:
        waiting = (
            await self._session.execute(
                select(func.count(), func.min(inbox.c.received_at)).where(
                    inbox.c.processed_at.is_(None)
                )
            )
        ).one()
        unsent = (
            await self._session.execute(
                # Parked messages wait for an operator, not for the dispatcher.
                select(func.count(), func.min(outbox.c.created_at)).where(
                    outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None)
                )
            )
        ).one()
        return Queues(int(waiting[0]), waiting[1], int(unsent[0]), unsent[1])

    async def claims_by_outcome(self) -> dict[str, int]:
        rows = await self._session.execute(
            select(claims.c.outcome, func.count()).group_by(claims.c.outcome)
        )
        return {str(outcome): int(count) for outcome, count in rows}
