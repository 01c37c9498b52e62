"""Country names for people: "United Kingdom", not "GB" (ISO codes stay in the data)."""

from __future__ import annotations

from functools import cache

from babel import Locale


@cache
def country_name(code: str, language: str = "en") -> str:
    """The country's name in `language`; the code itself when Babel does not know it."""
    return str(Locale.parse(language).territories.get(code.upper(), code.upper()))
