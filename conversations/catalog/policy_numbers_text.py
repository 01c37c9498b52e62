"""The policy's texts reworded to the deployment's numbers (REFUND_WINDOW_HOURS and the rest).

Texts are written with the published numbers (the FAQ answers, the decision texts); when the
deployment's differ, `reword` replaces them in the reader's language, English or Urdu.
"""

from __future__ import annotations

import re
from functools import cache

from conversations import i18n
from conversations.policy_numbers import PUBLISHED, PolicyNumbers, current

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
