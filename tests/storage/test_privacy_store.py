"""/mydata's once-a-day limit is held by the database, even for two presses at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.database import Database

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def _take(db: Database, at: datetime) -> bool:
    async with db.uow() as uow:
        allowed = await uow.privacy.take_export(801, at, DAY)
        await uow.commit()
        return allowed


async def test_two_exports_at_once_only_one_passes(db: Database) -> None:
    results = await asyncio.gather(*(_take(db, NOW) for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    assert not await _take(db, NOW + DAY - timedelta(seconds=1))
    again = await asyncio.gather(*(_take(db, NOW + DAY) for _ in range(3)))
    assert sorted(again) == [False, False, True]
    async with db.uow() as uow:
        assert await uow.privacy.last_export(801) == NOW + DAY


async def test_forget_deletes_the_faq_questions_of_the_chat_when_their_updates_are_gone(
    db: Database,
) -> None:
    async with db.uow() as uow:
        await uow.faq.miss("do pangolins get refunds zq0dj", NOW, 801)
        await uow.faq.miss("what about my zorbix tokens", NOW, 802)
        await uow.commit()
    async with db.uow() as uow:
        # No typed texts to match: the inbox dropped the updates minutes after applying them.
        erased = await uow.privacy.erase_user_rows(801, [801], [], [], [], [], None)
        await uow.commit()
    assert erased.get("faq_questions") == 1
    async with db.uow() as uow:
        left = await uow.faq.top_misses(10)
    assert [text for text, _count in left] == ["what about my zorbix tokens"]
