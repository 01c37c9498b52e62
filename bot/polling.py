"""Long polling that moves the offset only after the updates are stored in the inbox.

PTB's Updater confirms an update (asks for the next offset) as soon as it is queued in
memory; this loop asks for the next offset only once the inbox transaction has committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, TimedOut

from bot.inbox import InboxProcessor, chat_key, store_updates
from bot.metrics import Metrics
from storage.database import Database

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 10
MAX_BACKOFF_SECONDS = 30.0


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
                updates = await self.bot.get_updates(
                    offset=offset, timeout=self.poll_timeout, allowed_updates=Update.ALL_TYPES
                )
                if updates:
                    rows = [(u.update_id, chat_key(u), u.to_dict()) for u in updates]
                    await store_updates(self.db, rows, self.clock(), self.metrics)
                    self.inbox.wake([chat for _, chat, _ in rows])
                    # Only now: the next call confirms these to Telegram.
                    offset = updates[-1].update_id + 1
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
            except Exception:  # the database: keep the offset, so Telegram keeps the updates
                log.exception("storing updates failed; retrying in %.0f s", backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
