"""No chat waits for another: a staff group at its limit holds up neither customers nor staff."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.send_budget import LocalBudget
from bot.send_scheduler import ChatLimits, SendScheduler
from storage.database import Database
from storage.demo_data import DemoCase
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
from tests.fake_telegram import FakeTelegram

TIME_SCALE = 10  # the group's minute passes in 6 real seconds
SCALED_LIMITS = ChatLimits(chat_window=1.1 / TIME_SCALE, group_window=61 / TIME_SCALE)
FLOOD = 25  # messages each of two customers writes to the team (under the flood limit)


@pytest.fixture
async def busy_bot(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock, demo: dict[str, DemoCase]
) -> AsyncIterator[Running]:
    """The bot with Telegram's group limit on a compressed clock, paced to keep it."""
    fake_telegram.group(STAFF_CHAT_ID, "Refund staff")
    fake_telegram.time_scale = TIME_SCALE
    fake_telegram.limit_group_messages(per_minute=20)
    running = await start_bot(
        fake_telegram, db, clock, SendScheduler(LocalBudget(), 1000, SCALED_LIMITS)
    )
    try:
        yield running
    finally:
        await stop_bot(running)


def relayed(fake: FakeTelegram) -> int:
    return sum(1 for m in fake.messages(STAFF_CHAT_ID) if (m.text or "").startswith("💬 From"))


async def test_one_customers_flood_to_the_team_holds_up_no_other_card_notice_or_button(
    busy_bot: Running,
) -> None:
    fake = busy_bot.fake
    flooders = [Customer(fake, 777, "Flo"), Customer(fake, 778, "Fred")]
    for flooder in flooders:
        await flooder.says("/human")
        for n in range(FLOOD):
            await flooder.send(f"hello? message {n}")
    # Every one of them is queued for the group (each acknowledged to the customer) first.
    for flooder in flooders:
        for _ in range(FLOOD):
            await flooder.next("Sent to our team", timeout=20)

    # Another customer files a claim while the group's window is full of the flood.
    alice = Customer(fake, 502, "Alice", "alice")
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    card = await wait_for_card(fake, 1, timeout=20)
    # The card took its turn as soon as the group's window let anything through, beside the
    # flood instead of behind all of it (a window lets 17 background messages through).
    assert relayed(fake) <= 17 + len(flooders)

    # A staff member's button is answered, and the customer told, while the flood still waits.
    sara = StaffMember(fake, 9001, "Sara", "sara", db=busy_bot.db)
    await sara.press(card, "Take")
    await alice.next("looking at", timeout=10)
    taken = await fake.wait_for_edit(
        STAFF_CHAT_ID, card.message_id, lambda m: "in review" in (m.text or ""), timeout=10
    )
    assert (taken.text or "").startswith("🧾 Claim #1 · in review")
    assert relayed(fake) < FLOOD * len(flooders)
    # Nothing was refused by Telegram: the scheduler kept the group's limit throughout.
    assert fake.rate_limit_hits == []
