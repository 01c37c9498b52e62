"""Map a customer's free-text question to an FAQ topic with the shipped classifier, offline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from conversations.faq.decide import decide
from conversations.faq.model import OUT_OF_SCOPE, UNSURE, Model, load_model
from conversations.faq.topics import FaqTopic, load_faq_data


@dataclass(frozen=True)
class FaqMatch:
    """What a question is about.

    Confident: topic set, alternatives empty, and a second opinion when the runner-up is close.
    Unsure: topic None, 2-3 alternatives, best first. Off-topic (not about refunds or the
    FAQ): topic None, no alternatives, score 0.
    """

    topic: FaqTopic | None
    score: float  # in [0, 1]: the classifier's probability of the best topic
    alternatives: tuple[FaqTopic, ...]
    second_opinion: FaqTopic | None = None

    @property
    def is_off_topic(self) -> bool:
        return self.topic is None and not self.alternatives


class FaqMatcher:
    """Answers from the given topics (all by default) with the trained weights."""

    def __init__(
        self, topics: Iterable[FaqTopic] | None = None, model: Model | None = None
    ) -> None:
        data = load_faq_data()
        self._model = load_model() if model is None else model
        self._topics = tuple(data.topics if topics is None else topics)
        unknown = [t.id for t in self._topics if t.id not in self._model.classes]
        if unknown:
            raise ValueError(f"no trained weights for FAQ topics {unknown}")
        self._by_id = {t.id: t for t in self._topics}
        self._related = {t.id: data.rules[t.id].related for t in self._topics if t.id in data.rules}
        self._small_talk = frozenset(t.id for t in self._topics if t.small_talk)
        # Classes outside the given topics still compete: a question about a topic left out
        # is declined, not answered with its nearest neighbour.
        self._answerable = frozenset(self._by_id) | {OUT_OF_SCOPE, UNSURE}

    @property
    def model(self) -> Model:
        return self._model

    def match(self, question: str) -> FaqMatch:
        """The topic a question is about, the choices when unsure, or neither when off-topic."""
        taught = self._model.taught_topic(question)
        if taught is not None and taught in self._by_id:
            return FaqMatch(topic=self._by_id[taught], score=1.0, alternatives=())
        probabilities = dict(
            zip(self._model.classes, self._model.probabilities(question), strict=True)
        )
        left_out = sum(p for c, p in probabilities.items() if c not in self._answerable)
        probabilities = {c: p for c, p in probabilities.items() if c in self._answerable}
        probabilities[OUT_OF_SCOPE] = probabilities.get(OUT_OF_SCOPE, 0.0) + left_out
        found = decide(probabilities, self._model.thresholds, self._related, self._small_talk)
        return FaqMatch(
            topic=self._by_id[found.topic] if found.topic else None,
            score=found.score,
            alternatives=tuple(self._by_id[t] for t in found.alternatives),
            second_opinion=self._by_id[found.second_opinion] if found.second_opinion else None,
        )


@dataclass(frozen=True)
class ActiveModel:
    """The model this process answers with: the shipped one (version 0) or a retrained one."""

    version: int
    matcher: FaqMatcher
    created_at: datetime | None  # None: the shipped weights
    taught_count: int


_active: list[ActiveModel] = []


def active_model() -> ActiveModel:
    """The model in use now; the shipped one until a retrained one is installed."""
    if not _active:
        _active.append(ActiveModel(0, _shipped_matcher(), None, 0))
    return _active[-1]


def install_model(
    version: int, model: Model, created_at: datetime | None, taught_count: int
) -> ActiveModel:
    """Answer with this model from now on (one assignment: a question in flight keeps the
    matcher it started with)."""
    installed = ActiveModel(version, FaqMatcher(model=model), created_at, taught_count)
    _active[:] = [installed]
    return installed


def reset_model() -> None:
    """Back to the shipped weights and the current answers (tests; new answers at start)."""
    _active.clear()
    _shipped_matcher.cache_clear()


@cache
def _shipped_matcher() -> FaqMatcher:
    return FaqMatcher()


def default_matcher() -> FaqMatcher:
    """The matcher over all topics with the model in use now."""
    return active_model().matcher
