"""Long polling that moves the offset only after the updates are stored in the inbox.

PTB's Updater confirms an update (asks for the next offset) as soon as it is queued in
memory; this loop asks for the next offset only once the inbox transaction has committed.

getUpdates is read as raw JSON and each update decoded on its own: PTB's get_updates decodes
the batch as a whole, so one update it cannot read would fail every batch, forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, TimedOut

from bot.edge import UNREADABLE_PREFIX, decode, silence_raw_update_logs
from bot.inbox import InboxProcessor, store_updates
from bot.logging_setup import describe
from bot.metrics import Metrics
from storage.database import Database

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 10
MAX_BACKOFF_SECONDS = 30.0
# Added to the long-poll timeout: how long the Bot API may take to answer beyond it.
READ_SLACK_SECONDS = 10.0


class Poller:
    """getUpdates → inbox (committed) → the next getUpdates confirms them."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        inbox: InboxProcessor,
        clock: Callable[[], datetime],
        metrics: Metrics,
        poll_timeout: int = POLL_TIMEOUT_SECONDS,
    ) -> None:
        self.bot = bot
        self.db = db
        self.inbox = inbox
        self.clock = clock
        self.metrics = metrics
        self.poll_timeout = poll_timeout
        self._task: asyncio.Task[None] | None = None
        silence_raw_update_logs()

    async def start(self) -> None:
        # getUpdates is refused while a webhook is set; pending updates are kept.
        await self.bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self._loop(), name="polling")

    async def stop(self) -> None:
        # Cancelling is safe: whatever getUpdates returned last is either stored already or
        # not yet confirmed, so Telegram hands it over again.
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        offset: int | None = None
        backoff = 1.0
        while True:
            try:
                batch = await self._get_updates(offset)
                if batch:
                    offset = await self._store(batch) or offset
                backoff = 1.0
            except TimedOut:
                continue
            except InvalidToken:
                log.critical("Telegram rejected the token; polling stops")
                raise
            except (Conflict, NetworkError) as exc:
                log.warning("getUpdates failed (%s); retrying in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            except Exception as exc:  # the database: keep the offset, so Telegram keeps them
                # One line (no SQL, no payload); the backoff keeps it rare.
                log.error("storing updates failed (%s); retrying in %.0f s", describe(exc), backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    async def _get_updates(self, offset: int | None) -> list[object]:
        """One getUpdates call, its result left as JSON."""
        result = await self.bot._post(
            "getUpdates",
            {
                "offset": offset,
                "timeout": self.poll_timeout,
                "allowed_updates": list(Update.ALL_TYPES),
            },
            read_timeout=self.poll_timeout + READ_SLACK_SECONDS,
        )
        return list(result) if isinstance(result, list) else []

    async def _store(self, batch: list[object]) -> int | None:
        """Store the batch (unreadable updates marked failed); returns the next offset."""
        rows: list[tuple[int, int, dict[str, Any]]] = []
        failed: list[tuple[int, int, dict[str, Any], str]] = []
        decoded: list[Update] = []
        last: int | None = None
        for raw in batch:
            received = decode(raw, self.bot)
            if received is None:
                # Without an update_id it cannot be stored or confirmed; the next one's id
                # confirms it anyway.
                log.warning("getUpdates returned something that is not an update; skipped")
                continue
            last = received.update_id if last is None else max(last, received.update_id)
            if received.reason is None:
                rows.append((received.update_id, received.chat_id, received.payload))
                if received.update is not None:
                    decoded.append(received.update)
            else:
                failed.append(
                    (received.update_id, received.chat_id, received.payload, received.reason)
                )
                log.warning(
                    "update %s cannot be read (%s); stored as failed and skipped "
                    "(see `refundbot inbox failed`)",
                    received.update_id,
                    received.reason.removeprefix(UNREADABLE_PREFIX).split(":", 1)[0],
                )
        if rows or failed:
            await store_updates(self.db, rows, self.clock(), self.metrics, failed)
            if rows:
                self.inbox.wake([chat for _, chat, _ in rows], decoded)
        # Only now: the next call confirms these to Telegram.
        return None if last is None else last + 1
