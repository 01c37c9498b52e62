"""`refundbot run`: the bot process, in polling or webhook mode; SIGTERM stops it cleanly."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from telegram import Update

from bot.settings import Settings
from bot.telegram_app import build_application
from storage.database import Database

log = logging.getLogger(__name__)


def run_bot(settings: Settings) -> None:
    db = Database(settings.database_url)
    application = build_application(settings, db, upgrade_database=True)
    if settings.staff_chat_id is None:
        log.warning(
            "STAFF_CHAT_ID is not set: escalated claims wait in the queue "
            "(see `refundbot claims list`) and /human cannot reach a person"
        )
    log.info("starting; database %s", db.url)
    if settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        path = urlparse(settings.webhook_url).path.lstrip("/")
        log.info("webhook mode on %s:%s/%s", settings.webhook_listen, settings.webhook_port, path)
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=path,
            webhook_url=settings.webhook_url,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        log.info("polling mode")
        application.run_polling(allowed_updates=Update.ALL_TYPES)
