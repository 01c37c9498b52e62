"""Country names for people: "United Kingdom", not "GB" (ISO codes stay in the data)."""

from __future__ import annotations

from functools import cache

from babel import Locale


@cache
def country_name(code: str, language: str = "en") -> str:
    """The country's name in `language`; the code itself when Babel does not know it."""
    return str(Locale.parse(language).territories.get(code.upper(), code.upper()))


# English names said with "the" ("in the United Kingdom", "to the Philippines").
_WITH_THE = frozenset({"Netherlands", "Philippines", "Bahamas", "Gambia", "Maldives", "Comoros"})
_WITH_THE_WORDS = ("United ", "Republic", "Islands", "Emirates", "Kingdom", "States")


def country_name_in(code: str, language: str = "en") -> str:
    """The name as it reads after a preposition: "the United Kingdom", "Pakistan"."""
    name = country_name(code, language)
    if language != "en" or name == code.upper():
        return name
    if name in _WITH_THE or any(word in name for word in _WITH_THE_WORDS):
        return f"the {name}"
    return name
