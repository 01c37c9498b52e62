"""Taught phrasings and stored FAQ models: once per topic, newest model first, weights intact."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.faq_models import FaqModelJob, RetrainOutcome
from conversations.catalog.staff import RELAYED
from conversations.faq.matcher import reset_model
from conversations.faq.retrain import Score
from conversations.staff.teach import question_in
from storage.database import Database
from storage.repositories.faq_taught import FaqTeachingRepository
from storage.tables import outbox

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
STAFF = -100_777


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


async def staff_chat_texts(db: Database) -> list[str]:
    async with db.engine.connect() as connection:
        rows = await connection.execute(
            select(outbox.c.text).where(outbox.c.chat_id == STAFF).order_by(outbox.c.id)
        )
        return [row.text for row in rows]


async def test_the_periodic_retrain_tells_the_staff_chat_it_refused_and_by_how_much(
    db: Database, tmp_path: Path
) -> None:
    pytest.importorskip("sklearn", reason="retraining needs the train extra")
    # A judged set the shipped model gets right, and a phrasing taught wrongly on purpose.
    question = "how long does a refund take to reach my bank"
    judge = tmp_path / "judge.jsonl"
    judge.write_text(json.dumps({"q": question, "topic": "processing-time"}) + "\n", "utf-8")
    async with db.uow() as uow:
        await FaqTeachingRepository(uow.session).teach(question, "human", "Sam", NOW)
        await uow.commit()
    job = FaqModelJob(60, 0, lambda: STAFF, judge)
    try:
        await job._retrain(db, NOW)
    finally:
        reset_model()
    [notice] = await staff_chat_texts(db)
    assert "FAQ retrain refused" in notice
    assert "top-1 100.0 points lower" in notice
    assert "Model 0 stays in use" in notice
    await job._retrain(db, NOW)  # the same inputs: not tried, nor told, again
    assert len(await staff_chat_texts(db)) == 1


def test_an_accepted_retrain_names_the_model_and_its_figures_for_staff() -> None:
    new, old = Score(0.962, 0.979, 272, 48), Score(0.95, 0.97, 272, 48)
    outcome = RetrainOutcome(True, 4, new, old, 1_250)
    assert outcome.staff_notice() == (
        "🧠 FAQ model 4 is in use. Taught phrasings learnt: 1,250. Frozen test: top-1 96.2%, "
        "off-topic rejected 97.9%."
    )
    assert RetrainOutcome(False, 4, None, None, 0).staff_notice() is None
