"""FAQ matcher accuracy and speed on the labelled questions in tests/data/faq_labelled.jsonl.

Run: python bench/faq_accuracy.py [--show-misses]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conversations.faq import FaqMatch, default_matcher  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "faq_labelled.jsonl"
TIMING_ROUNDS = 20


@dataclass(frozen=True)
class Labelled:
    question: str
    topic: str | None
    holdout: bool


@dataclass
class Tally:
    on_topic: int = 0
    top1: int = 0
    unsure: int = 0
    off_topic: int = 0
    rejected: int = 0

    def add(self, item: Labelled, found: FaqMatch) -> None:
        if item.topic is None:
            self.off_topic += 1
            self.rejected += found.topic is None and not found.alternatives
            return
        self.on_topic += 1
        # An unsure answer (choices, no topic) does not count as top-1 correct.
        self.top1 += found.topic is not None and found.topic.id == item.topic
        self.unsure += found.topic is None and bool(found.alternatives)

    def lines(self, name: str) -> list[str]:
        return [
            f"{name}: {self.on_topic} on-topic, {self.off_topic} off-topic questions",
            f"  top-1 accuracy (on-topic)  {_pct(self.top1, self.on_topic)}",
            f"  unsure (choices offered)   {_pct(self.unsure, self.on_topic)}",
            f"  off-topic rejection        {_pct(self.rejected, self.off_topic)}",
            f"  overall correct            "
            f"{_pct(self.top1 + self.rejected, self.on_topic + self.off_topic)}",
        ]


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:5.1f}%" if whole else "n/a"


def load() -> list[Labelled]:
    items = []
    for line in LABELLED.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(Labelled(row["q"], row["topic"], row.get("split") == "holdout"))
    return items


def main() -> None:
    items = load()
    started = time.perf_counter()
    matcher = default_matcher()
    build_ms = (time.perf_counter() - started) * 1000
    tallies = {"all": Tally(), "dev": Tally(), "holdout": Tally()}
    misses = []
    for item in items:
        found = matcher.match(item.question)
        tallies["all"].add(item, found)
        tallies["holdout" if item.holdout else "dev"].add(item, found)
        got = found.topic.id if found.topic else None
        if got != item.topic or (item.topic is None and found.alternatives):
            choices = ",".join(t.id for t in found.alternatives)
            misses.append(f"  want {item.topic}, got {got} [{choices}]: {item.question[:70]}")
    timings = []
    for _ in range(TIMING_ROUNDS):
        for item in items:
            t0 = time.perf_counter()
            matcher.match(item.question)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    for name, tally in tallies.items():
        print("\n".join(tally.lines(name)))
    print(
        f"match time: mean {statistics.fmean(timings):.3f} ms, "
        f"p95 {timings[int(len(timings) * 0.95)]:.3f} ms, max {timings[-1]:.3f} ms "
        f"({len(timings)} matches); first load {build_ms:.1f} ms"
    )
    if "--show-misses" in sys.argv:
        print(f"misses ({len(misses)}):")
        print("\n".join(misses) or "  none")


if __name__ == "__main__":
    main()
