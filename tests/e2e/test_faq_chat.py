"""Refund questions in the chat: by buttons, and typed in the customer's own words."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from conversations.faq import load_groups, load_topics
from storage.database import Database
from tests.e2e.harness import Customer, FakeClock, Running, start_bot, stop_bot
from tests.fake_telegram import FakeTelegram


def labels_of(message: object) -> list[str]:
    return [label for row in message.buttons for label, _ in row]  # type: ignore[attr-defined]


async def test_every_faq_topic_is_reachable_by_buttons_on_short_screens(bot: Running) -> None:
    lea = Customer(bot.fake, 901, "Lea")
    menu = await lea.says("/start")
    await lea.press(menu, "Refund questions")
    faq = await bot.fake.wait_for_edit(lea.chat_id, menu.message_id)
    assert "Pick a question" in faq.text
    group_labels = [g.title for g in load_groups()]
    assert labels_of(faq) == [*group_labels, "⬅️ Main menu"]
    reached = set()
    for group in load_groups():
        current = bot.fake.message(lea.chat_id, menu.message_id)
        if group.title not in labels_of(current):
            await lea.press(current, "More questions")
            current = await bot.fake.wait_for_edit(
                lea.chat_id, menu.message_id, lambda m, g=group: g.title in labels_of(m)
            )
        await lea.press(current, group.title)
        screen = await bot.fake.wait_for_edit(
            lea.chat_id,
            menu.message_id,
            lambda m, g=group: len(labels_of(m)) == len(g.topic_ids) + 1,
        )
        assert len(labels_of(screen)) <= 6  # fits a phone screen
        for topic_id in group.topic_ids:
            topic = next(t for t in load_topics() if t.id == topic_id)
            current = bot.fake.message(lea.chat_id, menu.message_id)
            if topic.title not in labels_of(current):
                await lea.press(current, "More questions")
                await bot.fake.wait_for_edit(
                    lea.chat_id, menu.message_id, lambda m, g=group: g.title in labels_of(m)
                )
                await lea.press(bot.fake.message(lea.chat_id, menu.message_id), group.title)
                await bot.fake.wait_for_edit(
                    lea.chat_id, menu.message_id, lambda m, t=topic: t.title in labels_of(m)
                )
                current = bot.fake.message(lea.chat_id, menu.message_id)
            await lea.press(current, topic.title)
            answer = await bot.fake.wait_for_edit(
                lea.chat_id, menu.message_id, lambda m, t=topic: m.text == t.answer
            )
            assert "❓ More questions" in labels_of(answer)  # every answer leads somewhere
            reached.add(topic.id)
    assert reached == {t.id for t in load_topics() if not t.small_talk}
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
    assert "contact our sales or support team" in reply.text  # no SUPPORT_CONTACT set
    assert reply.buttons


@pytest.fixture
async def bot_with_contact(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock
) -> AsyncIterator[Running]:
    running = await start_bot(fake_telegram, db, clock, support_contact="sales@smsco.example")
    try:
        yield running
    finally:
        await stop_bot(running)


@pytest.mark.parametrize(
    "question",
    [
        "how do i upload my contacts from an excel file",
        "how do I get a new sender id for my shop",
        "can you send me your price list for 10k sms",
        "kya aap whatsapp par bhi message bhejte hain",
    ],
)
async def test_business_questions_get_a_pointer_to_the_sales_and_support_contact(
    bot_with_contact: Running, question: str
) -> None:
    uma = Customer(bot_with_contact.fake, 911, "Uma")
    reply = await uma.says(question)
    assert "please contact our team: sales@smsco.example" in reply.text
    assert "I think you're asking about" not in reply.text


@pytest.mark.parametrize(
    ("question", "reply_word"),
    [("good morning", "Hello"), ("السلام علیکم", "Hello"), ("shukriya", "welcome")],
)
async def test_greetings_and_thanks_get_a_friendly_reply(
    bot: Running, question: str, reply_word: str
) -> None:
    vic = Customer(bot.fake, 912, "Vic")
    reply = await vic.says(question)
    assert reply_word in reply.text
    assert "only help with refunds" not in reply.text
    assert "I think you're asking about" not in reply.text


@pytest.mark.parametrize(
    ("question", "answer_words"),
    [
        ("ریفنڈ آنے میں کتنے دن لگتے ہیں؟", "5 to 7 business days"),
        ("mere customers tak sms pohanche hi nahi", "within 24 hours of your campaign"),
    ],
)
async def test_urdu_script_and_roman_urdu_questions_are_answered(
    bot: Running, question: str, answer_words: str
) -> None:
    wes = Customer(bot.fake, 913, "Wes")
    reply = await wes.says(question)
    assert "I think you're asking about" in reply.text
    assert answer_words in reply.text


async def test_a_double_charge_is_explained_and_a_person_offered(bot: Running) -> None:
    xia = Customer(bot.fake, 914, "Xia")
    reply = await xia.says("you took the money from my card 2 times for one package")
    assert "charged twice" in reply.text
    assert "🙋 Talk to a person" in labels_of(reply)


async def test_vague_question_offers_the_closest_topics(bot: Running) -> None:
    pia = Customer(bot.fake, 905, "Pia")
    reply = await pia.says("i have a question about my refund")
    assert reply.text == "Did you mean one of these?", reply.text
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


async def test_answers_can_be_rated_and_unplaced_questions_are_kept_without_numbers(
    bot: Running,
) -> None:
    rae = Customer(bot.fake, 931, "Rae")
    answer = await rae.says("how long does a refund take to reach my bank")
    await rae.press(answer, "Not really")
    sorry = await bot.fake.wait_for_edit(rae.chat_id, answer.message_id)
    assert "Sorry that didn't help" in (sorry.text or "")
    assert ["🙋 Talk to a person"] in [[label for label, _ in row] for row in sorry.buttons]

    await rae.says("what is the weather in lahore, call me on 0300 1234567 or rae@example.com")
    async with bot.db.uow() as uow:
        misses = await uow.faq.top_misses(5)
        ratings = await uow.faq.ratings()
    assert ratings == {"processing-time": (0, 1)}
    assert len(misses) == 1
    kept, count = misses[0]
    assert count == 1 and "lahore" in kept
    assert "1234567" not in kept and "rae@example.com" not in kept


@pytest.fixture
async def bot_without_staff(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock
) -> AsyncIterator[Running]:
    running = await start_bot(
        fake_telegram, db, clock, staff_chat_id=None, support_contact="help@smsco.example"
    )
    try:
        yield running
    finally:
        await stop_bot(running)


async def test_without_a_staff_chat_the_faq_promises_no_person(bot_without_staff: Running) -> None:
    bot = bot_without_staff
    noor = Customer(bot.fake, 921, "Noor")
    menu = await noor.says("/start")
    await noor.press(menu, "Refund questions")
    faq = await bot.fake.wait_for_edit(noor.chat_id, menu.message_id)
    (group,) = [g for g in load_groups() if "human" in g.topic_ids]
    (topic,) = [t for t in load_topics() if t.id == "human"]
    await noor.press(faq, group.title)
    listed = await bot.fake.wait_for_edit(
        noor.chat_id, menu.message_id, lambda m: topic.title in str(m.buttons)
    )
    await noor.press(listed, topic.title)
    answer = await bot.fake.wait_for_edit(
        noor.chat_id, menu.message_id, lambda m: "help@smsco.example" in (m.text or "")
    )
    # The truth at the first step, with where people are, and no button to nobody.
    assert "Our team can't answer in this chat right now" in answer.text
    assert "A person will reply to you here" not in answer.text
    assert "🙋 Talk to a person" not in labels_of(answer)
