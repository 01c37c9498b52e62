"""Find the concepts a tokenised message mentions, from each concept's synonym phrases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Final

# Words allowed between two words of a phrase: "not delivered" also reads
# "not been delivered yet", "paise wapas" also "paise abhi tak wapas".
MAX_GAP: Final = 2


class ConceptSpotter:
    """Longest phrases first; of the same length, phrases as written before those with gaps.

    A word used by one phrase is not reused by another: that keeps "how" in "how long" from
    also counting as "how do I ...", and "how many days do I" from reading as "how do I".
    """

    def __init__(
        self,
        phrases: Mapping[tuple[str, ...], frozenset[str]],
        implies: Mapping[str, Sequence[str]],
    ) -> None:
        ordered = sorted((p, c) for p, c in phrases.items() if p)
        self._passes = sorted(
            ((p, c, gap) for p, c in ordered for gap in ((0,) if len(p) == 1 else (0, MAX_GAP))),
            key=lambda item: (-len(item[0]), item[2]),
        )
        self._implies = {name: tuple(targets) for name, targets in implies.items()}

    def spot(self, tokens: Sequence[str]) -> frozenset[str]:
        """The concepts mentioned in tokens."""
        positions: dict[str, list[int]] = defaultdict(list)
        for index, token in enumerate(tokens):
            positions[token].append(index)
        used = [False] * len(tokens)
        found: set[str] = set()
        for phrase, concepts, max_gap in self._passes:
            for start in positions.get(phrase[0], ()):
                matched = self._match_at(tokens, used, phrase, start, max_gap)
                if matched:
                    for index in matched:
                        used[index] = True
                    found |= concepts
        for name in list(found):
            found.update(self._implies.get(name, ()))
        return frozenset(found)

    @staticmethod
    def _match_at(
        tokens: Sequence[str], used: list[bool], phrase: tuple[str, ...], start: int, max_gap: int
    ) -> list[int]:
        if used[start]:
            return []
        matched = [start]
        at = start
        for word in phrase[1:]:
            nxt = next(
                (
                    i
                    for i in range(at + 1, min(at + 2 + max_gap, len(tokens)))
                    if tokens[i] == word and not used[i]
                ),
                None,
            )
            if nxt is None:
                return []
            matched.append(nxt)
            at = nxt
        return matched
