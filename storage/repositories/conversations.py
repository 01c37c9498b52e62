"""Conversation state per chat, with optimistic concurrency."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import ConversationState
from storage.repositories._dialect import rowcount, upsert_insert
from storage.tables import conversations


class ConversationRepositorySql:
    """The ConversationRepository port."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, chat_id: int) -> ConversationState:
        """The stored state, or a fresh one at version 0 for a chat never seen."""
        row = (
            await self._session.execute(
                select(conversations).where(conversations.c.chat_id == chat_id)
            )
        ).first()
        if row is None:
            return ConversationState(chat_id=chat_id)
        return ConversationState(
            chat_id=row.chat_id,
            step=row.step,
            slots=dict(row.slots or {}),
            version=row.version,
            updated_at=row.updated_at,
        )

    async def save(self, state: ConversationState) -> bool:
        """Write if the stored version equals state.version; bumps it. False on a lost race."""
        updated_at = state.updated_at or datetime.now(UTC)
        if state.version == 0:
            insert = upsert_insert(self._session, conversations)
            result = await self._session.execute(
                insert.values(
                    chat_id=state.chat_id,
                    step=state.step,
                    slots=state.slots,
                    version=1,
                    updated_at=updated_at,
                ).on_conflict_do_nothing(index_elements=[conversations.c.chat_id])
            )
        else:
            result = await self._session.execute(
                update(conversations)
                .where(
                    conversations.c.chat_id == state.chat_id,
                    conversations.c.version == state.version,
                )
                .values(
                    step=state.step,
                    slots=state.slots,
                    version=state.version + 1,
                    updated_at=updated_at,
                )
            )
        if rowcount(result) != 1:
            return False
        state.version += 1
        state.updated_at = updated_at
        return True
