"""A card's buttons through Telegram: a refused press's alert and metric, and two staff pressing
at once. What the card and each step say is in tests/conversations/test_staff_desk_unit.py."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from conversations.domain import ClaimStatus
from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    Running,
    StaffMember,
    callback_answers,
    file_claim,
    wait_for_card,
)
from tests.fake_telegram import RecordedMessage

ALICE_PHONE = "+923001110001"


async def alice_files(bot: Running) -> tuple[Customer, RecordedMessage]:
    """Alice files the eligible TX-1001 claim (#1); returns her and its card."""
    alice = Customer(bot.fake, 502, "Alice", "alice")
    await file_claim(alice, "TX-1001", ALICE_PHONE, "not delivered", campaign="CMP")
    return alice, await wait_for_card(bot.fake, 1)


async def status_of(bot: Running, claim_id: int) -> ClaimStatus:
    async with bot.db.uow() as uow:
        claim = await uow.claims.get(claim_id)
    assert claim is not None
    return claim.status


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
