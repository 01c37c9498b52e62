"""Ids as customers type them: "tx 1001", "TX1001", "#tx-1001" all mean TX-1001."""

from __future__ import annotations

import re

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{2,39}")
# Letters, then digits, with a space, dash, underscore or nothing between: "tx 1001".
_SPLIT = re.compile(r"^#?\s*([A-Za-z]{1,10})[\s_\-]*(\d[A-Za-z0-9_.\-]*)$")
_TOKEN = re.compile(
    r"#?[A-Za-z]{1,10}[\s_\-]?\d[A-Za-z0-9_.\-]*|#?[A-Za-z0-9][A-Za-z0-9_.\-]{2,39}"
)


def variants(text: str) -> list[str]:
    """The ids the customer may have meant, most literal first; empty when none looks like one."""
    typed = text.strip().strip(".,;:!?\"'()[]")
    candidates = [typed] if _ID.fullmatch(typed.lstrip("#")) else []
    if not candidates:
        # "my transaction id is tx 1001": the id-looking part of a sentence.
        tokens = [t for t in _TOKEN.findall(typed) if any(ch.isdigit() for ch in t)]
        candidates = tokens[-1:] if tokens else []
    found: list[str] = []
    for candidate in candidates:
        bare = candidate.lstrip("#").strip()
        split = _SPLIT.fullmatch(bare)
        forms = [bare, bare.upper()]
        if split is not None:
            letters, digits = split.group(1).upper(), split.group(2).upper()
            forms += [f"{letters}-{digits}", f"{letters}{digits}"]
        for form in forms:
            if _ID.fullmatch(form) and form not in found:
                found.append(form)
    return found


# How customers write a transaction id that is not on the ledger (a typo, another account's).
_TRANSACTION = re.compile(r"^#?\s*(?:tx|txn|trx)[\s_\-]*\d{3,}$", re.IGNORECASE)


def is_bare_id(text: str) -> bool:
    """The message is one id and nothing else ("TX-1001", "tx 1001"), not a sentence."""
    typed = text.strip().strip(".,;:!?\"'()[]").lstrip("#").strip()
    return bool(_ID.fullmatch(typed) or _SPLIT.fullmatch(typed)) and any(
        ch.isdigit() for ch in typed
    )


def looks_like_transaction(text: str) -> bool:
    """Shaped like a transaction id (TX-1001, tx 1001, TXN1001), whether or not it exists."""
    return bool(_TRANSACTION.fullmatch(text.strip().strip(".,;:!?\"'()[]")))


def canonical(text: str) -> str | None:
    """One spelling for every way the same id is typed ("tx 1001", "TX1001": "TX-1001").

    Counting misses by it does not depend on whether the id exists.
    """
    found = variants(text)
    if not found:
        return None
    split = _SPLIT.fullmatch(found[0])
    if split is not None:
        return f"{split.group(1).upper()}-{split.group(2).upper()}"
    return found[0].upper()
