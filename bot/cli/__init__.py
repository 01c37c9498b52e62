"""The `refundbot` command line: run the bot, chat in a terminal, load and inspect the ledger.

One module per command group; importing them registers their commands on `app`.
"""

from __future__ import annotations

import os
import sys

import typer

from bot.cli import claims, faq, inbox, ledger, lockouts, outbox, privacy, process, replies
from bot.cli.common import LOADED, app, first_line, url_password

__all__ = [
    "app",
    "claims",
    "faq",
    "inbox",
    "ledger",
    "lockouts",
    "main",
    "outbox",
    "privacy",
    "process",
    "replies",
]


def main() -> None:
    """The console script: every failure ends in one line on stderr, never a traceback."""
    # Opt in to PTB 22's timedelta retry_after (the code handles both), silencing its warning.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    try:
        app()
    except Exception as exc:
        if _debugging():
            raise
        from bot.logging_setup import redact

        secrets = tuple(
            s.get_secret_value()
            for settings in LOADED
            for s in (settings.telegram_bot_token, settings.webhook_secret)
            if s is not None
        ) + tuple(url_password(settings.database_url) for settings in LOADED)
        message = redact(f"{type(exc).__name__}: {first_line(exc)}", secrets)
        typer.echo(
            f"refundbot: unexpected error: {message}. "
            "Run again with LOG_LEVEL=DEBUG to see where it happened.",
            err=True,
        )
        sys.exit(1)


def _debugging() -> bool:
    if LOADED:
        return LOADED[-1].log_level == "DEBUG"
    return os.environ.get("LOG_LEVEL", "").strip().upper() == "DEBUG"
