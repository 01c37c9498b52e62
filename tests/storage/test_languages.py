"""The language each customer reads: one row per Telegram user, written over when it changes."""

from __future__ import annotations

from datetime import UTC, datetime

from conversations.domain import LanguageChoice
from storage import Database

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


async def test_a_user_without_a_row_has_no_language(db: Database) -> None:
    async with db.uow() as uow:
        assert await uow.languages.get(42) is None


async def test_the_language_is_set_then_changed(db: Database) -> None:
    async with db.uow() as uow:
        await uow.languages.set(7_000_000_001, LanguageChoice("ur"), T0)
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.languages.get(7_000_000_001) == LanguageChoice("ur")
        picked = LanguageChoice("en", chosen=True, switch_offered=True)
        await uow.languages.set(7_000_000_001, picked, T0)
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.languages.get(7_000_000_001) == picked
        assert await uow.languages.get(7) is None


async def test_nothing_is_kept_without_a_commit(db: Database) -> None:
    async with db.uow() as uow:
        await uow.languages.set(9, LanguageChoice("ur"), T0)
    async with db.uow() as uow:
        assert await uow.languages.get(9) is None
