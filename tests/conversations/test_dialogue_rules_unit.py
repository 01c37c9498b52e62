"""Every refund rule and the claim dialogue's turns, as a customer meets them, on the in-memory
unit of work (moved from tests/e2e/test_claim_decisions.py and test_dialogue_robustness.py:
they check what the dialogue says, nothing that crosses HTTP or processes)."""

from __future__ import annotations

import pytest

from tests.conversations.chat_driver import STAFF_CHAT_ID, Person, World, file_claim


@pytest.fixture
def world() -> World:
    return World()


INELIGIBLE = [
    # tx, reason button, campaign, clause, facts the customer must read
    ("TX-1003", "Couldn't send", None, "C-SUBSCRIPTION", ["subscription"]),
    ("TX-1004", "not delivered", "CMP-1004", "C-INTL-CARRIER", ["United Kingdom"]),
    ("TX-1005", "not delivered", "CMP-1005", "C-SERVICE-FAILURE", ["40"]),
    ("TX-1006", "not delivered", "CMP-1006", "C-NO-FAILURE", ["400"]),
    ("TX-1007", "not delivered", "CMP-1007", "C-REPORT-24H", ["24 hours"]),
    ("TX-1001", "Not what I needed", None, "C-NOT-BENEFICIAL", ["smaller"]),
]


@pytest.mark.parametrize(("tx", "reason", "campaign", "clause", "facts"), INELIGIBLE)
async def test_each_ineligible_rule_is_explained(
    world: World, tx: str, reason: str, campaign: str | None, clause: str, facts: list[str]
) -> None:
    n = int(tx[-1])
    customer = Person(world, 600 + n, "Cara")
    description = "The package did not work as I expected at all." if "else" in reason else None
    decision = await file_claim(
        customer,
        tx,
        f"demo{n}@example.com",
        reason,
        campaign=campaign,
        description=description,
    )
    assert "can't be refunded" in decision.text
    # The customer reads the policy's words; clause ids are for staff (the card has them).
    assert clause not in decision.text and "C-" not in decision.text
    for fact in facts:
        assert fact in decision.text, decision.text
    assert not [m for m in world.messages(STAFF_CHAT_ID) if tx in m.text]


async def test_outage_with_platform_incident_is_eligible(world: World) -> None:
    customer = Person(world, 701, "Dan")
    decision = await file_claim(customer, "TX-1008", "+92 300 1110008", "Couldn't send")
    assert "qualifies for a refund" in decision.text
    card = next(m for m in world.messages(STAFF_CHAT_ID) if "TX-1008" in m.text)
    assert "INC-DEMO-ALL" in card.text


async def test_outage_without_platform_incident_goes_to_review(world: World) -> None:
    customer = Person(world, 702, "Eve")
    decision = await file_claim(customer, "TX-1009", "demo9@example.com", "Couldn't send")
    assert "needs a person to check it" in decision.text
    card = next(m for m in world.messages(STAFF_CHAT_ID) if "TX-1009" in m.text)
    assert "unverified" in card.text


async def test_other_reason_goes_to_review_with_the_description(world: World) -> None:
    customer = Person(world, 703, "Fay")
    decision = await file_claim(
        customer,
        "TX-1001",
        "demo1@example.com",
        "Something else",
        description="My invoice shows the wrong amount for this package.",
    )
    assert "needs a person" in decision.text
    assert "read your description" in decision.text
    card = next(m for m in world.messages(STAFF_CHAT_ID) if "TX-1001" in m.text)
    assert "wrong amount" in card.text


async def test_typed_campaign_of_another_purchase_is_reasked_then_reviewed(world: World) -> None:
    customer = Person(world, 704, "Gus")
    await customer.says("/claim")
    await customer.says("TX-1001")
    reasons = await customer.says("demo1@example.com")
    await customer.press(reasons, "not delivered")
    customer.next("which campaign")
    wrong = await customer.says("CMP-1004")
    assert "can't find campaign CMP-1004" in wrong.text and "2 tries left" in wrong.text
    customer.next("which campaign")
    await customer.says("NOPE-1")
    customer.next("which campaign")
    give_up = await customer.says("NOPE-2")
    assert "our team to check" in give_up.text
    summary = customer.next("check your claim")
    assert "not matched" in summary.text
    await customer.press(summary, "Send")
    decision = customer.next("claim #")
    assert "needs a person" in decision.text


# The claim dialogue (from tests/e2e/test_dialogue_robustness.py) ------------------------------


async def _walk_to(customer: Person, step: str) -> None:
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
    campaigns = customer.next("which campaign")
    if step == "campaign":
        return
    await customer.press(campaigns, "CMP-1001")
    customer.next("check your claim")


STEPS = ["tx", "owner", "reason", "campaign", "confirm"]


async def test_three_wrong_contacts_lock_the_transaction_for_an_hour(world: World) -> None:
    mallory = Person(world, 801, "Mallory")
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
    world.clock.advance(minutes=2)
    await mallory.says("/claim")
    await mallory.says("TX-1001")
    still = await mallory.says("demo1@example.com")
    assert "Transaction TX-1001 is locked until 14 Aug 2026, 15:30 PKT" in still.text
    # An hour later the lock is gone.
    world.clock.advance(hours=1, seconds=1)
    await mallory.says("/claim")
    again = await mallory.says("TX-1001")
    assert "phone number or e-mail" in again.text
    assert "What went wrong?" in (await mallory.says("demo1@example.com")).text
    assert all("120" not in text for text in mallory.texts())


async def test_unknown_transaction_is_reasked_then_a_person_is_offered(world: World) -> None:
    zed = Person(world, 802, "Zed")
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


async def test_duplicate_claim_shows_the_existing_claim(world: World) -> None:
    ann = Person(world, 803, "Ann")
    decision = await file_claim(
        ann, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP-1001"
    )
    assert "claim #1" in decision.text
    await ann.says("/claim")
    await ann.says("TX-1001")
    duplicate = await ann.says("demo1@example.com")
    assert "already a claim for TX-1001" in duplicate.text
    assert "#1" in duplicate.text and "waiting for our team" in duplicate.text


@pytest.mark.parametrize("step", STEPS)
async def test_cancel_in_every_step_returns_to_the_menu(world: World, step: str) -> None:
    cy = Person(world, 810 + STEPS.index(step), "Cy")
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
async def test_back_goes_one_step_back(world: World, step: str) -> None:
    di = Person(world, 820 + STEPS.index(step), "Di")
    await _walk_to(di, step)
    back = await di.says("/back")
    assert BACK_TO[step] in back.text


async def test_typing_where_a_button_is_wanted_reprompts(world: World) -> None:
    fay = Person(world, 831, "Fay")
    await _walk_to(fay, "reason")
    nudge = await fay.says("the messages did not go")
    assert "pick one of the buttons" in nudge.text
    again = fay.next("What went wrong?")
    assert again.buttons


async def test_old_buttons_after_moving_on_are_handled(world: World) -> None:
    gil = Person(world, 832, "Gil")
    menu = await gil.says("/start")
    await gil.says("/claim")
    await gil.press(menu, "My claims")
    status = gil.next()
    assert "no refund claims yet" in status.text


async def test_idle_conversation_times_out(world: World) -> None:
    jo = Person(world, 835, "Jo")
    await jo.says("/claim")
    await jo.says("TX-1001")
    world.clock.advance(minutes=31)
    expired = await jo.says("demo1@example.com")
    assert expired.text == (
        "We hadn't heard from you for 30 minutes, so I closed the claim you were filing for "
        "TX-1001 (nothing was sent)."
    )
    # What was typed is answered as a new message: an e-mail alone is not a question.
    answer = jo.next()
    assert "I don't need that right now" in answer.text and answer.buttons


async def test_an_unknown_command_says_so_and_lists_the_commands_once(world: World) -> None:
    wes = Person(world, 839, "Wes")
    reply = await wes.says("/refundme")
    assert reply.text.startswith("I don't know /refundme.\n\nHere's what I can do:")
    assert reply.text.count("Here's what I can do") == 1


async def test_a_command_mid_claim_asks_before_throwing_the_claim_away(world: World) -> None:
    xan = Person(world, 840, "Xan")
    await xan.says("/claim")
    await xan.says("TX-1001")
    ask = await xan.says("/start")
    assert ask.text == "Discard the claim you were filing for TX-1001?"

    await xan.press(ask, "No, keep going")
    again = xan.next("phone number or e-mail")
    assert "phone number or e-mail" in again.text
    reasons = await xan.says("demo1@example.com")
    assert "TX-1001" in reasons.text and len(reasons.buttons) == 4  # the claim went on

    ask = await xan.says("/claim")
    await xan.press(ask, "Yes, discard it")
    fresh = xan.next("transaction ID")
    assert "transaction ID" in fresh.text


async def test_back_from_an_faq_answer_returns_to_the_topics(world: World) -> None:
    yas = Person(world, 841, "Yas")
    await yas.says("how long does a refund take to reach my bank")
    back = await yas.says("/back")
    assert back.text == "Pick a question:"
    assert len(back.buttons) <= 6


async def test_none_of_these_offers_a_person(world: World) -> None:
    zed = Person(world, 842, "Zed")
    choices = await zed.says("i have a question about my refund")
    offered = await zed.press(choices, "None of these")
    assert "A person from our team can answer you here" in (offered.text or "")
    assert ["🙋 Talk to a person"] in [[label for label, _ in row] for row in offered.buttons]
