"""`refundbot run` as real processes: start, wait until listening, SIGTERM or kill -9."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import aiohttp
from aiohttp import web

from tests.fake_telegram import FakeTelegram

# The `spawn` fixture (tests/e2e/conftest.py): start a process with this env (and log name).
Spawn = Callable[..., Awaitable["BotProcess"]]


WEBHOOK_SECRET = "s3cret-token"


def webhook_env(base_env: dict[str, str], port: int) -> dict[str, str]:
    """The settings of a webhook worker listening on 127.0.0.1:port at /hook."""
    return {
        **base_env,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_listening(port: int, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)
        else:
            writer.close()
            return


@dataclass
class BotProcess:
    """One `python -m bot run`, its output going to a file (a full pipe would stall it)."""

    process: asyncio.subprocess.Process
    log_path: Path
    _log: IO[bytes]

    @classmethod
    async def start(cls, env: dict[str, str], cwd: Path, name: str = "bot") -> BotProcess:
        log_path = cwd / f"{name}-{len(list(cwd.glob(f'{name}-*.log')))}.log"
        log = log_path.open("wb")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env={**os.environ, **env},
            cwd=cwd,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        return cls(process, log_path, log)

    async def kill9(self) -> float:
        """SIGKILL: no shutdown code runs, as when the machine or the OOM killer stops it.

        Returns when (time.monotonic()) the signal was sent.
        """
        killed_at = time.monotonic()
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        self._log.close()
        return killed_at

    async def stop(self) -> str:
        """SIGTERM and wait; returns the output."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 30)
        self._log.close()
        return self.output()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


class RoundRobin:
    """Posts each update to the next worker; a worker that does not answer is skipped."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self._next = itertools.cycle(range(len(targets)))
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def start(self, port: int) -> None:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        app = web.Application()
        app.router.add_post("/hook", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.startswith("X-Telegram")}
        headers["Content-Type"] = "application/json"
        first = next(self._next)
        for i in range(len(self.targets)):
            target = self.targets[(first + i) % len(self.targets)]
            try:
                async with self._http.post(target, data=body, headers=headers) as response:
                    return web.Response(status=response.status, body=await response.read())
            except (aiohttp.ClientError, TimeoutError):
                continue
        return web.Response(status=502)


# How long after killed_at the killed process may still have been sending.
KILL_SLACK = 0.5


def assert_doubles_only_in_flight(
    fake: FakeTelegram, killed_at: float, window: float = 3.0
) -> None:
    """A message sent twice was one Telegram took just before the kill, before the worker
    could record it as sent (Telegram has no idempotency key); nothing else is ever doubled.
    """
    sends: dict[tuple[object, object], list[float]] = {}
    for call in fake.calls("sendMessage"):
        if call.status == 200:
            sends.setdefault((call.params.get("chat_id"), call.params.get("text")), []).append(
                call.at
            )
    for (chat, _), times in sends.items():
        if len(times) > 1:
            assert len(times) == 2, f"chat {chat}: one message sent {len(times)} times"
            # The kill reaches the process a moment after killed_at is read: allow a hair after.
            assert killed_at - window < times[0] <= killed_at + KILL_SLACK, (
                f"chat {chat}: a message sent {killed_at - times[0]:.2f} s before the kill "
                "was sent again"
            )
