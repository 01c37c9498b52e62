"""Staff button data, the one place it is written and read: "st:<verb>:<target>[:<extra>]"."""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "st"
# Verbs besides the claim transitions (whose verbs are their names).
QUEUE_PAGE = "q"
BULK = "bulk"
BULK_CONFIRMED = "bulkok"
APPROVE_CONFIRMED = "approveok"
CHANGE_CREDITS = "credits"
REJECT_GROUND = "rj"
REJECT_TYPED = "rjt"
ASK_CANNED = "askc"
# Telegram refuses callback data over 64 bytes.
MAX_BYTES = 64


@dataclass(frozen=True)
class StaffPress:
    verb: str  # a claim transition ("take", "approve", ...) or a menu verb ("q", "bulk", ...)
    target: str  # a claim number, a queue offset or an incident id, as sent
    extra: str = ""  # e.g. the credits of "approveok", the ground of "rj"


def encode(verb: str, target: int | str, extra: int | str | None = None) -> str | None:
    """The button data, or None when it would not fit in Telegram's 64 bytes."""
    parts = [PREFIX, verb, str(target)] + ([] if extra is None else [str(extra)])
    data = ":".join(parts)
    return data if len(data.encode()) <= MAX_BYTES else None


def must(verb: str, target: int | str, extra: int | str | None = None) -> str:
    """encode() for data that always fits (numbers and fixed words)."""
    data = encode(verb, target, extra)
    if data is None:
        raise ValueError(f"callback data for {verb!r} is over {MAX_BYTES} bytes")
    return data


def is_staff(data: str | None) -> bool:
    return (data or "").startswith(PREFIX + ":")


def decode(data: str) -> StaffPress | None:
    """The press a button's data stands for; None when it is not staff data."""
    if not is_staff(data):
        return None
    verb, _, rest = data.removeprefix(PREFIX + ":").partition(":")
    if verb in (BULK, BULK_CONFIRMED):
        return StaffPress(verb, rest)  # incident ids may hold colons
    target, _, extra = rest.partition(":")
    return StaffPress(verb, target, extra)
