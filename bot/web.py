"""The HTTP side: the webhook (stores each update before answering 200), /healthz, /metrics.

PTB's webhook server answers 200 once an update is in an in-memory queue, after which
Telegram never sends it again; this one answers 200 only after the inbox has committed it.

The server is open to the internet, so it keeps a few promises of its own: a connection gets
`read_timeout` seconds to send a whole request head (and again for the body), an idle one is
closed after `keepalive_timeout`, and at most `max_connections` are open at once: when full, the
oldest connection that is not being answered makes room for the new one. Clients that trickle
bytes therefore cost a bounded number of file descriptors for a bounded time.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from telegram import Bot

from bot.edge import UNREADABLE_PREFIX, decode
from bot.inbox import InboxProcessor, store_updates
from bot.logging_setup import ThrottledLog
from bot.metrics import Metrics, check_health
from storage.database import Database

if TYPE_CHECKING:
    from bot.api import LedgerApi

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_HEADER_BYTES = SECRET_HEADER.lower().encode()

READ_TIMEOUT_SECONDS = 10.0
KEEPALIVE_TIMEOUT_SECONDS = 30.0
# Telegram opens up to 40 connections (setWebhook max_connections); the rest is headroom for
# /healthz and /metrics, far below the usual 1,024 open-file limit.
MAX_CONNECTIONS = 200
SHUTDOWN_SECONDS = 5.0


class WebServer:
    """One aiohttp server: the webhook path (if any), the ledger API (if on), /healthz, /metrics."""

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
        read_timeout: float = READ_TIMEOUT_SECONDS,
        keepalive_timeout: float = KEEPALIVE_TIMEOUT_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
        api: LedgerApi | None = None,
    ) -> None:
        self.db = db
        self.metrics = metrics
        self.clock = clock
        self.bot = bot
        self.inbox = inbox
        self._secret = secret.encode() if secret is not None else None
        self.read_timeout = read_timeout
        self._store_failures = ThrottledLog(
            log, "webhook: storing updates (Telegram posts them again)"
        )
        self.guard = ConnectionGuard(read_timeout, max_connections)
        app = web.Application(client_max_size=1024**2, middlewares=[self.guard.middleware])
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        if webhook_path is not None:
            app.router.add_post("/" + webhook_path.lstrip("/"), self._webhook)
        if api is not None:
            api.install(app)
        # No access log: it would only repeat the path, and Telegram posts a lot.
        # A request being answered gets SHUTDOWN_SECONDS at stop: storing an update takes
        # milliseconds, and SIGTERM must end well within systemd's TimeoutStopSec.
        self._runner = web.AppRunner(
            app,
            access_log=None,
            keepalive_timeout=keepalive_timeout,
            lingering_time=1.0,
            shutdown_timeout=SHUTDOWN_SECONDS,
        )
        self._listener: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> None:
        await self._runner.setup()
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        self._listener = await loop.create_server(
            lambda: self.guard.wrap(server()), host, port, reuse_address=True
        )
        self.guard.start()

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
        self.guard.stop()
        # Connections still reading a request would otherwise hold the stop up to the timeout.
        self.guard.close_idle()
        await self._runner.cleanup()

    def _secret_ok(self, request: web.Request) -> bool:
        if self._secret is None:
            return True
        # Raw bytes: a header of any bytes is compared, never decoded (compare_digest refuses
        # non-ASCII str).
        given = next((v for k, v in request.raw_headers if k.lower() == _SECRET_HEADER_BYTES), b"")
        return hmac.compare_digest(given, self._secret)

    async def _webhook(self, request: web.Request) -> web.Response:
        assert self.bot is not None and self.inbox is not None
        if not self._secret_ok(request):
            return web.Response(status=403, text="wrong secret token")
        try:
            body = await asyncio.wait_for(request.read(), self.read_timeout)
        except TimeoutError:
            response = web.Response(status=408, text="request body too slow")
            response.force_close()
            return response
        except web.HTTPException as exc:  # e.g. larger than client_max_size
            return web.Response(status=exc.status, text=exc.reason)
        try:
            payload = json.loads(body)
        except ValueError:  # Telegram never sends this; answer clearly, keep nothing
            log.warning("webhook: body is not JSON")
            return web.Response(status=400, text="not a Telegram update")
        received = decode(payload, self.bot)
        if received is None:
            log.warning("webhook: JSON without an update_id")
            return web.Response(status=400, text="not a Telegram update")
        rows: list[tuple[int, int, dict[str, Any]]] = []
        failed: list[tuple[int, int, dict[str, Any], str]] = []
        if received.reason is None:
            rows.append((received.update_id, received.chat_id, received.payload))
        else:
            failed.append((received.update_id, received.chat_id, received.payload, received.reason))
        try:
            await store_updates(self.db, rows, self.clock(), self.metrics, failed)
        except Exception as exc:
            # Not stored, so not acknowledged: Telegram posts it again. One line a second at
            # most: an outage fails every post, and each would otherwise log a traceback.
            self._store_failures.failed(exc)
            return web.Response(status=503, text="try again")
        self._store_failures.recovered()
        if received.reason is not None:
            # Stored, so answered 200: Telegram would post an unreadable update forever.
            log.warning(
                "update %s cannot be read (%s); stored as failed and skipped "
                "(see `refundbot inbox failed`)",
                received.update_id,
                received.reason.removeprefix(UNREADABLE_PREFIX).split(":", 1)[0],
            )
        elif received.update is not None:
            self.inbox.wake([received.chat_id], [received.update])
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


class _Connection(asyncio.Protocol):
    """aiohttp's protocol for one connection, with a deadline while it reads a request head."""

    def __init__(self, inner: RequestHandler, guard: ConnectionGuard) -> None:
        self.inner = inner
        self.guard = guard
        self.transport: asyncio.Transport | None = None
        self.answering = 0
        self.reading_since: float | None = None
        self._made = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport whatever its class: uvloop's does not subclass asyncio.Transport.
        self.transport = cast(asyncio.Transport, transport)
        if not self.guard.admit(self):
            self.transport.abort()
            return
        self._made = True
        self.reading_since = self.guard.now()
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.answering == 0 and self.reading_since is None:
            self.reading_since = self.guard.now()
        self.inner.data_received(data)

    def eof_received(self) -> None:
        if self._made:
            self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.forget(self)
        if self._made:
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()


class ConnectionGuard:
    """Counts connections, evicts the oldest idle one when full, and closes slow readers."""

    def __init__(self, read_timeout: float, max_connections: int) -> None:
        self.read_timeout = read_timeout
        self.max_connections = max_connections
        self._open: dict[_Connection, None] = {}  # insertion order: oldest first
        self._by_handler: dict[RequestHandler, _Connection] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self.evicted = 0
        self.timed_out = 0

    @property
    def open_connections(self) -> int:
        return len(self._open)

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def wrap(self, inner: RequestHandler) -> _Connection:
        connection = _Connection(inner, self)
        self._by_handler[inner] = connection
        return connection

    def admit(self, connection: _Connection) -> bool:
        if len(self._open) >= self.max_connections:
            victim = next((c for c in self._open if c.answering == 0), None)
            if victim is None:
                self.forget(connection)
                return False  # every slot is answering a request: refuse the newcomer
            self.evicted += 1
            self.forget(victim)
            victim.close()
        self._open[connection] = None
        return True

    def forget(self, connection: _Connection) -> None:
        self._open.pop(connection, None)
        self._by_handler.pop(connection.inner, None)

    def close_idle(self) -> None:
        """Close every connection that is not being answered."""
        for connection in [c for c in self._open if c.answering == 0]:
            self.forget(connection)
            connection.close()

    def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep(), name="webhook-read-timeouts")

    def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None

    async def _sweep(self) -> None:
        # One task for all connections: checking a few hundred times is cheaper than a timer
        # per connection re-armed on every packet.
        interval = min(1.0, self.read_timeout / 4)
        while True:
            await asyncio.sleep(interval)
            deadline = self.now() - self.read_timeout
            slow = [
                c
                for c in self._open
                if c.answering == 0 and c.reading_since is not None and c.reading_since < deadline
            ]
            for connection in slow:
                self.timed_out += 1
                self.forget(connection)
                connection.close()
            if slow:
                log.info("closed %d connection(s) that sent no whole request in time", len(slow))

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        connection = self._by_handler.get(request.protocol)
        if connection is None:
            return await handler(request)
        connection.answering += 1
        connection.reading_since = None
        try:
            return await handler(request)
        finally:
            # An idle keep-alive connection is aiohttp's to close (keepalive_timeout); its
            # next request starts the clock again when its first bytes arrive.
            connection.answering -= 1
