"""What one Bot API call costs through each HTTP client, against the fake Bot API, one run.

    python bench/http_client.py [--calls 2000]

The fake runs in this process, so each figure is the whole round trip's CPU and wall time,
client and server: the difference between two lines is the difference between the clients.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import httpx
from telegram import Bot
from telegram.request import HTTPXRequest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.aiohttp_request import AiohttpRequest  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402


async def timed(label: str, calls: int, call: Callable[[], Awaitable[object]]) -> None:
    await call()  # a connection in the pool first
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        await call()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{label:<34} {wall / calls * 1000:>6.3f} ms a call {cpu / calls * 1000:>6.3f} ms CPU")


async def main(calls: int) -> None:
    async with FakeTelegram() as fake:
        url = f"{fake.base_url}{fake.token}/getMe"
        async with httpx.AsyncClient() as client:
            await timed("httpx, bare", calls, lambda: client.post(url, data={"a": "1"}))
        async with aiohttp.ClientSession() as session:

            async def post() -> bytes:
                async with session.post(url, data={"a": "1"}) as response:
                    return await response.read()

            await timed("aiohttp, bare", calls, post)
        for label, request in (
            ("PTB get_me over HTTPXRequest", HTTPXRequest()),
            ("PTB get_me over AiohttpRequest", AiohttpRequest()),
        ):
            async with Bot(fake.token, base_url=fake.base_url, request=request) as bot:
                await timed(label, calls, bot.get_me)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    asyncio.run(main(parser.parse_args().calls))
