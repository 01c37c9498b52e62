"""How long a full garbage collection pauses a worker, with and without the heap frozen.

Run: python bench/gc_pause.py

A worker holds the FAQ model (a few hundred thousand tuples) for its whole life; a full
collection walks every tracked object, and every chat's turn waits meanwhile. bot.heap freezes
what is alive after start-up, as `refundbot run` does.
"""

from __future__ import annotations

import gc
import statistics
import time

from bot.heap import freeze_long_lived
from conversations.faq.matcher import default_matcher

ROUNDS = 5


def full_collections() -> list[float]:
    out = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        gc.collect()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    import bot.runner  # noqa: F401  (everything a worker imports)

    default_matcher().match("warm up")
    print(f"objects the collector tracks: {len(gc.get_objects()):,}")
    before = full_collections()
    freeze_long_lived()
    after = full_collections()
    print(f"full collection, as is:      median {statistics.median(before):7.1f} ms")
    print(f"full collection, heap frozen: median {statistics.median(after):7.1f} ms")


if __name__ == "__main__":
    main()
