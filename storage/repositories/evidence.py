"""Photos and documents customers sent, and their ratings of closed claims."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import Evidence, Rating
from storage.tables import claim_ratings, evidence


def _evidence(row: Row[Any]) -> Evidence:
    return Evidence(
        id=row.id,
        claim_id=row.claim_id,
        chat_id=row.chat_id,
        telegram_user_id=row.telegram_user_id,
        kind=row.kind,
        file_id=row.file_id,
        unique_id=row.unique_id,
        file_name=row.file_name,
        mime_type=row.mime_type,
        size=row.size,
        caption=row.caption,
        received_at=row.received_at,
    )


class EvidenceRepository:
    """The EvidenceStore port."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, item: Evidence) -> int:
        result = await self._session.execute(
            insert(evidence)
            .values(
                claim_id=item.claim_id,
                chat_id=item.chat_id,
                telegram_user_id=item.telegram_user_id,
                kind=item.kind[:16],
                file_id=item.file_id[:256],
                unique_id=item.unique_id[:128],
                file_name=item.file_name[:256],
                mime_type=item.mime_type[:128],
                size=item.size,
                caption=item.caption,
                received_at=item.received_at,
            )
            .returning(evidence.c.id)
        )
        return int(result.scalar_one())

    async def for_claim(self, claim_id: int) -> Sequence[Evidence]:
        rows = await self._session.execute(
            select(evidence).where(evidence.c.claim_id == claim_id).order_by(evidence.c.id)
        )
        return [_evidence(row) for row in rows]

    async def relayed_since(self, telegram_user_id: int, since: datetime) -> Sequence[datetime]:
        rows = await self._session.execute(
            select(evidence.c.received_at)
            .where(
                evidence.c.telegram_user_id == telegram_user_id,
                evidence.c.claim_id.is_(None),
                evidence.c.received_at > since,
            )
            .order_by(evidence.c.received_at, evidence.c.id)
        )
        return [row.received_at for row in rows]


def _rating(row: Row[Any]) -> Rating:
    return Rating(
        claim_id=row.claim_id,
        telegram_user_id=row.telegram_user_id,
        stars=row.stars,
        rated_at=row.rated_at,
        comment=row.comment,
    )


class RatingRepository:
    """The Ratings port."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def rate(self, rating: Rating) -> bool:
        # A savepoint: a second rating of the claim (two taps at once) fails alone, not the turn.
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    insert(claim_ratings).values(
                        claim_id=rating.claim_id,
                        telegram_user_id=rating.telegram_user_id,
                        stars=rating.stars,
                        comment=rating.comment,
                        rated_at=rating.rated_at,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def comment(self, claim_id: int, text: str) -> bool:
        result = await self._session.execute(
            update(claim_ratings)
            .where(claim_ratings.c.claim_id == claim_id, claim_ratings.c.comment.is_(None))
            .values(comment=text)
        )
        return bool(getattr(result, "rowcount", 0))

    async def get(self, claim_id: int) -> Rating | None:
        row = (
            await self._session.execute(
                select(claim_ratings).where(claim_ratings.c.claim_id == claim_id)
            )
        ).first()
        return None if row is None else _rating(row)

    async def summary(self) -> tuple[int, float | None]:
        row = (
            await self._session.execute(
                select(func.count(), func.avg(claim_ratings.c.stars)).select_from(claim_ratings)
            )
        ).one()
        count = int(row[0])
        return count, (float(row[1]) if count else None)

    async def latest_comments(self, limit: int) -> Sequence[Rating]:
        rows = await self._session.execute(
            select(claim_ratings)
            .where(claim_ratings.c.comment.is_not(None))
            .order_by(claim_ratings.c.rated_at.desc(), claim_ratings.c.claim_id.desc())
            .limit(limit)
        )
        return [_rating(row) for row in rows]
