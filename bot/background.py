"""A background loop: a pass, then a sleep until woken or idle, in a task of its own."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable


class BackgroundLoop:
    """Runs `one_pass` again and again in a task of its own (the inbox, the outbox dispatcher).

    `one_pass` returns True when there may be more to do at once; otherwise the loop sleeps
    until `wake()` or `idle_seconds`. A pass catches its own errors: one that escapes ends
    the loop.
    """

    def __init__(
        self, name: str, one_pass: Callable[[], Awaitable[bool]], idle_seconds: float
    ) -> None:
        self.name = name
        self.idle_seconds = idle_seconds
        self._one_pass = one_pass
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.stopping = False

    def wake(self) -> None:
        """Run a pass now (or as soon as the one running ends)."""
        self._wake.set()

    def start(self) -> None:
        self.stopping = False
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Cancel the loop, mid-pass if need be, and wait until it ended."""
        self.stopping = True
        if self._task is None:
            return
        # The flag and a wake as well: Python 3.11's wait_for can swallow a cancel that lands
        # just as the wait it guards ends.
        self._wake.set()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        while not self.stopping:
            # Cleared before the pass: a wake during it makes the next pass come at once.
            self._wake.clear()
            if await self._one_pass():
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.idle_seconds)
