"""Updates per second through `refundbot run` webhook workers on PostgreSQL, beside PTB's bare
echo bot on the same fake Bot API server, in one run.

Each round posts UPDATES messages (from CHATS customers, POSTING at a time, as Telegram's
webhook connections would) and times until every one has been answered by a sendMessage.
The refund desk stores each update in the inbox before answering 200, applies it in its chat's
order, records the reply in the outbox and sends it; the echo bot only replies.

    python bench/workers.py [--updates 2000] [--chats 200] [--posting 40]
                            [--sends-per-second 10000] [--database-url URL]

Needs PostgreSQL (default postgresql+asyncpg://postgres@127.0.0.1:5432/postgres); a database
of its own is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the fake Bot API server lives with the tests

from tests.e2e.processes import RoundRobin, free_port, wait_listening  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

SECRET = "bench-secret"


def _update(update_id: int, chat: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "Bench"},
            "from": {"id": chat, "is_bot": False, "first_name": "Bench"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


async def _spawn(argv: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *argv,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        cwd=REPO,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def _stop(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            process.terminate()
    for process in processes:
        await asyncio.wait_for(process.wait(), 30)


async def _round(
    fake: FakeTelegram, url: str, updates: int, chats: int, posting: int, first_id: int
) -> float:
    """Post the updates and return updates/s until the last one was answered."""
    chat_ids = [800_000 + n for n in range(chats)]
    for chat in chat_ids:
        fake.private_chat(fake.user(chat, "Bench"))
    answered_before = len(fake.calls("sendMessage"))
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(updates):
        queue.put_nowait(n)

    async def poster() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            update = _update(first_id + n, chat_ids[n % chats])
            while (await fake.post_update_to(url, update, SECRET))[0] != 200:
                await asyncio.sleep(0.05)

    started = time.perf_counter()
    await asyncio.gather(*(poster() for _ in range(posting)))
    while len(fake.calls("sendMessage")) - answered_before < updates:
        await asyncio.sleep(0.005)
    return updates / (time.perf_counter() - started)


async def _echo_round(fake: FakeTelegram, args: argparse.Namespace, first_id: int) -> float:
    port = free_port()
    env = {"TOKEN": fake.token, "API": fake.base_url, "PORT": str(port), "SECRET": SECRET}
    process = await _spawn([sys.executable, str(REPO / "bench" / "ptb_echo.py")], env)
    try:
        await wait_listening(port, 30)
        url = f"http://127.0.0.1:{port}/hook"
        return await _round(fake, url, args.updates, args.chats, args.posting, first_id)
    finally:
        await _stop([process])


async def _desk_round(
    fake: FakeTelegram, args: argparse.Namespace, database_url: str, workers: int, first_id: int
) -> float:
    proxy_port, ports = free_port(), [free_port() for _ in range(workers)]
    proxy = RoundRobin([f"http://127.0.0.1:{p}/hook" for p in ports])
    await proxy.start(proxy_port)
    processes = []
    try:
        for port in ports:
            env = {
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "DATABASE_URL": database_url,
                "STAFF_CHAT_ID": "",
                "WEBHOOK_URL": f"http://127.0.0.1:{proxy_port}/hook",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
                "LOG_LEVEL": "WARNING",
                "SEND_RATE_PER_SECOND": str(min(args.sends_per_second, 1000)),
            }
            processes.append(await _spawn([sys.executable, "-m", "bot", "run"], env))
            # One at a time: the first migrates the new database.
            await wait_listening(port, 60)
        url = f"http://127.0.0.1:{proxy_port}/hook"
        return await _round(fake, url, args.updates, args.chats, args.posting, first_id)
    finally:
        await _stop(processes)
        await proxy.stop()


async def main(args: argparse.Namespace) -> None:
    server = make_url(args.database_url)
    name = f"refundbot_bench_{os.getpid()}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = server.set(database=name).render_as_string(hide_password=False)
    try:
        async with FakeTelegram() as fake:
            print(
                f"{args.updates} updates from {args.chats} chats, {args.posting} posted at a time; "
                f"desk SEND_RATE_PER_SECOND={args.sends_per_second:g}"
            )
            echo = await _echo_round(fake, args, 1_000_000)
            print(f"  bare PTB echo bot (webhook):        {echo:8.0f} updates/s")
            for workers, first_id in ((1, 2_000_000), (2, 3_000_000)):
                desk = await _desk_round(fake, args, database_url, workers, first_id)
                print(
                    f"  refund desk, {workers} worker(s), PostgreSQL: {desk:8.0f} updates/s"
                    f"   ratio to echo {desk / echo:.2f}"
                )
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--posting", type=int, default=40)
    # The echo bot has no rate limiter; the desk's (30/s by default) is lifted to compare the
    # pipelines. Pass 30 to see what a worker does under Telegram's own limit.
    parser.add_argument("--sends-per-second", type=float, default=10_000)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    asyncio.run(main(parser.parse_args()))
