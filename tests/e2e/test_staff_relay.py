"""Talking to a person: questions that survive a restart, long messages in parts, support hours.
The relay both ways is in tests/conversations/test_staff_desk_unit.py."""

from __future__ import annotations

from conversations.domain import ClaimStatus
from storage.database import Database
from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    FakeClock,
    Running,
    StaffMember,
    file_claim,
    start_bot,
    stop_bot,
    wait_for_card,
)
from tests.fake_telegram import FakeTelegram


async def test_a_relayed_message_can_be_answered_after_a_restart(bot: Running) -> None:
    alice = Customer(bot.fake, 502, "Alice", "alice")
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    await alice.says("/human")
    await alice.says("Is anyone there?")
    relayed = await sara.next("From Alice")
    await bot.fake.settle()
    await stop_bot(bot)

    restarted = await start_bot(bot.fake, bot.db, bot.clock)
    try:
        await sara.reply(relayed, "Yes, how can we help?")
        answer = await alice.next("Support team")
        assert answer.text == "💬 Support team: Yes, how can we help?"
    finally:
        await stop_bot(restarted)


async def test_a_restart_between_the_question_and_the_answer(bot: Running) -> None:
    alice = Customer(bot.fake, 502, "Alice", "alice")
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    card = await wait_for_card(bot.fake, 1)
    await sara.press(card, "Ask customer")
    prompt = await sara.next("your question for the customer")
    await sara.reply(prompt, "Was the campaign sent from the web panel or the API?")
    await alice.next("our team asks")
    await bot.fake.settle()
    await stop_bot(bot)

    restarted = await start_bot(bot.fake, bot.db, bot.clock)
    try:
        await bot.jump(hours=3)
        thanks = await alice.says("From the API, with our own sender ID.")
        assert thanks.text == "Thanks, I've passed your answer to our team (claim #1)."
        answer = await sara.next("answered")
        assert answer.text == "💬 Claim #1: Alice answered:\nFrom the API, with our own sender ID."
        assert answer.reply_to_message_id == card.message_id
        edited = await bot.fake.wait_for_edit(
            STAFF_CHAT_ID, card.message_id, lambda m: "· in review" in (m.text or "")
        )
        assert "Customer answered: “From the API, with our own sender ID.”" in (edited.text or "")
        async with bot.db.uow() as uow:
            claim = await uow.claims.get(1)
        assert claim is not None and claim.status is ClaimStatus.IN_REVIEW
        # The answer was taken once: her next message is an ordinary one again.
        menu = await alice.says("hello")
        assert "Hi Alice" in (menu.text or "")
    finally:
        await stop_bot(restarted)


async def test_long_messages_are_relayed_in_parts_and_never_dropped(bot: Running) -> None:
    name = "Alice " + "Abdul-Rahman " * 4  # a long name makes the relayed copy the longer
    alice = Customer(bot.fake, 505, name, "alice_" + "k" * 25)
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    await alice.says("/human")
    words = [f"word{n:04d}" for n in range(444)]  # 3,995 characters, within the chat's limit
    await alice.says(" ".join(words))

    first = await sara.next("From Alice")
    second = await sara.next("Reply to this message")
    assert len(first.text) <= 4096 and len(second.text) <= 4096
    relayed = first.text + " " + second.text
    assert all(word in relayed for word in words)

    # A reply to either part reaches the customer, and a 5,000-character answer arrives whole.
    answer = "Thanks for the details. " + "x" * 4_976
    await sara.reply(first, answer)
    parts = [await alice.next("Support team"), await alice.next()]
    assert "".join(p.text for p in parts).endswith("x" * 4_976)
    assert all(len(p.text) <= 4096 for p in parts)


async def test_outside_support_hours_the_customer_is_told_when_to_expect_a_reply(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock
) -> None:
    fake_telegram.group(STAFF_CHAT_ID, "Refund staff")
    clock.advance(hours=6)  # Friday 14 Aug 2026, 15:30 UTC: 20:30 in Pakistan
    running = await start_bot(fake_telegram, db, clock, support_hours="Mon-Fri 09:00-18:00")
    try:
        ola = Customer(fake_telegram, 520, "Ola")
        start = await ola.says("/human")
    finally:
        await stop_bot(running)
    assert "I'll pass your messages to our support team" in start.text
    assert (
        "Our team answers Mon–Fri 09:00–18:00 (local time), so the reply will come after "
        "Mon 17 Aug, 09:00." in start.text
    )
