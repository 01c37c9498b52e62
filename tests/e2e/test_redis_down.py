"""A send budget kept in a Redis that hangs: every chat still gets its replies, at once."""

from __future__ import annotations

import asyncio

import pytest

from storage.database import Database
from storage.demo_data import DemoCase
from tests.e2e.harness import Customer, FakeClock, start_bot, stop_bot
from tests.fake_telegram import FakeTelegram
from tests.silent_server import SilentServer


async def test_a_redis_that_accepts_and_never_answers_holds_up_no_reply(
    fake_telegram: FakeTelegram,
    db: Database,
    clock: FakeClock,
    demo: dict[str, DemoCase],
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with SilentServer() as silent:
        # The default pacing (30 a second), its budget in the hung Redis.
        bot = await start_bot(
            fake_telegram, db, clock, redis_url=f"redis://127.0.0.1:{silent.port}/0"
        )
        try:
            customers = [Customer(fake_telegram, 2100 + n, f"C{n}") for n in range(5)]
            # Each answer within says()'s few seconds: a send that waited for this Redis
            # would wait for ever.
            for turn in ("/start", "/help", "/status"):
                await asyncio.gather(*(c.says(turn) for c in customers))
        finally:
            await stop_bot(bot)
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.send_budget"]
    assert sum("Redis is not answering" in line for line in logged) == 1, logged
