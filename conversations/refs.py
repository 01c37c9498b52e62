"""Message refs, the one place they are written and read: what a sent message stands for.

The sender remembers each message's Telegram id under its ref, so a later change can edit the
same message (a claim's card, a digest) and a staff reply can be traced to what it answers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Kind(enum.StrEnum):
    CARD = "card"  # a claim's staff card
    TOPIC = "topic"  # a claim's forum topic in the staff chat
    RELAY = "relay"  # a customer's message relayed to staff
    PROMPT = "prompt"  # a question to staff ("reply with the reason"), answered by a reply
    DIGEST = "digest"  # the storm digest of a half hour


class Prompt(enum.StrEnum):
    ASK = "ask"
    REJECT = "reject"
    CREDITS = "credits"
    OVERRULE = "overrule"


@dataclass(frozen=True)
class Ref:
    kind: Kind
    number: int  # the claim, or the customer's chat for a relay
    prompt: Prompt | None = None


def card(claim_id: int) -> str:
    return f"{Kind.CARD}:{claim_id}"


def topic(claim_id: int) -> str:
    return f"{Kind.TOPIC}:{claim_id}"


def relay(chat_id: int) -> str:
    return f"{Kind.RELAY}:{chat_id}"


def prompt(what: Prompt, claim_id: int) -> str:
    return f"{Kind.PROMPT}:{what}:{claim_id}"


def digest(now: datetime) -> str:
    """One digest per half hour, so a long storm does not grow one message forever."""
    bucket = now.replace(minute=(now.minute // 30) * 30, second=0, microsecond=0)
    return f"{Kind.DIGEST}:{bucket:%Y%m%d%H%M}"


def parse(ref: str) -> Ref | None:
    """The ref's meaning; None for a digest or anything unknown."""
    kind, _, rest = ref.partition(":")
    if kind == Kind.PROMPT:
        what, _, number = rest.partition(":")
        if what not in Prompt.__members__.values() or not _is_int(number):
            return None
        return Ref(Kind.PROMPT, int(number), Prompt(what))
    if kind in (Kind.CARD, Kind.TOPIC, Kind.RELAY) and _is_int(rest):
        return Ref(Kind(kind), int(rest))
    return None


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdecimal() and text.isascii() and len(text) <= 20
