"""`refundbot run`: the bot process, in polling or webhook mode; SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from urllib.parse import urlparse

import uvloop
from telegram import Update

from bot.api import api_for
from bot.bootstrap import bootstrap
from bot.edge import silence_raw_update_logs
from bot.heap import freeze_long_lived
from bot.polling import Poller
from bot.services import Services
from bot.settings import Settings
from bot.telegram_app import close_requests
from bot.web import WebServer
from conversations.faq import default_matcher
from storage.database import Database

log = logging.getLogger(__name__)

# An unlimited hard limit cannot be the soft one (Linux caps it at fs.nr_open).
NOFILE_WHEN_UNLIMITED = 65536


def run_bot(settings: Settings) -> None:
    raise_file_limit()
    # The FAQ model loaded before serving, and everything alive then kept out of the
    # collector's full passes (bot.heap): a process's whole life, not a test's.
    default_matcher()
    freeze_long_lived()
    # uvloop's event loop and transports cost about a quarter less CPU a turn than asyncio's
    # (python bench/latency.py); a turn is mostly small database and Bot API round trips.
    uvloop.run(serve(settings))


def raise_file_limit() -> int | None:
    """Raise the soft open-file limit to the hard one; returns the limit now in force.

    Every connection and database socket is a file; the usual soft limit of 1,024 is a small
    share of what the hard limit (set by systemd's LimitNOFILE or the container) allows.
    """
    try:
        import resource
    except ImportError:  # Windows: no such limit to raise
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, NOFILE_WHEN_UNLIMITED)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-file limit from %s: %s", soft, exc)
    log.info("open-file limit %s (hard limit %s)", soft, _limit(hard))
    return int(soft)


def _limit(value: int) -> str:
    import resource

    return "unlimited" if value == resource.RLIM_INFINITY else str(value)


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until SIGTERM or SIGINT (or `stop` is set), then stop in order."""
    stop = stop or asyncio.Event()
    silence_raw_update_logs()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    db = Database(settings.database_url)
    services = bootstrap(settings, db, upgrade_database=True)
    application = services.application
    if settings.staff_chat_id is None:
        log.warning(
            "STAFF_CHAT_ID is not set: escalated claims wait in the queue "
            "(see `refundbot claims list`) and /human cannot reach a person"
        )
    log.info("starting; database %s", db.url)
    try:
        try:
            await application.initialize()
        except BaseException:
            await close_requests(services)
            raise
        try:
            await _serve(settings, services, stop)
        finally:
            await application.shutdown()
    finally:
        await db.dispose()


async def _serve(settings: Settings, services: Services, stop: asyncio.Event) -> None:
    application, db = services.application, services.db
    assert application.post_init is not None and application.post_stop is not None
    await application.post_init(application)
    await application.start()
    receivers: list[Poller | WebServer] = []
    api = api_for(settings, services)
    try:
        if settings.webhook_url:
            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            path = urlparse(settings.webhook_url).path.lstrip("/")
            server = WebServer(
                db,
                services.metrics,
                services.clock,
                bot=application.bot,
                inbox=services.inbox,
                webhook_path=path,
                secret=secret,
                api=api,
            )
            await server.start(settings.webhook_listen, settings.webhook_port)
            receivers.append(server)
            log.info(
                "webhook mode on %s:%s/%s", settings.webhook_listen, settings.webhook_port, path
            )
            await application.bot.set_webhook(
                settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
            )
        else:
            if settings.metrics_port is not None:
                shared = api if settings.api_port == settings.metrics_port else None
                server = WebServer(db, services.metrics, services.clock, api=shared)
                await server.start(settings.metrics_listen, settings.metrics_port)
                receivers.append(server)
                log.info("metrics on %s:%s", settings.metrics_listen, settings.metrics_port)
            if api is not None and settings.api_port not in (None, settings.metrics_port):
                server = WebServer(db, services.metrics, services.clock, api=api)
                await server.start(settings.webhook_listen, settings.api_port)
                receivers.append(server)
                log.info("ledger API on %s:%s", settings.webhook_listen, settings.api_port)
            elif api is not None and settings.api_port is None:
                log.warning("API_TOKENS is set but API_PORT is not: the ledger API is off")
            poller = Poller(application.bot, db, services.inbox, services.clock, services.metrics)
            await poller.start()
            receivers.append(poller)
            log.info("polling mode")
        await stop.wait()
        log.info("stopping")
    finally:
        for receiver in reversed(receivers):
            with contextlib.suppress(Exception):
                await receiver.stop()
        await application.stop()
        await application.post_stop(application)
