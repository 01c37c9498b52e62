"""Without a staff chat, the FAQ never promises a person: it says so first, with the contact."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from conversations.faq import load_groups, load_topics
from storage.database import Database
from tests.e2e.harness import Customer, FakeClock, Running, start_bot, stop_bot
from tests.fake_telegram import FakeTelegram


def labels_of(message: object) -> list[str]:
    return [label for row in message.buttons for label, _ in row]  # type: ignore[attr-defined]


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
