"""Logging, set up once: structured lines, no token, no full phone numbers or e-mails."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

# A phone number, in the ways people write them: international (+92 300 1234567,
# +92.300.1234567, 0092 300 1234567, +44 20 7946 0958), national (0300-1234567, (0300) 123 4567),
# E.164 without the plus (923001234567, 92 300 7654321) and a Pakistani mobile without its
# trunk 0 (3001234567, 300 1234567). Not: dates, times, Telegram user ids (up to 10 digits),
# negative chat ids, or numbers inside words and paths (TX-1001, ACC-1234567890123).
# Between digit groups: a space or two, a dot or a dash, or " - ". Never empty, and a group
# of digits is always followed by one, so matching stays linear on any string of digits.
_SEP = r"(?:\ ?[.\-]\ ?|\ {1,2})"
_GROUP = rf"(?:(?:{_SEP}|(?<=\)))\(?\d+\)?|{_SEP}?\(\d+\))"
_PHONE = re.compile(
    rf"""(?:
        (?<![\w+])\+\d+{_GROUP}*
      | (?<![\w+\-/.:])(?:\(0\d*\)|0\d*){_GROUP}*
      | (?<![\w+\-/.:])(?:92{_SEP}?)?3\d\d{_SEP}?\d{{3}}{_SEP}?\d{{4}}
      | (?<![\w+\-/.:])\d{{11,15}}
    )
    (?!\w|[.\-]\d)""",
    re.VERBOSE,
)
# Fewer digits than this is not a phone number (a count, a port, a claim number).
_PHONE_MIN_DIGITS = 7
# What a run of digits after these words is: an id the operator needs, not a phone number.
_ID_LABEL = re.compile(
    r"(?:\bid|_id|\bchat|\buser|\bupdate|\bmessage)['\"]?\s*[:=]?\s*['\"]?$", re.IGNORECASE
)
# Any e-mail address, Unicode included (IDN domains, non-ASCII local parts): anything but
# spaces and the punctuation that surrounds an address in a log line.
_LOCAL = r"[^\s@<>()\[\]\\,;:\"'`/=]"
_LABEL = r"[^\s@<>()\[\]\\,;:\"'`/=.]+"
_EMAIL = re.compile(rf"({_LOCAL}){_LOCAL}*@((?:{_LABEL}\.)+{_LABEL})")
_TOKEN = re.compile(r"\d{6,}:[A-Za-z0-9_-]{20,}")


# The update being applied and the claim it concerns, for every log line written meanwhile.
_update_id: ContextVar[int | None] = ContextVar("update_id", default=None)
_claim_id: ContextVar[int | None] = ContextVar("claim_id", default=None)
# Staff buttons and message refs name their claim: "st:take:12", "card:12", "prompt:ask:12".
_CLAIM_IN_DATA = re.compile(r"^(?:st:[a-z]+|card|topic|digest|prompt:[a-z]+|claim):(\d+)(?::|$)")


@contextmanager
def update_context(update_id: int | None, claim_id: int | None = None) -> Iterator[None]:
    """Log lines written inside carry this update id (and claim id, once known)."""
    update_token = _update_id.set(update_id)
    claim_token = _claim_id.set(claim_id)
    try:
        yield
    finally:
        _claim_id.reset(claim_token)
        _update_id.reset(update_token)


def claim_named(ref_or_data: str | None) -> int | None:
    """The claim a callback's data or a message ref names, if any."""
    match = _CLAIM_IN_DATA.match(ref_or_data or "")
    return int(match.group(1)) if match else None


def note_claim(ref_or_data: str | None) -> None:
    """Log lines from here to the end of the update carry the claim this data names."""
    claim_id = claim_named(ref_or_data)
    if claim_id is not None:
        _claim_id.set(claim_id)


def _mask_phone(match: re.Match[str]) -> str:
    """The number down to its last three digits, unless it is too short or a labelled id."""
    found = match.group(0)
    digits = re.sub(r"\D", "", found)
    if len(digits) < _PHONE_MIN_DIGITS:
        return found
    if not found.startswith(("+", "0", "(")) and _ID_LABEL.search(
        match.string, max(0, match.start() - 12), match.start()
    ):
        return found
    return "•••" + digits[-3:]


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """The text with secrets and bot tokens removed and phone numbers and e-mails masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    text = _TOKEN.sub("[token]", text)
    if "@" in text:
        text = _EMAIL.sub(r"\1•••@\2", text)
    # phonenumbers.PhoneNumberMatcher (VALID, region PK) found nothing this misses over the
    # property test's formats, and cost 200-550 µs a line holding ids; this costs under 30.
    return _PHONE.sub(_mask_phone, text)


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".replace("\n", " ")


class RedactingFilter(logging.Filter):
    """Rewrites every record so secrets and personal data never reach a log handler."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info:
            exc = record.exc_info[1]
            if _is_expected(exc) and not logging.getLogger().isEnabledFor(logging.DEBUG):
                # Network trouble and Telegram's refusals are news, not bugs: their tracebacks
                # run through httpx internals and bury the one line that matters.
                text = _one_line(exc) if exc is not None else ""
            else:
                text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(text, self.secrets)
            record.exc_info = None
        return True


class ContextFilter(logging.Filter):
    """Adds update_id and claim_id (None when not known) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.update_id = _update_id.get()
        record.claim_id = _claim_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, msg, update_id, claim_id (and exc)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "update_id": getattr(record, "update_id", None),
            "claim_id": getattr(record, "claim_id", None),
        }
        if record.exc_text:
            line["exc"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def _is_expected(exc: BaseException | None) -> bool:
    try:
        from telegram.error import TelegramError
    except ImportError:  # pragma: no cover - telegram is a dependency
        return False
    return isinstance(exc, TelegramError)


def setup_logging(
    level: str = "INFO", secrets: tuple[str, ...] = (), log_format: str = "text"
) -> None:
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)s")
        )
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and Telegram's URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # The outbox handles every 429 itself; PTB's limiter would log each one as an ERROR.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)


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
