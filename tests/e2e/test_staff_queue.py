"""Reminders driven by the injected clock, and /report's chart and CSV files. What /queue, /card
and /stats say is in tests/conversations/test_staff_desk_unit.py."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.telegram_app import run_reminders
from conversations.business_days import refund_window
from conversations.catalog.policy_text import format_date
from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    Running,
    StaffMember,
    file_claim,
    pk_time,
    wait_for_card,
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
