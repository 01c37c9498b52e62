"""End-to-end fixtures: the real bot against the fake Bot API server and a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path

import pytest

from storage.database import Database
from storage.demo_data import DemoCase, load_demo_data
from tests.e2e.harness import STAFF_CHAT_ID, FakeClock, Running, start_bot, stop_bot
from tests.e2e.processes import BotProcess
from tests.fake_telegram import FakeTelegram


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def demo(db: Database, clock: FakeClock) -> dict[str, DemoCase]:
    """The demo ledger, built relative to the test clock, by transaction id."""
    cases = await load_demo_data(db, clock(), "PK")
    return {case.transaction_id: case for case in cases}


@pytest.fixture
async def bot(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock, demo: dict[str, DemoCase]
) -> AsyncIterator[Running]:
    """The bot running with a staff group, polling the fake server."""
    fake_telegram.group(STAFF_CHAT_ID, "Refund staff")
    running = await start_bot(fake_telegram, db, clock)
    running.extra["demo"] = demo
    try:
        yield running
    finally:
        await stop_bot(running)


@pytest.fixture
async def forum_bot(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock, demo: dict[str, DemoCase]
) -> AsyncIterator[Running]:
    """The bot with a forum staff chat: each claim gets its own topic."""
    fake_telegram.group(STAFF_CHAT_ID, "Refund staff", is_forum=True)
    running = await start_bot(fake_telegram, db, clock)
    try:
        yield running
    finally:
        await stop_bot(running)


def at(clock: FakeClock) -> datetime:
    return clock()


@pytest.fixture
async def spawn(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[BotProcess]]]:
    """Start `refundbot run` processes; any still running when the test ends is killed."""
    started: list[BotProcess] = []

    async def start(env: dict[str, str], name: str = "bot") -> BotProcess:
        process = await BotProcess.start(env, tmp_path, name)
        started.append(process)
        return process

    yield start
    for process in started:
        await process.kill9()
