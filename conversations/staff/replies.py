"""Canned replies: the catalog's built-in ones, changed, hidden or added to by the team."""

from __future__ import annotations

import re

from conversations.catalog import staff as s
from conversations.domain import CannedReply, ReplyKind
from conversations.ports import UnitOfWork

# Keys ride in button data (64 bytes with the claim number): short and plain.
KEY = re.compile(r"[a-z0-9_-]{1,24}")
MAX_TEXT = 500

_DEFAULTS: dict[ReplyKind, dict[str, str]] = {
    ReplyKind.REJECT: s.REJECT_GROUNDS,
    ReplyKind.ASK: s.ASK_DEFAULTS,
}


# A saved reply with no text under a built-in key hides that built-in reply.
HIDDEN = ""


def built_in(kind: ReplyKind) -> dict[str, str]:
    """The catalog's replies of `kind`, by key, in order."""
    return dict(_DEFAULTS[kind])


async def canned(uow: UnitOfWork, kind: ReplyKind) -> list[CannedReply]:
    """The replies offered for `kind`, in order: the built-in ones, then the team's own."""
    own = {reply.key: reply for reply in await uow.replies.list(kind)}
    offered = [own.get(key, CannedReply(kind, key, text)) for key, text in _DEFAULTS[kind].items()]
    offered += [reply for key, reply in own.items() if key not in _DEFAULTS[kind]]
    return [reply for reply in offered if reply.text != HIDDEN]


async def find(uow: UnitOfWork, kind: ReplyKind, key: str) -> CannedReply | None:
    return next((r for r in await canned(uow, kind) if r.key == key), None)


def problem(key: str, text: str) -> str | None:
    """Why a reply cannot be saved, for the operator; None when it can."""
    if not KEY.fullmatch(key):
        return s.REPLY_BAD_KEY.format(key=key[:40])
    if not text.strip():
        return s.REPLY_EMPTY
    if len(text) > MAX_TEXT:
        return s.REPLY_TOO_LONG.format(length=f"{len(text):,}", limit=MAX_TEXT)
    return None
