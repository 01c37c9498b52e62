"""FAQ topics and the free-text matcher, as a customer asking questions would notice them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conversations.catalog import faq_text
from conversations.chat import keyboards as kb
from conversations.faq import (
    FaqMatcher,
    FaqTopic,
    default_matcher,
    get_topic,
    load_groups,
    load_topics,
)
from conversations.faq.corpus import Example, data_hash, load_written, with_variations
from conversations.faq.decide import decide
from conversations.faq.model import Thresholds, load_model
from conversations.faq.normalise import words
from conversations.faq.privacy import scrub
from conversations.faq.topics import MAX_GROUP_TOPICS, NEXT_STEPS, parse_faq_data

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
    "payment-problem",
    "transaction-id",
]
SMALL_TALK_IDS = ["greeting", "thanks"]
LABELLED = Path(__file__).resolve().parent.parent / "data" / "faq_labelled.jsonl"


def ask(question: str) -> str | None:
    found = default_matcher().match(question)
    return found.topic.id if found.topic else None


def labelled_rows() -> list[dict[str, Any]]:
    lines = LABELLED.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# --- the topics -------------------------------------------------------------------------


def test_all_design_topics_exist_in_order() -> None:
    assert [t.id for t in load_topics()] == TOPIC_IDS + SMALL_TALK_IDS
    assert [t.id for t in load_topics() if t.small_talk] == SMALL_TALK_IDS


def test_the_menu_groups_list_every_topic_once_on_short_screens() -> None:
    groups = load_groups()
    listed = [topic_id for group in groups for topic_id in group.topic_ids]
    assert sorted(listed) == sorted(TOPIC_IDS)
    assert len(groups) + 1 <= 6  # the groups and the way back fit one screen
    assert all(len(g.topic_ids) <= MAX_GROUP_TOPICS == 5 for g in groups)
    assert all(0 < len(g.title) <= 30 for g in groups)


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
    assert "charged twice" in answer("payment-problem")
    assert "Talk to a person" in answer("payment-problem")
    assert "TX-1001" in answer("transaction-id")
    assert "receipt" in answer("transaction-id")


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
    assert steps["payment-problem"] == "human"


def test_get_topic_and_load_topics() -> None:
    assert get_topic("human") is load_topics()[TOPIC_IDS.index("human")]
    assert get_topic("no-such-topic") is None
    assert load_topics() is load_topics()
    assert default_matcher() is default_matcher()


@pytest.mark.parametrize(
    ("next_step", "first"),
    [
        ("claim", kb.MENU_CLAIM),
        ("status", kb.MENU_STATUS),
        ("human", kb.MENU_HUMAN),
        ("menu", kb.MENU_FAQ),
        ("faq", kb.MENU_FAQ),
    ],
)
def test_every_next_step_leads_somewhere_and_back(next_step: str, first: str) -> None:
    rows = kb.after_answer(next_step)
    assert next_step in NEXT_STEPS
    assert rows[0][0].data == first
    assert [b.data for b in rows[-1]] == [kb.MENU_FAQ, kb.MENU_MAIN]


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
    "payment-problem": "the money was taken from my card twice",
    "transaction-id": "where can i find the transaction id",
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


# Written for this test, not copied from the training data (checked below), so they show
# what a customer writing in Urdu script or Roman Urdu would get.
IN_URDU = [
    ("ریفنڈ ملنے میں کتنے دن لگیں گے؟", "processing-time"),
    ("میرے سارے میسج فیل ہو گئے ہیں", "undelivered"),
    ("مجھے اپنی رقم واپس چاہیے، کیسے ملے گی؟", "how-to-request"),
    ("پاکستان میں آپ کی سروس کیوں بند ہے", "pakistan"),
    ("کسی بندے سے بات کروا دیں", "human"),
    ("میرے اکاؤنٹ سے دو دفعہ پیسے کاٹ لیے گئے", "payment-problem"),
    ("yaar mere paise do dafa cut gaye hain", "payment-problem"),
    ("transaction id kahan se dhoondun", "transaction-id"),
    ("mera claim kis stage pe hai", "claim-status"),
    ("plan khud se renew ho gaya paisay wapis milenge?", "subscriptions"),
]


@pytest.mark.parametrize(("question", "topic_id"), IN_URDU)
def test_urdu_script_and_roman_urdu_questions_are_answered(question: str, topic_id: str) -> None:
    assert ask(question) == topic_id


def test_the_urdu_test_questions_are_not_in_the_training_data() -> None:
    trained = {" ".join(words(e.text)) for e in load_written()}
    assert not [q for q, _ in IN_URDU if " ".join(words(q)) in trained]


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


# --- unsure, small talk and off-topic ---------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "tell me a joke",
        "whats the weather in lahore",
        "who won the football match",
        "pakistan vs india match kab hai",
        "pakistan cricket score",
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


@pytest.mark.parametrize(
    "question",
    [
        # questions about the SMS business itself, worded like refund questions
        "how do i upload my contacts from an excel file",
        "how do i request a new sender id",
        "how do i send bulk sms",
        "what's your api rate limit",
        "how much is the 5000 sms package",
        "can i send sms to uae numbers",
        "does your api give delivery reports",
        "how do i subscribe to the monthly plan",
        "can i get a discount",
        "please send me the price list",
        "can I send whatsapp messages from your panel",
        "how do I schedule my campaign for next monday",
        "i forgot my login password",
        "please email me an invoice for last month",
        "sender id kaise register hoti hai",
        "کیا آپ کی سروس سے واٹس ایپ میسج جا سکتے ہیں؟",
    ],
)
def test_questions_about_the_sms_business_are_not_answered_as_refund_questions(
    question: str,
) -> None:
    found = default_matcher().match(question)
    assert found.is_off_topic, (found.topic, found.alternatives)


@pytest.mark.parametrize(
    ("question", "topic_id"),
    [
        ("hi", "greeting"),
        ("salam", "greeting"),
        ("assalam o alaikum", "greeting"),
        ("good morning", "greeting"),
        ("السلام علیکم", "greeting"),
        ("thanks", "thanks"),
        ("shukriya", "thanks"),
        ("thank you so much for the help", "thanks"),
        ("بہت شکریہ", "thanks"),
    ],
)
def test_greetings_and_thanks_get_small_talk(question: str, topic_id: str) -> None:
    found = default_matcher().match(question)
    assert found.topic is not None and found.topic.id == topic_id
    assert found.topic.small_talk
    assert "only help with refunds" not in found.topic.answer


@pytest.mark.parametrize("question", ["refund?", "refund", "money back"])
def test_a_vague_question_gets_a_topic_or_a_few_choices(question: str) -> None:
    found = default_matcher().match(question)
    if found.topic is None:
        ids = [t.id for t in found.alternatives]
        assert 2 <= len(ids) <= 3
        assert len(set(ids)) == len(ids)
        assert "how-to-request" in ids or "refund-policy" in ids
    else:
        assert found.topic.id in {"how-to-request", "refund-policy"}
    assert 0.0 < found.score <= 1.0


def test_small_talk_is_never_offered_as_a_choice() -> None:
    questions = [r["q"] for r in labelled_rows()] + ["refund?", "hello refund", "thanks money"]
    for question in questions:
        found = default_matcher().match(question)
        assert not any(t.small_talk for t in found.alternatives), question


THRESHOLDS = Thresholds(out_of_scope=0.1, confident=0.3)


def test_a_close_runner_up_comes_as_a_second_opinion_beside_the_answer() -> None:
    close = {"processing-time": 0.5, "undelivered": 0.3, "pakistan": 0.1, "out_of_scope": 0.01}
    found = decide(close, THRESHOLDS, {})
    assert (found.topic, found.second_opinion) == ("processing-time", "undelivered")
    far = {"processing-time": 0.8, "undelivered": 0.1, "out_of_scope": 0.01}
    assert decide(far, THRESHOLDS, {}).second_opinion is None


def test_small_talk_neither_gets_nor_is_a_second_opinion() -> None:
    greeting = {"greeting": 0.5, "human": 0.4, "out_of_scope": 0.01}
    assert decide(greeting, THRESHOLDS, {}, not_offered={"greeting"}).second_opinion is None
    thanks_close = {"human": 0.5, "thanks": 0.45, "claim-status": 0.05, "out_of_scope": 0.01}
    assert decide(thanks_close, THRESHOLDS, {}, not_offered={"thanks"}).second_opinion is None


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
    # Without its topic the question is about nothing the matcher knows: it is turned away.
    assert found.topic is None
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


def test_a_broken_data_file_is_refused_with_a_clear_reason() -> None:
    topic = {"id": "x", "title": "Short", "answer": "An answer.", "next_step": "menu"}
    raw: dict[str, Any] = {
        "topics": [dict(topic, title="A title far longer than any phone button allows")],
        "groups": [{"id": "g", "title": "Group", "topics": ["x"]}],
    }
    with pytest.raises(ValueError, match="title"):
        parse_faq_data(raw)
    raw["topics"] = [topic]
    raw["groups"] = [{"id": "g", "title": "Group", "topics": []}]
    with pytest.raises(ValueError, match="1 to 5 topics"):
        parse_faq_data(raw)
    raw["groups"] = [{"id": "g", "title": "Group", "topics": ["y"]}]
    with pytest.raises(ValueError, match="missing .'x'.*extra .'y'"):
        parse_faq_data(raw)
    raw["groups"] = [{"id": "g", "title": "Group", "topics": ["x"]}]
    raw["topics"] = [dict(topic, related=["nowhere"])]
    with pytest.raises(ValueError, match="unknown"):
        parse_faq_data(raw)


# --- the shipped weights ------------------------------------------------------------------


def test_the_shipped_weights_were_trained_on_the_current_training_data() -> None:
    # Fails after any edit to faq_training/ or to the feature code until the weights are
    # retrained with `python -m conversations.faq.train`.
    assert load_model().data_sha256 == data_hash()


def test_the_weights_cover_every_topic_the_out_of_scope_and_the_unsure_class() -> None:
    assert sorted(load_model().classes) == sorted([*TOPIC_IDS, *SMALL_TALK_IDS, "null", "unsure"])


def test_the_training_data_has_hundreds_of_questions_in_each_language() -> None:
    written = load_written()
    for lang in ("en", "roman", "ur"):
        assert sum(e.lang == lang for e in written) >= 200, lang
    for topic_id in TOPIC_IDS:
        assert sum(e.label == topic_id for e in written) >= 50, topic_id
    assert sum(e.label is None for e in written) >= 300


def test_each_question_is_also_trained_after_a_story_about_the_customer() -> None:
    question = Example("approve ho gaya paise kab aayenge", "processing-time", "roman", 0, False)
    off_topic = Example("what is the weather in lahore", None, "en", 1, False)
    hello = Example("assalam o alaikum", "greeting", "roman", 2, False)
    out = with_variations([question, off_topic, hello])
    assert out == with_variations([question, off_topic, hello])  # training is reproducible
    for item in (question, off_topic):
        told = [
            e
            for e in out
            if e.group == item.group and item.text in e.text and len(e.text) > len(item.text) + 30
        ]
        assert told and all(e.label == item.label and e.generated for e in told)
    # "hello, my sms failed" is not a greeting: small talk gets no story.
    assert all(len(e.text) <= len(hello.text) + 2 for e in out if e.group == hello.group)


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("ريفنڈ كب ملے گا", "ریفنڈ کب ملے گا"),  # Arabic yeh and kaf for the Urdu letters
        ("شكريه", "شکریہ"),  # Arabic heh for heh goal
        ("رِیفَنڈ", "ریفنڈ"),  # diacritics
        ("ری\u200cفنڈ\u200f", "ریفنڈ"),  # zero-width non-joiner and a direction mark
        ("آپ", "اپ"),  # alef madda typed as plain alef
        ("۴۸ گھنٹے", "48 گھنٹے"),  # Urdu digits
        ("REFUNDDDD kab milegaaa???", "refund kab milega"),
    ],
)
def test_spelling_variants_read_as_one_word(variant: str, plain: str) -> None:
    assert words(variant) == words(plain)


def test_arabic_keyboard_urdu_gets_the_same_answer_as_urdu_keyboard_urdu() -> None:
    urdu = default_matcher().match("ریفنڈ کب ملے گا؟")
    arabic = default_matcher().match("ريفنڈ كب ملے گا؟")
    assert urdu == arabic


# --- the labelled set: a quality gate ---------------------------------------------------


def test_labelled_set_covers_every_topic_and_off_topic_questions() -> None:
    rows = labelled_rows()
    assert len(rows) >= 90
    # The set predates the payment and transaction-id topics; it covers the first twelve.
    for topic_id in TOPIC_IDS[:12]:
        assert sum(r["topic"] == topic_id for r in rows) >= 6, topic_id
    assert sum(r["topic"] is None for r in rows) >= 20
    assert {r["topic"] for r in rows} <= {*TOPIC_IDS, *SMALL_TALK_IDS, None}
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


# --- from probabilities to an answer ------------------------------------------------------

BANDS = Thresholds(out_of_scope=0.3, confident=0.6)
RELATED = {"a": ("c", "b"), "b": ("a",), "c": ("a",)}


def test_a_sure_topic_is_answered() -> None:
    found = decide({"a": 0.7, "b": 0.2, "null": 0.1}, BANDS, RELATED)
    assert (found.topic, found.alternatives, found.score) == ("a", (), 0.7)


def test_out_of_scope_above_its_threshold_is_declined_even_with_a_likely_topic() -> None:
    found = decide({"a": 0.65, "b": 0.0, "null": 0.35}, BANDS, RELATED)
    assert (found.topic, found.alternatives, found.score) == (None, (), 0.0)


def test_an_unsure_topic_offers_the_close_ones_topped_up_with_related() -> None:
    found = decide({"a": 0.5, "b": 0.05, "c": 0.3, "null": 0.15}, BANDS, RELATED)
    assert found.topic is None and found.alternatives == ("a", "c")
    lone = decide({"a": 0.55, "b": 0.16, "c": 0.01, "null": 0.28}, BANDS, RELATED)
    assert lone.alternatives == ("a", "c")  # "c" is a's first related topic


def test_small_talk_is_answered_when_sure_but_never_offered() -> None:
    sure = decide({"hi": 0.9, "a": 0.05, "null": 0.05}, BANDS, RELATED, {"hi"})
    assert sure.topic == "hi"
    unsure = decide({"hi": 0.45, "a": 0.3, "b": 0.2, "null": 0.05}, BANDS, RELATED, {"hi"})
    assert unsure.topic is None and "hi" not in unsure.alternatives
    assert unsure.alternatives == ("a", "b")


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        ("call me on 0300 1234567", "call me on [number]"),
        ("mail ali@example.com   about it", "mail [e-mail] about it"),
        ("refund within 2 days for TX-1001?", "refund within 2 days for TX-1001?"),
        ("card 4111 1111 1111 1111", "card [number]"),
    ],
)
def test_kept_questions_lose_what_could_identify_the_customer(asked: str, kept: str) -> None:
    assert scrub(asked) == kept


# Issue 22's patterns, each in words the training data does not hold (checked below): who
# qualifies and by when, used credits, failures to Pakistani prefixes while abroad works, a
# decoy topic named before the real question, the same amount taken twice, and another
# company's refund, which is not ours to answer.
NEAR_MISSES = [
    ("in what situations am i allowed to claim my money back", "when-eligible"),
    ("claim karne ki akhri tareekh kya hai", "when-eligible"),
    ("کلیم کرنے کی مہلت کتنے دن کی ہے؟", "when-eligible"),
    ("if i already spent half the credits can i get those back", "subscriptions"),
    ("جو کریڈٹس استعمال ہو گئے ان کے پیسے واپس ہوں گے؟", "subscriptions"),
    ("all texts to 0300 numbers bounce but uk ones go through", "pakistan"),
    ("+92 numbers fail every time, +971 work fine", "pakistan"),
    ("jazz aur telenor users ko sms deliver nahi ho rahe", "pakistan"),
    ("ignore the international thing, when does my approved refund land", "processing-time"),
    ("two identical deductions this morning, why", "payment-problem"),
    ("aaj subah do dafa paise kat gaye", "payment-problem"),
    ("my foodpanda order came cold, how do i get a refund from them", None),
    ("daraz ne galat cheez bheji, refund kaise milega", None),
    ("فوڈ پانڈا والوں سے پیسے واپس کیسے لوں؟", None),
    ("i returned shoes on a marketplace two weeks ago, how long does the refund take", None),
    ("what is amazon's return policy", None),
]


@pytest.mark.parametrize(("question", "topic_id"), NEAR_MISSES)
def test_near_misses_get_the_topic_that_answers_them(question: str, topic_id: str | None) -> None:
    found = default_matcher().match(question)
    assert (found.topic.id if found.topic else None) == topic_id
    if topic_id is None:
        assert found.alternatives == ()


def test_the_near_miss_questions_are_not_in_the_training_data() -> None:
    trained = {" ".join(words(e.text)) for e in load_written()}
    assert not [q for q, _ in NEAR_MISSES if " ".join(words(q)) in trained]
