"""Money safety in the chat: a purchase is paid once, a refusal stays one, staff decide last."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.services.staff import staff_act
from storage.database import Database
from storage.tables import purchases
from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    Running,
    file_claim,
    wait_for_card,
)

FINANCE = Actor("cli:finance", None)


async def act(bot: Running, claim_id: int, transition: Transition, **kw: object) -> bool:
    """What `refundbot claims approve|refund` does: one transition, its messages queued."""
    async with bot.db.uow() as uow:
        result = await staff_act(
            uow,
            claim_id,
            transition,
            FINANCE,
            bot.clock(),
            bot.desk.config,
            **kw,  # type: ignore[arg-type]
        )
        await uow.commit()
    return result.ok


async def statuses(db: Database, tx: str) -> list[str]:
    async with db.uow() as uow:
        return [c.status.value for c in await uow.claims.for_transaction(tx)]


async def test_a_campaign_refunded_once_is_not_refunded_again_in_the_same_chat(
    bot: Running,
) -> None:
    alice = Customer(bot.fake, 801, "Alice")
    first = await file_claim(
        alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP-1001"
    )
    assert "qualifies for a refund of 120 credits" in first.text
    assert await act(bot, 1, Transition.APPROVE)
    assert await act(bot, 1, Transition.REFUNDED)
    await alice.next("has been paid")
    await alice.next("how did we handle")  # the rating question that follows a closed claim

    again = await file_claim(
        alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP-1001"
    )

    assert "can't be refunded" in again.text
    assert "already refunded in claim #1" in again.text
    assert await statuses(bot.db, "TX-1001") == ["refunded", "ineligible"]


async def test_two_chats_sending_the_same_claim_at_once_file_one_claim(bot: Running) -> None:
    alice = Customer(bot.fake, 811, "Alice")
    mallory = Customer(bot.fake, 812, "Mallory")
    summaries = []
    for customer in (alice, mallory):
        await customer.says("/claim")
        await customer.says("TX-1001")
        reasons = await customer.says("+923001110001")
        await customer.press(reasons, "Couldn't send")
        summaries.append(await customer.next("check your claim"))

    await asyncio.gather(alice.press(summaries[0], "Send"), mallory.press(summaries[1], "Send"))
    answers = [await alice.next("claim #"), await mallory.next("claim #")]

    assert sum("There's already a claim for TX-1001" in a.text for a in answers) == 1
    assert await statuses(bot.db, "TX-1001") == ["escalated"]


async def test_credits_approved_across_claims_never_exceed_the_purchase(bot: Running) -> None:
    alice = Customer(bot.fake, 821, "Alice")
    await file_claim(alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP-1001")
    assert await act(bot, 1, Transition.APPROVE, credits=4_000)
    assert await act(bot, 1, Transition.REFUNDED)
    await alice.next("has been paid")
    await alice.next("how did we handle")  # the rating question that follows a closed claim
    second = await file_claim(
        alice,
        "TX-1001",
        "demo1@example.com",
        "Something else",
        description="Half of the numbers in my list never got anything at all.",
    )
    assert "claim #2 needs a person" in second.text

    assert not await act(bot, 2, Transition.APPROVE, credits=1_001)
    assert await act(bot, 2, Transition.APPROVE, credits=1_000)
    await alice.next("claim #2 is approved")

    async with bot.db.uow() as uow:
        booked = await uow.session.scalar(
            select(purchases.c.credits_approved).where(purchases.c.transaction_id == "TX-1001")
        )
    assert booked == 5_000
    await alice.says("/claim")
    await alice.says("TX-1001")
    third = await alice.says("demo1@example.com")
    assert "There's already a claim for TX-1001: claim #2, approved" in third.text


async def test_changing_the_reason_does_not_turn_a_refusal_into_a_payout(bot: Running) -> None:
    for n, tx in enumerate(("TX-1004", "TX-1005", "TX-1006")):
        customer = Customer(bot.fake, 830 + n, "Cara")
        contact = f"demo{tx[-1]}@example.com"
        refused = await file_claim(customer, tx, contact, "not delivered", campaign=f"CMP-{tx[3:]}")
        assert "can't be refunded" in refused.text

        again = await file_claim(customer, tx, contact, "Couldn't send")

        assert "can't be refunded" in again.text, again.text
        assert "none failed on our platform" in again.text
    await bot.fake.settle()
    assert not [m for m in bot.fake.messages(STAFF_CHAT_ID) if "TX-100" in (m.text or "")]


async def test_filed_again_after_a_refusal_goes_to_staff_flagged_with_its_history(
    bot: Running,
) -> None:
    alice = Customer(bot.fake, 841, "Alice")
    refused = await file_claim(alice, "TX-1001", "demo1@example.com", "Not what I needed")
    assert "can't be refunded" in refused.text

    again = await file_claim(
        alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP-1001"
    )

    assert "claim #2 needs a person to check it" in again.text
    card = await wait_for_card(bot.fake, 2)
    text = card.text or ""
    assert "Bot decision: needs review" in text
    assert "⚠️ Filed again after a refusal on this purchase" in text
    assert "• #1, " in text and "the service wasn't what I needed · bot: not eligible" in text
    assert "Refundable: 120 credits" in text
