"""FAQ topics and the free-text matcher, as a customer asking questions would notice them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conversations.catalog import faq_text
from conversations.faq import FaqMatcher, FaqTopic, default_matcher, get_topic, load_topics
from conversations.faq.topics import NEXT_STEPS, load_faq_data, parse_faq_data

TOPIC_IDS = [
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
]
LABELLED = Path(__file__).resolve().parent.parent / "data" / "faq_labelled.jsonl"


def ask(question: str) -> str | None:
    found = default_matcher().match(question)
    return found.topic.id if found.topic else None


def labelled_rows() -> list[dict[str, Any]]:
    lines = LABELLED.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# --- the topics -------------------------------------------------------------------------


def test_all_design_topics_exist_in_order() -> None:
    assert [t.id for t in load_topics()] == TOPIC_IDS


@pytest.mark.parametrize("topic", load_topics(), ids=lambda t: t.id)
def test_every_topic_has_a_short_title_an_answer_and_a_next_step(topic: FaqTopic) -> None:
    assert 0 < len(topic.title) <= 30
    assert len(topic.answer) >= 40
    assert topic.next_step in NEXT_STEPS


def test_answers_state_the_policy_numbers_exactly() -> None:
    def answer(topic_id: str) -> str:
        topic = get_topic(topic_id)
        assert topic is not None
        return topic.answer

    assert "2 days (48 hours)" in answer("refund-policy")
    assert "2 days (48 hours)" in answer("when-eligible")
    assert "48 hours" in answer("how-to-request")
    assert "within 24 hours of your campaign" in answer("undelivered")
    assert "5 to 7 business days" in answer("processing-time")
    assert "bank or payment provider" in answer("processing-time")
    assert "subscriptions are not refunded" in answer("subscriptions")
    assert "carrier or network failure" in answer("international")
    assert "can't refund" in answer("international")
    assert "final say" in answer("invalid-complaint")
    assert "smaller package or a trial" in answer("not-beneficial")
    assert "/status" in answer("claim-status")


def test_pakistan_answer_gives_the_suspension_notice_in_plain_words() -> None:
    topic = get_topic("pakistan")
    assert topic is not None
    assert "Pakistan are suspended" in topic.answer
    assert "PTA (Pakistan Telecommunication Authority)" in topic.answer


def test_next_step_follows_the_topic() -> None:
    steps = {t.id: t.next_step for t in load_topics()}
    assert steps["undelivered"] == "claim"
    assert steps["how-to-request"] == "claim"
    assert steps["claim-status"] == "status"
    assert steps["processing-time"] == "status"
    assert steps["human"] == "human"


def test_get_topic_and_load_topics() -> None:
    assert get_topic("human") is load_topics()[-1]
    assert get_topic("no-such-topic") is None
    assert load_topics() is load_topics()
    assert default_matcher() is default_matcher()


def test_every_next_step_has_a_button_label() -> None:
    assert set(faq_text.NEXT_STEP_LABELS) == NEXT_STEPS
    assert all(len(label) <= 30 for label in faq_text.NEXT_STEP_LABELS.values())


def test_guess_intro_names_the_topic() -> None:
    text = faq_text.answer_with_intro("Our refund policy", "We refund ...")
    assert text.startswith("I think you're asking about: Our refund policy")
    assert text.endswith("We refund ...")


# --- reaching each topic ----------------------------------------------------------------

TYPICAL = {
    "refund-policy": "what is your refund policy",
    "when-eligible": "am i still eligible for a refund",
    "how-to-request": "how do i ask for a refund",
    "undelivered": "my messages were not delivered",
    "subscriptions": "can i get a refund on my subscription",
    "processing-time": "how long does a refund take",
    "international": "international sms failed, refund?",
    "invalid-complaint": "my refund claim was rejected",
    "not-beneficial": "the service was not useful for me, refund",
    "pakistan": "is your sms service working in pakistan",
    "claim-status": "what is the status of my claim",
    "human": "i want to talk to a person",
}


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_every_topic_is_reached_by_a_typical_question(topic_id: str) -> None:
    found = default_matcher().match(TYPICAL[topic_id])
    assert found.topic is not None and found.topic.id == topic_id
    assert found.alternatives == ()
    assert 0.0 < found.score <= 1.0


@pytest.mark.parametrize(
    ("question", "topic_id"),
    [
        # typos, shouting, no punctuation
        ("wat is ur refnd polcy", "refund-policy"),
        ("REFUND POLICY???", "refund-policy"),
        ("how long dose a refund tkae", "processing-time"),
        ("my mesages were not deliverd", "undelivered"),
        ("subscrpition refund", "subscriptions"),
        ("whats the stauts of my claim", "claim-status"),
        ("internatonal sms faild refund", "international"),
        ("can i speek to a represntative", "human"),
        # Roman Urdu, alone and mixed with English
        ("refund kab milega", "processing-time"),
        ("kitne din lagenge paise wapas aane mein", "processing-time"),
        ("message nahi gaya customers ko", "undelivered"),
        ("paisay wapas chahiye", "how-to-request"),
        ("refund ka tarika kya hai", "how-to-request"),
        ("pakistan mein sms kyun band hai", "pakistan"),
        ("mera claim kahan tak pohncha", "claim-status"),
        ("kisi insaan se baat karni hai", "human"),
        ("faida nahi hua paise wapas karo", "not-beneficial"),
        ("claim reject ho gaya kyun", "invalid-complaint"),
    ],
)
def test_real_phrasing_hits_the_right_topic(question: str, topic_id: str) -> None:
    assert ask(question) == topic_id


@pytest.mark.parametrize(
    ("story", "topic_id"),
    [
        (
            "Hello, I run a small pharmacy and yesterday evening I sent a reminder to about "
            "1500 of my regular customers through your website. This morning several of them "
            "told me they got nothing, and the report in my panel shows hundreds of failed "
            "messages. I bought the credits only two days ago specially for this and I am "
            "quite disappointed because my customers rely on these reminders and some of "
            "them missed their pickup. I have been a customer for a while and never had this "
            "problem before, so I hope you can look into it quickly. can i get my money back",
            "undelivered",
        ),
        (
            "hi there, last month my manager signed us up for your monthly plan because we "
            "wanted to send promotions, but then the whole project was cancelled by head "
            "office and we never actually used it much. now it has renewed again this month "
            "and we were charged again without anyone noticing in time. our finance team is "
            "asking me to sort this out before the end of the week and i really do not want "
            "to get in trouble for this, because it was my job to keep an eye on it. is there "
            "any way we can cancel it and get the "
            "money back for this month",
            "subscriptions",
        ),
        (
            "good afternoon. about ten days ago your team approved my refund for the outage "
            "on the 3rd, i received the message in this chat saying it was approved and that "
            "the money would be sent. i have been checking my bank account every day since "
            "then and nothing has arrived. my accountant keeps asking me about it and i do "
            "not know what to tell him anymore. i am not angry, i just want to understand "
            "the timeline and whether this is normal or something went wrong on the way. "
            "how many days does it usually take",
            "processing-time",
        ),
    ],
)
def test_a_long_rambling_message_is_read_for_its_topic(story: str, topic_id: str) -> None:
    assert len(story) >= 500
    assert ask(story) == topic_id


# --- unsure and off-topic ---------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "hi",
        "salam",
        "assalam o alaikum",
        "good morning",
        "thanks",
        "tell me a joke",
        "whats the weather in lahore",
        "how do i send bulk sms",
        "what's your api rate limit",
        "how much is the 5000 sms package",
        "who won the football match",
        "can i send sms to uae numbers",
        "does your api give delivery reports",
        "how do i subscribe to the monthly plan",
        "pakistan vs india match kab hai",
        "pakistan cricket score",
        "can i get a discount",
        "please send me the price list",
        "",
        "   ",
        "???",
        "\U0001f600\U0001f44d",
    ],
)
def test_off_topic_questions_get_no_topic_and_no_choices(question: str) -> None:
    found = default_matcher().match(question)
    assert found.topic is None
    assert found.alternatives == ()
    assert found.is_off_topic
    assert found.score == 0.0


@pytest.mark.parametrize("question", ["refund?", "refund", "money back"])
def test_a_vague_question_gets_a_topic_or_a_few_choices(question: str) -> None:
    found = default_matcher().match(question)
    if found.topic is None:
        ids = [t.id for t in found.alternatives]
        assert 2 <= len(ids) <= 3
        assert len(set(ids)) == len(ids)
        assert "refund-policy" in ids
    assert 0.0 < found.score <= 1.0


@pytest.mark.parametrize(
    "question",
    [
        "Pakistan",
        "pakistan?",
        "PK",
        "what about pakistan",
        "is pakistan working",
        "PK sms band hai kya",
        "sms to pakistan numbers",
        "what about PTA",
        "paksitan",
    ],
)
def test_any_mention_of_pakistan_gets_the_suspension_notice(question: str) -> None:
    found = default_matcher().match(question)
    assert found.topic is not None and found.topic.id == "pakistan"
    assert found.alternatives == ()


def test_an_undelivered_pakistan_campaign_gets_an_answer_about_it() -> None:
    assert ask("refund for pakistan campaign not delivered") in {"pakistan", "undelivered"}


@pytest.mark.parametrize(
    "question",
    [
        "can I get a refund?",
        "i want a refund",
        "refund please",
        "refund plz",
        "how do i get my money back",
        "can i get my money back",
        "can you refund me",
        "please refund my credits",
    ],
)
def test_a_plain_request_for_a_refund_leads_to_filing_a_claim(question: str) -> None:
    found = default_matcher().match(question)
    assert found.topic is not None and found.topic.id == "how-to-request"
    assert found.topic.next_step == "claim"
    assert "refund claim" in found.topic.answer


@pytest.mark.parametrize(
    ("question", "topic_id"),
    [
        ("can i get a refund if messages failed", "undelivered"),
        ("can i get a refund after 3 days", "when-eligible"),
        ("can i get a refund for my subscription", "subscriptions"),
        ("i want refund status", "claim-status"),
        ("plz tell me your refund policy", "refund-policy"),
    ],
)
def test_a_refund_request_with_a_reason_gets_the_answer_for_that_reason(
    question: str, topic_id: str
) -> None:
    assert ask(question) == topic_id


def test_a_huge_paste_is_answered_quickly_without_error() -> None:
    paste = "my sms were not delivered and i want a refund " * 100
    found = default_matcher().match(paste)
    assert found.topic is not None and found.topic.id == "undelivered"


# --- custom topic sets and data ---------------------------------------------------------


def test_a_matcher_over_some_topics_answers_only_from_those() -> None:
    without_pakistan = [t for t in load_topics() if t.id != "pakistan"]
    found = FaqMatcher(without_pakistan).match("is your service working in pakistan")
    assert found.topic is None or found.topic.id != "pakistan"
    assert all(t.id != "pakistan" for t in found.alternatives)


def test_a_matcher_returns_the_topics_it_was_given() -> None:
    plain = get_topic("human")
    assert plain is not None
    reworded = FaqTopic(plain.id, plain.title, "Our team will reply here.", plain.next_step)
    found = FaqMatcher([reworded]).match("i want to talk to a real person")
    assert found.topic is reworded


def test_a_matcher_refuses_a_topic_it_has_no_rules_for() -> None:
    with pytest.raises(ValueError, match="made-up"):
        FaqMatcher([FaqTopic("made-up", "Made up", "An answer long enough.", "menu")])


@pytest.mark.parametrize("rule", load_faq_data().rules.values(), ids=lambda r: r.topic_id)
def test_the_example_phrasings_in_the_data_file_match_their_topic(rule: Any) -> None:
    assert rule.examples
    for example in rule.examples:
        assert ask(example) == rule.topic_id, example


def test_a_broken_data_file_is_refused_with_a_clear_reason() -> None:
    raw = json.loads(
        json.dumps(
            {
                "concepts": {"refund": ["refund"]},
                "topics": [
                    {
                        "id": "x",
                        "title": "A title far longer than any phone button allows",
                        "answer": "a",
                        "next_step": "menu",
                        "requires": [["refund"]],
                        "keywords": {"refund": 1},
                    }
                ],
            }
        )
    )
    with pytest.raises(ValueError, match="title"):
        parse_faq_data(raw)
    raw["topics"][0]["title"] = "Short"
    raw["topics"][0]["keywords"] = {"nonsense": 1}
    with pytest.raises(ValueError, match="unknown concepts"):
        parse_faq_data(raw)


# --- the labelled set: a quality gate ---------------------------------------------------


def test_labelled_set_covers_every_topic_and_off_topic_questions() -> None:
    rows = labelled_rows()
    assert len(rows) >= 90
    for topic_id in TOPIC_IDS:
        assert sum(r["topic"] == topic_id for r in rows) >= 6, topic_id
    assert sum(r["topic"] is None for r in rows) >= 20
    assert {r["topic"] for r in rows} <= {*TOPIC_IDS, None}
    holdout = sum(r.get("split") == "holdout" for r in rows)
    assert 0.25 <= holdout / len(rows) <= 0.35


def test_labelled_set_accuracy_is_at_least_90_percent() -> None:
    rows = labelled_rows()
    correct = 0
    for row in rows:
        found = default_matcher().match(row["q"])
        assert 0.0 <= found.score <= 1.0
        got = found.topic.id if found.topic else None
        correct += got == row["topic"] and (row["topic"] is not None or not found.alternatives)
    assert correct / len(rows) >= 0.9
