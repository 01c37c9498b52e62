"""Turn a customer's free text into canonical word tokens: spelling variants, plurals, typos."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

from rapidfuzz import process
from rapidfuzz.distance import OSA

# A pasted essay says nothing more about the topic after this many words, and capping it keeps
# a 4,000-character paste as fast as a short question.
MAX_TOKENS: Final = 400
# Shorter words are not typo-corrected: at four letters one edit already turns "band" into "bank".
MIN_FUZZY_LENGTH: Final = 5
LONG_WORD_LENGTH: Final = 8  # from here two edits are still the same word ("subscrpition")

_WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")

# Dropped before phrases are compared, so "the refund" and "refund" read alike. Negations,
# question words and pronouns are kept: they carry the meaning of a phrase.
FILLERS: Final = frozenset(
    "a an the my your our their its his her been be please sir madam "
    "bhai yaar just really very ki ka ke ko ne hi hello kindly dear".split()
)

# Common words that sit one typo away from a vocabulary word but mean something else.
_NOT_TYPOS: Final = frozenset(
    "where there these those which would could should about after other thing things "
    "think thanks thank money honey today hours house sense cents chance change changes "
    "charged months month number send sends spend spent sender sent reply replies worked "
    "words world still stills total items posts month plans plane planet planned "
    "banks blank class claims clear clean latest later lately liked".split()
)


def stem(word: str) -> str:
    """Fold a plural into its singular, the one inflection that matters here."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        return word[:-1]
    return word


class Normaliser:
    """Maps text to tokens; words close to a vocabulary word are read as that word."""

    def __init__(self, spellings: Mapping[str, str], vocabulary: Iterable[str] = ()) -> None:
        self._spellings = dict(spellings)
        self._vocabulary = frozenset(vocabulary)
        self._candidates = sorted(w for w in self._vocabulary if len(w) >= MIN_FUZZY_LENGTH - 1)
        self._corrections: dict[str, str] = {}

    def words(self, text: str) -> list[str]:
        """Canonical tokens of text, without typo correction and without fillers removed."""
        cleaned = _APOSTROPHES.sub("", text.lower())
        return [stem(self._spellings.get(w, w)) for w in _WORD.findall(cleaned)]

    def tokens(self, text: str) -> list[str]:
        """Canonical tokens of a customer's message: typos corrected, fillers dropped."""
        out: list[str] = []
        for word in self.words(text):
            if word in FILLERS:
                continue
            out.append(self._correct(word))
            if len(out) >= MAX_TOKENS:
                break
        return out

    def phrase(self, text: str) -> tuple[str, ...]:
        """Canonical tokens of a vocabulary phrase (fillers dropped, as in messages)."""
        return tuple(w for w in self.words(text) if w not in FILLERS)

    def _correct(self, word: str) -> str:
        if (
            word in self._vocabulary
            or len(word) < MIN_FUZZY_LENGTH
            or word in _NOT_TYPOS
            or word.isdigit()
        ):
            return word
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        max_edits = 2 if len(word) >= LONG_WORD_LENGTH else 1
        found = process.extractOne(
            word, self._candidates, scorer=OSA.distance, score_cutoff=max_edits
        )
        corrected = found[0] if found is not None else word
        # Bounded so a flood of random words cannot grow the cache without limit.
        if len(self._corrections) < 10_000:
            self._corrections[word] = corrected
        return corrected
