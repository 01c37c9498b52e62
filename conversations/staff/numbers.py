"""Numbers staff type or buttons carry: ASCII digits only, and never past the database's range."""

from __future__ import annotations

import re

# Claim numbers and credits are 32-bit integers in the database.
MAX_INT = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")
_CREDITS_AND_WHY = re.compile(r"\s*([0-9][0-9,]*)\s+(\S.*)", re.DOTALL)


def claim_number(text: str) -> int | None:
    """A claim number such as "12" or "#12"; None for anything else (e.g. "²" or 30 digits)."""
    return _whole(text.strip().removeprefix("#"))


def credits(text: str) -> int | None:
    """A count of credits such as "40" or "1,200"; None for anything else."""
    value = text.strip()
    if _GROUPED.fullmatch(value):
        value = value.replace(",", "")
    return _whole(value)


def credits_and_reason(text: str) -> tuple[int, str] | None:
    """ "40 our route was down" -> (40, "our route was down"); None without both parts."""
    found = _CREDITS_AND_WHY.fullmatch(text)
    if found is None:
        return None
    amount = credits(found.group(1))
    reason = found.group(2).strip()
    return (amount, reason) if amount is not None and reason else None


def _whole(value: str) -> int | None:
    if not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= MAX_INT else None
