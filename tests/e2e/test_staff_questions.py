"""A staff question reaches the customer wherever they are in the chat, and is answered once."""

from __future__ import annotations

from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    Running,
    StaffMember,
    file_claim,
    wait_for_card,
)
from tests.fake_telegram import RecordedMessage

QUESTION = "Was the campaign sent from the web panel or the API?"


async def ask(
    sara: StaffMember, alice: Customer, card: RecordedMessage, question: str = QUESTION
) -> None:
    await sara.press(card, "Ask customer")
    prompt = await sara.next("your question for the customer")
    await sara.reply(prompt, question)
    await alice.next("our team asks")


async def test_a_question_asked_mid_claim_takes_the_next_message_as_its_answer(
    bot: Running,
) -> None:
    alice = Customer(bot.fake, 502, "Alice", "alice")
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    card = await wait_for_card(bot.fake, 1)
    asked_for_tx = await alice.says("/claim")
    assert "transaction ID" in (asked_for_tx.text or "")
    await ask(sara, alice, card)
    thanks = await alice.says("From the API.")
    assert thanks.text == "Thanks, I've passed your answer to our team (claim #1)."
    answer = await sara.next("answered")
    assert answer.text == "💬 Claim #1: Alice answered:\nFrom the API."


async def test_after_cancel_a_waiting_question_still_takes_the_next_message(
    bot: Running,
) -> None:
    alice = Customer(bot.fake, 502, "Alice", "alice")
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    await ask(sara, alice, await wait_for_card(bot.fake, 1))
    helped = await alice.says("/help")
    await alice.next("waiting for your answer")
    assert "/claim" in (helped.text or "")
    stopped = await alice.says("/cancel")
    assert stopped.text == "Okay, stopped. Nothing was sent."
    thanks = await alice.says("From the API.")
    assert thanks.text == "Thanks, I've passed your answer to our team (claim #1)."
    greeting = await alice.says("hello")
    assert "Hi Alice" in (greeting.text or "")


async def test_a_second_question_on_the_same_claim_is_answered_too(bot: Running) -> None:
    alice = Customer(bot.fake, 502, "Alice", "alice")
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    card = await wait_for_card(bot.fake, 1)
    await ask(sara, alice, card)
    await alice.says("From the API.")
    await bot.fake.wait_for_edit(
        STAFF_CHAT_ID, card.message_id, lambda m: "· in review" in (m.text or "")
    )
    await ask(sara, alice, card, "Which sender ID?")
    # She starts a claim instead: her next message goes to the claim, as she chose.
    await alice.says("/claim")
    asked = await alice.says("TX-4040")
    assert "phone number or e-mail" in (asked.text or "")
    await alice.says("/cancel")
    thanks = await alice.says("SMSALERT")
    assert thanks.text == "Thanks, I've passed your answer to our team (claim #1)."
    answer = await sara.next("SMSALERT")
    assert answer.text == "💬 Claim #1: Alice answered:\nSMSALERT"
