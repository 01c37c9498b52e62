"""Wrong answers, second thoughts, odd input, restarts, re-deliveries and races."""

from __future__ import annotations

import asyncio

import pytest

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
from tests.fake_telegram import FakeTelegram, RecordedMessage


async def test_three_wrong_contacts_lock_the_transaction_for_an_hour(bot: Running) -> None:
    mallory = Customer(bot.fake, 801, "Mallory")
    await mallory.says("/claim")
    await mallory.says("TX-1001")
    first = await mallory.says("0300 9999999")
    assert "couldn't match transaction TX-1001 to that phone number or e-mail" in first.text
    # Nothing about the purchase was shown to someone who has not proven it is theirs.
    assert "credits" not in first.text
    await mallory.says("TX-1001")
    not_contact = await mallory.says("my account")
    assert "doesn't look like a phone number" in not_contact.text
    second = await mallory.says("someone@example.com")
    assert "couldn't match" in second.text and "wait" not in second.text
    await mallory.says("TX-1001")
    locked = await mallory.says("+44 7700 900123")
    assert "locked it for one hour" in locked.text and "15:30 PKT" in locked.text
    # Three misses in a row: Mallory herself waits a minute, and is told until when.
    await mallory.says("/claim")
    wait = await mallory.says("TX-1001")
    assert "please wait until 14 Aug 2026, 14:31 PKT" in wait.text
    # After her wait the transaction is still locked, even with the right e-mail.
    await bot.jump(minutes=2)
    await mallory.says("/claim")
    await mallory.says("TX-1001")
    still = await mallory.says("demo1@example.com")
    assert "Transaction TX-1001 is locked until 14 Aug 2026, 15:30 PKT" in still.text
    # An hour later the lock is gone.
    await bot.jump(hours=1, seconds=1)
    await mallory.says("/claim")
    again = await mallory.says("TX-1001")
    assert "phone number or e-mail" in again.text
    assert "What went wrong?" in (await mallory.says("demo1@example.com")).text
    assert all("120" not in text for text in mallory.texts())


async def test_unknown_transaction_is_reasked_then_a_person_is_offered(bot: Running) -> None:
    zed = Customer(bot.fake, 802, "Zed")
    await zed.says("/claim")
    bad = await zed.says("hello there")
    assert "doesn't look like a transaction ID" in bad.text
    asked = await zed.says("TX-9999")
    assert "phone number or e-mail" in asked.text
    first = await zed.says("0300 1234567")
    assert (
        "couldn't match transaction TX-9999" in first.text
        and "send the transaction ID" in first.text
    )
    await zed.says("TX-9998")
    await zed.says("0300 1234567")
    await zed.says("TX-9997")
    offer = await zed.says("0300 1234567")
    assert "please wait until 14 Aug 2026, 14:31 PKT" in offer.text
    assert any("Talk to a person" in label for row in offer.buttons for label, _ in row)


async def test_duplicate_claim_shows_the_existing_claim(bot: Running) -> None:
    ann = Customer(bot.fake, 803, "Ann")
    decision = await file_claim(
        ann, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP-1001"
    )
    assert "claim #1" in decision.text
    await ann.says("/claim")
    await ann.says("TX-1001")
    duplicate = await ann.says("demo1@example.com")
    assert "already a claim for TX-1001" in duplicate.text
    assert "#1" in duplicate.text and "waiting for our team" in duplicate.text


async def test_status_shows_only_my_own_claims(bot: Running) -> None:
    ann = Customer(bot.fake, 804, "Ann")
    ben = Customer(bot.fake, 805, "Ben")
    await file_claim(ann, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP-1001")
    await file_claim(ben, "TX-1003", "demo3@example.com", "Not what I needed")
    status = await ann.says("/status")
    assert "TX-1001" in status.text and "TX-1003" not in status.text
    status = await ben.says("/status")
    assert "TX-1003" in status.text and "TX-1001" not in status.text
    assert "not eligible" in status.text
    nobody = Customer(bot.fake, 806, "Cy")
    empty = await nobody.says("/status")
    assert "no refund claims yet" in empty.text


STEPS = ["tx", "owner", "reason", "campaign", "confirm"]


async def _walk_to(customer: Customer, step: str) -> None:
    await customer.says("/claim")
    if step == "tx":
        return
    await customer.says("TX-1001")
    if step == "owner":
        return
    reasons = await customer.says("demo1@example.com")
    if step == "reason":
        return
    await customer.press(reasons, "not delivered")
    campaigns = await customer.next("which campaign")
    if step == "campaign":
        return
    await customer.press(campaigns, "CMP-1001")
    await customer.next("check your claim")


@pytest.mark.parametrize("step", STEPS)
async def test_cancel_in_every_step_returns_to_the_menu(bot: Running, step: str) -> None:
    cy = Customer(bot.fake, 810 + STEPS.index(step), "Cy")
    await _walk_to(cy, step)
    cancelled = await cy.says("/cancel")
    assert "stopped" in cancelled.text.lower()
    assert cancelled.buttons  # the main menu
    # A phone number is no longer an answer to anything (a transaction id would start a new
    # claim lookup, so it cannot tell).
    reply = await cy.says("0300 1110001")
    assert "I don't need that right now" in reply.text


BACK_TO = {
    "tx": "What would you like to do?",
    "owner": "transaction ID",
    "reason": "transaction ID",
    "campaign": "What went wrong?",
    "confirm": "Which campaign",
}


@pytest.mark.parametrize("step", STEPS)
async def test_back_goes_one_step_back(bot: Running, step: str) -> None:
    di = Customer(bot.fake, 820 + STEPS.index(step), "Di")
    await _walk_to(di, step)
    back = await di.says("/back")
    assert BACK_TO[step] in back.text


async def test_stickers_photos_and_huge_pastes_get_a_helpful_answer(bot: Running) -> None:
    eve = Customer(bot.fake, 830, "Eve")
    await eve.says("/claim")
    await bot.fake.send_sticker(eve.chat_id, eve.user)
    sticker = await eve.next()
    assert "only read text" in sticker.text
    reprompt = await eve.next()
    assert "transaction ID" in reprompt.text
    # A photo or document is evidence, but only once the purchase is known and proven.
    await bot.fake.send_photo(eve.chat_id, eve.user, caption="receipt")
    assert "once I've found your purchase" in (await eve.next()).text
    await eve.next()
    await bot.fake.send_voice(eve.chat_id, eve.user)
    assert "only read text" in (await eve.next()).text
    await eve.next()
    await bot.fake.send_document(eve.chat_id, eve.user)
    assert "once I've found your purchase" in (await eve.next()).text
    await eve.next()
    too_long = await eve.says("x" * 4050)
    assert "too long" in too_long.text and "4,050" in too_long.text
    # Still in the same step: the claim goes on.
    await eve.next("transaction ID")
    owner = await eve.says("TX-1001")
    assert "phone number or e-mail" in owner.text


async def test_typing_where_a_button_is_wanted_reprompts(bot: Running) -> None:
    fay = Customer(bot.fake, 831, "Fay")
    await _walk_to(fay, "reason")
    nudge = await fay.says("the messages did not go")
    assert "pick one of the buttons" in nudge.text
    again = await fay.next("What went wrong?")
    assert again.buttons


async def test_old_buttons_after_moving_on_are_handled(bot: Running) -> None:
    gil = Customer(bot.fake, 832, "Gil")
    menu = await gil.says("/start")
    await gil.says("/claim")
    await gil.press(menu, "My claims")
    status = await gil.next()
    assert "no refund claims yet" in status.text


async def test_the_same_update_delivered_twice_is_applied_once(bot: Running) -> None:
    hal = Customer(bot.fake, 833, "Hal")
    await hal.says("/claim")
    update_id = await bot.fake.send_text(hal.chat_id, hal.user, "TX-1001")
    await hal.next("phone number or e-mail")
    bot.fake.redeliver(update_id)
    await bot.fake.settle()
    assert bot.fake.unconsumed(hal.chat_id) == []
    # The re-delivery did not count as a second (unknown) answer either.
    reasons = await hal.says("demo1@example.com")
    assert "What went wrong?" in reasons.text


async def test_concurrent_updates_of_one_chat_are_all_applied(bot: Running) -> None:
    ivy = Customer(bot.fake, 834, "Ivy")
    await ivy.says("/claim")
    # Three answers arrive together; each is applied exactly once, in some order.
    await asyncio.gather(ivy.send("TX-9001"), ivy.send("TX-9002"), ivy.send("TX-9003"))
    texts = [(await ivy.next(timeout=15)).text for _ in range(3)]
    await bot.fake.settle()
    assert bot.fake.unconsumed(ivy.chat_id) == []
    # The first is taken as the transaction; the other two are not the phone number it asks.
    assert sum("send the phone number or e-mail" in t for t in texts) == 1
    assert sum("doesn't look like a phone number" in t for t in texts) == 2


async def test_idle_conversation_times_out(bot: Running) -> None:
    jo = Customer(bot.fake, 835, "Jo")
    await jo.says("/claim")
    await jo.says("TX-1001")
    await bot.jump(minutes=31)
    expired = await jo.says("demo1@example.com")
    assert expired.text == (
        "We hadn't heard from you for 30 minutes, so I closed the claim you were filing for "
        "TX-1001 (nothing was sent)."
    )
    # What was typed is answered as a new message: an e-mail alone is not a question.
    answer = await jo.next()
    assert "I don't need that right now" in answer.text and answer.buttons


async def test_restart_mid_claim_continues_where_it_was(
    bot: Running, db: Database, clock: FakeClock
) -> None:
    kim = Customer(bot.fake, 836, "Kim")
    await kim.says("/claim")
    await kim.says("TX-1001")
    await stop_bot(bot)
    second = await start_bot(bot.fake, db, clock)
    try:
        reasons = await kim.says("demo1@example.com")
        assert "What went wrong?" in reasons.text
        await kim.press(reasons, "not delivered")
        campaigns = await kim.next("which campaign")
        await kim.press(campaigns, "CMP-1001")
        summary = await kim.next("check your claim")
        await kim.press(summary, "Send")
        decision = await kim.next("claim #")
        assert "120 credits" in decision.text
    finally:
        await stop_bot(second)


async def _let_time_pass(bot: Running, customer: Customer, contains: str) -> RecordedMessage:
    """Move the bot's clock with real time until the customer gets the message."""
    for _ in range(40):
        await asyncio.sleep(0.25)
        bot.clock.advance(seconds=0.25)
        found = [m for m in bot.fake.unconsumed(customer.chat_id) if contains in m.text]
        if found:
            return await customer.next(contains)
    raise AssertionError(f"no message with {contains!r} after 10 s")


async def test_a_reply_refused_with_429_is_sent_once_after_retry_after(bot: Running) -> None:
    uma = Customer(bot.fake, 837, "Uma")
    bot.fake.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=uma.chat_id)
    await uma.send("/help")
    reply = await _let_time_pass(bot, uma, "/claim")
    assert "Here's what I can do" in reply.text
    await bot.fake.settle()
    assert bot.fake.early_retries == []
    assert [m.text for m in bot.fake.messages(uma.chat_id)].count(reply.text) == 1


async def test_a_reply_that_times_out_is_retried(bot: Running) -> None:
    vic = Customer(bot.fake, 838, "Vic")
    bot.fake.fail_next(
        "sendMessage", error_code=502, description="Bad Gateway", chat_id=vic.chat_id
    )
    await vic.send("/help")
    reply = await _let_time_pass(bot, vic, "/claim")
    assert "Here's what I can do" in reply.text


async def test_a_failure_inside_a_turn_tells_the_customer_their_progress_is_saved(
    bot: Running, db: Database
) -> None:
    from sqlalchemy import text

    wes = Customer(bot.fake, 839, "Wes")
    await wes.says("/claim")
    await wes.says("TX-1001")
    # A real failure: the claims table disappears under the running bot.
    async with db.engine.begin() as connection:
        await connection.execute(text("ALTER TABLE claims RENAME TO claims_gone"))
    try:
        reply = await wes.says("demo1@example.com")
        assert "progress is saved" in reply.text
        assert "Traceback" not in reply.text
    finally:
        async with db.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE claims_gone RENAME TO claims"))
    # Nothing of the failed turn was kept: the same answer now goes through.
    reasons = await wes.says("demo1@example.com")
    assert "What went wrong?" in reasons.text


async def test_a_button_press_delivered_twice_is_applied_once(bot: Running) -> None:
    xia = Customer(bot.fake, 840, "Xia")
    await _walk_to(xia, "reason")
    reasons = xia.last_with_buttons()
    update_id = await bot.fake.press(
        xia.chat_id, xia.user, reasons.message_id, reasons.button("Something else")
    )
    await xia.next("describe")
    bot.fake.redeliver(update_id)
    await bot.fake.settle()
    # No second prompt, and no "something went wrong" for the re-delivery.
    assert bot.fake.unconsumed(xia.chat_id) == []


async def test_an_unknown_command_says_so_and_lists_the_commands_once(bot: Running) -> None:
    wes = Customer(bot.fake, 839, "Wes")
    reply = await wes.says("/refundme")
    assert reply.text.startswith("I don't know /refundme.\n\nHere's what I can do:")
    assert reply.text.count("Here's what I can do") == 1


async def test_a_command_mid_claim_asks_before_throwing_the_claim_away(bot: Running) -> None:
    xan = Customer(bot.fake, 840, "Xan")
    await xan.says("/claim")
    await xan.says("TX-1001")
    ask = await xan.says("/start")
    assert ask.text == "Discard the claim you were filing for TX-1001?"

    await xan.press(ask, "No, keep going")
    again = await xan.next("phone number or e-mail")
    assert "phone number or e-mail" in again.text
    reasons = await xan.says("demo1@example.com")
    assert "TX-1001" in reasons.text and len(reasons.buttons) == 4  # the claim went on

    ask = await xan.says("/claim")
    await xan.press(ask, "Yes, discard it")
    fresh = await xan.next("transaction ID")
    assert "transaction ID" in fresh.text


async def test_back_from_an_faq_answer_returns_to_the_topics(bot: Running) -> None:
    yas = Customer(bot.fake, 841, "Yas")
    await yas.says("how long does a refund take to reach my bank")
    back = await yas.says("/back")
    assert back.text == "Pick a question:"
    assert len(back.buttons) <= 6


async def test_none_of_these_offers_a_person(bot: Running) -> None:
    zed = Customer(bot.fake, 842, "Zed")
    choices = await zed.says("i have a question about my refund")
    await zed.press(choices, "None of these")
    offered = await bot.fake.wait_for_edit(zed.chat_id, choices.message_id)
    assert "A person from our team can answer you here" in (offered.text or "")
    assert ["🙋 Talk to a person"] in [[label for label, _ in row] for row in offered.buttons]


async def test_a_customer_follows_adds_to_and_withdraws_their_claim(bot: Running) -> None:
    ida = Customer(bot.fake, 843, "Ida")
    await file_claim(ida, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP-1001")
    mine = await ida.says("/status")
    assert "Tap a claim to see where it is" in mine.text
    await ida.press(mine, "#1 · TX-1001")
    detail = await bot.fake.wait_for_edit(ida.chat_id, mine.message_id)
    assert detail.text.startswith("Claim #1 · TX-1001 · waiting for our team")
    assert "filed and sent to our team" in detail.text
    assert "What happens next: our team is checking it." in detail.text

    await ida.press(detail, "Add information")
    await ida.next("What would you like to add to claim #1")
    added = await ida.says("Customers on Jazz got nothing after 14:00.")
    assert added.text == "Thanks, I've added that to claim #1 for our team."
    staff_copy = await bot.fake.wait_for_message(
        STAFF_CHAT_ID, lambda m: "the customer added" in (m.text or "")
    )
    assert "Customers on Jazz got nothing after 14:00." in staff_copy.text
    # The card keeps it, and /card shows it afterwards too.
    card = await wait_for_card(bot.fake, 1)
    await bot.fake.wait_for_edit(
        STAFF_CHAT_ID,
        card.message_id,
        lambda m: "➕ Customer added" in (m.text or "") and "got nothing after 14:00" in m.text,
    )
    sara = StaffMember(bot.fake, 9001, "Sara", "sara")
    shown = await sara.says("/card 1")
    assert "“Customers on Jazz got nothing after 14:00.”" in (shown.text or "")

    mine = await ida.says("/status")
    await ida.press(mine, "#1 · TX-1001")
    detail = await bot.fake.wait_for_edit(ida.chat_id, mine.message_id)
    assert "you added information" in detail.text
    await ida.press(detail, "Withdraw this claim")
    ask = await bot.fake.wait_for_edit(
        ida.chat_id, mine.message_id, lambda m: "Withdraw claim #1?" in (m.text or "")
    )
    await ida.press(ask, "Yes, withdraw it")
    done = await bot.fake.wait_for_edit(
        ida.chat_id, mine.message_id, lambda m: "is withdrawn" in (m.text or "")
    )
    assert done.text == "Claim #1 is withdrawn. You can file a new one with /claim."
    async with bot.db.uow() as uow:
        trail = await uow.claims.audit(1)
        claim = await uow.claims.get(1)
    assert claim is not None and claim.status.value == "cancelled"
    assert [(a.actor, a.to_status and a.to_status.value) for a in trail][-1] == (
        "customer",
        "cancelled",
    )


async def test_someone_elses_claim_cannot_be_opened_with_a_forged_button(bot: Running) -> None:
    ida = Customer(bot.fake, 844, "Ida")
    await file_claim(ida, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP-1001")
    eve = Customer(bot.fake, 845, "Eve")
    menu = await eve.says("/start")
    await bot.fake.press(eve.chat_id, eve.user, menu.message_id, "mc:wdok:1", check=False)
    answer = await eve.next()
    assert answer.text == "That button belongs to an earlier step."
    async with bot.db.uow() as uow:
        claim = await uow.claims.get(1)
    assert claim is not None and claim.status.value == "escalated"


async def test_a_turn_that_takes_a_moment_shows_typing_first(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock
) -> None:
    running = await start_bot(fake_telegram, db, clock, typing_after_ms=0)
    try:
        uma = Customer(fake_telegram, 846, "Uma")
        await uma.says("/help")
        typing = await fake_telegram.wait_for_call("sendChatAction")
    finally:
        await stop_bot(running)
    assert (typing.params["chat_id"], typing.params["action"]) == (uma.chat_id, "typing")
