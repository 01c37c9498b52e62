"""Business days for C-PROCESSING: weekdays that are not public holidays of the home country."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from conversations import policy_numbers


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    # Building a country's calendar takes milliseconds; refunds are approved all day long.
    return holidays.country_holidays(country, years=year)


def is_business_day(day: date, country: str = "PK") -> bool:
    """True for a weekday that is not a public holiday in `country`."""
    return day.weekday() < 5 and day not in _holidays(country.upper(), day.year)


def add_business_days(start: date, n: int, country: str = "PK") -> date:
    """The n-th business day after `start` (which is day 0, whatever it is)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n:
        day += timedelta(days=1)
        if is_business_day(day, country):
            n -= 1
    return day


def refund_window(approved_at: datetime, country: str = "PK") -> tuple[date, date]:
    """The first and last day an approved refund is due: 5 and 7 business days after approval."""
    approved_on = approved_at.astimezone(UTC).date()
    numbers = policy_numbers.current()  # PROCESSING_DAYS
    return (
        add_business_days(approved_on, numbers.first_payment_day, country),
        add_business_days(approved_on, numbers.last_payment_day, country),
    )


def overdue_from(approved_at: datetime, country: str = "PK") -> datetime:
    """The moment an approved refund becomes overdue: the start of the day after its window."""
    _, last = refund_window(approved_at, country)
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC)
