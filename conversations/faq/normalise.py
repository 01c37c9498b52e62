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
# From here two edits are still the same word ("subscrpition"); below it, two edits reach real
# words ("writing" -> "waiting", "readline" -> "deadline").
LONG_WORD_LENGTH: Final = 10


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")

# Dropped before phrases are compared, so "the refund" and "refund" read alike. Negations,
# question words and personal pronouns are kept: they carry the meaning of a phrase, and so
# does "please": "refund please" asks for a refund, "refund?" may only ask about them.
FILLERS: Final = _words(
    """
    a an the my your our their its his her been be sir madam bhai yaar just really
    very ki ka ke ko ne hi hello kindly dear
    """
)

# Real words one edit away from a vocabulary word with another meaning ("manage" is not
# "manager", "field" is not "filed"); found by running library docs through the matcher.
_NOT_TYPOS: Final = _words(
    """
    manage managed field fields filled fixed selected given state states admit personal plain
    smart stuff pause parse passes close found cause trace heads decode decoded provided
    provide provides returned numbered reported updated shown taken older border register
    apple means indian woman clare santa bihar bandar hotan charles falls hills lakes wells
    tells timer miles mines pairs along brand reuse popen stars writing appear appears
    reflection police chance alter world logged serve served relies fired react replay
    representation intentional monkey
    """
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
        # Typos rarely hit the first letter; keying on it also keeps the search small.
        self._candidates: dict[str, list[str]] = {}
        for w in sorted(self._vocabulary):
            if len(w) >= MIN_FUZZY_LENGTH:
                self._candidates.setdefault(w[0], []).append(w)
        self._corrections: dict[str, str] = {}

    def spelled(self, text: str) -> list[str]:
        """Words of text with variant spellings folded, not yet stemmed."""
        cleaned = _APOSTROPHES.sub("", text.lower())
        return [self._spellings.get(w, w) for w in _WORD.findall(cleaned)]

    def tokens(self, text: str) -> list[str]:
        """Canonical tokens of a customer's message: typos corrected, fillers dropped."""
        out: list[str] = []
        for word in self.spelled(text):
            token = stem(word)
            if token in FILLERS:
                continue
            out.append(self._correct(word, token))
            if len(out) >= MAX_TOKENS:
                break
        return out

    def phrase(self, text: str) -> tuple[str, ...]:
        """Canonical tokens of a vocabulary phrase (fillers dropped, as in messages)."""
        words = (stem(w) for w in self.spelled(text))
        return tuple(w for w in words if w not in FILLERS)

    def _correct(self, word: str, token: str) -> str:
        """token (the stemmed word), or the vocabulary word a typo in word stands for."""
        if (
            token in self._vocabulary
            or len(word) < MIN_FUZZY_LENGTH
            or word in _NOT_TYPOS
            or token in _NOT_TYPOS
            or word.isdigit()
        ):
            return token
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        # The unstemmed word first: "stauts" is one swap from "status", but "staut" is not.
        corrected = self._nearest(word) or self._nearest(token) or token
        # Bounded so a flood of random words cannot grow the cache without limit.
        if len(self._corrections) < 10_000:
            self._corrections[word] = corrected
        return corrected

    def _nearest(self, word: str) -> str | None:
        max_edits = 2 if len(word) >= LONG_WORD_LENGTH else 1
        found = process.extractOne(
            word, self._candidates.get(word[0], ()), scorer=OSA.distance, score_cutoff=max_edits
        )
        return found[0] if found is not None else None
