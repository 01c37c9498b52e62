"""Refund questions in the chat: by buttons, and typed in the customer's own words."""

from __future__ import annotations

import pytest

from conversations.faq import load_topics
from tests.e2e.harness import Customer, Running


async def test_every_faq_topic_is_reachable_by_buttons(bot: Running) -> None:
    lea = Customer(bot.fake, 901, "Lea")
    menu = await lea.says("/start")
    await lea.press(menu, "Refund questions")
    faq = await bot.fake.wait_for_edit(lea.chat_id, menu.message_id)
    assert "Pick a question" in faq.text
    for topic in load_topics():
        current = bot.fake.message(lea.chat_id, menu.message_id)
        if topic.title not in [label for row in current.buttons for label, _ in row]:
            await lea.press(current, "More questions")
            await bot.fake.wait_for_edit(lea.chat_id, menu.message_id)
            current = bot.fake.message(lea.chat_id, menu.message_id)
        await lea.press(current, topic.title)
        answer = await bot.fake.wait_for_edit(
            lea.chat_id, menu.message_id, lambda m, t=topic: m.text == t.answer
        )
        labels = [label for row in answer.buttons for label, _ in row]
        assert "❓ More questions" in labels  # every answer leads somewhere
    # The menu was edited in place the whole time: one message, no new ones.
    assert len(bot.fake.messages(lea.chat_id)) == 1


@pytest.mark.parametrize(
    ("question", "topic_title_word", "next_button"),
    [
        ("my messages were not deliverd what now", "deliver", "Ask for a refund"),
        ("how long does the refund take", "", None),
        ("refund kab milega", "", None),
        ("I bought a monthly subscription can i get money back", "ubscription", None),
    ],
)
async def test_typed_questions_get_an_answer_with_a_next_step(
    bot: Running, question: str, topic_title_word: str, next_button: str | None
) -> None:
    mo = Customer(bot.fake, 902, "Mo")
    answer = await mo.says(question)
    assert "I think you're asking about" in answer.text
    assert topic_title_word in answer.text
    labels = [label for row in answer.buttons for label, _ in row]
    if next_button:
        assert any(next_button in label for label in labels)


async def test_undelivered_answer_leads_into_a_claim(bot: Running) -> None:
    ned = Customer(bot.fake, 903, "Ned")
    answer = await ned.says("sms not delivered, do i get my credits back?")
    await ned.press(answer, "Ask for a refund")
    ask = await ned.next("transaction ID")
    assert "TX-1001" in ask.text


async def test_off_topic_question_says_what_the_bot_can_do(bot: Running) -> None:
    ola = Customer(bot.fake, 904, "Ola")
    reply = await ola.says("who won the football match yesterday")
    assert "I can only help with refunds" in reply.text
    assert reply.buttons


async def test_vague_question_offers_the_closest_topics(bot: Running) -> None:
    pia = Customer(bot.fake, 905, "Pia")
    reply = await pia.says("refund?")
    assert "Did you mean" in reply.text or "closest" in reply.text.lower(), reply.text
    labels = [label for row in reply.buttons for label, _ in row]
    assert len(labels) >= 3 and "None of these" in labels
    await pia.press(reply, labels[0])
    answer = await bot.fake.wait_for_edit(pia.chat_id, reply.message_id)
    topic = next(t for t in load_topics() if t.title == labels[0])
    assert answer.text == topic.answer


async def test_pakistan_question_shows_the_suspension_notice(bot: Running) -> None:
    raj = Customer(bot.fake, 906, "Raj")
    reply = await raj.says("can I still send sms in pakistan")
    assert "suspended" in reply.text and "PTA" in reply.text
