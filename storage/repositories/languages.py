"""The language each customer reads, remembered per Telegram user."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import LanguageChoice
from storage.repositories._dialect import upsert_insert
from storage.tables import customer_languages


class LanguageRepository:
    """The Languages port."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, telegram_user_id: int) -> LanguageChoice | None:
        row = (
            await self._session.execute(
                select(
                    customer_languages.c.language,
                    customer_languages.c.chosen,
                    customer_languages.c.switch_offered,
                ).where(customer_languages.c.telegram_user_id == telegram_user_id)
            )
        ).first()
        if row is None:
            return None
        return LanguageChoice(
            language=row.language, chosen=bool(row.chosen), switch_offered=bool(row.switch_offered)
        )

    async def set(self, telegram_user_id: int, choice: LanguageChoice, at: datetime) -> None:
        values = {
            "language": choice.language,
            "chosen": choice.chosen,
            "switch_offered": choice.switch_offered,
            "updated_at": at,
        }
        # One statement: this runs on a customer's first turn, where every round trip shows.
        insert = upsert_insert(self._session, customer_languages).values(
            telegram_user_id=telegram_user_id, **values
        )
        await self._session.execute(
            insert.on_conflict_do_update(
                index_elements=[customer_languages.c.telegram_user_id], set_=values
            )
        )
