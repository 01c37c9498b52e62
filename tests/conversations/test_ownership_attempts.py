"""The miss counter and lockout rule: pure, so it is checked over many histories at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from conversations.ownership import (
    FORGET_AFTER,
    TRANSACTION_WAITS,
    USER_WAITS,
    Attempts,
    after_miss,
    blocked_until,
    current,
)

START = datetime(2026, 8, 14, 9, 30, 17, tzinfo=UTC)
gaps = st.lists(st.integers(min_value=0, max_value=4 * 3600), min_size=1, max_size=120)
schedules = st.sampled_from([USER_WAITS, TRANSACTION_WAITS])


def guess_as_fast_as_allowed(
    gap_seconds: list[int], waits: tuple[timedelta, ...]
) -> list[tuple[datetime, Attempts]]:
    """Someone who tries after each gap; only tries made while not waiting count."""
    attempts: Attempts | None = None
    now = START
    counted = []
    for gap in gap_seconds:
        now += timedelta(seconds=gap)
        if attempts is not None and blocked_until(current(attempts, now), now) is not None:
            continue
        attempts = after_miss(attempts, now, waits)
        counted.append((now, attempts))
    return counted


@given(gaps, schedules)
def test_no_more_than_a_few_guesses_an_hour_get_checked(
    gap_seconds: list[int], waits: tuple[timedelta, ...]
) -> None:
    counted = guess_as_fast_as_allowed(gap_seconds, waits)
    for at, _ in counted:
        in_the_hour = [t for t, _ in counted if at <= t < at + timedelta(hours=1)]
        # Three free tries; for a customer the 1- and 10-minute waits fit in the hour too.
        assert len(in_the_hour) <= (5 if waits is USER_WAITS else 3)


@given(gaps, schedules)
def test_waits_end_on_a_whole_minute_and_never_in_the_past(
    gap_seconds: list[int], waits: tuple[timedelta, ...]
) -> None:
    for at, attempts in guess_as_fast_as_allowed(gap_seconds, waits):
        until = attempts.blocked_until
        if until is not None:
            assert until > at and until.second == 0 and until.microsecond == 0
            assert until - at <= max(waits) + timedelta(minutes=1)


@given(st.integers(min_value=0, max_value=48 * 3600), schedules)
def test_one_or_two_typos_never_make_anyone_wait(gap: int, waits: tuple[timedelta, ...]) -> None:
    first = after_miss(None, START, waits)
    second = after_miss(first, START + timedelta(seconds=gap), waits)
    assert first.blocked_until is None and second.blocked_until is None


@given(st.integers(min_value=3, max_value=20), st.integers(min_value=0, max_value=3 * 86400))
def test_misses_are_forgotten_a_day_after_the_last_unless_a_wait_runs(
    misses: int, later: int
) -> None:
    last = START
    kept = Attempts(misses=misses, last_miss_at=last, blocked_until=last + timedelta(hours=1))
    now = last + timedelta(seconds=later)
    remembered = current(kept, now)
    if now - last >= FORGET_AFTER:
        assert remembered == Attempts()
    else:
        assert remembered == kept
    # The next miss after a clean slate is a first miss again; before it, one more.
    assert after_miss(kept, now, USER_WAITS).misses == (
        1 if now - last >= FORGET_AFTER else misses + 1
    )
