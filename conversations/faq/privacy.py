"""Questions kept for the team to read, with what could identify a customer taken out."""

from __future__ import annotations

import re

MAX_KEPT = 300
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Phone numbers and other long numbers (accounts, cards); short ones ("2 days") stay.
_LONG_NUMBER = re.compile(r"\+?\d[\d\s().\-]{3,}\d")


def scrub(question: str) -> str:
    """The question without e-mails, phone numbers or digit runs of five or more."""
    text = _EMAIL.sub("[e-mail]", question)
    text = _LONG_NUMBER.sub(
        lambda m: "[number]" if sum(ch.isdigit() for ch in m.group(0)) >= 5 else m.group(0), text
    )
    return " ".join(text.split())[:MAX_KEPT]
