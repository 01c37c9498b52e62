"""C-PROCESSING dates: business days skip weekends and the home country's public holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from conversations import i18n
from conversations.business_days import add_business_days, refund_window
from conversations.catalog import decisions as d


@pytest.mark.parametrize(
    ("start", "n", "country", "expected"),
    [
        (date(2026, 11, 25), 0, "PK", date(2026, 11, 25)),  # the start day is day 0
        (date(2026, 11, 25), 1, "PK", date(2026, 11, 26)),
        (date(2026, 12, 4), 1, "PK", date(2026, 12, 7)),  # Fri -> Mon over the weekend
        (date(2026, 12, 5), 1, "PK", date(2026, 12, 7)),  # from a Saturday
        (date(2026, 3, 20), 1, "PK", date(2026, 3, 24)),  # Pakistan Day, Mon 23 Mar 2026
        (date(2026, 4, 30), 1, "PK", date(2026, 5, 4)),  # Labour Day, Fri 1 May 2026
        (date(2026, 8, 13), 1, "PK", date(2026, 8, 17)),  # Independence Day, Fri 14 Aug 2026
        (date(2026, 11, 6), 1, "PK", date(2026, 11, 10)),  # Iqbal Day, Mon 9 Nov 2026
        (date(2026, 12, 24), 1, "PK", date(2026, 12, 28)),  # Quaid-e-Azam Day, Fri 25 Dec 2026
        (date(2027, 3, 22), 1, "pk", date(2027, 3, 24)),  # Pakistan Day, Tue 23 Mar 2027
        (date(2026, 12, 31), 1, "PK", date(2027, 1, 1)),  # across the new year
        (date(2026, 12, 24), 1, "GB", date(2026, 12, 29)),  # Christmas, Boxing Day observed
    ],
)
def test_add_business_days(start: date, n: int, country: str, expected: date) -> None:
    assert add_business_days(start, n, country) == expected


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError):
        add_business_days(date(2026, 11, 25), -1)


@pytest.mark.parametrize(
    ("approved_at", "first", "last"),
    [
        # Wed: Thu Fri | Mon Tue Wed(5) Thu Fri(7)
        (datetime(2026, 11, 25, 14, 0, tzinfo=UTC), date(2026, 12, 2), date(2026, 12, 4)),
        # Fri 20 Mar 2026 (Eid): weekend, Pakistan Day Mon 23, then Tue 24 is day 1.
        (datetime(2026, 3, 20, 9, 0, tzinfo=UTC), date(2026, 3, 30), date(2026, 4, 1)),
        # 02:00 in Karachi is still the 25th in UTC.
        (
            datetime(2026, 11, 26, 2, 0, tzinfo=timezone(timedelta(hours=5))),
            date(2026, 12, 2),
            date(2026, 12, 4),
        ),
    ],
)
def test_refund_window_is_5th_to_7th_business_day(
    approved_at: datetime, first: date, last: date
) -> None:
    assert refund_window(approved_at) == (first, last)


def test_customer_is_told_the_dates_and_that_banks_may_be_slower() -> None:
    first, last = refund_window(datetime(2026, 11, 25, 14, 0, tzinfo=UTC))

    sentence = d.APPROVED.format(
        claim_id=7, credits="120", start=i18n.day(first), end=i18n.day(last)
    )

    assert "between Wed 2 Dec 2026 and Fri 4 Dec 2026" in sentence
    assert "bank" in sentence
