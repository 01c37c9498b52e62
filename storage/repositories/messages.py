"""Which Telegram message is about what: staff cards to claims, relayed messages to customers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories._dialect import upsert_insert
from storage.tables import message_refs


class MessageRefRepository:
    """Remembers sent messages by a ref (e.g. "claim:12"), surviving restarts."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def remember(
        self, ref: str, chat_id: int, message_id: int, thread_id: int | None = None
    ) -> None:
        insert = upsert_insert(self._session, message_refs)
        await self._session.execute(
            insert.values(
                ref=ref, chat_id=chat_id, message_id=message_id, thread_id=thread_id
            ).on_conflict_do_update(
                index_elements=[message_refs.c.chat_id, message_refs.c.message_id],
                set_={"ref": insert.excluded.ref, "thread_id": insert.excluded.thread_id},
            )
        )

    async def lookup(self, ref: str) -> tuple[int, int, int | None] | None:
        """The most recent message remembered under ref: (chat_id, message_id, thread_id)."""
        row = (
            await self._session.execute(
                select(message_refs.c.chat_id, message_refs.c.message_id, message_refs.c.thread_id)
                .where(message_refs.c.ref == ref)
                .order_by(message_refs.c.id.desc())
                .limit(1)
            )
        ).first()
        return (row.chat_id, row.message_id, row.thread_id) if row else None

    async def find_ref(self, chat_id: int, message_id: int) -> str | None:
        row = (
            await self._session.execute(
                select(message_refs.c.ref).where(
                    message_refs.c.chat_id == chat_id, message_refs.c.message_id == message_id
                )
            )
        ).first()
        return row.ref if row else None
