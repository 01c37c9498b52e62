"""Fold a customer's message into one canonical spelling: case, Urdu script forms, repeats."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Urdu keyboards, Arabic keyboards and copy-paste from the web give different code points for
# the same Urdu letter; a customer cannot see the difference, so the matcher must not either.
_LETTERS: Final = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic yeh -> Farsi/Urdu yeh
        "\u0649": "\u06cc",  # alef maksura -> yeh
        "\u06d0": "\u06cc",
        "\u0626": "\u06cc",  # yeh with hamza: spelled with or without it
        "\u0643": "\u06a9",  # Arabic kaf -> keheh
        "\u0647": "\u06c1",  # Arabic heh -> heh goal
        "\u06be": "\u06c1",  # do-chashmi heh: often typed as plain heh ("بهی" for "بھی")
        "\u06c2": "\u06c1",
        "\u0629": "\u06c1",  # teh marbuta
        "\u06d3": "\u06d2",  # yeh barree with hamza -> yeh barree
        "\u0623": "\u0627",  # alef forms -> alef ("اپ" and "آپ" are both typed)
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0671": "\u0627",
        "\u0624": "\u0648",  # waw with hamza -> waw
        "\u06c0": "\u06c1",
        "\u0660": "0",
        "\u0661": "1",
        "\u0662": "2",
        "\u0663": "3",
        "\u0664": "4",
        "\u0665": "5",
        "\u0666": "6",
        "\u0667": "7",
        "\u0668": "8",
        "\u0669": "9",
        "\u06f0": "0",
        "\u06f1": "1",
        "\u06f2": "2",
        "\u06f3": "3",
        "\u06f4": "4",
        "\u06f5": "5",
        "\u06f6": "6",
        "\u06f7": "7",
        "\u06f8": "8",
        "\u06f9": "9",
        "\u2019": "'",
        "\u2018": "'",
        "`": "'",
    }
)
# Diacritics (zer, zabar, pesh, shadd, ...), tatweel, and the invisible joiners and direction
# marks that phones insert: they change the code points, never the word.
_INVISIBLE: Final = re.compile(
    "[\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff]"
)
_APOSTROPHE: Final = re.compile(r"(?<=\w)'(?=\w)")
# A word: Latin letters and digits, or Urdu/Arabic-script letters.
_WORD: Final = re.compile(r"[a-z0-9]+|[\u0621-\u063a\u0641-\u064a\u0679-\u06d3]+")
# "pleeeease", "hellooo", "refundddd": three or more of a letter say no more than one.
_REPEATS: Final = re.compile(r"(.)\1{2,}")
_VOWELS: Final = frozenset("aeiouy")


def words(text: str) -> list[str]:
    """The words of a message in canonical form: lower case, one spelling per Urdu letter."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_LETTERS)
    folded = _INVISIBLE.sub("", folded)
    folded = _APOSTROPHE.sub("", folded)  # "didn't" and "didnt" are one word
    folded = _REPEATS.sub(r"\1", folded)
    return _WORD.findall(folded)


def skeleton(word: str) -> str:
    """A Latin word's first letter and its consonants, without repeats.

    Roman Urdu has no fixed spelling: "paise", "paisay", "pese" all read "ps"; "wapas",
    "wapis", "waapis" all read "wps"; "chahiye", "chahye" read "chh".
    """
    if not word.isascii() or not word.isalpha():
        return word
    out = word[0]
    for letter in word[1:]:
        # "h" after these letters is part of the sound ("ch", "sh", "kh", "gh", "dh", "th").
        consonant = letter not in _VOWELS and (letter != "h" or out[-1] in "cskgdtbp")
        if consonant and letter != out[-1]:
            out += letter
    return out
