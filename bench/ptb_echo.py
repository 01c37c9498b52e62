"""The baseline for the benches: PTB's echo bot, as in PTB's examples.

Webhook mode (bench/workers.py):
    TOKEN=... API=http://127.0.0.1:PORT/bot PORT=8443 SECRET=... python bench/ptb_echo.py
Polling mode with concurrent updates (bench/speed.py): leave PORT unset.
"""

from __future__ import annotations

import asyncio
import os

from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    while True:
        try:
            await update.message.reply_text(update.message.text)
            return
        except RetryAfter as exc:  # a fake that enforces Telegram's limits (bench/latency.py)
            delay = exc.retry_after
            await asyncio.sleep(delay.total_seconds() if hasattr(delay, "total_seconds") else delay)


def main() -> None:
    application = (
        Application.builder()
        .token(os.environ["TOKEN"])
        .base_url(os.environ["API"])
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    if "PORT" not in os.environ:
        application.run_polling(poll_interval=0, timeout=10)
        return
    port = int(os.environ["PORT"])
    application.run_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="hook",
        webhook_url=f"http://127.0.0.1:{port}/hook",
        secret_token=os.environ["SECRET"],
    )


if __name__ == "__main__":
    main()
