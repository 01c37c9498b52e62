"""Working the queue: /queue pages, /card, /stats, and reminders driven by the injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.telegram_app import run_reminders
from conversations.business_days import refund_window
from conversations.catalog.policy_text import format_date
from conversations.catalog.staff import CARD_COPY
from conversations.domain import Claim, ClaimStatus, ClauseResult, Outcome, Reason
from storage.database import Database
from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    Running,
    StaffMember,
    file_claim,
    pk_time,
    wait_for_card,
)

# A Wednesday with no holiday near it in Pakistan, so the numbers below are plain.
WEDNESDAY_NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


async def add_claim(
    db: Database,
    at: datetime,
    status: ClaimStatus = ClaimStatus.ESCALATED,
    *,
    decided_after: timedelta | None = None,
    credits: int = 100,
) -> int:
    """Store a claim as if a customer had filed it at `at`; returns its number."""
    escalated = status is not ClaimStatus.INELIGIBLE
    async with db.uow() as uow:
        claim = await uow.claims.add(
            Claim(
                id=None,
                status=status,
                outcome=Outcome.ELIGIBLE if escalated else Outcome.INELIGIBLE,
                reason=Reason.OUTAGE,
                transaction_id=f"TX-Q{at:%H%M%S}{status.value[:3]}",
                telegram_user_id=700,
                chat_id=700,
                refundable_credits=credits,
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


async def test_queue_pages_oldest_first_and_pages_in_place(bot: Running) -> None:
    now = bot.clock()
    for n in range(10):
        await add_claim(bot.db, now - timedelta(minutes=50 - n))
    await add_claim(bot.db, now - timedelta(hours=2), ClaimStatus.APPROVED)
    sara = StaffMember(bot.fake, 9001, "Sara", "sara")

    first = await sara.says("/queue")
    lines = (first.text or "").splitlines()
    assert lines[0] == "Open claims, oldest first (1–8 of 10):"
    assert lines[1] == "#1 · new · eligible · 100 cr · 50 minutes · —"
    assert [line.split(" · ")[0] for line in lines[1:]] == [f"#{n}" for n in range(1, 9)]
    assert first.button_labels == ["Older ▶️"]

    await sara.press(first, "Older")
    second = await bot.fake.wait_for_edit(STAFF_CHAT_ID, first.message_id)
    lines = (second.text or "").splitlines()
    assert lines[0] == "Open claims, oldest first (9–10 of 10):"
    assert [line.split(" · ")[0] for line in lines[1:]] == ["#9", "#10"]
    assert second.button_labels == ["◀️ Newer"]

    await sara.press(second, "Newer")
    back = await bot.fake.wait_for_edit(STAFF_CHAT_ID, first.message_id)
    assert (back.text or "").startswith("Open claims, oldest first (1–8 of 10):")


async def test_an_empty_queue_says_so(bot: Running) -> None:
    sara = StaffMember(bot.fake, 9001, "Sara", "sara")
    assert (await sara.says("/queue")).text == "The queue is empty. 🎉"


async def test_card_shows_a_copy_and_the_claims_card_stays_current(bot: Running) -> None:
    alice = Customer(bot.fake, 502, "Alice", "alice")
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    first = await wait_for_card(bot.fake, 1)
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)

    copy = await sara.says("/card 1")
    assert copy.message_id != first.message_id
    assert copy.text == f"{first.text}\n\n{CARD_COPY}" and copy.buttons == first.buttons
    # Take on the copy: the claim's own card changes, and so does the copy that was pressed.
    await sara.press(copy, "Take")
    card = await bot.fake.wait_for_edit(STAFF_CHAT_ID, first.message_id)
    assert (card.text or "").startswith("🧾 Claim #1 · in review")
    edited = await bot.fake.wait_for_edit(STAFF_CHAT_ID, copy.message_id)
    assert (edited.text or "").startswith("🧾 Claim #1 · in review")
    # Later changes still go to the claim's card, not to the newest copy.
    await sara.press(card, "Approve")
    confirm = await sara.next("Approve claim #1")
    await sara.press(confirm, "Approve 120")
    approved = await bot.fake.wait_for_edit(
        STAFF_CHAT_ID, first.message_id, lambda m: "· approved" in (m.text or "")
    )
    assert (approved.text or "").startswith("🧾 Claim #1 · approved")

    assert (await sara.says("/card")).text == "Usage: /card 12 (the claim number)."
    assert (await sara.says("/card #99")).text == "There's no claim #99."


async def test_an_unknown_staff_command_is_answered_with_the_staff_commands(bot: Running) -> None:
    sara = StaffMember(bot.fake, 9001, "Sara", "sara")
    answer = await sara.says("/qeue")
    assert (answer.text or "").startswith("There's no /qeue here.\n\nStaff commands:\n/queue")


async def test_staff_commands_are_for_staff_only(bot: Running) -> None:
    await add_claim(bot.db, bot.clock())
    guest = StaffMember(bot.fake, 6666, "Guest")
    assert (await guest.says("/queue")).text == "That command is for support staff."

    # In a staff member's private chat, /queue is what it is for a customer: unknown.
    omar = Customer(bot.fake, 9002, "Omar")
    private = await omar.says("/queue")
    carl = Customer(bot.fake, 503, "Carl")
    for_a_customer = await carl.says("/queue")
    assert "I don't know /queue" in (for_a_customer.text or "")
    assert private.text == for_a_customer.text


async def test_stats_count_claims_and_time_to_decision(bot: Running) -> None:
    bot.clock.now = WEDNESDAY_NOON
    now = WEDNESDAY_NOON
    await add_claim(bot.db, now - timedelta(hours=3))
    await add_claim(bot.db, now - timedelta(hours=2), ClaimStatus.IN_REVIEW)
    await add_claim(
        bot.db, now - timedelta(hours=4), ClaimStatus.APPROVED, decided_after=timedelta(minutes=30)
    )
    await add_claim(
        bot.db, now - timedelta(hours=5), ClaimStatus.REJECTED, decided_after=timedelta(minutes=90)
    )
    await add_claim(
        bot.db, now - timedelta(days=20), ClaimStatus.APPROVED, decided_after=timedelta(hours=2)
    )
    await add_claim(bot.db, now - timedelta(hours=1), ClaimStatus.INELIGIBLE)
    # 20:00 UTC on Tuesday is 01:00 on Wednesday in Pakistan: filed today, for staff there.
    await add_claim(bot.db, now - timedelta(hours=16))
    sara = StaffMember(bot.fake, 9001, "Sara", "sara")

    stats = await sara.says("/stats")
    assert stats.text == (
        "Claims by status:\n"
        "not eligible: 1\nnew: 2\nin review: 1\napproved: 2\nrejected: 1\n\n"
        # Noon UTC is 17:00 in Pakistan: today there began at 19:00 UTC the day before.
        "Filed today (Wed 10 Jun 2026, PKT): 6\n"
        "Median time to decision: 1 hour 30 minutes\n"
        "Refunds overdue: 1"
    )


async def test_an_untaken_claim_is_raised_again_once(bot: Running) -> None:
    alice = Customer(bot.fake, 502, "Alice", "alice")
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    card = await wait_for_card(bot.fake, 1)
    minutes = bot.settings.untaken_reminder_minutes

    await bot.jump(minutes=minutes - 1)
    assert await run_reminders(bot.services) == 0
    await bot.jump(minutes=2)
    assert await run_reminders(bot.services) == 1
    reminder = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "⏰" in (m.text or ""))
    assert minutes == 60  # the default setting
    assert reminder.text == "⏰ Claim #1 has waited 1 hour 1 minute and nobody has taken it yet."
    assert reminder.reply_to_message_id == card.message_id

    await bot.jump(minutes=5)
    assert await run_reminders(bot.services) == 0
    sara = StaffMember(bot.fake, 9001, "Sara", "sara")
    await sara.press(card, "Take")
    await alice.next("looking at")
    await bot.jump(hours=5)
    assert await run_reminders(bot.services) == 0
    await bot.fake.settle()
    assert len([m for m in bot.fake.messages(STAFF_CHAT_ID) if "⏰" in (m.text or "")]) == 1


async def test_an_approved_refund_past_its_window_is_flagged_overdue_once(bot: Running) -> None:
    alice = Customer(bot.fake, 502, "Alice", "alice")
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    card = await wait_for_card(bot.fake, 1)
    sara = StaffMember(bot.fake, 9001, "Sara", "sara")
    await sara.press(card, "Approve")
    confirm = await sara.next("Approve claim #1")
    await sara.press(confirm, "Approve 120")
    await alice.next("approved")
    approved_at = bot.clock()
    _, end = refund_window(approved_at, "PK")

    # On the last day of the window the refund is not overdue yet.
    await bot.fake.settle()  # jump only once every reply is marked sent, as real time would
    bot.clock.now = datetime.combine(end, time(23, 0), tzinfo=UTC)
    assert await run_reminders(bot.services) == 0
    bot.clock.now = datetime.combine(end + timedelta(days=1), time(9, 0), tzinfo=UTC)
    assert await run_reminders(bot.services) == 1
    overdue = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "overdue" in (m.text or ""))
    assert overdue.text == (
        f"⚠️ Refund overdue: claim #1 was approved {pk_time(approved_at)} and the "
        f"7-business-day window ended {format_date(end)}. Please pay it and mark it refunded."
    )
    assert overdue.reply_to_message_id == card.message_id

    await bot.jump(days=2)
    assert await run_reminders(bot.services) == 0
    stats = await sara.says("/stats")
    assert "Refunds overdue: 1" in (stats.text or "")


async def test_report_sends_a_chart_the_numbers_and_the_finance_csv(bot: Running) -> None:
    alice = Customer(bot.fake, 511, "Alice")
    await file_claim(alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP")
    bob = Customer(bot.fake, 512, "Bob")
    await file_claim(bob, "TX-1005", "demo5@example.com", "not delivered", campaign="CMP")
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    card = await wait_for_card(bot.fake, 1)
    await sara.press(card, "Approve")
    await sara.press(await sara.next("Approve claim #1"), "Approve 120 credits")
    await alice.next("approved")
    await bot.fake.settle()
    for _ in bot.fake.unconsumed(STAFF_CHAT_ID):
        await sara.next()

    await sara.send("/report")
    # Drawing the chart imports matplotlib: seconds on a busy machine.
    chart = await bot.fake.wait_for_message(
        STAFF_CHAT_ID, lambda m: m.method == "sendPhoto", timeout=30
    )
    finance = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: m.method == "sendDocument")

    assert chart.file_content is not None and chart.file_content.startswith(b"\x89PNG\r\n")
    # Two weeks of Pakistan's days, ending today there (09:30 UTC is 14:30 PKT, same day).
    assert (chart.text or "").startswith("📊 Report Sat 1 Aug 2026 – Fri 14 Aug 2026 (days in PKT)")
    assert "Claims filed: 2 (1 eligible, 0 to review, 1 not eligible)" in (chart.text or "")
    assert "Refunds paid: 0, 0 credits" in (chart.text or "")
    assert "Refunds paid late or overdue: 0 (none)" in (chart.text or "")
    assert finance.text == "💸 Approved refunds to pay: 1. The CSV opens safely in a spreadsheet."
    assert finance.file_name is not None and finance.file_name.endswith(".csv")
    csv_lines = (finance.file_content or b"").decode().splitlines()
    assert csv_lines[0].startswith("claim_id,transaction_id,account_id,credits,amount_due")
    assert csv_lines[1].startswith("1,TX-1001,ACC-DEMO-1,120,60.00,PKR,")


async def test_stats_name_the_worst_faq_topic_by_its_title_and_never_a_zero(bot: Running) -> None:
    async with bot.db.uow() as uow:
        await uow.faq.rate("how-to-request", True, bot.clock())
        await uow.commit()
    sara = StaffMember(bot.fake, 9001, "Sara", "sara")
    stats = (await sara.says("/stats")).text or ""
    assert "FAQ answers rated: 1 👍, 0 👎." in stats
    assert "Most 👎" not in stats and "how-to-request" not in stats and "`" not in stats
    assert "no claims yet" in stats

    async with bot.db.uow() as uow:
        await uow.faq.rate("how-to-request", False, bot.clock())
        await uow.commit()
    stats = (await sara.says("/stats")).text or ""
    assert "Most 👎: “" in stats and "how-to-request" not in stats
