"""Phrasings the team taught the FAQ, and the retrained models every worker answers with."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import faq_models, faq_taught


@dataclass(frozen=True)
class TaughtPhrasing:
    id: int
    text: str
    topic_id: str
    taught_by: str
    taught_at: datetime


@dataclass(frozen=True)
class StoredModel:
    version: int
    created_at: datetime
    body: str  # the model's JSON
    taught_upto: int
    taught_count: int
    frozen_top1: float
    frozen_rejected: float


@dataclass(frozen=True)
class ModelHead:
    """The newest model's version and what it was trained on, without its weights."""

    version: int
    created_at: datetime
    taught_upto: int
    taught_count: int


class FaqTeachingRepository:
    """Taught phrasings and the stored models (SQL only; the rules are in conversations.faq)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def teach(self, text: str, topic_id: str, taught_by: str, at: datetime) -> bool:
        """Store a phrasing for a topic; False when it was taught for that topic already."""
        exists = await self._session.scalar(
            select(faq_taught.c.id).where(
                faq_taught.c.text == text[:300], faq_taught.c.topic_id == topic_id
            )
        )
        if exists is not None:
            return False
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    faq_taught.insert().values(
                        text=text[:300], topic_id=topic_id, taught_by=taught_by[:120], taught_at=at
                    )
                )
        except IntegrityError:  # taught by someone else at the same moment
            return False
        return True

    async def taught(self) -> list[TaughtPhrasing]:
        """Every taught phrasing, oldest first."""
        rows = await self._session.execute(select(faq_taught).order_by(faq_taught.c.id))
        return [TaughtPhrasing(r.id, r.text, r.topic_id, r.taught_by, r.taught_at) for r in rows]

    async def newest_taught_id(self) -> int:
        """The id of the newest taught phrasing, 0 when none."""
        return int(await self._session.scalar(select(func.max(faq_taught.c.id))) or 0)

    async def head(self) -> ModelHead | None:
        """The newest stored model's version (a cheap query: no weights), None when none."""
        row = (
            await self._session.execute(
                select(
                    faq_models.c.version,
                    faq_models.c.created_at,
                    faq_models.c.taught_upto,
                    faq_models.c.taught_count,
                )
                .order_by(faq_models.c.version.desc())
                .limit(1)
            )
        ).first()
        return None if row is None else ModelHead(row[0], row[1], row[2], row[3])

    async def model(self, version: int) -> StoredModel | None:
        """One stored model with its weights."""
        row = (
            await self._session.execute(select(faq_models).where(faq_models.c.version == version))
        ).first()
        if row is None:
            return None
        return StoredModel(
            version=row.version,
            created_at=row.created_at,
            body=zlib.decompress(row.body).decode("utf-8"),
            taught_upto=row.taught_upto,
            taught_count=row.taught_count,
            frozen_top1=row.frozen_top1,
            frozen_rejected=row.frozen_rejected,
        )

    async def store_model(
        self,
        body: str,
        at: datetime,
        taught_upto: int,
        taught_count: int,
        frozen_top1: float,
        frozen_rejected: float,
    ) -> int:
        """Store an accepted model; its version, which every worker then loads."""
        result = await self._session.execute(
            faq_models.insert()
            .values(
                created_at=at,
                body=zlib.compress(body.encode("utf-8"), 6),
                taught_upto=taught_upto,
                taught_count=taught_count,
                frozen_top1=frozen_top1,
                frozen_rejected=frozen_rejected,
            )
            .returning(faq_models.c.version)
        )
        return int(result.scalar_one())
