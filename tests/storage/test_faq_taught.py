"""Taught phrasings and stored FAQ models: once per topic, newest model first, weights intact."""

from __future__ import annotations

from datetime import UTC, datetime

from conversations.catalog.staff import RELAYED
from conversations.staff.teach import question_in
from storage.database import Database
from storage.repositories.faq_taught import FaqTeachingRepository

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


async def test_a_phrasing_is_taught_once_per_topic(db: Database) -> None:
    async with db.uow() as uow:
        repo = FaqTeachingRepository(uow.session)
        assert await repo.teach("kitna waqt hai", "when-eligible", "Sam", NOW)
        assert not await repo.teach("kitna waqt hai", "when-eligible", "Ann", NOW)
        assert await repo.teach("kitna waqt hai", "processing-time", "Ann", NOW)
        await uow.commit()
    async with db.uow() as uow:
        repo = FaqTeachingRepository(uow.session)
        taught = await repo.taught()
        assert [(t.text, t.topic_id, t.taught_by) for t in taught] == [
            ("kitna waqt hai", "when-eligible", "Sam"),
            ("kitna waqt hai", "processing-time", "Ann"),
        ]
        assert await repo.newest_taught_id() == taught[-1].id


async def test_the_newest_stored_model_is_the_head_and_its_weights_come_back(db: Database) -> None:
    body = '{"format":1,"weights":"' + "x" * 50_000 + '"}'
    async with db.uow() as uow:
        repo = FaqTeachingRepository(uow.session)
        assert await repo.head() is None
        first = await repo.store_model(body, NOW, 3, 3, 0.96, 0.95)
        second = await repo.store_model(body + " ", NOW, 5, 5, 0.97, 0.95)
        await uow.commit()
    assert second > first
    async with db.uow() as uow:
        repo = FaqTeachingRepository(uow.session)
        head = await repo.head()
        assert head is not None and (head.version, head.taught_upto) == (second, 5)
        stored = await repo.model(second)
        assert stored is not None and stored.body == body + " "
        assert (stored.frozen_top1, stored.taught_count) == (0.97, 5)


def test_teach_reads_the_customers_words_out_of_a_relayed_message() -> None:
    relayed = RELAYED.format(name="Ann", username="", user_id=951, text="kitna waqt hai")
    assert question_in(relayed) == "kitna waqt hai"
    assert question_in("a question copied by staff") == "a question copied by staff"
