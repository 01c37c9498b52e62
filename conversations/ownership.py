"""C-OWNER: does the customer's phone number or e-mail match the purchase; phones in E.164."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import phonenumbers

from conversations import ids
from conversations.domain import Purchase

# Longer input is a paste, not a phone number; it also keeps the parser's work bounded.
_MAX_PHONE_INPUT = 40
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE_CHARS = re.compile(r"[+\d\s().\-]+")
# Account phones are mobiles; shorter "possible" numbers are typos or extensions.
_MIN_NATIONAL_DIGITS = 7


@lru_cache(maxsize=65_536)
def normalise_phone(text: str, default_region: str = "PK") -> str | None:
    """The number in E.164 form, or None if it does not look like a phone number.

    The one rule for both sides: what a customer types, and what the ledger import stores.
    """
    candidate = text.strip()
    if len(candidate) > _MAX_PHONE_INPUT or not _PHONE_CHARS.fullmatch(candidate):
        return None
    try:
        number = phonenumbers.parse(candidate, default_region.upper())
    except phonenumbers.NumberParseException:
        return None
    # "Possible" rather than "valid": new number ranges must not lock a customer out.
    if not phonenumbers.is_possible_number(number):
        return None
    if len(str(number.national_number)) < _MIN_NATIONAL_DIGITS:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _is_email(text: str) -> bool:
    return _EMAIL.fullmatch(text.strip()) is not None


_PHONE_IN_TEXT = re.compile(r"\+?\d[\d\s().\-]{5,}\d")
_EMAIL_IN_TEXT = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def contact_in(text: str) -> str | None:
    """The e-mail or phone number in what was typed, e.g. "my number is 0300 1110007"."""
    if looks_like_contact(text):
        return text.strip()
    email = _EMAIL_IN_TEXT.search(text)
    if email is not None:
        return email.group(0).strip(".,;:!?)(")
    for found in _PHONE_IN_TEXT.finditer(text):
        if normalise_phone(found.group(0)) is not None:
            return found.group(0)
    return None


def looks_like_contact(text: str) -> bool:
    """True if the text is a phone number or an e-mail address at all."""
    return _is_email(text) or normalise_phone(text) is not None


def proves_ownership(answer: str, purchase: Purchase, home_country: str = "PK") -> bool:
    """True if the answer is the purchase's phone number (any usual format) or e-mail."""
    given = answer.strip()
    if _is_email(given):
        return given.casefold() == purchase.account_email.strip().casefold()
    phone = normalise_phone(given, home_country)
    if phone is None:
        return False
    on_record = normalise_phone(purchase.account_phone, home_country) or purchase.account_phone
    return phone == on_record


# Misses: wrong answers to "whose purchase is this?" ------------------------------------------
#
# A missing transaction and a wrong phone number or e-mail are the same miss and get the same
# answer, so guessing ids teaches nothing. Misses are counted twice: per Telegram user (a
# growing wait) and per transaction, whoever types it (a lock that holds for every account).

_NONE = timedelta(0)
# What a customer waits after their n-th miss: two typos cost nothing, then each miss more.
USER_WAITS: tuple[timedelta, ...] = (
    _NONE,
    _NONE,
    _NONE,
    timedelta(minutes=1),
    timedelta(minutes=10),
    timedelta(hours=1),
)
# Three wrong answers on one transaction, from any accounts, lock it for an hour.
TRANSACTION_WAITS: tuple[timedelta, ...] = (_NONE, _NONE, _NONE, timedelta(hours=1))
# A day without a miss (and no wait running) and the slate is clean.
FORGET_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Attempts:
    """The misses of one Telegram user, or on one transaction, and the wait they earned."""

    misses: int = 0
    last_miss_at: datetime | None = None
    blocked_until: datetime | None = None


def user_subject(telegram_user_id: int) -> str:
    return f"user:{telegram_user_id}"


def transaction_subject(canonical_id: str) -> str:
    return f"tx:{canonical_id}"


def subjects_named(wanted: str) -> list[str]:
    """What "/unlock X" means: a user id (all digits) and/or a transaction id, as typed."""
    wanted = wanted.strip()
    subjects = [user_subject(int(wanted))] if wanted.isdigit() and len(wanted) <= 20 else []
    key = ids.canonical(wanted) if len(wanted) <= 64 else None
    if key is not None:
        subjects.append(transaction_subject(key))
    return subjects


def blocked_until(attempts: Attempts, now: datetime) -> datetime | None:
    """When the wait ends; None when there is none now."""
    until = attempts.blocked_until
    return until if until is not None and until > now else None


def current(attempts: Attempts | None, now: datetime) -> Attempts:
    """What still counts at `now`: misses a day old (and no wait running) are forgotten."""
    if attempts is None:
        return Attempts()
    last = attempts.last_miss_at
    if last is not None and now - last >= FORGET_AFTER and blocked_until(attempts, now) is None:
        return Attempts()
    return attempts


def after_miss(attempts: Attempts | None, now: datetime, waits: tuple[timedelta, ...]) -> Attempts:
    """One more miss at `now`, and the wait it earns from the schedule."""
    misses = current(attempts, now).misses + 1
    wait = waits[min(misses, len(waits) - 1)]
    return Attempts(
        misses=misses, last_miss_at=now, blocked_until=_to_minute(now + wait) if wait else None
    )


def _to_minute(moment: datetime) -> datetime:
    """Up to the next whole minute: the customer is told a time to the minute, and it holds."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)
