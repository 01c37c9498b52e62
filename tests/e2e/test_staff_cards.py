"""Staff work a claim from its card in the staff group; the customer hears about every step."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from conversations.domain import CannedReply, ClaimStatus, ReplyKind
from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    Running,
    StaffMember,
    callback_answers,
    file_claim,
    pk_time,
    wait_for_card,
)
from tests.fake_telegram import RecordedMessage

ALICE_PHONE = "+923001110001"


def labels(message: RecordedMessage) -> list[list[str]]:
    return [[label for label, _ in row] for row in message.buttons]


async def alice_files(bot: Running) -> tuple[Customer, RecordedMessage]:
    """Alice files the eligible TX-1001 claim (#1); returns her and its card."""
    alice = Customer(bot.fake, 502, "Alice", "alice")
    await file_claim(alice, "TX-1001", ALICE_PHONE, "not delivered", campaign="CMP")
    return alice, await wait_for_card(bot.fake, 1)


async def card_now(bot: Running, card: RecordedMessage, contains: str) -> RecordedMessage:
    """The same card message once an edit shows `contains`."""
    return await bot.fake.wait_for_edit(
        STAFF_CHAT_ID, card.message_id, lambda m: contains in (m.text or "")
    )


async def status_of(bot: Running, claim_id: int) -> ClaimStatus:
    async with bot.db.uow() as uow:
        claim = await uow.claims.get(claim_id)
    assert claim is not None
    return claim.status


async def test_card_shows_claim_decision_evidence_and_actions(bot: Running) -> None:
    _, card = await alice_files(bot)
    text = card.text or ""
    assert text.startswith("🧾 Claim #1 · new")
    assert "Customer: Alice (@alice) · id 502" in text
    assert "Purchase TX-1001 · reason: messages not delivered" in text
    assert "Bot decision: eligible" in text
    for clause in ("C-WINDOW", "C-SUBSCRIPTION", "C-CAMPAIGN", "C-REPORT-24H", "C-CAUSE"):
        assert f"✅ {clause}: " in text
    assert "120 of 1,000 messages failed on our platform" in text
    assert "5,000 credits, 3,000 used" in text
    assert "1,000 sent, 870 delivered, 120 failed on our side, 10 failed at the carrier" in text
    # Written for staff: facts in the third person, not the customer's sentences.
    assert "✅ C-WINDOW: Bought " in text
    assert " you " not in f" {text.lower()} " and "your " not in text.lower()
    assert "Refundable: 120 credits" in text
    assert "Handled by: nobody yet" in text
    assert labels(card) == [["🙋 Take"], ["✅ Approve", "❌ Reject"], ["❓ Ask customer"]]


async def test_card_times_are_in_the_home_zone_and_say_so(bot: Running) -> None:
    _, card = await alice_files(bot)
    text = card.text or ""
    async with bot.db.uow() as uow:
        claim = await uow.claims.get(1)
    assert claim is not None
    # Filed at 09:30 UTC on 14 Aug: staff in Pakistan read their own clock, the zone named.
    assert claim.created_at == datetime(2026, 8, 14, 9, 30, tzinfo=UTC)
    assert "Filed 14 Aug 2026, 14:30 PKT (" in text
    moments = re.findall(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} [A-Z]+", text)
    # Filed, bought, campaign sent, and the clauses' purchase and sending times.
    assert len(moments) >= 4, text
    assert all(m.endswith(" PKT") for m in moments), moments
    assert "UTC" not in text


async def test_outage_cards_show_the_incident_or_ask_for_review(bot: Running) -> None:
    bob = Customer(bot.fake, 503, "Bob")
    await file_claim(bob, "TX-1008", "+923001110008", "platform down")
    card = await wait_for_card(bot.fake, 1)
    assert "Bot decision: eligible" in (card.text or "")
    assert "Incident INC-DEMO-ALL (all): Demo: sending failed for all accounts" in (card.text or "")
    assert "Refundable: 300 credits" in (card.text or "")
    cora = Customer(bot.fake, 504, "Cora")
    await file_claim(cora, "TX-1009", "+923001110009", "platform down")
    review = await wait_for_card(bot.fake, 2)
    assert "Bot decision: needs review (unverified, please investigate)" in (review.text or "")
    assert "⚠️ C-INCIDENT" in (review.text or "")


async def test_take_then_approve_tells_the_customer_the_refund_dates(bot: Running) -> None:
    alice, card = await alice_files(bot)
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    taken_at = bot.clock()

    await sara.press(card, "Take")
    told = await alice.next("looking at")
    assert told.text == "👋 A member of our team is now looking at your claim #1."
    card = await card_now(bot, card, "in review")
    assert (card.text or "").startswith("🧾 Claim #1 · in review")
    assert "Handled by: Sara (@sara)" in (card.text or "")
    assert f"Last change: in review by Sara (@sara), {pk_time(taken_at)}" in (card.text or "")
    assert labels(card) == [["✅ Approve", "❌ Reject"], ["❓ Ask customer"]]

    await bot.jump(minutes=20)
    await sara.press(card, "Approve")
    confirm = await sara.next("Approve claim #1")
    assert confirm.text == "Approve claim #1 for 120 credits?"
    assert labels(confirm) == [["✅ Approve 120 credits"], ["✏️ Change credits"]]
    assert await status_of(bot, 1) is ClaimStatus.IN_REVIEW  # nothing happens before confirming

    await sara.press(confirm, "Approve 120 credits")
    approved = await alice.next("approved")
    # Approved on a Friday holiday: five and seven business days on, past the weekend.
    start, end = "Fri 21 Aug 2026", "Tue 25 Aug 2026"
    assert "claim #1 is approved: 120 credits will be refunded" in (approved.text or "")
    assert f"between {start} and {end} (5–7 business days)" in (approved.text or "")
    assert "bank or payment provider may take a little longer" in (approved.text or "")
    card = await card_now(bot, card, "approved")
    assert f"Refund due {start} – {end}" in (card.text or "")
    assert f"approved by Sara (@sara), {pk_time(bot.clock())}" in (card.text or "")
    assert labels(card) == [["💸 Mark refunded"]]
    assert len(bot.fake.messages(STAFF_CHAT_ID)) == 2  # the card, edited; and the confirmation

    status = await alice.says("/status")
    assert "#1 · TX-1001 · approved" in (status.text or "")
    assert f"120 credits, refund expected {start} – {end}" in (status.text or "")


async def test_approve_with_changed_credits(bot: Running) -> None:
    alice, card = await alice_files(bot)
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    await sara.press(card, "Approve")
    confirm = await sara.next("Approve claim #1")
    await sara.press(confirm, "Change credits")
    prompt = await sara.next("number of credits")
    assert "Claim #1: reply to this message with the number of credits" in (prompt.text or "")

    await sara.reply(prompt, "lots")
    retry = await sara.next("whole number")
    assert retry.text == "Please reply with a whole number from 1 to 5,000."
    await sara.reply(retry, "80")

    approved = await alice.next("approved")
    assert "claim #1 is approved: 80 credits will be refunded" in (approved.text or "")
    card = await card_now(bot, card, "approved")
    assert "Refundable: 80 credits" in (card.text or "")
    async with bot.db.uow() as uow:
        trail = await uow.claims.audit(1)
    assert [a.note for a in trail if a.to_status is ClaimStatus.APPROVED] == ["credits 120 -> 80"]


async def test_reject_with_a_ground_from_the_policy(bot: Running) -> None:
    alice, card = await alice_files(bot)
    omar = StaffMember(bot.fake, 9002, "Omar", db=bot.db)
    await omar.press(card, "Reject")
    pick = await omar.next("pick the reason")
    assert "🧾" not in (pick.text or "") and "Type a reason" in " ".join(pick.button_labels)
    await omar.press(pick, "carrier")
    rejected = await alice.next("not approved")
    await alice.next("how did we handle")
    assert rejected.text == (
        "Your claim #1 was not approved.\n\n"
        "Reason: The messages failed at a carrier or network outside our platform.\n\n"
        "If you think we got it wrong, tap “Talk to a person”."
    )
    card = await card_now(bot, card, "rejected")
    assert "Rejection reason: The messages failed at a carrier" in (card.text or "")
    assert "rejected by Omar" in (card.text or "")
    assert card.buttons == []


async def test_reject_with_a_typed_reason(bot: Running) -> None:
    alice, card = await alice_files(bot)
    omar = StaffMember(bot.fake, 9002, "Omar", db=bot.db)
    await omar.press(card, "Reject")
    pick = await omar.next("pick the reason")
    await omar.press(pick, "Type a reason")
    prompt = await omar.next("reason for the customer")
    await omar.reply(prompt, "These numbers were on the customer's own block list.")
    rejected = await alice.next("not approved")
    await alice.next("how did we handle")
    assert "Reason: These numbers were on the customer's own block list." in (rejected.text or "")
    card = await card_now(bot, card, "rejected")
    assert "Rejection reason: These numbers were on the customer's own block list." in (
        card.text or ""
    )
    status = await alice.says("/status")
    assert "rejected" in (status.text or "") and "own block list" in (status.text or "")


async def test_ask_customer_then_the_answer_returns_the_claim_to_review(bot: Running) -> None:
    alice, card = await alice_files(bot)
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    await sara.press(card, "Take")
    await alice.next("looking at")
    await sara.press(card, "Ask customer")
    prompt = await sara.next("your question for the customer")
    await sara.reply(prompt, "Which sender ID did you use?")

    question = await alice.next("our team asks")
    assert question.text == (
        "❓ About your claim #1, our team asks:\n\nWhich sender ID did you use?\n\n"
        "Just type your answer here."
    )
    card = await card_now(bot, card, "waiting for customer")
    assert "Asked the customer: “Which sender ID did you use?”" in (card.text or "")
    assert await status_of(bot, 1) is ClaimStatus.INFO_REQUESTED

    thanks = await alice.says("We used ACME-SMS as the sender.")
    assert thanks.text == "Thanks, I've passed your answer to our team (claim #1)."
    answer = await sara.next("answered")
    assert answer.text == "💬 Claim #1: Alice answered:\nWe used ACME-SMS as the sender."
    assert answer.reply_to_message_id == card.message_id
    card = await card_now(bot, card, "in review")
    assert "Customer answered: “We used ACME-SMS as the sender.”" in (card.text or "")
    assert "Last change: in review by the customer" in (card.text or "")
    assert labels(card) == [["✅ Approve", "❌ Reject"], ["❓ Ask customer"]]
    assert await status_of(bot, 1) is ClaimStatus.IN_REVIEW


async def test_mark_refunded_tells_the_customer_it_is_paid(bot: Running) -> None:
    alice, card = await alice_files(bot)
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    await sara.press(card, "Approve")
    confirm = await sara.next("Approve claim #1")
    await sara.press(confirm, "Approve 120")
    await alice.next("approved")
    card = await card_now(bot, card, "approved")
    await bot.jump(days=3)
    await sara.press(card, "Mark refunded")
    (done,) = await callback_answers(bot.fake, "st:refunded:1")
    assert done.text == "Done: refunded."
    paid = await alice.next("paid")
    await alice.next("how did we handle")
    assert paid.text == "💸 Your refund for claim #1 (120 credits) has been paid."
    card = await card_now(bot, card, "refunded")
    assert (card.text or "").startswith("🧾 Claim #1 · refunded")
    assert card.buttons == []
    status = await alice.says("/status")
    assert "#1 · TX-1001 · refunded" in (status.text or "")


async def test_a_non_staff_user_pressing_approve_changes_nothing(bot: Running) -> None:
    alice, card = await alice_files(bot)
    mallory = StaffMember(bot.fake, 6666, "Mallory", "mallory")
    await mallory.press(card, "Approve")
    (answer,) = await callback_answers(bot.fake, "st:approve:1")
    assert answer.text == "Only support staff can do that." and answer.show_alert
    await bot.fake.settle()
    assert bot.fake.message(STAFF_CHAT_ID, card.message_id).edits == []
    assert len(bot.fake.messages(STAFF_CHAT_ID)) == 1  # no confirmation was offered
    assert not [t for t in alice.texts() if "approved" in t or "looking at" in t]
    assert await status_of(bot, 1) is ClaimStatus.ESCALATED
    async with bot.db.uow() as uow:
        trail_before = await uow.claims.audit(1)
    assert 6666 not in [entry.actor_id for entry in trail_before]

    # Pressing on and on fills no claim's history: the operator sees a count in /metrics.
    for _ in range(10):
        await mallory.press(card, "Approve")
    await callback_answers(bot.fake, "st:approve:1", count=11)
    await bot.fake.settle()
    async with bot.db.uow() as uow:
        assert await uow.claims.audit(1) == trail_before
    metrics = bot.services.metrics
    assert metrics.registry.get_sample_value("refundbot_staff_presses_refused_total") == 11


async def test_two_staff_approving_at_once_make_one_approval(bot: Running) -> None:
    alice, card = await alice_files(bot)
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    omar = StaffMember(bot.fake, 9002, "Omar", "omar", db=bot.db)
    await sara.press(card, "Approve")
    sara_confirm = await sara.next("Approve claim #1")
    await omar.press(card, "Approve")
    omar_confirm = await omar.next("Approve claim #1")

    # Both press before either press is answered.
    await asyncio.gather(
        sara.press(sara_confirm, "Approve 120"), omar.press(omar_confirm, "Approve 120")
    )
    answers = await callback_answers(bot.fake, "st:approveok:1:120", count=2)
    await alice.next("approved")
    await bot.fake.settle()
    assert len([t for t in alice.texts() if "is approved" in t]) == 1
    async with bot.db.uow() as uow:
        trail = await uow.claims.audit(1)
    approvals = [a for a in trail if a.to_status is ClaimStatus.APPROVED]
    assert len(approvals) == 1
    winner = approvals[0].actor
    assert sorted((a.text or "", a.show_alert) for a in answers) == [
        (f"Already approved by {winner}.", True),
        ("Done: approved.", False),
    ]


async def test_internal_notes_show_on_the_card_and_never_reach_the_customer(bot: Running) -> None:
    alice, card = await alice_files(bot)
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    await alice.skip_unread()

    usage = await sara.says("/note 1")
    added = await sara.says("/note 1 Called her: the Jazz route dropped at 14:00")
    stranger = StaffMember(bot.fake, 4242, "Mallory")
    refused = await stranger.says("/note 1 give her 5000")

    assert usage.text.startswith("Usage: /note 12")
    assert added.text == "Note added to claim #1. Only staff can see it."
    assert refused.text == "That command is for support staff."
    noted = await card_now(bot, card, "📝 Sara (@sara)")
    assert "Called her: the Jazz route dropped at 14:00" in (noted.text or "")
    assert "give her 5000" not in (noted.text or "")
    await bot.fake.settle()
    assert bot.fake.unconsumed(alice.chat_id) == []


async def test_find_lists_a_customers_claims_by_transaction_username_or_phone(
    bot: Running,
) -> None:
    alice, _ = await alice_files(bot)
    refused = Customer(bot.fake, 503, "Bob", "bob")
    await file_claim(refused, "TX-1005", "demo5@example.com", "not delivered", campaign="CMP")
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)

    by_tx = await sara.says("/find tx-1001")
    by_user = await sara.says("/find @Alice")
    by_phone = await sara.says("/find 0300 1110005")
    nothing = await sara.says("/find TX-9999")
    usage = await sara.says("/find")

    assert by_tx.text.startswith("Claims for tx-1001 (1, newest first):")
    assert "#1 · new · TX-1001 · messages not delivered · 120 cr" in by_tx.text
    assert "#1 · new · TX-1001" in by_user.text
    assert "#2 · not eligible · TX-1005" in by_phone.text and "TX-1001" not in by_phone.text
    assert nothing.text == "No claims found for TX-9999."
    assert usage.text.startswith("Usage: /find TX-1001")


async def test_staff_pick_their_own_canned_questions_and_reasons(bot: Running) -> None:
    async with bot.db.uow() as uow:
        await uow.replies.set(
            CannedReply(ReplyKind.ASK, "route", "Which network were the numbers on?")
        )
        await uow.commit()
    alice, card = await alice_files(bot)
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)

    await sara.press(card, "Ask customer")
    prompt = await sara.next("your question for the customer")
    # The team's own question is offered after the built-in ones, which stay.
    assert labels(prompt)[-1] == ["Which network were the numbers on?"]
    assert len(labels(prompt)) > 1
    await sara.press(prompt, "Which network")

    asked = await alice.next("our team asks")
    assert "Which network were the numbers on?" in asked.text
    assert await status_of(bot, 1) is ClaimStatus.INFO_REQUESTED
