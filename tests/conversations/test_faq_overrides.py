"""The operator's FAQ answers: both languages required, checked before anything answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conversations import i18n
from conversations.faq import get_topic
from conversations.faq.matcher import default_matcher, reset_model
from conversations.faq.overrides import apply_answers, parse_answers, reset_answers

ENGLISH = "Approved refunds are paid within 3 business days."
URDU = "منظور شدہ ریفنڈ 3 کاروباری دنوں میں ادا ہوتا ہے۔"


@pytest.fixture(autouse=True)
def shipped_answers_afterwards() -> Iterator[None]:
    yield
    reset_answers()
    reset_model()


def test_an_answer_replaces_the_shipped_one_in_both_languages() -> None:
    apply_answers(parse_answers({"processing-time": {"en": ENGLISH, "ur": URDU}}))
    reset_model()

    topic = get_topic("processing-time")
    assert topic is not None and topic.answer == ENGLISH
    found = default_matcher().match("how long does a refund take")
    assert found.topic is not None and found.topic.answer == ENGLISH
    with i18n.use(i18n.URDU):
        assert i18n._(topic.answer) == URDU


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"processing-time": {"en": ENGLISH}}, "the 'ur' answer is missing"),
        ({"processing-time": {"ur": URDU}}, "the 'en' answer is missing"),
        ({"processing-time": {"en": ENGLISH, "ur": "in english"}}, "not in Urdu script"),
        ({"refund-speed": {"en": ENGLISH, "ur": URDU}}, "unknown topic 'refund-speed'"),
        (["processing-time"], "expected an object"),
    ],
)
def test_a_broken_answer_is_refused_with_the_reason(raw: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_answers(raw)
