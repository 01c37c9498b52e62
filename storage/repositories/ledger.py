"""The ledger: purchases, campaigns and incidents exported from the SMS platform."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import Campaign, Incident, Kind, Purchase
from storage.repositories._dialect import upsert_insert
from storage.tables import LEDGER_PURCHASE_COLUMNS, campaigns, incidents, purchases


def _purchase(row: Row[Any]) -> Purchase:
    values = row._asdict()
    values.pop("credits_approved", None)
    values["kind"] = Kind(values["kind"])
    return Purchase(**values)


def _campaign(row: Row[Any]) -> Campaign:
    return Campaign(**row._asdict())


def _incident(row: Row[Any]) -> Incident:
    return Incident(**row._asdict())


def _ledger_columns(table: Table) -> tuple[str, ...]:
    if table is purchases:
        return LEDGER_PURCHASE_COLUMNS
    return tuple(c.name for c in table.columns)


def _values(item: Purchase | Campaign | Incident) -> dict[str, Any]:
    # Shallow on purpose: dataclasses.asdict deep-copies every datetime, which dominates imports.
    values = dict(vars(item))
    if isinstance(item, Purchase):
        values["kind"] = item.kind.value
    return values


class LedgerRepository:
    """The Ledger port, plus the batch reads and upserts the CSV import uses."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # What this transaction read, by transaction id: filing a claim checks the purchase and
        # its campaigns in three places (ownership, the rules, the card). Only the ledger's
        # own columns, which only an import (below) writes.
        self._purchases: dict[str, Purchase | None] = {}
        self._campaigns: dict[str, Sequence[Campaign]] = {}
        self._campaign: dict[str, Campaign | None] = {}

    async def purchase(self, transaction_id: str) -> Purchase | None:
        if transaction_id in self._purchases:
            return self._purchases[transaction_id]
        row = (
            await self._session.execute(
                select(purchases).where(purchases.c.transaction_id == transaction_id)
            )
        ).first()
        found = self._purchases[transaction_id] = _purchase(row) if row else None
        return found

    async def campaign(self, campaign_id: str) -> Campaign | None:
        if campaign_id in self._campaign:
            return self._campaign[campaign_id]
        row = (
            await self._session.execute(
                select(campaigns).where(campaigns.c.campaign_id == campaign_id)
            )
        ).first()
        found = self._campaign[campaign_id] = _campaign(row) if row else None
        return found

    async def campaigns_for(self, transaction_id: str) -> Sequence[Campaign]:
        if transaction_id in self._campaigns:
            return self._campaigns[transaction_id]
        rows = await self._session.execute(
            select(campaigns)
            .where(campaigns.c.transaction_id == transaction_id)
            .order_by(campaigns.c.sent_at.desc(), campaigns.c.campaign_id)
        )
        found = self._campaigns[transaction_id] = tuple(_campaign(row) for row in rows)
        return found

    async def incidents_between(self, start: datetime, end: datetime) -> Sequence[Incident]:
        """Incidents overlapping [start, end]; an ongoing one (no end) overlaps from its start."""
        rows = await self._session.execute(
            select(incidents)
            .where(
                incidents.c.started_at <= end,
                or_(incidents.c.ended_at.is_(None), incidents.c.ended_at >= start),
            )
            .order_by(incidents.c.started_at, incidents.c.incident_id)
        )
        return [_incident(row) for row in rows]

    async def purchases_by_id(self, ids: Collection[str]) -> dict[str, Purchase]:
        rows = await self._by_key(purchases, "transaction_id", ids)
        return {row.transaction_id: _purchase(row) for row in rows}

    async def campaigns_by_id(self, ids: Collection[str]) -> dict[str, Campaign]:
        rows = await self._by_key(campaigns, "campaign_id", ids)
        return {row.campaign_id: _campaign(row) for row in rows}

    async def incidents_by_id(self, ids: Collection[str]) -> dict[str, Incident]:
        rows = await self._by_key(incidents, "incident_id", ids)
        return {row.incident_id: _incident(row) for row in rows}

    async def credits_approved_by_id(self, ids: Collection[str]) -> dict[str, int]:
        """Credits approved or paid so far, for the purchases that have any."""
        if not ids:
            return {}
        rows = await self._session.execute(
            select(purchases.c.transaction_id, purchases.c.credits_approved).where(
                purchases.c.transaction_id.in_(list(ids)), purchases.c.credits_approved > 0
            )
        )
        return {row[0]: int(row[1]) for row in rows}

    async def known_transactions(self, ids: Collection[str]) -> set[str]:
        """Which of these transaction ids have a purchase on file."""
        if not ids:
            return set()
        rows = await self._session.execute(
            select(purchases.c.transaction_id).where(purchases.c.transaction_id.in_(list(ids)))
        )
        return {row[0] for row in rows}

    async def upsert_purchases(self, items: Sequence[Purchase]) -> None:
        await self._upsert(purchases, "transaction_id", items)

    async def upsert_campaigns(self, items: Sequence[Campaign]) -> None:
        await self._upsert(campaigns, "campaign_id", items)

    async def upsert_incidents(self, items: Sequence[Incident]) -> None:
        await self._upsert(incidents, "incident_id", items)

    async def _by_key(self, table: Table, key: str, ids: Collection[str]) -> Sequence[Row[Any]]:
        if not ids:
            return []
        result = await self._session.execute(select(table).where(table.c[key].in_(list(ids))))
        return result.all()

    async def _upsert(
        self, table: Table, key: str, items: Sequence[Purchase | Campaign | Incident]
    ) -> None:
        if not items:
            return
        self._purchases.clear()
        self._campaigns.clear()
        self._campaign.clear()
        statement = upsert_insert(self._session, table)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c[key]],
            # Only the ledger's own columns: what the desk booked (credits_approved) stays.
            set_={c: statement.excluded[c] for c in _ledger_columns(table) if c != key},
        )
        await self._session.execute(statement, [_values(item) for item in items])
