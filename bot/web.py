"""The HTTP side: the webhook (stores each update before answering 200), /healthz, /metrics.

PTB's webhook server answers 200 once an update is in an in-memory queue, after which
Telegram never sends it again; this one answers 200 only after the inbox has committed it.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from telegram import Bot, Update

from bot.inbox import InboxProcessor, chat_key, store_updates
from bot.metrics import Metrics, check_health
from storage.database import Database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebServer:
    """One aiohttp server: the webhook path (if any) plus /healthz and /metrics."""

    def __init__(
        self,
        db: Database,
        metrics: Metrics,
        clock: Callable[[], datetime],
        *,
        bot: Bot | None = None,
        inbox: InboxProcessor | None = None,
        webhook_path: str | None = None,
        secret: str | None = None,
    ) -> None:
        self.db = db
        self.metrics = metrics
        self.clock = clock
        self.bot = bot
        self.inbox = inbox
        self.secret = secret
        app = web.Application(client_max_size=1024**2)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        if webhook_path is not None:
            app.router.add_post("/" + webhook_path.lstrip("/"), self._webhook)
        # No access log: it would only repeat the path, and Telegram posts a lot.
        self._runner = web.AppRunner(app, access_log=None)

    async def start(self, host: str, port: int) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _webhook(self, request: web.Request) -> web.Response:
        assert self.bot is not None and self.inbox is not None
        given = request.headers.get(SECRET_HEADER, "")
        if self.secret is not None and not hmac.compare_digest(given, self.secret):
            return web.Response(status=403, text="wrong secret token")
        try:
            payload = json.loads(await request.read())
            update = Update.de_json(payload, self.bot)
        except Exception as exc:  # Telegram never sends this; answer clearly, keep nothing
            log.warning("webhook: not an update (%s)", type(exc).__name__)
            return web.Response(status=400, text="not a Telegram update")
        try:
            await store_updates(
                self.db, [(update.update_id, chat_key(update), payload)], self.clock(), self.metrics
            )
        except Exception:
            # Not stored, so not acknowledged: Telegram posts it again.
            log.exception("webhook: storing update %s failed", update.update_id)
            return web.Response(status=503, text="try again")
        self.inbox.wake([chat_key(update)])
        return web.Response(status=200)

    async def _healthz(self, request: web.Request) -> web.Response:
        health = await check_health(self.db, self.clock())
        return web.json_response(health.body, status=200 if health.healthy else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        try:
            body = await self.metrics.render(self.db, self.clock())
        except Exception as exc:
            log.warning("metrics: database unreachable: %s", type(exc).__name__)
            return web.Response(status=503, text="database unreachable\n")
        return web.Response(body=body, headers={"Content-Type": self.metrics.content_type})
