"""What customers make of the FAQ: ratings of answers, and questions it could not place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.faq_taught import FaqTeachingRepository
from storage.tables import faq_feedback, faq_misses


class FaqLogRepository:
    """The FaqLog port."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def rate(self, topic_id: str, helpful: bool, at: datetime) -> None:
        await self._session.execute(
            faq_feedback.insert().values(topic_id=topic_id[:64], helpful=helpful, at=at)
        )

    async def miss(self, text: str, at: datetime, chat_id: int | None = None) -> None:
        await self._session.execute(
            faq_misses.insert().values(text=text[:300], at=at, chat_id=chat_id)
        )

    async def ratings(self) -> dict[str, tuple[int, int]]:
        """Per topic: (helpful, not helpful)."""
        rows = await self._session.execute(
            select(faq_feedback.c.topic_id, faq_feedback.c.helpful, func.count()).group_by(
                faq_feedback.c.topic_id, faq_feedback.c.helpful
            )
        )
        counts: dict[str, tuple[int, int]] = {}
        for topic_id, helpful, count in rows:
            yes, no = counts.get(topic_id, (0, 0))
            counts[topic_id] = (yes + int(count), no) if helpful else (yes, no + int(count))
        return counts

    async def top_misses(self, limit: int) -> list[tuple[str, int]]:
        """The questions asked most often that the FAQ could not place, most frequent first."""
        count = func.count().label("n")
        rows = await self._session.execute(
            select(faq_misses.c.text, count)
            .group_by(faq_misses.c.text)
            .order_by(count.desc(), faq_misses.c.text)
            .limit(limit)
        )
        return [(text, int(n)) for text, n in rows]

    async def teach(self, text: str, topic_id: str, taught_by: str, at: datetime) -> bool:
        """Store a phrasing the team taught for a topic; False when it was taught already."""
        return await FaqTeachingRepository(self._session).teach(text, topic_id, taught_by, at)
