"""The policy's numbers (refund window, report window, processing days), set by the operator.

The published policy's are the defaults. The composition root sets the deployment's once
(`configure`, from DeskConfig); the rules, business days and the texts read `current()`. Texts
written with the published numbers (the FAQ answers, the decision texts) are reworded to the
deployment's by `reword`, in English and Urdu, and left alone when the numbers are the
published ones.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from conversations import i18n


@dataclass(frozen=True)
class PolicyNumbers:
    refund_window_hours: int = 48
    report_window_hours: int = 24
    first_payment_day: int = 5
    last_payment_day: int = 7

    @property
    def refund_window(self) -> timedelta:
        return timedelta(hours=self.refund_window_hours)

    @property
    def report_window(self) -> timedelta:
        return timedelta(hours=self.report_window_hours)


PUBLISHED = PolicyNumbers()
_default = PUBLISHED
_current: ContextVar[PolicyNumbers | None] = ContextVar("policy_numbers", default=None)


def configure(numbers: PolicyNumbers) -> None:
    """Set the deployment's numbers (the composition root, once at start)."""
    global _default
    _default = numbers


def current() -> PolicyNumbers:
    return _current.get() or _default


def parse_days(text: str) -> tuple[int, int]:
    """PROCESSING_DAYS: "5-7" (or "5–7", or one number "5") as (first, last) business day."""
    parts = re.split(r"\s*[-–]\s*", text.strip())
    if len(parts) > 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"expected business days like 5-7, got {text!r}")
    first, last = int(parts[0]), int(parts[-1])
    if not 1 <= first <= last <= 60:
        raise ValueError(f"expected 1 <= first <= last <= 60 business days, got {text!r}")
    return first, last


# The published numbers as the texts say them, per language (Urdu keeps ASCII digits).
_PHRASES = {
    i18n.ENGLISH: {
        "2 days (48 hours)": "{days} ({hours} hours)",
        "2 days": "{days}",
        "48 hours": "{hours} hours",
        "24 hours": "{report} hours",
        "5 to 7 business days": "{first} to {last} business days",
        "5–7 business days": "{first}–{last} business days",
    },
    "ur": {
        "2 دن (48 گھنٹے)": "{days} ({hours} گھنٹے)",
        "2 دن": "{days}",
        "48 گھنٹ": "{hours} گھنٹ",
        "24 گھنٹ": "{report} گھنٹ",
        "5 سے 7": "{first} سے {last}",
        "5–7": "{first}–{last}",
    },
}


@cache
def _pattern(language: str) -> re.Pattern[str]:
    phrases = sorted(_PHRASES.get(language, {}), key=len, reverse=True)
    return re.compile("|".join(rf"(?<![\d.]){re.escape(p)}" for p in phrases))


def reword(text: str, numbers: PolicyNumbers | None = None) -> str:
    """`text` with the published numbers replaced by the deployment's, in the current language."""
    numbers = numbers or current()
    if numbers == PUBLISHED:
        return text
    from conversations.catalog.policy_text import age  # the durations in the reader's words

    language = i18n.current()
    phrases = _PHRASES.get(language) or _PHRASES[i18n.ENGLISH]
    values = {
        "days": age(numbers.refund_window),
        "hours": f"{numbers.refund_window_hours:,}",
        "report": f"{numbers.report_window_hours:,}",
        "first": str(numbers.first_payment_day),
        "last": str(numbers.last_payment_day),
    }
    pattern = _pattern(language if language in _PHRASES else i18n.ENGLISH)
    # One pass: a replaced number is never replaced again (a 24-hour refund window).
    return pattern.sub(lambda found: phrases[found.group(0)].format(**values), text)
