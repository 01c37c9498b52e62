"""The shipped FAQ classifier: weights trained at build time, applied in plain Python.

The weights file (conversations/data/faq_model.json) is written by
`python -m conversations.faq.train`; nothing here needs scikit-learn or numpy.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Final

from conversations.faq.features import features
from conversations.faq.normalise import words

FORMAT: Final = 1
OUT_OF_SCOPE: Final = "null"  # the class name of questions the FAQ does not answer
# The class of vague questions ("i have a question about my refund"): about the FAQ, but about
# no one topic; when it beats every topic, the customer is offered choices.
UNSURE: Final = "unsure"


@dataclass(frozen=True)
class Thresholds:
    """Where the matcher answers, offers choices, or declines; chosen by training."""

    # The out-of-scope probability at or above which the matcher declines.
    out_of_scope: float
    # Otherwise the best topic's probability at or above which it is answered; below it,
    # 2-3 choices are offered.
    confident: float


@dataclass(frozen=True)
class Model:
    classes: tuple[str, ...]  # topic ids, and OUT_OF_SCOPE
    intercept: tuple[float, ...]
    # feature -> (idf, ((class index, weight), ...)): only weights that matter are kept.
    weights: Mapping[str, tuple[float, tuple[tuple[int, float], ...]]]
    thresholds: Thresholds
    data_sha256: str
    # Phrasings the support team taught (refundbot faq teach, /teach): their words, joined by
    # spaces, to the taught topic. The weights were retrained on them too; this makes sure
    # the very question a customer asked gets the topic a person chose for it.
    taught: Mapping[str, str] = field(default_factory=dict)

    def taught_topic(self, text: str) -> str | None:
        """The topic a person taught for exactly this question (same words), if any."""
        return self.taught.get(taught_key(text)) if self.taught else None

    def probabilities(self, text: str) -> list[float]:
        """The probability of each class, in the order of classes."""
        scores = list(self.intercept)
        counts = Counter(features(text))
        known = [(self.weights[f], n) for f, n in counts.items() if f in self.weights]
        # sklearn's sublinear tf-idf, l2-normalised over the features the model knows.
        values = [(1.0 + math.log(n)) * idf for (idf, _), n in known]
        norm = math.sqrt(sum(v * v for v in values)) or 1.0
        for ((_, row), _), value in zip(known, values, strict=True):
            x = value / norm
            for index, weight in row:
                scores[index] += x * weight
        return softmax(scores)


def taught_key(text: str) -> str:
    """How a taught phrasing is looked up: its words in canonical form."""
    return " ".join(words(text))


def softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


@cache
def load_model() -> Model:
    """The weights shipped in the package."""
    text = resources.files("conversations").joinpath("data", "faq_model.json").read_text("utf-8")
    return parse_model(json.loads(text))


def parse_model(raw: Any) -> Model:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError(f"faq_model.json: expected format {FORMAT}; run conversations.faq.train")
    classes = tuple(str(c) for c in raw["classes"])
    weights = {
        name: (float(idf), tuple((int(i), float(w)) for i, w in row))
        for name, (idf, row) in raw["features"].items()
    }
    return Model(
        classes=classes,
        intercept=tuple(float(b) for b in raw["intercept"]),
        weights=weights,
        thresholds=Thresholds(**{k: float(v) for k, v in raw["thresholds"].items()}),
        data_sha256=str(raw["data_sha256"]),
        taught={str(k): str(v) for k, v in raw.get("taught", {}).items()},
    )
