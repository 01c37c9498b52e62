"""Every moment staff read is on the home country's clock, and names its zone (issue 23).

The desk runs on the in-memory unit of work with the deployment's zone (Asia/Karachi, as
HOME_COUNTRY=PK gives): the card, /find, /lockouts, /queue's incident lines, /incident,
/stats' rating comments and the overdue reminder all say "14 Aug 2026, 14:30 PKT", never UTC.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from conversations.chat.events import Author, EventKind, Inbound
from conversations.domain import Rating
from conversations.ownership import Attempts
from conversations.staff.reminders import due_reminders
from tests.conversations.chat_driver import (
    E2E_CONFIG,
    STAFF_CHAT_ID,
    Clock,
    Person,
    Shown,
    World,
)
from tests.conversations.test_dialogue_unit import file_claim

HOME = replace(E2E_CONFIG, time_zone="Asia/Karachi")
SARA = Author(9001, "Sara", "sara", None)
# "14 Aug 2026, 14:30 PKT": a day, a month, a year, a time and the zone's name.
MOMENT = re.compile(
    r"\b\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}(?: (UTC[+-]\d\d:\d\d|[A-Z]{2,5}))?"
)


def zones_named(text: str) -> list[str]:
    """The zone each moment in `text` is said in ("" where a moment names none)."""
    return [zone or "" for zone in MOMENT.findall(text)]


async def staff_says(world: World, text: str) -> Shown:
    [reply, *_] = await world.apply(Inbound.text_or_command(STAFF_CHAT_ID, SARA, text))
    return reply


async def staff_press(world: World, message: Shown, label: str) -> None:
    await world.apply(
        Inbound(
            STAFF_CHAT_ID,
            SARA,
            EventKind.BUTTON,
            data=message.button(label),
            text=label,
            message_id=message.message_id,
        )
    )


async def test_the_card_says_every_moment_on_the_home_clock() -> None:
    world = World(HOME)
    await file_claim(
        Person(world, 502, "Alice"), "TX-1001", "0300 1110001", "not delivered", campaign="CMP"
    )
    [card] = world.messages(STAFF_CHAT_ID)
    # Filed at 09:30 UTC: 14:30 in Pakistan.
    assert "Filed 14 Aug 2026, 14:30 PKT (" in card.text
    # Filed, bought and sent, and the clauses' purchase and sending times.
    assert len(zones_named(card.text)) >= 4, card.text
    assert set(zones_named(card.text)) == {"PKT"}, card.text
    assert "UTC" not in card.text


async def test_staff_commands_say_moments_on_the_home_clock() -> None:
    world = World(HOME)
    now = world.clock()
    await file_claim(
        Person(world, 502, "Alice"), "TX-1001", "0300 1110001", "not delivered", campaign="CMP"
    )
    world.store.data.attempts["tx:TX-1002"] = Attempts(3, now, now + timedelta(hours=1))
    world.store.data.ratings[1] = Rating(1, 502, 4, now, "Quick, thanks.")

    said = {
        "/find": await staff_says(world, "/find TX-1001"),
        "/lockouts": await staff_says(world, "/lockouts"),
        "/incident start": await staff_says(world, "/incident start PK gateway down"),
        "/queue": await staff_says(world, "/queue"),
        "/stats": await staff_says(world, "/stats"),
    }
    incident_id = re.search(r"INC-\S+\b", said["/incident start"].text)
    assert incident_id is not None, said["/incident start"].text
    said["/incident end"] = await staff_says(world, f"/incident end {incident_id.group()}")

    assert "TX-1002 · 3 wrong answers · locked until 14 Aug 2026, 15:30 PKT" in (
        said["/lockouts"].text
    )
    for command, reply in said.items():
        assert set(zones_named(reply.text)) == {"PKT"}, (command, reply.text)
        assert "UTC" not in reply.text, (command, reply.text)
    # Today, for /stats, is Pakistan's day; it is named with its zone.
    assert "Filed today (Fri 14 Aug 2026, PKT): 1" in said["/stats"].text


async def test_the_overdue_reminder_says_when_it_was_approved_on_the_home_clock() -> None:
    world = World(HOME)
    alice = Person(world, 502, "Alice")
    await file_claim(alice, "TX-1001", "0300 1110001", "not delivered", campaign="CMP")
    [card] = world.messages(STAFF_CHAT_ID)
    await staff_press(world, card, "Approve")
    await staff_press(world, world.messages(STAFF_CHAT_ID)[-1], "Approve 120")

    async with world.store.uow() as uow:
        later = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)  # well past the 7-business-day window
        assert await due_reminders(uow, later, HOME) == 1
        await uow.commit()
    [reminder] = [m for m in world.store.outbox() if "overdue" in m.text]
    assert "was approved 14 Aug 2026, 14:30 PKT and" in reminder.text


async def test_report_days_are_the_home_countrys_days() -> None:
    # 20:00 UTC on Friday 14 Aug is 01:00 on Saturday 15 Aug in Pakistan.
    world = World(HOME, Clock(datetime(2026, 8, 14, 20, 0, tzinfo=UTC)))
    await file_claim(
        Person(world, 502, "Alice"), "TX-1001", "0300 1110001", "not delivered", campaign="CMP"
    )
    report = await staff_says(world, "/report")
    assert report.text.startswith("📊 Report Sun 2 Aug 2026 – Sat 15 Aug 2026 (days in PKT)")
    assert "Claims filed: 1 (1 eligible" in report.text
