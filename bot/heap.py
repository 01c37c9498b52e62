"""Long-lived objects kept out of the garbage collector's full passes."""

from __future__ import annotations

import gc


def freeze_long_lived(collect: bool = True) -> None:
    """Exempt every object alive now from later full collections.

    The FAQ model is a few hundred thousand small tuples that live as long as the process: a
    full collection walks them all (0.2-0.3 s on a 2-core machine, `python bench/gc_pause.py`)
    and every chat's turn waits for it. Frozen objects are still freed by reference counting
    when dropped (the model holds no cycles), so a replaced model goes as before. `collect`
    first clears what is garbage already, which would otherwise stay frozen.
    """
    if collect:
        gc.collect()
    gc.freeze()
