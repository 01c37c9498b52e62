"""C-OWNER: does the customer's phone number or e-mail match the purchase; phones in E.164."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

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
