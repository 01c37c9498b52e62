"""A staff chat with topics: each claim gets its own topic, and its work stays in it."""

from __future__ import annotations

from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    Running,
    StaffMember,
    file_claim,
)


async def test_each_claim_gets_its_own_topic_and_its_work_stays_there(forum_bot: Running) -> None:
    bot = forum_bot
    alice = Customer(bot.fake, 502, "Alice")
    ben = Customer(bot.fake, 503, "Ben")
    await file_claim(alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP")
    await file_claim(ben, "TX-1008", "demo8@example.com", "Couldn't send")
    first = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "Claim #1" in m.text)
    second = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "Claim #2" in m.text)
    topics = bot.fake.topics(STAFF_CHAT_ID)
    assert topics[first.thread_id] == "Claim #1" and topics[second.thread_id] == "Claim #2"
    assert first.thread_id != second.thread_id

    # Asking the customer from the card: the prompt, and later the answer, land in the topic.
    staff = StaffMember(bot.fake, 9001, "Sam", db=bot.db)
    await staff.known(first)
    await bot.fake.press(STAFF_CHAT_ID, staff.user, first.message_id, first.button("Ask"))
    prompt = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "reply to this" in m.text)
    assert prompt.thread_id == first.thread_id
    await staff.known(prompt)
    await bot.fake.send_text(
        STAFF_CHAT_ID,
        staff.user,
        "Which numbers did you send to?",
        reply_to_message_id=prompt.message_id,
        message_thread_id=first.thread_id,
    )
    await alice.next("our team asks")
    await alice.send("Numbers in Lahore, all on one network.")
    answer = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "Lahore" in m.text)
    assert answer.thread_id == first.thread_id


async def test_a_claim_whose_topic_staff_deleted_still_reaches_them(forum_bot: Running) -> None:
    bot = forum_bot
    alice = Customer(bot.fake, 502, "Alice")
    await file_claim(alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP")
    card = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "Claim #1" in m.text)
    staff = StaffMember(bot.fake, 9001, "Sam", db=bot.db)
    await staff.known(card)
    await bot.fake.press(STAFF_CHAT_ID, staff.user, card.message_id, card.button("Ask"))
    prompt = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "reply to this" in m.text)
    await staff.known(prompt)
    await bot.fake.send_text(
        STAFF_CHAT_ID,
        staff.user,
        "Which numbers did you send to?",
        reply_to_message_id=prompt.message_id,
        message_thread_id=card.thread_id,
    )
    await alice.next("our team asks")
    assert card.thread_id is not None
    bot.fake.delete_topic(STAFF_CHAT_ID, card.thread_id)

    # The answer is bound for the deleted topic: it reaches staff all the same.
    await alice.send("Numbers in Lahore, all on one network.")
    answer = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "Lahore" in m.text)
    assert answer.thread_id != card.thread_id


async def test_a_forum_where_the_bot_may_not_open_topics_gets_its_cards_in_the_main_thread(
    forum_bot: Running,
) -> None:
    bot = forum_bot
    bot.fake.fail_next("createForumTopic", 400, "Bad Request: not enough rights to create a topic")
    alice = Customer(bot.fake, 502, "Alice")
    await file_claim(alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP")
    card = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "Claim #1" in m.text)
    assert card.thread_id is None
