"""What both doors (webhook, getUpdates) share so that bad input cannot stop them.

An update PTB cannot read (a newer or older Bot API shape, a self-hosted Bot API server's
quirk) is stored as received, marked failed and never applied; the door goes on. A database
outage is summed up in one log line a second, not a traceback per update.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Update

from bot.inbox import chat_key
from bot.logging_setup import redact

UNREADABLE_PREFIX = "unreadable update: "


@dataclass(frozen=True)
class Received:
    """One update as received: decoded, or the reason it could not be."""

    update_id: int
    chat_id: int
    payload: dict[str, Any]
    update: Update | None
    reason: str | None


def decode(payload: object, bot: Bot) -> Received | None:
    """The update in this JSON object; None when it has no update_id (not an update at all)."""
    if not isinstance(payload, dict):
        return None
    update_id = payload.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    try:
        update = Update.de_json(payload, bot)
    except Exception as exc:
        # The message names a missing or unexpected field; values are masked all the same.
        reason = redact(f"{UNREADABLE_PREFIX}{type(exc).__name__}: {exc}".replace("\n", " "))
        return Received(update_id, raw_chat_key(payload), payload, None, reason)
    return Received(update_id, chat_key(update), payload, update, None)


def raw_chat_key(payload: dict[str, Any]) -> int:
    """The chat (or user) an unreadable update belongs to, as far as its JSON tells."""
    for key, value in payload.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        for holder in (value, value.get("message")):
            if not isinstance(holder, dict):
                continue
            for field in ("chat", "from", "user"):
                inner = holder.get(field)
                if isinstance(inner, dict) and isinstance(inner.get("id"), int):
                    return int(inner["id"])
    return 0


class RawUpdateLogFilter(logging.Filter):
    """Drops PTB's own log lines that would print whole updates (names, texts, phones)."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = str(record.msg)
        if msg.startswith("Error while parsing updates!"):
            return False
        return not (
            msg.startswith("Call to Bot API endpoint")
            and record.args is not None
            and isinstance(record.args, tuple)
            and record.args[:1] == ("getUpdates",)
        )


def silence_raw_update_logs() -> None:
    """Install RawUpdateLogFilter on the loggers PTB writes raw updates to (idempotent)."""
    for name in ("telegram.Bot", "telegram.ext.ExtBot"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RawUpdateLogFilter) for f in logger.filters):
            logger.addFilter(RawUpdateLogFilter())
