"""Finding claims for operators: by status, transaction, customer and time (read-only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import Claim, ClaimStatus

# One mapping from rows to claims: the claims repository's own.
from storage.repositories.claims import _NEWEST_FIRST, _claim
from storage.tables import claims


class ClaimSearch:
    """`refundbot claims list` and its filters; every filter given must match."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(
        self,
        status: ClaimStatus | None = None,
        transaction_id: str | None = None,
        telegram_user_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Sequence[Claim]:
        """Newest first; `since` inclusive, `until` exclusive, on the time the claim was filed."""
        query = select(claims).order_by(*_NEWEST_FIRST)
        if status is not None:
            query = query.where(claims.c.status == status.value)
        if transaction_id is not None:
            query = query.where(claims.c.transaction_id == transaction_id)
        if telegram_user_id is not None:
            query = query.where(claims.c.telegram_user_id == telegram_user_id)
        if since is not None:
            query = query.where(claims.c.created_at >= since)
        if until is not None:
            query = query.where(claims.c.created_at < until)
        return [_claim(row) for row in await self._session.execute(query)]
