"""The staff side, turn by turn, on the in-memory unit of work (no Telegram, no database).

Staff work a claim from its card in the staff group (take, approve, reject, ask, mark refunded,
overrule, notes) and the customer hears about every step; staff commands answer staff only, and
only in the staff group. Moved from tests/e2e (test_staff_cards, test_staff_queue,
test_staff_scope, test_staff_questions, test_staff_relay, test_money_safety,
test_private_claims_and_guessing, test_faq_teach, test_incidents): those checked what the
dialogue says, nothing that crosses HTTP, processes or Telegram. The edge's part (presses
answered, metrics, races, restarts, files) stays there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conversations import i18n
from conversations.catalog.policy_text import format_when
from conversations.catalog.staff import CARD_COPY
from conversations.domain import (
    AuditEntry,
    AuditKind,
    CannedReply,
    Claim,
    ClaimStatus,
    ClauseResult,
    Outcome,
    Reason,
    ReplyKind,
)
from tests.conversations.chat_driver import (
    E2E_CONFIG,
    STAFF_CHAT_ID,
    Person,
    Shown,
    Staff,
    World,
    card_of,
    file_claim,
)

ALICE_PHONE = "+923001110001"
OTHER_GROUP = -1005550001
WRONG_PHONE = "0300 9999999"


def staff_when(at: datetime) -> str:
    """A moment as staff read it: the deployment's zone, named."""
    with i18n.in_zone(E2E_CONFIG.time_zone):
        return format_when(at)


@pytest.fixture
def world() -> World:
    return World()


def labels(message: Shown) -> list[list[str]]:
    return [[label for label, _ in row] for row in message.buttons]


async def alice_files(world: World) -> tuple[Person, Shown]:
    """Alice files the eligible TX-1001 claim (#1); returns her and its card."""
    alice = Person(world, 502, "Alice", username="alice")
    await file_claim(alice, "TX-1001", ALICE_PHONE, "not delivered", campaign="CMP")
    return alice, card_of(world, 1)


async def claim_of(world: World, claim_id: int) -> Claim:
    async with world.store.uow() as uow:
        claim = await uow.claims.get(claim_id)
    assert claim is not None
    return claim


async def trail_of(world: World, claim_id: int) -> list[AuditEntry]:
    async with world.store.uow() as uow:
        return list(await uow.claims.audit(claim_id))


def sara(world: World) -> Staff:
    return Staff(world, 9001, "Sara", "sara")


# The card -----------------------------------------------------------------------------------


async def test_card_shows_claim_decision_evidence_and_actions(world: World) -> None:
    _, card = await alice_files(world)
    text = card.text
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


async def test_outage_cards_show_the_incident_or_ask_for_review(world: World) -> None:
    await file_claim(Person(world, 503, "Bob"), "TX-1008", "+923001110008", "platform down")
    card = card_of(world, 1)
    assert "Bot decision: eligible" in card.text
    assert "Incident INC-DEMO-ALL (all): Demo: sending failed for all accounts" in card.text
    assert "Refundable: 300 credits" in card.text
    await file_claim(Person(world, 504, "Cora"), "TX-1009", "+923001110009", "platform down")
    review = card_of(world, 2)
    assert "Bot decision: needs review (unverified, please investigate)" in review.text
    assert "⚠️ C-INCIDENT" in review.text


# Take, approve, reject, ask, refunded -------------------------------------------------------


async def test_take_then_approve_tells_the_customer_the_refund_dates(world: World) -> None:
    alice, card = await alice_files(world)
    staff = sara(world)
    taken_at = world.clock()

    assert await staff.press(card, "Take") == "Done: taken."
    told = alice.last("looking at")
    assert told.text == "👋 A member of our team is now looking at your claim #1."
    card = staff.now(card)
    assert card.text.startswith("🧾 Claim #1 · in review")
    assert "Handled by: Sara (@sara)" in card.text
    assert f"Last change: in review by Sara (@sara), {staff_when(taken_at)}" in card.text
    assert labels(card) == [["✅ Approve", "❌ Reject"], ["❓ Ask customer"]]

    world.clock.advance(minutes=20)
    await staff.press(card, "Approve")
    confirm = staff.next("Approve claim #1")
    assert confirm.text == "Approve claim #1 for 120 credits?"
    assert labels(confirm) == [["✅ Approve 120 credits"], ["✏️ Change credits"]]
    assert (await claim_of(world, 1)).status is ClaimStatus.IN_REVIEW  # not before confirming

    assert await staff.press(confirm, "Approve 120 credits") == "Done: approved."
    approved = alice.last("approved")
    # Approved on a Friday holiday: five and seven business days on, past the weekend.
    start, end = "Fri 21 Aug 2026", "Tue 25 Aug 2026"
    assert "claim #1 is approved: 120 credits will be refunded" in approved.text
    assert f"between {start} and {end} (5–7 business days)" in approved.text
    assert "bank or payment provider may take a little longer" in approved.text
    card = staff.now(card)
    assert "· approved" in card.text
    assert f"Refund due {start} – {end}" in card.text
    assert f"approved by Sara (@sara), {staff_when(world.clock())}" in card.text
    assert labels(card) == [["💸 Mark refunded"]]
    assert len(world.messages(STAFF_CHAT_ID)) == 2  # the card, edited; and the confirmation
    assert [e.kind for e in await trail_of(world, 1)] == [
        AuditKind.FILED,
        AuditKind.TAKEN,
        AuditKind.APPROVED,
    ]

    status = await alice.says("/status")
    assert "#1 · TX-1001 · approved" in status.text
    assert f"120 credits, refund expected {start} – {end}" in status.text


async def test_approve_with_changed_credits(world: World) -> None:
    alice, card = await alice_files(world)
    staff = sara(world)
    await staff.press(card, "Approve")
    await staff.press(staff.next("Approve claim #1"), "Change credits")
    prompt = staff.next("number of credits")
    assert "Claim #1: reply to this message with the number of credits" in prompt.text

    retry = await staff.reply(prompt, "lots")
    assert retry.text == "Please reply with a whole number from 1 to 5,000."
    await staff.reply(retry, "80")

    assert "claim #1 is approved: 80 credits will be refunded" in alice.last("approved").text
    card = staff.now(card)
    assert "· approved" in card.text and "Refundable: 80 credits" in card.text
    [approval] = [a for a in await trail_of(world, 1) if a.to_status is ClaimStatus.APPROVED]
    assert (approval.credits_before, approval.credits_after) == (120, 80)


async def test_reject_with_a_ground_from_the_policy(world: World) -> None:
    alice, card = await alice_files(world)
    omar = Staff(world, 9002, "Omar")
    await omar.press(card, "Reject")
    pick = omar.next("pick the reason")
    assert "🧾" not in pick.text and "Type a reason" in " ".join(pick.button_labels)
    assert await omar.press(pick, "carrier") == "Done: rejected."
    assert alice.last("not approved").text == (
        "Your claim #1 was not approved.\n\n"
        "Reason: The messages failed at a carrier or network outside our platform.\n\n"
        "If you think we got it wrong, tap “Talk to a person”."
    )
    alice.last("how did we handle")
    card = omar.now(card)
    assert "· rejected" in card.text
    assert "Rejection reason: The messages failed at a carrier" in card.text
    assert "rejected by Omar" in card.text
    assert card.buttons == []
    [rejected] = [a for a in await trail_of(world, 1) if a.kind is AuditKind.REJECTED]
    assert rejected.actor == "Omar" and rejected.actor_id == 9002


async def test_reject_with_a_typed_reason(world: World) -> None:
    alice, card = await alice_files(world)
    omar = Staff(world, 9002, "Omar")
    await omar.press(card, "Reject")
    await omar.press(omar.next("pick the reason"), "Type a reason")
    prompt = omar.next("reason for the customer")
    await omar.send("These numbers were on the customer's own block list.", prompt.message_id)
    rejected = alice.last("not approved")
    alice.last("how did we handle")
    assert "Reason: These numbers were on the customer's own block list." in rejected.text
    card = omar.now(card)
    assert "Rejection reason: These numbers were on the customer's own block list." in card.text
    status = await alice.says("/status")
    assert "rejected" in status.text and "own block list" in status.text


async def test_ask_customer_then_the_answer_returns_the_claim_to_review(world: World) -> None:
    alice, card = await alice_files(world)
    staff = sara(world)
    await staff.press(card, "Take")
    await staff.press(card, "Ask customer")
    prompt = staff.next("your question for the customer")
    await staff.send("Which sender ID did you use?", prompt.message_id)

    assert alice.last("our team asks").text == (
        "❓ About your claim #1, our team asks:\n\nWhich sender ID did you use?\n\n"
        "Just type your answer here."
    )
    card = staff.now(card)
    assert "· waiting for customer" in card.text
    assert "Asked the customer: “Which sender ID did you use?”" in card.text
    assert (await claim_of(world, 1)).status is ClaimStatus.INFO_REQUESTED

    thanks = await alice.says("We used ACME-SMS as the sender.")
    assert thanks.text == "Thanks, I've passed your answer to our team (claim #1)."
    answer = staff.last("answered")
    assert answer.text == "💬 Claim #1: Alice answered:\nWe used ACME-SMS as the sender."
    assert answer.reply_to == card.message_id
    card = staff.now(card)
    assert "· in review" in card.text
    assert "Customer answered: “We used ACME-SMS as the sender.”" in card.text
    assert "Last change: in review by the customer" in card.text
    assert labels(card) == [["✅ Approve", "❌ Reject"], ["❓ Ask customer"]]
    kinds = [e.kind for e in await trail_of(world, 1)]
    assert kinds[-2:] == [AuditKind.ASKED, AuditKind.ANSWERED]
    assert (await claim_of(world, 1)).status is ClaimStatus.IN_REVIEW


async def test_mark_refunded_tells_the_customer_it_is_paid(world: World) -> None:
    alice, card = await alice_files(world)
    staff = sara(world)
    await staff.press(card, "Approve")
    await staff.press(staff.next("Approve claim #1"), "Approve 120")
    world.clock.advance(days=3)
    assert await staff.press(card, "Mark refunded") == "Done: refunded."
    paid = alice.last("paid")
    alice.last("how did we handle")
    assert paid.text == "💸 Your refund for claim #1 (120 credits) has been paid."
    card = staff.now(card)
    assert card.text.startswith("🧾 Claim #1 · refunded")
    assert card.buttons == []
    assert (await trail_of(world, 1))[-1].kind is AuditKind.REFUNDED
    status = await alice.says("/status")
    assert "#1 · TX-1001 · refunded" in status.text


async def test_a_second_press_on_a_decided_claim_says_who_decided(world: World) -> None:
    alice, card = await alice_files(world)
    staff = sara(world)
    await staff.press(card, "Approve")
    confirm = staff.next("Approve claim #1")
    await staff.press(confirm, "Approve 120")
    omar = Staff(world, 9002, "Omar", "omar")
    # The confirmation's buttons are gone; Omar's press was on his screen before they went.
    late = await omar.press_data(confirm, confirm.button("Approve 120"))
    assert late == "Already approved by Sara (@sara)."
    assert len([t for t in alice.texts() if "is approved" in t]) == 1
    approvals = [a for a in await trail_of(world, 1) if a.kind is AuditKind.APPROVED]
    assert len(approvals) == 1


async def test_staff_pick_their_own_canned_questions_and_reasons(world: World) -> None:
    async with world.store.uow() as uow:
        await uow.replies.set(
            CannedReply(ReplyKind.ASK, "route", "Which network were the numbers on?")
        )
        await uow.commit()
    alice, card = await alice_files(world)
    staff = sara(world)
    await staff.press(card, "Ask customer")
    prompt = staff.next("your question for the customer")
    # The team's own question is offered after the built-in ones, which stay.
    assert labels(prompt)[-1] == ["Which network were the numbers on?"]
    assert len(labels(prompt)) > 1
    assert await staff.press(prompt, "Which network") == "Done: question sent."
    assert "Which network were the numbers on?" in alice.last("our team asks").text
    assert (await claim_of(world, 1)).status is ClaimStatus.INFO_REQUESTED


async def test_staff_overrule_a_refusal_with_a_reason_and_the_customer_is_told(
    world: World,
) -> None:
    cara = Person(world, 851, "Cara")
    await file_claim(cara, "TX-1005", "demo5@example.com", "not delivered", campaign="CMP-1005")
    staff = sara(world)
    card = await staff.says("/card 1")
    assert "· not eligible" in card.text
    await staff.press(card, "Overrule")
    prompt = staff.next("reply to this message with the credits")
    again = await staff.reply(prompt, "lots, the carrier was ours")
    assert again.text.startswith("Please reply with the credits")
    # Staff words that look like the audit's own "; credits" part stay whole on the card.
    await staff.reply(again, "40 the Jazz route was ours; credits 0 -> 40 were owed")

    assert "approved a refund of 40 credits" in cara.last("looked at your claim #1 again").text
    updated = staff.now(card)
    assert "Claim #1 · approved" in updated.text
    assert "Overruled by Sara (@sara): “the Jazz route was ours; credits 0 -> 40 were owed”" in (
        updated.text
    )
    rows = [
        (a.actor, a.kind, a.text, a.credits_before, a.credits_after)
        for a in await trail_of(world, 1)
        if a.to_status is ClaimStatus.APPROVED
    ]
    assert rows == [
        (
            "Sara (@sara)",
            AuditKind.OVERRULED,
            "the Jazz route was ours; credits 0 -> 40 were owed",
            0,
            40,
        )
    ]


# Who may press, and what an old or forged button does ----------------------------------------


async def test_a_non_staff_user_pressing_approve_changes_nothing(world: World) -> None:
    alice, card = await alice_files(world)
    trail_before = await trail_of(world, 1)
    mallory = Staff(world, 6666, "Mallory", "mallory")
    for _ in range(3):
        assert await mallory.press(card, "Approve") == "Only support staff can do that."
        assert world.last.callback_alert and world.last.refused_staff_press
    assert mallory.now(card).edits == 0
    assert len(world.messages(STAFF_CHAT_ID)) == 1  # no confirmation was offered
    assert not [t for t in alice.texts() if "approved" in t or "looking at" in t]
    assert (await claim_of(world, 1)).status is ClaimStatus.ESCALATED
    # Anyone can press a forwarded card's buttons: no press fills the claim's history.
    assert await trail_of(world, 1) == trail_before


async def test_forged_and_stale_buttons_get_a_clear_answer_and_change_nothing(
    world: World,
) -> None:
    alice, card = await alice_files(world)
    staff = sara(world)
    for forged in (
        "st:take:99999999999999999999999",
        "st:take:abc",
        "st:nosuchverb:1",
        "st:approveok:1:lots",
        "st:take",
    ):
        assert await staff.press_data(card, forged) == "That button is no longer valid.", forged
        assert world.last.callback_alert
    assert await staff.press_data(card, "st:take:77") == "There's no claim #77."
    await staff.press(card, "Take")
    # The card lost its Take button; a press from before (an old copy) is refused.
    assert await staff.press_data(card, "st:take:1") == "Already in review by Sara (@sara)."

    await staff.press(card, "Approve")
    await staff.press(staff.next("Approve claim #1"), "Change credits")
    prompt = staff.next("number of credits")
    assert "whole number from 1 to 5,000" in (await staff.reply(prompt, "²")).text
    assert (await claim_of(world, 1)).status is ClaimStatus.IN_REVIEW
    async with world.store.uow() as uow:
        assert len(await uow.claims.list()) == 1
    assert not [t for t in alice.texts() if "approved" in t]


async def test_a_reply_to_a_message_the_bot_did_not_ask_about_is_staff_talk(
    world: World,
) -> None:
    alice, card = await alice_files(world)
    staff = sara(world)
    await staff.send("Omar, can you check the carrier logs?")
    await staff.send("I'll take it after lunch", reply_to=card.message_id)
    await staff.send("A photo of the router", reply_to=999)
    assert len(world.messages(STAFF_CHAT_ID)) == 1  # only the card
    assert (await claim_of(world, 1)).status is ClaimStatus.ESCALATED


# Notes and /find ----------------------------------------------------------------------------


async def test_internal_notes_show_on_the_card_and_never_reach_the_customer(world: World) -> None:
    alice, card = await alice_files(world)
    told_before = len(alice.texts())
    staff = sara(world)

    usage = await staff.says("/note 1")
    added = await staff.says("/note 1 Called her: the Jazz route dropped at 14:00")
    refused = await Staff(world, 4242, "Mallory").says("/note 1 give her 5000")
    nobody = await staff.says("/note 77 a claim that is not there")
    too_long = await staff.says("/note 1 " + "x" * 1001)

    assert usage.text.startswith("Usage: /note 12")
    assert added.text == "Note added to claim #1. Only staff can see it."
    assert refused.text == "That command is for support staff."
    assert nobody.text == "There's no claim #77."
    assert too_long.text == "That note is 1,001 characters; please keep it under 1,000."
    noted = staff.now(card)
    assert "📝 Sara (@sara)" in noted.text
    assert "Called her: the Jazz route dropped at 14:00" in noted.text
    assert "give her 5000" not in noted.text
    assert len(alice.texts()) == told_before
    notes = [e for e in await trail_of(world, 1) if e.kind is AuditKind.NOTE]
    assert [(n.actor, n.text, n.to_status) for n in notes] == [
        ("Sara (@sara)", "Called her: the Jazz route dropped at 14:00", None)
    ]


async def test_find_lists_a_customers_claims_by_transaction_username_or_phone(
    world: World,
) -> None:
    await alice_files(world)
    bob = Person(world, 503, "Bob", username="bob")
    await file_claim(bob, "TX-1005", "demo5@example.com", "not delivered", campaign="CMP")
    staff = sara(world)

    by_tx = await staff.says("/find tx-1001")
    by_user = await staff.says("/find @Alice")
    by_phone = await staff.says("/find 0300 1110005")
    nothing = await staff.says("/find TX-9999")
    usage = await staff.says("/find")

    assert by_tx.text.startswith("Claims for tx-1001 (1, newest first):")
    assert "#1 · new · TX-1001 · messages not delivered · 120 cr" in by_tx.text
    assert "#1 · new · TX-1001" in by_user.text
    assert "#2 · not eligible · TX-1005" in by_phone.text and "TX-1001" not in by_phone.text
    assert nothing.text == "No claims found for TX-9999."
    assert usage.text.startswith("Usage: /find TX-1001")


# /queue, /card and unknown commands ---------------------------------------------------------


async def test_an_empty_queue_says_so(world: World) -> None:
    assert (await sara(world).says("/queue")).text == "The queue is empty. 🎉"


async def test_card_shows_a_copy_and_the_claims_card_stays_current(world: World) -> None:
    await alice_files(world)
    first = card_of(world, 1)
    staff = sara(world)

    copy = await staff.says("/card 1")
    assert copy.message_id != first.message_id
    assert copy.text == f"{first.text}\n\n{CARD_COPY}" and copy.buttons == first.buttons
    # Take on the copy: the claim's own card changes, and so does the copy that was pressed.
    await staff.press(copy, "Take")
    assert staff.now(first).text.startswith("🧾 Claim #1 · in review")
    assert staff.now(copy).text.startswith("🧾 Claim #1 · in review")
    # Later changes still go to the claim's card, not to the newest copy.
    await staff.press(first, "Approve")
    await staff.press(staff.next("Approve claim #1"), "Approve 120")
    assert staff.now(first).text.startswith("🧾 Claim #1 · approved")
    assert "· approved" not in staff.now(copy).text

    assert (await staff.says("/card")).text == "Usage: /card 12 (the claim number)."
    assert (await staff.says("/card #99")).text == "There's no claim #99."


async def test_an_unknown_staff_command_is_answered_with_the_staff_commands(world: World) -> None:
    answer = await sara(world).says("/qeue")
    assert answer.text.startswith("There's no /qeue here.\n\nStaff commands:\n/queue")
    # Someone else's unknown command is not the bot's business; /help is for anyone there.
    guest = Staff(world, 6666, "Guest")
    await guest.send("/qeue")
    assert guest.texts() == [answer.text]
    assert (await guest.says("/help")).text.startswith("Staff commands:")


async def test_staff_commands_are_for_staff_only(world: World) -> None:
    await alice_files(world)
    guest = Staff(world, 6666, "Guest")
    assert (await guest.says("/queue")).text == "That command is for support staff."

    # In a staff member's private chat, /queue is what it is for a customer: unknown.
    private = await Person(world, 9002, "Omar").says("/queue")
    for_a_customer = await Person(world, 503, "Carl").says("/queue")
    assert "I don't know /queue" in for_a_customer.text
    assert private.text == for_a_customer.text


# Staff powers stay in the staff group -------------------------------------------------------

STAFF_COMMANDS = (
    "/find 0300 1110001",
    "/find TX-1001",
    "/card 1",
    "/report",
    "/note 1 the customer is a friend",
    "/queue",
    "/stats",
    "/lockouts",
    "/unlock TX-1001",
)


async def test_staff_commands_in_another_group_get_what_anyone_gets(world: World) -> None:
    await alice_files(world)
    staff_there = Staff(world, 9001, "Sara", "sara", chat_id=OTHER_GROUP)
    guest = Staff(world, 7001, "Guest", chat_id=OTHER_GROUP)
    trail_before = await trail_of(world, 1)
    for command in STAFF_COMMANDS:
        as_staff = await staff_there.says(command)
        as_guest = await guest.says(command)
        assert as_staff.text == as_guest.text, command
        assert as_staff.buttons == as_guest.buttons, command
        assert "private chat" in as_staff.text
        assert "Alice" not in as_staff.text and "TX-1001" not in as_staff.text
    # No chart, no CSV, no card: only the answers above ever reached the group.
    assert all(m.attachment is None for m in world.messages(OTHER_GROUP))
    assert len(world.messages(OTHER_GROUP)) == 2 * len(STAFF_COMMANDS)
    assert await trail_of(world, 1) == trail_before  # the /note was not added


async def test_staff_commands_in_a_private_chat_are_unknown_commands(world: World) -> None:
    await alice_files(world)
    staff_alone = Person(world, 9001, "Sara", username="sara")
    carl = Person(world, 503, "Carl")
    trail_before = await trail_of(world, 1)
    for command in STAFF_COMMANDS:
        as_staff = await staff_alone.says(command)
        as_customer = await carl.says(command)
        assert as_staff.text == as_customer.text, command
        assert as_staff.text.startswith("I don't know /"), command
    assert all(m.attachment is None for m in world.messages(staff_alone.chat_id))
    assert await trail_of(world, 1) == trail_before


async def test_card_in_a_private_chat_moves_nothing_and_the_card_stays_current(
    world: World,
) -> None:
    _, card = await alice_files(world)
    staff_alone = Person(world, 9001, "Sara", username="sara")
    assert (await staff_alone.says("/card 1")).text.startswith("I don't know /card")
    omar = Staff(world, 9002, "Omar", "omar")
    await omar.press(card, "Take")
    taken = omar.now(card)
    assert "· in review" in taken.text and "Handled by: Omar (@omar)" in taken.text
    assert all("Claim #1" not in t for t in staff_alone.texts())


async def test_a_staff_button_pressed_in_a_private_chat_is_an_old_button_for_anyone(
    world: World,
) -> None:
    _, card = await alice_files(world)
    take = card.button("Take")
    staff_alone = Staff(world, 9001, "Sara", "sara", chat_id=9001)
    menu = await Person(world, 9001, "Sara", username="sara").says("/start")
    assert await staff_alone.press_data(menu, take) is None  # no word about the claim
    assert staff_alone.next().text.startswith("That button belongs to an earlier step")
    assert card_of(world, 1) == card  # the card was not touched
    assert (await claim_of(world, 1)).status is ClaimStatus.ESCALATED


# Questions to the customer, answered wherever they are in the chat ---------------------------

QUESTION = "Was the campaign sent from the web panel or the API?"


async def ask(staff: Staff, card: Shown, question: str = QUESTION) -> None:
    await staff.press(card, "Ask customer")
    prompt = staff.next("your question for the customer")
    await staff.send(question, prompt.message_id)


async def test_a_question_asked_mid_claim_takes_the_next_message_as_its_answer(
    world: World,
) -> None:
    alice, card = await alice_files(world)
    staff = sara(world)
    assert "transaction ID" in (await alice.says("/claim")).text
    await ask(staff, card)
    alice.last("our team asks")
    thanks = await alice.says("From the API.")
    assert thanks.text == "Thanks, I've passed your answer to our team (claim #1)."
    assert staff.last("answered").text == "💬 Claim #1: Alice answered:\nFrom the API."


async def test_after_cancel_a_waiting_question_still_takes_the_next_message(
    world: World,
) -> None:
    alice, card = await alice_files(world)
    await ask(sara(world), card)
    helped = await alice.says("/help")
    alice.next("waiting for your answer")
    assert "/claim" in helped.text
    assert (await alice.says("/cancel")).text == "Okay, stopped. Nothing was sent."
    thanks = await alice.says("From the API.")
    assert thanks.text == "Thanks, I've passed your answer to our team (claim #1)."
    assert "Hi Alice" in (await alice.says("hello")).text


async def test_a_second_question_on_the_same_claim_is_answered_too(world: World) -> None:
    alice, card = await alice_files(world)
    staff = sara(world)
    await ask(staff, card)
    await alice.says("From the API.")
    assert "· in review" in staff.now(card).text
    await ask(staff, card, "Which sender ID?")
    # She starts a claim instead: her next message goes to the claim, as she chose.
    await alice.says("/claim")
    assert "phone number or e-mail" in (await alice.says("TX-4040")).text
    await alice.says("/cancel")
    thanks = await alice.says("SMSALERT")
    assert thanks.text == "Thanks, I've passed your answer to our team (claim #1)."
    assert staff.last("SMSALERT").text == "💬 Claim #1: Alice answered:\nSMSALERT"


# Talking to a person ------------------------------------------------------------------------


async def test_human_messages_are_relayed_both_ways(world: World) -> None:
    alice = Person(world, 502, "Alice", username="alice")
    staff = sara(world)
    start = await alice.says("/human")
    assert "I'll pass your messages to our support team" in start.text
    sent = await alice.says("My campaign stopped halfway, what happened?")
    assert sent.text == "Sent to our team. They'll reply here."

    relayed = staff.last("From Alice")
    assert relayed.text == (
        "💬 From Alice (@alice) (id 502):\nMy campaign stopped halfway, what happened?\n\n"
        "Reply to this message to answer."
    )
    done = await staff.reply(
        relayed, "A carrier had a short outage; please file a claim with /claim."
    )
    assert done.text == "Sent to the customer."
    assert alice.last("Support team").text == (
        "💬 Support team: A carrier had a short outage; please file a claim with /claim."
    )

    # Staff talking among themselves are not the bot's business.
    await staff.send("Omar, can you check the carrier logs?")
    assert staff.texts() == [relayed.text, done.text]
    assert "back with the bot" in (await alice.says("/cancel")).text


async def test_only_staff_replies_reach_the_customer(world: World) -> None:
    alice = Person(world, 502, "Alice", username="alice")
    await alice.says("/human")
    await alice.says("Hello?")
    guest = Staff(world, 6666, "Guest")
    relayed = guest.last("From Alice")
    refused = await guest.reply(relayed, "I am not really support.")
    assert refused.text == "Only support staff can do that."
    assert not [t for t in alice.texts() if "not really support" in t]


# Lockouts -----------------------------------------------------------------------------------


async def test_a_second_account_is_locked_out_of_the_same_transaction_until_staff_lift_it(
    world: World,
) -> None:
    staff = sara(world)
    assert (await staff.says("/lockouts")).text.startswith("No lockouts")
    for n in range(3):  # three accounts, one wrong answer each
        guesser = Person(world, 710 + n, f"Guesser {n}")
        await guesser.says("/claim")
        await guesser.says("TX-1001")
        last = await guesser.says(WRONG_PHONE)
    assert "locked it for one hour (until 14 Aug 2026, 15:30 PKT)" in last.text
    owner = Person(world, 720, "Owner")
    await owner.says("/claim")
    await owner.says("tx 1001")
    locked = await owner.says("demo1@example.com")
    assert "Transaction TX-1001 is locked until 14 Aug 2026, 15:30 PKT" in locked.text

    listed = await staff.says("/lockouts")
    assert "TX-1001 · 3 wrong answers · locked until 14 Aug 2026, 15:30 PKT" in listed.text
    assert (await staff.says("/unlock TX-1001")).text == "Lifted: TX-1001 can try again now."
    assert (await staff.says("/unlock TX-1001")).text == "Nothing to lift for TX-1001."
    assert (await staff.says("/unlock")).text.startswith("Usage: /unlock")
    assert (await staff.says("/lockouts")).text.startswith("No lockouts")

    await owner.says("/claim")
    await owner.says("TX-1001")
    assert "What went wrong?" in (await owner.says("demo1@example.com")).text


async def test_staff_lift_a_customers_wait(world: World) -> None:
    typo = Person(world, 730, "Typo")
    for tx in ("TX-2001", "TX-2002", "TX-2003"):
        await typo.says("/claim")
        await typo.says(tx)
        last = await typo.says(WRONG_PHONE)
    assert "please wait until 14 Aug 2026, 14:31 PKT" in last.text
    staff = sara(world)
    listed = await staff.says("/lockouts")
    assert "user 730 · 3 misses · waits until 14 Aug 2026, 14:31 PKT" in listed.text
    assert (await staff.says("/unlock 730")).text == "Lifted: 730 can try again now."
    await typo.says("/claim")
    assert "phone number or e-mail" in (await typo.says("TX-1001")).text
    world.clock.advance(hours=1)  # nothing left to wait for: the list stays empty
    assert (await staff.says("/lockouts")).text.startswith("No lockouts")


# /queue pages and /stats, on claims stored as if filed earlier --------------------------------

# A Wednesday with no holiday near it in Pakistan, so the numbers below are plain.
WEDNESDAY_NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


async def add_claim(
    world: World,
    at: datetime,
    status: ClaimStatus = ClaimStatus.ESCALATED,
    *,
    decided_after: timedelta | None = None,
) -> int:
    """Store a claim as if a customer had filed it at `at`; returns its number."""
    escalated = status is not ClaimStatus.INELIGIBLE
    async with world.store.uow() as uow:
        claim = await uow.claims.add(
            Claim(
                id=None,
                status=status,
                outcome=Outcome.ELIGIBLE if escalated else Outcome.INELIGIBLE,
                reason=Reason.OUTAGE,
                transaction_id=f"TX-Q{at:%H%M%S}{status.value[:3]}",
                telegram_user_id=700,
                chat_id=700,
                refundable_credits=100,
                clauses=[ClauseResult.of("C-INCIDENT", False, "incident_none")],
                created_at=at,
                updated_at=at,
                customer_name="Quinn",
                escalated_at=at if escalated else None,
                decided_at=at + decided_after if decided_after is not None else None,
                assigned_to="Sara" if decided_after is not None else None,
            )
        )
        await uow.commit()
    assert claim.id is not None
    return claim.id


async def test_queue_pages_oldest_first_and_pages_in_place(world: World) -> None:
    now = world.clock()
    for n in range(10):
        await add_claim(world, now - timedelta(minutes=50 - n))
    await add_claim(world, now - timedelta(hours=2), ClaimStatus.APPROVED)
    staff = sara(world)

    first = await staff.says("/queue")
    lines = first.text.splitlines()
    assert lines[0] == "Open claims, oldest first (1–8 of 10):"
    assert lines[1] == "#1 · new · eligible · 100 cr · 50 minutes · —"
    assert [line.split(" · ")[0] for line in lines[1:]] == [f"#{n}" for n in range(1, 9)]
    assert first.button_labels == ["Older ▶️"]

    await staff.press(first, "Older")
    second = staff.now(first)
    lines = second.text.splitlines()
    assert lines[0] == "Open claims, oldest first (9–10 of 10):"
    assert [line.split(" · ")[0] for line in lines[1:]] == ["#9", "#10"]
    assert second.button_labels == ["◀️ Newer"]

    await staff.press(second, "Newer")
    assert staff.now(first).text.startswith("Open claims, oldest first (1–8 of 10):")
    assert len(staff.texts()) == 1  # paged in place, never a new message


async def test_stats_count_claims_and_time_to_decision(world: World) -> None:
    world.clock.now = now = WEDNESDAY_NOON
    await add_claim(world, now - timedelta(hours=3))
    await add_claim(world, now - timedelta(hours=2), ClaimStatus.IN_REVIEW)
    await add_claim(
        world, now - timedelta(hours=4), ClaimStatus.APPROVED, decided_after=timedelta(minutes=30)
    )
    await add_claim(
        world, now - timedelta(hours=5), ClaimStatus.REJECTED, decided_after=timedelta(minutes=90)
    )
    await add_claim(
        world, now - timedelta(days=20), ClaimStatus.APPROVED, decided_after=timedelta(hours=2)
    )
    await add_claim(world, now - timedelta(hours=1), ClaimStatus.INELIGIBLE)

    assert (await sara(world).says("/stats")).text == (
        "Claims by status:\n"
        "not eligible: 1\nnew: 1\nin review: 1\napproved: 2\nrejected: 1\n\n"
        "Filed today (Wed 10 Jun 2026, PKT): 5\n"
        "Median time to decision: 1 hour 30 minutes\n"
        "Refunds overdue: 1"
    )


async def test_stats_name_the_worst_faq_topic_by_its_title_and_never_a_zero(
    world: World,
) -> None:
    async with world.store.uow() as uow:
        await uow.faq.rate("how-to-request", True, world.clock())
        await uow.commit()
    staff = sara(world)
    stats = (await staff.says("/stats")).text
    assert "FAQ answers rated: 1 👍, 0 👎." in stats
    assert "Most 👎" not in stats and "how-to-request" not in stats and "`" not in stats
    assert "no claims yet" in stats

    async with world.store.uow() as uow:
        await uow.faq.rate("how-to-request", False, world.clock())
        await uow.commit()
    stats = (await staff.says("/stats")).text
    assert "Most 👎: “" in stats and "how-to-request" not in stats


# /teach and /incident ------------------------------------------------------------------------

# A person's post in the staff group (a copy of a customer's question): not a message of the bot.
POSTED = 900


async def test_teach_needs_a_known_topic_and_a_staff_member(world: World) -> None:
    sam = Staff(world, 9001, "Sam")
    await sam.send("/teach refund-timing", POSTED, "paisay kab tak milenge")
    wrong = sam.next()
    assert "No FAQ topic “refund-timing”" in wrong.text
    assert "processing-time" in wrong.text  # the topics are listed
    usage = await sam.says("/teach processing-time")  # not a reply: nothing to learn
    assert "Reply /teach TOPIC" in usage.text

    eve = Staff(world, 777, "Eve")
    await eve.send("/teach processing-time", POSTED, "paisay kab tak milenge")
    assert "Taught" not in eve.next().text
    assert world.store.data.faq_taught == set()

    await sam.send("/teach processing-time", POSTED, "paisay kab tak milenge")
    assert sam.next().text.startswith("Taught: “paisay kab tak milenge” → processing-time")
    await sam.send("/teach processing-time", POSTED, "paisay kab tak milenge")
    assert sam.next().text.startswith("Already taught")
    assert world.store.data.faq_taught == {("paisay kab tak milenge", "processing-time")}


async def test_a_relayed_question_is_taught_without_its_frame(world: World) -> None:
    alice = Person(world, 502, "Alice", username="alice")
    await alice.says("/human")
    await alice.says("kitne din mein paisay wapas aate hain")
    sam = Staff(world, 9001, "Sam")
    relayed = sam.last("From Alice")
    await sam.send("/teach processing-time", relayed.message_id)
    assert "kitne din mein paisay wapas aate hain” → processing-time" in sam.next().text
    assert not [t for t in alice.texts() if "teach" in t.lower()]  # not relayed to her


async def test_incident_commands_are_for_staff_and_say_how_when_wrong(world: World) -> None:
    staff = Staff(world, 9001, "Sara")
    assert (await staff.says("/incident start mars Everything down")).text.startswith(
        "Unknown scope “mars”"
    )
    assert (await staff.says("/incident start PK")).text.startswith("Say what happened")
    assert (await staff.says("/incident")).text.startswith("Record an outage:")
    intruder = Staff(world, 4242, "Mallory")
    assert "INC-" not in (await intruder.says("/incident start all Down")).text
    # Staff powers stay in the staff chat: Sara's private chat records nothing.
    in_private = Person(world, 9001, "Sara")
    assert "INC-" not in (await in_private.says("/incident start all Down")).text
    async with world.store.uow() as uow:
        assert await uow.incidents.ongoing(world.clock()) == []


async def test_an_incident_started_and_ended_in_the_staff_chat(world: World) -> None:
    staff = Staff(world, 9001, "Sara")
    said = await staff.says("/incident start all SMS gateway down")
    assert said.text.startswith("🚨 Incident INC-20260814-0930 recorded by Sara: all")
    assert "SMS gateway down" in said.text
    queue = await staff.says("/queue")
    assert "Ongoing incidents" in queue.text and "INC-20260814-0930 (all)" in queue.text
    world.clock.advance(minutes=30)
    ended = await staff.says("/incident end INC-20260814-0930")
    assert ended.text.startswith("✅ Incident INC-20260814-0930 ended by Sara")
    again = await staff.says("/incident end INC-20260814-0930")
    assert again.text == "There is no ongoing incident INC-20260814-0930."
    async with world.store.uow() as uow:
        assert await uow.incidents.ongoing(world.clock()) == []
