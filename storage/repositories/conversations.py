"""Conversation state per chat, with optimistic concurrency."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import (
    ChatSnapshot,
    ClaimStatus,
    ConversationState,
    LanguageChoice,
    WaitingQuestion,
)
from storage.repositories._dialect import rowcount, upsert_insert
from storage.tables import claims, conversations, customer_languages

# One row to hang the outer joins on, so a chat with no row of its own still gets one back.
_ONE = select(literal(1).label("one")).subquery("one")

_ASKED = and_(
    claims.c.telegram_user_id == bindparam("b_user"),
    claims.c.chat_id == bindparam("b_chat"),
    claims.c.status == ClaimStatus.INFO_REQUESTED.value,
)
# Built once: every turn reads it.
_LOAD_TURN = (
    select(
        conversations,
        customer_languages.c.language,
        customer_languages.c.chosen,
        customer_languages.c.switch_offered,
        claims.c.id.label("question_claim"),
        claims.c.updated_at.label("asked_at"),
    )
    .select_from(
        _ONE.outerjoin(conversations, conversations.c.chat_id == bindparam("b_chat"))
        .outerjoin(customer_languages, customer_languages.c.telegram_user_id == bindparam("b_user"))
        .outerjoin(claims, _ASKED)
    )
    .order_by(claims.c.created_at.desc(), claims.c.id.desc())
)
_SAVE = update(conversations).where(
    conversations.c.chat_id == bindparam("b_chat"),
    conversations.c.version == bindparam("b_version"),
)


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
        return _state(chat_id, row)

    async def load_turn(self, chat_id: int, user_id: int) -> ChatSnapshot:
        """The chat's state with its author's language and the questions waiting, in one read.

        A row per waiting question (one when there is none): outer joins on a single row.
        """
        rows = (
            await self._session.execute(_LOAD_TURN, {"b_chat": chat_id, "b_user": user_id})
        ).all()
        first = rows[0]
        language = None
        if first.language is not None:
            language = LanguageChoice(first.language, first.chosen, first.switch_offered)
        questions = tuple(
            WaitingQuestion(row.question_claim, row.asked_at)
            for row in rows
            if row.question_claim is not None
        )
        state = _state(chat_id, first if first.chat_id is not None else None)
        return ChatSnapshot(state, language, questions)

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
                _SAVE,
                {
                    "b_chat": state.chat_id,
                    "b_version": state.version,
                    "step": state.step,
                    "slots": state.slots,
                    "version": state.version + 1,
                    "updated_at": updated_at,
                },
            )
        if rowcount(result) != 1:
            return False
        state.version += 1
        state.updated_at = updated_at
        return True


def _state(chat_id: int, row: Any) -> ConversationState:
    if row is None:
        return ConversationState(chat_id=chat_id)
    return ConversationState(
        chat_id=row.chat_id,
        step=row.step,
        slots=dict(row.slots or {}),
        version=row.version,
        updated_at=row.updated_at,
    )
