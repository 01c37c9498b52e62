"""From class probabilities to an answer, a few choices, or no answer."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from conversations.faq.model import OUT_OF_SCOPE, UNSURE, Thresholds

# Runners-up this close to the best are offered as choices too; the rest come from the best
# topic's related topics, so an unsure answer always offers 2 or 3.
ALTERNATIVE_SHARE: Final = 0.3
MIN_ALTERNATIVES: Final = 2
MAX_ALTERNATIVES: Final = 3
# A confident answer whose runner-up scores at least this share of it is a close call: the
# answer comes with the runner-up as a one-tap second opinion. On the dev sets this shows on
# about 4% of answers and offers the right topic for about a third of the wrong ones.
SECOND_OPINION_SHARE: Final = 0.4


@dataclass(frozen=True)
class Decision:
    topic: str | None
    score: float  # the best topic's probability, 0 when declined
    alternatives: tuple[str, ...]
    second_opinion: str | None = None  # beside a confident answer, a runner-up close behind


def decide(
    probabilities: Mapping[str, float],
    thresholds: Thresholds,
    related: Mapping[str, Sequence[str]],
    not_offered: Collection[str] = (),
) -> Decision:
    """Decline when out of scope; else answer the likeliest topic when sure; else offer choices.

    Whether a question is in scope at all and which topic it is are two decisions: "refund
    question" is surely about refunds, though not surely about one topic. probabilities holds
    OUT_OF_SCOPE, UNSURE (vague questions: choices when it beats every topic) and each topic
    the matcher may answer. Topics in not_offered (small talk) can be answered but are never
    offered as a choice.
    """
    topics = sorted(
        ((p, t) for t, p in probabilities.items() if t not in (OUT_OF_SCOPE, UNSURE)),
        key=lambda item: (-item[0], item[1]),
    )
    out_of_scope = probabilities.get(OUT_OF_SCOPE, 0.0)
    if not topics or out_of_scope >= thresholds.out_of_scope:
        return Decision(None, 0.0, ())
    best_p, best = topics[0]
    vague = probabilities.get(UNSURE, 0.0)
    offered = [(p, t) for p, t in topics if t not in not_offered]
    if best_p >= thresholds.confident and best_p > out_of_scope and best_p > vague:
        return Decision(best, round(best_p, 3), (), _second_opinion(best, best_p, offered))
    if not offered:
        return Decision(None, 0.0, ())
    top_p, top = offered[0]
    chosen = [t for p, t in offered[:MAX_ALTERNATIVES] if p >= top_p * ALTERNATIVE_SHARE]
    for extra in related.get(top, ()):
        if len(chosen) >= MIN_ALTERNATIVES:
            break
        if extra in probabilities and extra not in chosen and extra not in not_offered:
            chosen.append(extra)
    if len(chosen) < MIN_ALTERNATIVES:
        return Decision(None, 0.0, ())
    return Decision(None, round(top_p, 3), tuple(chosen))


def _second_opinion(best: str, best_p: float, offered: Sequence[tuple[float, str]]) -> str | None:
    """The runner-up when it is close behind a confident answer; small talk has none."""
    if best not in {t for _, t in offered}:
        return None
    runner_up = next(((p, t) for p, t in offered if t != best), None)
    if runner_up is None or runner_up[0] < best_p * SECOND_OPINION_SHARE:
        return None
    return runner_up[1]
