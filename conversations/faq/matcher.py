"""Map a customer's free-text question to an FAQ topic, offline, in well under a millisecond."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Final

from conversations.faq.concepts import ConceptSpotter
from conversations.faq.normalise import Normaliser
from conversations.faq.topics import FaqTopic, TopicRule, load_faq_data

# Scores are sums of keyword weights (see faq.json); a single strong keyword weighs 3 to 5.
CONFIDENT_WEIGHT: Final = 3.0  # at least one strong keyword, or several weaker ones
CONFIDENT_MARGIN: Final = 1.0  # ahead of the runner-up by this much, else ask which one
ALTERNATIVE_SHARE: Final = 0.4  # runners-up this close to the best are offered as choices
MAX_ALTERNATIVES: Final = 3  # the closest topics, topped up with related ones

# Maps a weight sum onto [0, 1): a weight at the confidence threshold scores 0.6.
_SCORE_HALF_WEIGHT: Final = 2.0


@dataclass(frozen=True)
class FaqMatch:
    """What a question is about.

    Confident: topic set, alternatives empty. Unsure: topic None, 2-3 alternatives, best first.
    Off-topic (not about refunds or the FAQ): topic None, no alternatives, score 0.
    """

    topic: FaqTopic | None
    score: float  # in [0, 1]
    alternatives: tuple[FaqTopic, ...]

    @property
    def is_off_topic(self) -> bool:
        return self.topic is None and not self.alternatives


class FaqMatcher:
    """Scores each topic by the weighted concepts a question mentions."""

    def __init__(self, topics: Iterable[FaqTopic] | None = None) -> None:
        data = load_faq_data()
        self._topics = tuple(data.topics if topics is None else topics)
        unknown = [t.id for t in self._topics if t.id not in data.rules]
        if unknown:
            raise ValueError(f"no matching rules for FAQ topics {unknown}")
        self._by_id = {t.id: t for t in self._topics}
        self._rules: tuple[TopicRule, ...] = tuple(data.rules[t.id] for t in self._topics)
        self._normaliser, self._spotter = _reader()

    def match(self, question: str) -> FaqMatch:
        """The topic a question is about, the choices when unsure, or neither when off-topic."""
        concepts = self._spotter.spot(self._normaliser.tokens(question))
        ranked = sorted(
            ((self._weigh(rule, concepts), order) for order, rule in enumerate(self._rules)),
            key=lambda item: (-item[0], item[1]),
        )
        ranked = [(weight, order) for weight, order in ranked if weight > 0]
        if not ranked:
            return FaqMatch(topic=None, score=0.0, alternatives=())
        best_weight, best_order = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        best = self._topics[best_order]
        score = round(best_weight / (best_weight + _SCORE_HALF_WEIGHT), 3)
        if best_weight >= CONFIDENT_WEIGHT and best_weight - runner_up >= CONFIDENT_MARGIN:
            return FaqMatch(topic=best, score=score, alternatives=())
        return FaqMatch(topic=None, score=score, alternatives=self._choices(ranked))

    def _choices(self, ranked: list[tuple[float, int]]) -> tuple[FaqTopic, ...]:
        best_weight, best_order = ranked[0]
        chosen = [
            self._topics[order]
            for weight, order in ranked[:MAX_ALTERNATIVES]
            if weight >= best_weight * ALTERNATIVE_SHARE
        ]
        for related_id in self._rules[best_order].related:
            if len(chosen) >= MAX_ALTERNATIVES:
                break
            related = self._by_id.get(related_id)
            if related is not None and related not in chosen:
                chosen.append(related)
        return tuple(chosen)

    @staticmethod
    def _weigh(rule: TopicRule, concepts: frozenset[str]) -> float:
        if not any(group <= concepts for group in rule.requires):
            return 0.0
        return sum(weight for concept, weight in rule.keywords.items() if concept in concepts)


@cache
def default_matcher() -> FaqMatcher:
    """The matcher over all topics, built once."""
    return FaqMatcher()


@cache
def _reader() -> tuple[Normaliser, ConceptSpotter]:
    # Built once: every matcher shares the phrase index and the typo cache.
    data = load_faq_data()
    plain = Normaliser(data.spellings)
    phrases: dict[tuple[str, ...], frozenset[str]] = {}
    for concept, texts in data.concepts.items():
        for text in texts:
            words = plain.phrase(text)
            phrases[words] = phrases.get(words, frozenset()) | {concept}
    vocabulary = {word for words in phrases for word in words}
    return Normaliser(data.spellings, vocabulary), ConceptSpotter(phrases, data.implies)
