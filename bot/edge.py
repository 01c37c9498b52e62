"""What both doors (webhook, getUpdates) share so that bad input cannot stop them.

An update PTB cannot read (a newer or older Bot API shape, a self-hosted Bot API server's
quirk) is stored as received, marked failed and never applied; the door goes on. A database
outage is summed up in one log line a second, not a traceback per update.
"""

from __future__ import annotations

import logging
import time
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


def describe(exc: BaseException) -> str:
    """The first line of an error: a driver's reason, without the SQL and its parameters."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")


class ThrottledLog:
    """Logs a recurring failure at most once per interval, with how often it happened."""

    def __init__(
        self, logger: logging.Logger, what: str, interval: float = 1.0, level: int = logging.ERROR
    ) -> None:
        self._logger = logger
        self._what = what
        self._interval = interval
        self._level = level
        self._count = 0
        self._last = float("-inf")

    def failed(self, exc: BaseException) -> None:
        self._count += 1
        now = time.monotonic()
        if now - self._last < self._interval:
            return
        since = "" if self._last == float("-inf") else f" in the last {now - self._last:.1f} s"
        self._logger.log(
            self._level, "%s failed %d time(s)%s: %s", self._what, self._count, since, describe(exc)
        )
        self._last = now
        self._count = 0

    def recovered(self) -> None:
        """The failing thing works again: say so once, with the failures not yet logged."""
        if self._last == float("-inf"):
            return
        self._logger.info("%s works again (%d more failure(s) before)", self._what, self._count)
        self._last = float("-inf")
        self._count = 0

    @property
    def unreported(self) -> int:
        return self._count


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
