"""Retrain the FAQ classifier on the shipped questions plus what the team taught, and judge it.

A retrained model is kept only if it does at least as well as the model in use on the frozen
test set (tests/data/faq_frozen_test.jsonl, never trained or tuned on): a phrasing taught by
mistake must not make the bot worse for everyone. Training needs the train extra
(scikit-learn); the thresholds are the model in use's (choosing them again needs k-fold,
five times the work), and the fit starts from its weights, so a retrain is one short fit,
deterministic for the same inputs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from conversations.faq.corpus import DATA_DIR, Example, load_written, with_variations
from conversations.faq.matcher import FaqMatcher
from conversations.faq.model import Model, parse_model, taught_key
from conversations.faq.normalise import words
from conversations.faq.topics import load_topics

FROZEN_PATH: Final = DATA_DIR.parents[2] / "tests" / "data" / "faq_frozen_test.jsonl"
# How far below the model in use a retrained one may score and still count as "not worse":
# none. Figures are fractions of the frozen set (0.956 = 95.6%).
TOLERANCE: Final = 0.0


class TrainingUnavailable(RuntimeError):
    """scikit-learn is not installed here (pip install 'refundbot[train]')."""


class UnknownTopic(ValueError):
    """A phrasing taught for a topic the FAQ does not have."""

    def __init__(self, topic_id: str, known: Sequence[str]) -> None:
        super().__init__(f"unknown FAQ topic {topic_id!r}; the topics are: {', '.join(known)}")
        self.topic_id = topic_id
        self.known = tuple(known)


def teachable_topics() -> tuple[str, ...]:
    """The topic ids a phrasing may be taught for (every topic, small talk included)."""
    return tuple(t.id for t in load_topics())


def check_teachable(text: str, topic_id: str) -> str:
    """The phrasing, trimmed; raises UnknownTopic or ValueError (nothing to learn from)."""
    if topic_id not in teachable_topics():
        raise UnknownTopic(topic_id, teachable_topics())
    cleaned = " ".join(text.split())[:300]
    if not words(cleaned):
        raise ValueError("the phrasing has no words to learn from")
    return cleaned


@dataclass(frozen=True)
class Score:
    """A model's figures on a judged set, as the bench counts them."""

    top1: float  # on-topic questions answered with the right topic
    rejected: float  # off-topic questions declined
    on_topic: int
    off_topic: int

    def below(self, other: Score) -> tuple[float, float]:
        """How many percentage points this scores below other: (top-1, off-topic rejected)."""
        return (
            max(0.0, round(100 * (other.top1 - self.top1), 1)),
            max(0.0, round(100 * (other.rejected - self.rejected), 1)),
        )

    def worse_than(self, other: Score) -> bool:
        return (
            self.top1 < other.top1 - TOLERANCE - 1e-9
            or self.rejected < other.rejected - TOLERANCE - 1e-9
        )


def load_judged(path: Path = FROZEN_PATH) -> list[tuple[str, str | None]]:
    """A judged set: (question, topic id or None for off-topic), JSON lines with q and topic."""
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append((str(row["q"]), row["topic"]))
    return rows


def score(matcher: FaqMatcher, judged: Sequence[tuple[str, str | None]]) -> Score:
    """top-1 and off-topic rejected of a matcher on a judged set."""
    on = off = right = declined = 0
    for question, want in judged:
        found = matcher.match(question)
        if want is None:
            off += 1
            declined += found.is_off_topic
        else:
            on += 1
            right += found.topic is not None and found.topic.id == want
    return Score(right / max(on, 1), declined / max(off, 1), on, off)


@dataclass(frozen=True)
class Retrained:
    model: Model
    body: str  # the model as JSON, to store
    taught_count: int


def retrain(taught: Sequence[tuple[str, str]], start: Model) -> Retrained:
    """A model trained on the shipped questions plus the taught (text, topic) pairs, from the
    weights of `start` (the model in use) and with its thresholds."""
    try:
        from conversations.faq import train
    except ImportError as error:
        raise TrainingUnavailable(
            "retraining needs scikit-learn: pip install 'refundbot[train]'"
        ) from error
    written = load_written()
    seen = {tuple(words(e.text)) for e in written}
    extra: list[Example] = []
    for text, topic_id in taught:
        key = tuple(words(text))
        if key in seen:
            continue  # already a training line (for its own topic): the person's choice is kept
        seen.add(key)  # by the exact-phrasing table below
        extra.append(Example(text, topic_id, _language(text), len(written) + len(extra), False))
    vectorizer, classifier = train.fit(with_variations([*written, *extra]), start=start)
    raw: dict[str, Any] = train.export(vectorizer, classifier, start.thresholds)
    raw["taught"] = {taught_key(text): topic_id for text, topic_id in taught}
    body = json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
    return Retrained(parse_model(raw), body, len(taught))


def _language(text: str) -> str:
    """en, roman or ur, roughly: it only picks which greetings and typos the variations add."""
    if any("\u0600" <= ch <= "\u06ff" for ch in text):
        return "ur"
    return "en"
