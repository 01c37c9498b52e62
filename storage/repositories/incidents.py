"""Incidents as staff declare and end them in the staff chat, with who did it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import Incident
from storage.repositories.ledger import LedgerRepository
from storage.tables import incident_audit, incidents


class IncidentRepository:
    """The staff chat's door to the incidents of the ledger (the CSV's and the API's rows)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, incident_id: str) -> Incident | None:
        found = await LedgerRepository(self._session).incidents_by_id([incident_id])
        return found.get(incident_id)

    async def ids_starting(self, prefix: str) -> Sequence[str]:
        rows = await self._session.execute(
            select(incidents.c.incident_id).where(incidents.c.incident_id.startswith(prefix))
        )
        return [r.incident_id for r in rows]

    async def declare(self, incident: Incident, actor: str, actor_id: int | None) -> None:
        """Store a new incident and who declared it."""
        await LedgerRepository(self._session).upsert_incidents([incident])
        await self._audit(incident.incident_id, incident.started_at, actor, actor_id, "start")

    async def end(self, incident_id: str, at: datetime, actor: str, actor_id: int | None) -> bool:
        """End an ongoing incident now; False when there is none of that id still going."""
        result = await self._session.execute(
            update(incidents)
            .where(incidents.c.incident_id == incident_id, incidents.c.ended_at.is_(None))
            .values(ended_at=at)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        await self._audit(incident_id, at, actor, actor_id, "end")
        return True

    async def ongoing(self, now: datetime) -> Sequence[Incident]:
        """Incidents started and not ended by `now`, oldest first."""
        rows = await self._session.execute(
            select(incidents)
            .where(
                incidents.c.started_at <= now,
                or_(incidents.c.ended_at.is_(None), incidents.c.ended_at > now),
            )
            .order_by(incidents.c.started_at, incidents.c.incident_id)
        )
        return [Incident(**row._asdict()) for row in rows]

    async def who(self, incident_id: str) -> Sequence[tuple[str, str, datetime]]:
        """(action, actor, at) of the staff chat's changes to an incident, oldest first."""
        rows = await self._session.execute(
            select(incident_audit.c.action, incident_audit.c.actor, incident_audit.c.at)
            .where(incident_audit.c.incident_id == incident_id)
            .order_by(incident_audit.c.id)
        )
        return [(r.action, r.actor, r.at) for r in rows]

    async def _audit(
        self, incident_id: str, at: datetime, actor: str, actor_id: int | None, action: str
    ) -> None:
        await self._session.execute(
            incident_audit.insert().values(
                incident_id=incident_id,
                at=at,
                actor=actor,
                actor_id=actor_id,
                action=action,
                note="",
            )
        )
