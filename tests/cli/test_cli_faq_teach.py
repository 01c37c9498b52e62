"""`faq teach|retrain|show|misses`: the team grows the FAQ without a developer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conversations.faq.matcher import reset_model
from conversations.faq.overrides import reset_answers
from storage.database import Database
from storage.repositories.faq_taught import FaqTeachingRepository
from tests.cli.cli_process import Cli


@pytest.fixture(autouse=True)
def shipped_model_afterwards() -> Iterator[None]:
    yield
    # A command in this process may have installed a retrained model or the operator's answers.
    reset_answers()
    reset_model()


async def test_teach_stores_the_phrasing_once_and_names_the_topics_on_a_typo(
    cli: Cli, db: Database
) -> None:
    wrong = cli("faq", "teach", "refund kab tak aayega", "processing-tme")
    assert wrong.code == 2
    assert "unknown FAQ topic 'processing-tme'" in wrong.err
    assert "processing-time" in wrong.err  # the topics are listed

    taught = cli("faq", "teach", "refund kab tak aayega", "processing-time", "--by", "Sam")
    assert taught.code == 0, taught.err
    assert "Taught: 'refund kab tak aayega' -> processing-time" in taught.out
    again = cli("faq", "teach", "refund kab tak aayega", "processing-time")
    assert "Already taught" in again.out

    async with db.uow() as uow:
        rows = await FaqTeachingRepository(uow.session).taught()
    assert [(r.text, r.topic_id, r.taught_by) for r in rows] == [
        ("refund kab tak aayega", "processing-time", "Sam")
    ]


async def test_misses_suggest_the_likeliest_topic(cli: Cli, db: Database) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    async with db.uow() as uow:
        await uow.faq.miss("paisay wapis kitne din mein aate hain bhai", now)
        await uow.faq.miss("paisay wapis kitne din mein aate hain bhai", now)
        await uow.commit()

    result = cli("faq", "misses")

    assert result.code == 0, result.err
    line = next(x for x in result.out.splitlines() if "paisay wapis" in x)
    assert line.split()[0] == "2"
    assert line.split()[1] == "processing-time"
    assert "refundbot faq teach" in result.out


def test_show_prints_the_answer_in_english_and_urdu(cli: Cli) -> None:
    result = cli("faq", "show", "processing-time")
    assert result.code == 0, result.err
    english, urdu = result.out.split("--- ur ---")
    assert "5 to 7 business days" in english
    assert any("\u0600" <= ch <= "\u06ff" for ch in urdu)

    unknown = cli("faq", "show", "weather")
    assert unknown.code == 2 and "processing-time" in unknown.err


async def test_retrain_with_nothing_taught_changes_nothing(cli: Cli, db: Database) -> None:
    result = cli("faq", "retrain")
    assert result.code == 0, result.err
    assert "No new phrasings to learn" in result.out


async def test_a_retrained_model_that_scores_lower_is_refused_and_says_by_how_much(
    cli: Cli, db: Database, tmp_path: Path
) -> None:
    pytest.importorskip("sklearn", reason="retraining needs the train extra")
    # A judged set the shipped model gets right, and a phrasing taught wrongly on purpose.
    question = "how long does a refund take to reach my bank"
    judge = tmp_path / "judge.jsonl"
    judge.write_text(json.dumps({"q": question, "topic": "processing-time"}) + "\n", "utf-8")
    assert cli("faq", "teach", question, "human").code == 0

    result = cli("faq", "retrain", "--judge", str(judge))

    assert result.code == 1, result.err
    assert "Refused" in result.out
    assert "top-1 100.0 points lower" in result.out
    async with db.uow() as uow:
        assert await FaqTeachingRepository(uow.session).head() is None  # nothing stored
    answer = json.loads(cli("faq", "ask", question, "--json").out)
    assert answer["topic"] == "processing-time"  # the bot still answers as before


def test_show_uses_the_operators_answers_and_a_broken_file_stops_the_command(
    cli: Cli, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.json"
    english = "Approved refunds are paid within 3 business days."
    urdu = "منظور شدہ ریفنڈ 3 کاروباری دنوں میں ادا ہوتا ہے۔"
    answers.write_text(
        json.dumps({"processing-time": {"en": english, "ur": urdu}}, ensure_ascii=False), "utf-8"
    )
    result = cli("faq", "show", "processing-time", env={"FAQ_ANSWERS_FILE": str(answers)})
    assert result.code == 0, result.err
    assert english in result.out and urdu in result.out

    answers.write_text(json.dumps({"processing-time": {"en": english}}), "utf-8")
    broken = cli("faq", "show", "processing-time", env={"FAQ_ANSWERS_FILE": str(answers)})
    assert broken.code == 2
    assert "the 'ur' answer is missing" in broken.err
