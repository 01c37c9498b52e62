"""Claim events out to billing: each queued event is POSTed to EVENTS_URL, signed, until a 2xx.

In order: a refused event holds back the later ones until billing takes it. At least once: an
event is marked sent only after billing answered 2xx, so a crash between the post and the mark
sends it again, with the same id and body; billing keeps the ids it has seen. Several workers
may run this: each takes due events under a lease (pushing their next attempt past the post's
timeout), so one event is not posted by two workers at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import aiohttp

from bot.logging_setup import ThrottledLog
from storage.database import Database

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Signature"
POST_TIMEOUT_SECONDS = 10.0
# Longer than a post can take: the lease ends only when its worker is surely gone.
LEASE = timedelta(seconds=POST_TIMEOUT_SECONDS + 5)
BATCH = 50
FIRST_RETRY_SECONDS = 1.0
LAST_RETRY_SECONDS = 600.0
# Sent events are kept this long for an operator's questions, then forgotten.
KEEP_SENT = timedelta(days=7)
TIDY_SECONDS = 3600.0


def sign(secret: bytes, body: bytes) -> str:
    """The X-Signature value: sha256=<hex HMAC-SHA256 of the raw body>."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 1 s, 2 s, 4 s, … at most 10 minutes."""
    return timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LAST_RETRY_SECONDS)
    )


class EventSender:
    """Posts the event outbox to billing; start() once per process, wake() after a commit."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        url: str,
        secret: str,
        *,
        idle_seconds: float = 1.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.url = url
        self._secret = secret.encode()
        self.idle_seconds = idle_seconds
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._outage = ThrottledLog(log, "events: reading the event outbox")

    def start(self) -> None:
        self._http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT_SECONDS)
        )
        self._task = asyncio.create_task(self._run(), name="billing-events")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    def wake(self) -> None:
        self._wakeup.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        tidied = loop.time()
        while True:
            try:
                if loop.time() - tidied > TIDY_SECONDS:
                    tidied = loop.time()
                    await self.forget_sent()
                posted = await self.send_due()
                self._outage.recovered()
            except Exception as exc:  # the database is away: try again after a pause
                self._outage.failed(exc)
                posted = 0
            if posted:
                continue  # there may be more due at once
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.idle_seconds)
            self._wakeup.clear()

    async def send_due(self) -> int:
        """Post the events due now, oldest first; returns how many were tried."""
        now = self.clock()
        async with self.db.uow() as uow:
            due = await uow.events.take_due(now, now + LEASE, BATCH)
            await uow.commit()
        for position, event in enumerate(due):
            error = await self._post(event.body.encode())
            async with self.db.uow() as uow:
                if error is None:
                    await uow.events.mark_sent(event.row_id, self.clock())
                    await uow.commit()
                    continue
                wait = backoff(event.attempts + 1)
                later = self.clock() + wait
                await uow.events.retry_later(event.row_id, later, error)
                # The rest wait too, so billing receives events in the order they happened.
                await uow.events.postpone([e.row_id for e in due[position + 1 :]], later)
                await uow.commit()
            log.warning(
                "event %s not taken by billing (%s); next try in %.0f s",
                event.event_id,
                error,
                wait.total_seconds(),
            )
            break
        return len(due)

    async def _post(self, body: bytes) -> str | None:
        """None when billing took it (2xx); else why not, in a few words."""
        assert self._http is not None, "start() first"
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self._secret, body)}
        try:
            async with self._http.post(self.url, data=body, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"HTTP {response.status}"
        except TimeoutError:
            return "timed out"
        except aiohttp.ClientError as exc:
            return type(exc).__name__

    async def forget_sent(self) -> None:
        """Drop events billing took more than KEEP_SENT ago."""
        async with self.db.uow() as uow:
            await uow.events.forget_sent_before(self.clock() - KEEP_SENT)
            await uow.commit()


def event_sender_for(
    url: str, secret: str | None, db: Database, clock: Callable[[], datetime], idle: float
) -> EventSender | None:
    """The sender when EVENTS_URL is set; events wait in the outbox until it is."""
    if not url:
        return None
    if not secret:
        log.error("EVENTS_URL is set without EVENTS_SECRET: events wait, unsent and unsigned")
        return None
    return EventSender(db, clock, url, secret, idle_seconds=idle)
