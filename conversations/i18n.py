"""The customer's language: gettext catalogs (managed with Babel), and dates and numbers for it.

A catalog sentence is looked up by its English text: `_(customer.WELCOME)` is the English
constant itself in English and its translation from `locale/<lang>/LC_MESSAGES/messages.mo`
otherwise. The language is the current turn's (`use("ur")` around the code that builds a
customer's messages); staff text is English, and borrows only `when` and `day` from here
(through catalog.policy_text's format_when and format_date), so both sides name moments alike.
"""

from __future__ import annotations

import functools
import gettext
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import get_day_names
from babel.numbers import format_currency, format_decimal

ENGLISH = "en"
URDU = "ur"
LANGUAGES = (ENGLISH, URDU)
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
# The gettext catalog is per language; dates and numbers follow the country's conventions.
FORMAT_LOCALE = {URDU: "ur_PK"}

_current: ContextVar[str] = ContextVar("customer_language", default=ENGLISH)
# The reader's time zone (an IANA name): the home country's for customers and staff (each
# entry point that builds their text opens `in_zone`); UTC where none was opened.
_zone: ContextVar[str] = ContextVar("reader_zone", default="UTC")


def language_for(code: str | None) -> str:
    """Telegram's language_code ("ur", "ur-PK", "en-GB", None) as one of LANGUAGES."""
    base = (code or "").replace("_", "-").split("-", 1)[0].strip().lower()
    return URDU if base == URDU else ENGLISH


def known(language: str | None) -> str:
    """A stored language, or English for anything this build has no catalog for."""
    return language if language in LANGUAGES else ENGLISH


def current() -> str:
    return _current.get()


@contextmanager
def use(language: str) -> Iterator[None]:
    """Build the messages inside this block in `language`."""
    token = _current.set(known(language))
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def in_zone(zone: str) -> Iterator[None]:
    """Say the moments inside this block in `zone`'s local time, naming the zone."""
    token = _zone.set(zone)
    try:
        yield
    finally:
        _zone.reset(token)


def _zone_name(local: datetime) -> str:
    """ "PKT", "UTC"; an offset ("UTC+05:00") where the zone has no letters for itself."""
    name = local.tzname() or ""
    if name.isalpha():
        return name
    offset = local.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


def switch(language: str) -> None:
    """The rest of the current `use` block is in `language` (the customer just picked it)."""
    _current.set(known(language))


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog; English is the message ids themselves."""
    if language == ENGLISH:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, [language])


# Sentences added at start outside the compiled catalog (the operator's FAQ answers).
_added: dict[str, dict[str, str]] = {}


def set_added_translations(language: str, pairs: dict[str, str]) -> None:
    """Translate these English sentences this way (they are not in the .mo catalog); replaces
    the ones set before."""
    _added[language] = dict(pairs)


def _(message: str) -> str:
    """`message` (an English catalog sentence) in the current language."""
    if not message:
        return message
    added = _added.get(current())
    if added and message in added:
        return added[message]
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural sentence for `n`, in the current language."""
    return translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a sentence for the catalog without translating it here."""
    return message


# Dates and numbers ---------------------------------------------------------------------------


def _locale() -> str | None:
    return FORMAT_LOCALE.get(current())


def number(n: int) -> str:
    """1234 as "1,234" (English unchanged), by the locale's conventions otherwise."""
    locale = _locale()
    return f"{n:,}" if locale is None else format_decimal(n, locale=locale)


def money(amount: Decimal, currency: str) -> str:
    """An amount with its currency: "1,234.50 PKR" in English, Babel's form otherwise."""
    locale = _locale()
    if locale is None:
        return f"{amount:,.2f} {currency}"
    return format_currency(amount, currency, locale=locale)


def _reader_zone() -> tzinfo:
    return UTC if _zone.get() == "UTC" else ZoneInfo(_zone.get())


def local(dt: datetime) -> datetime:
    """`dt` on the reader's clock (their day starts at their midnight)."""
    return dt.astimezone(_reader_zone())


def zone_label(dt: datetime) -> str:
    """The reader's zone as `when` names it at `dt`: "PKT", "UTC"."""
    return _zone_name(local(dt))


def when(dt: datetime) -> str:
    """A moment in the reader's zone, named: "25 Nov 2026, 14:00 UTC", "… 19:00 PKT"."""
    zone = _reader_zone()
    local = dt.astimezone(zone)
    named = _zone_name(local)
    locale = _locale()
    if locale is None:
        return f"{local.day} {local:%b %Y, %H:%M} {named}"
    return babel_format_datetime(local, "d MMMM y، HH:mm", tzinfo=zone, locale=locale) + f" {named}"


def day(d: date) -> str:
    """A calendar day, e.g. "Tue 1 Dec 2026"."""
    locale = _locale()
    if locale is None:
        return f"{d:%a} {d.day} {d:%b %Y}"
    return babel_format_date(d, "EEEE d MMMM y", locale=locale)


def local_moment(dt: datetime) -> str:
    """A moment in its own time zone, e.g. "Mon 1 Dec, 09:00" (when support opens)."""
    locale = _locale()
    if locale is None:
        return f"{dt:%a} {dt.day} {dt:%b}, {dt:%H:%M}"
    return babel_format_datetime(dt, "EEEE d MMMM، HH:mm", tzinfo=dt.tzinfo, locale=locale)


def day_names() -> list[str] | None:
    """Monday to Sunday in the current language; None in English (the setting's own words)."""
    locale = _locale()
    if locale is None:
        return None
    names = get_day_names("wide", locale=locale)
    return [str(names[i]) for i in range(7)]


# Each language's name in itself: the /language buttons, the same whatever the current one.
LANGUAGE_NAMES = {ENGLISH: "English", URDU: "اردو"}


# Arabic-script letters (Urdu's Nastaliq is written in them), not digits or punctuation.
_URDU_LETTER = re.compile(
    r"[\u0621-\u064a\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\ufb50-\ufdff\ufe70-\ufefc]"
)


def written_in_urdu(text: str) -> bool:
    """Mostly Urdu script: at least two of its letters, and more of them than Latin letters."""
    urdu = len(_URDU_LETTER.findall(text))
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return urdu >= 2 and urdu > latin
