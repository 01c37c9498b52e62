"""Canned replies staff pick when rejecting a claim or asking the customer something."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import CannedReply, ReplyKind
from storage.repositories._dialect import rowcount, upsert_insert
from storage.tables import canned_replies


class CannedReplyRepository:
    """The CannedReplies port: one ordered list per kind, edited from the CLI."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list(self, kind: ReplyKind) -> list[CannedReply]:
        rows = await self._session.execute(
            select(canned_replies)
            .where(canned_replies.c.kind == kind.value)
            .order_by(canned_replies.c.position, canned_replies.c.key)
        )
        return [CannedReply(kind, row.key, row.text) for row in rows]

    async def set(self, reply: CannedReply) -> None:
        """Add a reply at the end of its list, or change the text of the one with its key."""
        last = await self._session.scalar(
            select(func.max(canned_replies.c.position)).where(
                canned_replies.c.kind == reply.kind.value
            )
        )
        insert = upsert_insert(self._session, canned_replies)
        await self._session.execute(
            insert.values(
                kind=reply.kind.value, key=reply.key, text=reply.text, position=(last or 0) + 1
            ).on_conflict_do_update(
                index_elements=[canned_replies.c.kind, canned_replies.c.key],
                set_={"text": insert.excluded.text},
            )
        )

    async def remove(self, kind: ReplyKind, key: str) -> bool:
        result = await self._session.execute(
            delete(canned_replies).where(
                canned_replies.c.kind == kind.value, canned_replies.c.key == key
            )
        )
        return rowcount(result) == 1
