"""SUPPORT_HOURS: parsing what an operator writes, and the next time staff answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conversations.support_hours import parse

KARACHI = "Asia/Karachi"  # UTC+5, no daylight saving


@pytest.mark.parametrize(
    ("spec", "described"),
    [
        ("Mon-Fri 09:00-18:00", "Mon–Fri 09:00–18:00"),
        ("mon-thu, sat 10:00-16:30", "Mon–Thu, Sat 10:00–16:30"),
        ("Sun 9:00-13:00", "Sun 09:00–13:00"),
    ],
)
def test_what_operators_write_reads_back_plainly(spec: str, described: str) -> None:
    assert parse(spec, KARACHI).describe() == described


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("weekdays 9-5", "like 'Mon-Fri 09:00-18:00'"),
        ("Mon-Fry 09:00-18:00", "unknown day"),
        ("Fri-Mon 09:00-18:00", "runs backwards"),
        ("Mon-Fri 18:00-09:00", "closing time must be after opening time"),
        ("Mon-Fri 09:00-25:00", "not a time of day"),
    ],
)
def test_a_typo_says_what_is_wrong(spec: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse(spec, KARACHI)


@pytest.mark.parametrize(
    ("now", "opening"),
    [
        (datetime(2026, 8, 12, 6, 0, tzinfo=UTC), None),  # Wed 11:00 in Karachi: open
        (datetime(2026, 8, 12, 13, 0, tzinfo=UTC), "2026-08-13T09:00:00+05:00"),  # Wed 18:00
        (datetime(2026, 8, 14, 14, 0, tzinfo=UTC), "2026-08-17T09:00:00+05:00"),  # Fri 19:00
        (datetime(2026, 8, 16, 1, 0, tzinfo=UTC), "2026-08-17T09:00:00+05:00"),  # Sun 06:00
        (datetime(2026, 8, 17, 3, 59, tzinfo=UTC), "2026-08-17T09:00:00+05:00"),  # Mon 08:59
    ],
)
def test_the_next_opening(now: datetime, opening: str | None) -> None:
    found = parse("Mon-Fri 09:00-18:00", KARACHI).next_opening(now)
    assert (found.isoformat() if found else None) == opening
