"""An outage storm: hundreds of claims in a minute, and a staff group limited to 20 a minute."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.send_budget import LocalBudget
from bot.send_scheduler import ChatLimits, SendScheduler
from conversations.business_days import refund_window
from conversations.catalog.policy_text import format_date
from conversations.chat.events import Author as Who
from conversations.chat.events import EventKind, Inbound
from conversations.domain import (
    Campaign,
    ConversationState,
    Incident,
    Kind,
    Outcome,
    Purchase,
)
from storage.database import Database
from tests.e2e.harness import (
    STAFF_CHAT_ID,
    LiveClock,
    Running,
    StaffMember,
    start_bot,
    stop_bot,
)
from tests.fake_telegram import FakeTelegram

STORM_AT = datetime(2026, 6, 10, 12, 5, tzinfo=UTC)  # a Wednesday; one digest half hour
ELIGIBLE = 280  # a campaign failed during the platform-wide outage: refundable (C-INCIDENT a)
REVIEW = 20  # bought after it ended: staff must investigate
FIRST_USER = 100_000
PARALLEL = 4  # customers typing at the same moment
TIME_SCALE = 10  # one Telegram minute of the group limit passes in 6 real seconds
# The scheduler keeps Telegram's limits on the same compressed clock.
SCALED_LIMITS = ChatLimits(chat_window=1.1 / TIME_SCALE, group_window=61 / TIME_SCALE)


def phone(n: int) -> str:
    return f"+92300200{n:04d}"


async def seed_ledger(db: Database, now: datetime) -> None:
    purchases = [
        Purchase(
            transaction_id=f"TX-S{n:04d}",
            account_id=f"ACC-S{n:04d}",
            account_phone=phone(n),
            account_email=f"storm{n}@example.com",
            purchased_at=now - (timedelta(hours=3) if n <= ELIGIBLE else timedelta(minutes=30)),
            kind=Kind.PACKAGE,
            credits=1000,
            credits_used=400,
            amount=Decimal("500.00"),
            currency="PKR",
        )
        for n in range(1, ELIGIBLE + REVIEW + 1)
    ]
    incident = Incident(
        incident_id="INC-STORM",
        started_at=now - timedelta(hours=2),
        ended_at=now - timedelta(hours=1),
        scope="all",
        description="Sending failed for every account",
    )
    campaigns = [
        Campaign(
            campaign_id=f"CMP-S{n:04d}",
            transaction_id=f"TX-S{n:04d}",
            sent_at=now - timedelta(minutes=90),
            destination_country="PK",
            messages_sent=400,
            delivered=300,
            failed_platform=100,
            failed_carrier=0,
        )
        for n in range(1, ELIGIBLE + 1)
    ]
    async with db.uow() as uow:
        await uow.ledger.upsert_purchases(purchases)
        await uow.ledger.upsert_campaigns(campaigns)
        await uow.ledger.upsert_incidents([incident])
        await uow.commit()


async def apply(running: Running, event: Inbound) -> None:
    """What the bot's update handler does with one update, minus Telegram's polling."""
    result = await running.desk.handle(event)
    sender = running.services.sender
    delivered = await sender.deliver(result.replies)
    if result.queued_elsewhere or not delivered:
        running.services.dispatcher.wake()


async def at_the_send_button(db: Database, total: int) -> None:
    """Every customer has proven ownership, picked "platform down" and sees the Send button."""
    async with db.uow() as uow:
        for n in range(1, total + 1):
            slots = {"tx": f"TX-S{n:04d}", "owner_ok": True, "reason": "outage"}
            state = ConversationState(FIRST_USER + n, step="claim_confirm", slots=slots)
            assert await uow.conversations.save(state)
        await uow.commit()


async def press_send(running: Running, n: int, gate: asyncio.Semaphore) -> None:
    chat = FIRST_USER + n
    who = Who(user_id=chat, first_name=f"Customer{n}")
    async with gate:
        await apply(running, Inbound(chat, who, EventKind.BUTTON, data="cl:submit"))


def staff_texts(fake: FakeTelegram) -> list[str]:
    return [m.text or "" for m in fake.messages(STAFF_CHAT_ID)]


async def test_a_storm_of_claims_gets_a_digest_and_one_bulk_approval(
    fake_telegram: FakeTelegram, db: Database
) -> None:
    fake = fake_telegram
    fake.group(STAFF_CHAT_ID, "Refund staff")
    fake.time_scale = TIME_SCALE
    fake.limit_group_messages(per_minute=20)
    clock = LiveClock(STORM_AT)
    await seed_ledger(db, clock())
    await at_the_send_button(db, ELIGIBLE + REVIEW)
    total = ELIGIBLE + REVIEW
    for n in range(1, total + 1):
        fake.private_chat(fake.user(FIRST_USER + n, f"Customer{n}"))
    # The scheduler paces the group on the fake's compressed minute.
    running = await start_bot(
        fake,
        db,
        clock,
        SendScheduler(LocalBudget(), 1000, SCALED_LIMITS),
    )
    try:
        gate = asyncio.Semaphore(PARALLEL)
        await asyncio.gather(*(press_send(running, n, gate) for n in range(1, total + 1)))
        assert clock() - STORM_AT < timedelta(minutes=1)

        # Every claim is stored, and escalated.
        async with db.uow() as uow:
            assert await uow.claims.count_by_status() == {"escalated": total}
            claims = await uow.claims.list()
        chat_of = {c.id: c.chat_id for c in claims}
        eligible = sorted(c.id for c in claims if c.id and c.outcome is Outcome.ELIGIBLE)
        assert len(eligible) == ELIGIBLE

        # The staff chat gets a dozen cards and then one digest, edited as claims arrive.
        digest = await fake.wait_for_message(
            STAFF_CHAT_ID, lambda m: (m.text or "").startswith("📥"), timeout=20
        )
        digest = await fake.wait_for_edit(
            STAFF_CHAT_ID,
            digest.message_id,
            lambda m: f"({total} in the last few minutes)" in (m.text or ""),
            timeout=30,
        )
        lines = (digest.text or "").splitlines()
        assert lines[2].startswith(f"• incident INC-STORM, eligible: {ELIGIBLE} claims (#")
        assert lines[2].endswith(", …)")
        assert lines[3].startswith(f"• couldn't send, platform down, needs review: {REVIEW} claims")
        assert lines[-1] == "Each claim is in /queue; open one with /card N."
        assert digest.button_labels == ["✅ Approve all eligible for INC-STORM"]
        cards = [m for m in fake.messages(STAFF_CHAT_ID) if (m.text or "").startswith("🧾")]
        assert len(cards) == 12
        assert len(fake.messages(STAFF_CHAT_ID)) == 13

        # Every claim stays reachable.
        sara = StaffMember(fake, 9001, "Sara", "sara")
        await sara.send("/queue")
        queue = await sara.next("Open claims")
        assert (queue.text or "").startswith(f"Open claims, oldest first (1–8 of {total}):")
        turned_down = eligible[-1]
        await sara.send(f"/card {turned_down}")
        card = await sara.next(f"Claim #{turned_down} ·")
        assert (card.text or "").startswith(f"🧾 Claim #{turned_down} · new")

        # One eligible claim is turned down by hand first.
        await sara.press(card, "Reject")
        pick = await sara.next("pick the reason")
        await sara.press(pick, "already been used")
        rejected = await fake.wait_for_message(
            chat_of[turned_down], lambda m: "not approved" in (m.text or ""), timeout=10
        )
        assert "The credits had already been used." in (rejected.text or "")

        # The bulk approval asks first, then approves exactly the incident's eligible claims.
        await sara.press(digest, "Approve all eligible")
        confirm = await sara.next("Approve all")
        assert confirm.text == (
            f"Approve all {ELIGIBLE - 1} eligible claims linked to incident INC-STORM?"
        )
        async with db.uow() as uow:
            assert "approved" not in await uow.claims.count_by_status()
        await sara.press(confirm, "Yes, do it")
        done = await fake.wait_for_edit(STAFF_CHAT_ID, confirm.message_id, timeout=20)
        assert done.text == f"Approved {ELIGIBLE - 1} claims for incident INC-STORM."
        after = await fake.wait_for_edit(
            STAFF_CHAT_ID, digest.message_id, lambda m: "so far:" in (m.text or ""), timeout=20
        )
        assert f"so far: {ELIGIBLE - 1} approved, 1 rejected" in (after.text or "")

        start, end = refund_window(STORM_AT, "PK")
        approved = [claim_id for claim_id in eligible if claim_id != turned_down]
        for claim_id in approved:
            told = await fake.wait_for_message(
                chat_of[claim_id], lambda m: "is approved" in (m.text or ""), timeout=20
            )
            assert f"claim #{claim_id} is approved: 100 credits" in (told.text or "")
            assert f"between {format_date(start)} and {format_date(end)}" in (told.text or "")
        await fake.settle(timeout=30)
        # Nothing was sent twice, and nobody else was told of an approval.
        for claim_id, chat in chat_of.items():
            approvals = [m for m in fake.messages(chat) if "is approved" in (m.text or "")]
            assert len(approvals) == (1 if claim_id in approved else 0), claim_id
        async with db.uow() as uow:
            assert await uow.claims.count_by_status() == {
                "approved": ELIGIBLE - 1,
                "rejected": 1,
                "escalated": REVIEW,
            }

        # The cards already posted show the approval; no new cards were posted for the rest.
        for posted in cards:
            now = fake.message(STAFF_CHAT_ID, posted.message_id)
            claim_id = int((now.text or "").split("#", 1)[1].split(" ", 1)[0])
            if claim_id in approved:
                assert (now.text or "").startswith(f"🧾 Claim #{claim_id} · approved")
                assert now.button_labels == ["💸 Mark refunded"]
        assert len([t for t in staff_texts(fake) if t.startswith("🧾 Claim #")]) == 13

        # The group limit was hit, and no call came back before its retry_after.
        # The scheduler kept to the group's limit: Telegram never had to say 429.
        assert fake.rate_limit_hits == []
    finally:
        await stop_bot(running)
