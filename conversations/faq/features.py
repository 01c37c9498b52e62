"""The features the FAQ classifier reads: character n-grams, words, word pairs, skeletons.

Training (conversations.faq.train) and matching use this one function, so the shipped
weights always see the same features they were trained on.
"""

from __future__ import annotations

from typing import Final

from conversations.faq.normalise import skeleton, words

# A pasted essay says nothing more about its topic after this many words, and the cap keeps a
# 4,000-character paste within a few milliseconds.
MAX_WORDS: Final = 250
CHAR_SIZES: Final = (2, 3, 4, 5)


def features(text: str) -> list[str]:
    """Feature names of a message, with repeats (a repeated feature counts more)."""
    tokens = words(text)[:MAX_WORDS]
    out: list[str] = []
    for token in tokens:
        out.append("w " + token)
        bones = skeleton(token)
        if bones != token:
            out.append("s " + bones)
        # char_wb: n-grams inside the word padded with spaces, so typos still share most.
        padded = f" {token} "
        for size in CHAR_SIZES:
            out.extend("c" + padded[i : i + size] for i in range(len(padded) - size + 1))
    out.extend(f"b {a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return out
