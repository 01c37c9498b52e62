"""When staff answer: "Mon-Fri 09:00-18:00" in the provider's time zone, and the next opening."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(
    r"^\s*(?P<days>[A-Za-z]{3}(?:\s*-\s*[A-Za-z]{3})?(?:\s*,\s*[A-Za-z]{3}(?:\s*-\s*[A-Za-z]{3})?)*)"
    r"\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$"
)


@dataclass(frozen=True)
class SupportHours:
    days: frozenset[int]  # Monday is 0
    opens: time
    closes: time
    zone: str  # an IANA time zone, e.g. Asia/Karachi

    def next_opening(self, now: datetime) -> datetime | None:
        """None while staff are in; otherwise when they next are (in the provider's zone)."""
        local = now.astimezone(ZoneInfo(self.zone))
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            if day.weekday() not in self.days:
                continue
            opens = datetime.combine(day, self.opens, tzinfo=local.tzinfo)
            closes = datetime.combine(day, self.closes, tzinfo=local.tzinfo)
            if ahead == 0 and opens <= local < closes:
                return None
            if opens > local:
                return opens
        return None

    def describe(self, day_names: Sequence[str] | None = None) -> str:
        """e.g. "Mon–Fri 09:00–18:00"; `day_names` (Monday first) for another language."""
        runs: list[str] = []
        ordered = sorted(self.days)
        start = prev = ordered[0]
        for day in [*ordered[1:], None]:
            if day is not None and day == prev + 1:
                prev = day
                continue
            names = day_names or [d.title() for d in DAYS]
            first, last = names[start], names[prev]
            runs.append(first if start == prev else f"{first}–{last}")
            if day is not None:
                start = prev = day
        return f"{', '.join(runs)} {self.opens:%H:%M}–{self.closes:%H:%M}"


def parse(spec: str, zone: str) -> SupportHours:
    """ "Mon-Fri 09:00-18:00" or "Mon-Thu,Sat 10:00-16:00"; ValueError says what is wrong."""
    found = _SPEC.match(spec)
    if found is None:
        raise ValueError(f"expected days and hours like 'Mon-Fri 09:00-18:00', got {spec!r}")
    days: set[int] = set()
    for part in found.group("days").split(","):
        first, _, last = (p.strip().lower() for p in part.partition("-"))
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"unknown day in {part.strip()!r} (use Mon, Tue, … Sun)")
        a, b = DAYS.index(first), DAYS.index(last or first)
        if b < a:
            raise ValueError(f"{part.strip()!r} runs backwards")
        days.update(range(a, b + 1))
    opens, closes = _time(found.group("start")), _time(found.group("end"))
    if closes <= opens:
        raise ValueError(f"{spec!r}: closing time must be after opening time")
    return SupportHours(frozenset(days), opens, closes, zone)


def _time(text: str) -> time:
    hours, minutes = (int(p) for p in text.split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(f"not a time of day: {text!r}")
    return time(hours, minutes)
