"""`faq ask`: what the bot would answer, one question or a stream of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conversations.faq import get_topic
from tests.cli.cli_process import Cli

TOPICS = {
    "refund-policy",
    "when-eligible",
    "how-to-request",
    "undelivered",
    "subscriptions",
    "processing-time",
    "international",
    "invalid-complaint",
    "not-beneficial",
    "pakistan",
    "claim-status",
    "human",
    "payment-problem",
    "transaction-id",
    "greeting",
    "thanks",
}


@pytest.fixture
def faq_cli(tmp_path: Path) -> Cli:
    return Cli(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}", tmp_path)


def test_one_question_as_json(faq_cli: Cli) -> None:
    result = faq_cli("faq", "ask", "How long does it take to process a refund?", "--json")

    assert result.code == 0, result.err
    answer = result.json()
    assert set(answer) >= {"topic", "score", "answer"}
    assert answer["topic"] == "processing-time"
    assert isinstance(answer["score"], float) and 0 < answer["score"] <= 1
    assert "5 to 7 business days" in answer["answer"]


def test_an_off_topic_question_has_no_topic(faq_cli: Cli) -> None:
    answer = faq_cli("faq", "ask", "What's the weather in Lahore tomorrow?", "--json").json()

    assert answer["topic"] is None
    assert answer["answer"] is None


def test_one_question_in_words(faq_cli: Cli) -> None:
    result = faq_cli("faq", "ask", "Do you refund subscription plans?")

    assert result.code == 0, result.err
    assert result.out.startswith("[subscriptions]")
    assert len(result.out.splitlines()) == 1


def test_standard_input_gives_one_json_line_per_question_and_skips_blank_lines(
    faq_cli: Cli,
) -> None:
    questions = [
        "Are there refunds for subscription plans?",
        "   ",
        "How long does it take to process a refund?",
        "Is your SMS service in Pakistan suspended?",
        "What's the weather in Lahore tomorrow?",
    ]

    result = faq_cli("faq", "ask", "--json", input="\n".join(questions) + "\n\n\n")

    assert result.code == 0, result.err
    answers = [json.loads(line) for line in result.out.splitlines()]
    assert len(answers) == len(questions) - 1, "the blank line is no question"
    assert [a["topic"] for a in answers] == [
        "subscriptions",
        "processing-time",
        "pakistan",
        None,
    ]
    for answer in answers:
        # An answered question carries its topic's own answer text; a turned-away one none.
        if answer["topic"] is None:
            assert answer["answer"] is None
        else:
            topic = get_topic(answer["topic"])
            assert topic is not None and answer["answer"] == topic.answer


def test_urdu_roman_urdu_small_talk_and_business_questions(faq_cli: Cli) -> None:
    questions = [
        "ریفنڈ آنے میں کتنے دن لگتے ہیں؟",
        "mere paise do dafa kat gaye",
        "shukriya",
        "how do i buy more sms credits",
    ]

    result = faq_cli("faq", "ask", "--json", input="\n".join(questions) + "\n")

    assert result.code == 0, result.err
    answers = [json.loads(line) for line in result.out.splitlines()]
    assert [a["topic"] for a in answers] == ["processing-time", "payment-problem", "thanks", None]
    assert "5 to 7 business days" in answers[0]["answer"]
    assert answers[3] == {"topic": None, "score": 0.0, "answer": None, "alternatives": []}


def test_an_unsure_answer_lists_the_choices(faq_cli: Cli) -> None:
    answer = faq_cli("faq", "ask", "i have a question about my refund", "--json").json()

    assert answer["topic"] is None and answer["answer"] is None
    assert 2 <= len(answer["alternatives"]) <= 3
    assert set(answer["alternatives"]) <= TOPICS
