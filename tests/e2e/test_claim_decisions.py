"""Every refund rule, as a customer meets it in the chat."""

from __future__ import annotations

import pytest

from tests.e2e.harness import STAFF_CHAT_ID, Customer, Running, file_claim

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
    bot: Running, tx: str, reason: str, campaign: str | None, clause: str, facts: list[str]
) -> None:
    n = int(tx[-1])
    customer = Customer(bot.fake, 600 + n, "Cara")
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
    await bot.fake.settle()
    assert not [m for m in bot.fake.messages(STAFF_CHAT_ID) if tx in m.text]


async def test_outage_with_platform_incident_is_eligible(bot: Running) -> None:
    customer = Customer(bot.fake, 701, "Dan")
    decision = await file_claim(customer, "TX-1008", "+92 300 1110008", "Couldn't send")
    assert "qualifies for a refund" in decision.text
    card = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "TX-1008" in m.text)
    assert "INC-DEMO-ALL" in card.text


async def test_outage_without_platform_incident_goes_to_review(bot: Running) -> None:
    customer = Customer(bot.fake, 702, "Eve")
    decision = await file_claim(customer, "TX-1009", "demo9@example.com", "Couldn't send")
    assert "needs a person to check it" in decision.text
    card = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "TX-1009" in m.text)
    assert "unverified" in card.text


async def test_other_reason_goes_to_review_with_the_description(bot: Running) -> None:
    customer = Customer(bot.fake, 703, "Fay")
    decision = await file_claim(
        customer,
        "TX-1001",
        "demo1@example.com",
        "Something else",
        description="My invoice shows the wrong amount for this package.",
    )
    assert "needs a person" in decision.text
    assert "read your description" in decision.text
    card = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "TX-1001" in m.text)
    assert "wrong amount" in card.text


async def test_typed_campaign_of_another_purchase_is_reasked_then_reviewed(bot: Running) -> None:
    customer = Customer(bot.fake, 704, "Gus")
    await customer.says("/claim")
    await customer.says("TX-1001")
    reasons = await customer.says("demo1@example.com")
    await customer.press(reasons, "not delivered")
    await customer.next("which campaign")
    wrong = await customer.says("CMP-1004")
    assert "can't find campaign CMP-1004" in wrong.text and "2 tries left" in wrong.text
    await customer.next("which campaign")
    await customer.says("NOPE-1")
    await customer.next("which campaign")
    give_up = await customer.says("NOPE-2")
    assert "our team to check" in give_up.text
    summary = await customer.next("check your claim")
    assert "not matched" in summary.text
    await customer.press(summary, "Send")
    decision = await customer.next("claim #")
    assert "needs a person" in decision.text
