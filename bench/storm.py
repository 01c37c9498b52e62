"""An outage storm against Telegram's limits: does the desk drain at Telegram's pace?

N customers file a claim each (/claim, transaction id, e-mail, "not delivered", campaign,
Send), starting within SPREAD seconds, all for campaigns that failed inside one incident. The
fake Bot API answers 429 past Telegram's limits: 30 messages a second in all, 2 a second in a
private chat, 20 a minute in the staff group. The desk runs as `refundbot run` with its send
scheduler at SEND_RATE_PER_SECOND=30.

    python bench/storm.py [--customers 100 1000] [--database sqlite|postgresql]
                          [--workers 2 [--redis redis://127.0.0.1:6379/0]]

With --workers N (PostgreSQL), N `refundbot run` processes take the updates as webhook
workers behind a round-robin proxy, sharing the send budget (in Redis with --redis).

Prints the drain time (first message to the last customer's decision) against the floor the
limits set for the messages sent (their number / 30 a second, the staff group's / 20 a minute,
and the spread of arrivals), messages per turn, the latency of each next question, 429s and
those retried before their retry_after, the claims stored (one per customer: none lost) and
messages sent twice.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.speed import STAFF_CHAT, desk_env, fresh_database, seed, spawn, tx  # noqa: E402
from conversations.domain import Incident  # noqa: E402
from storage.database import open_database  # noqa: E402
from tests.e2e.harness import Customer  # noqa: E402
from tests.e2e.processes import RoundRobin, free_port, wait_listening  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

SPREAD = 15.0
OVERALL = 30
PRIVATE = 2
GROUP_PER_MINUTE = 20
VERBOSE = False


async def seed_incident(url: str) -> None:
    """The outage the claims' campaigns failed in (C-INCIDENT)."""
    db = await open_database(url)
    now = datetime.now(UTC)
    async with db.uow() as uow:
        await uow.ledger.upsert_incidents(
            [
                Incident(
                    incident_id="INC-STORM",
                    started_at=now - timedelta(hours=2),
                    ended_at=now - timedelta(minutes=5),
                    scope="all",
                    description="Sending failed for every account",
                )
            ]
        )
        await uow.commit()
    await db.dispose()


async def customer(
    fake: FakeTelegram, n: int, start_at: float, latencies: list[float], done: list[float]
) -> None:
    await asyncio.sleep(start_at)
    who = Customer(fake, 900_000 + n, f"Storm{n}")

    async def turn(action: object, wait: str) -> None:
        started = time.perf_counter()
        await who.skip_unread()
        if isinstance(action, str):
            await who.send(action)
        else:
            assert isinstance(action, tuple)
            await who.press(*action)
        await who.next(wait, timeout=900)
        latencies.append(time.perf_counter() - started)

    await turn("/claim", "transaction id")
    await turn(tx(n, 0), "phone number or e-mail")
    await turn(f"bench{n}@example.com", "what went wrong")
    await turn((who.last_with_buttons(), "not delivered"), "which campaign")
    await turn((who.last_with_buttons(), "CMP"), "check your claim")
    await turn((who.last_with_buttons(), "Send"), "claim #")
    done.append(time.perf_counter())


async def start_desk(
    fake: FakeTelegram, url: str, workers: int, redis: str | None
) -> tuple[list[asyncio.subprocess.Process], RoundRobin | None]:
    """One polling desk, or webhook workers behind a round-robin proxy."""
    env = desk_env(fake, url, OVERALL)
    if redis:
        env["REDIS_URL"] = redis
    if workers <= 1:
        process = await spawn([sys.executable, "-m", "bot", "run"], env)
        await fake.wait_for_call("getUpdates", timeout=60)
        return [process], None
    proxy_port, ports = free_port(), [free_port() for _ in range(workers)]
    proxy = RoundRobin([f"http://127.0.0.1:{port}/hook" for port in ports])
    await proxy.start(proxy_port)
    processes = []
    for port in ports:
        worker_env = {
            **env,
            "WEBHOOK_URL": f"http://127.0.0.1:{proxy_port}/hook",
            "WEBHOOK_SECRET": "storm-secret",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
        processes.append(await spawn([sys.executable, "-m", "bot", "run"], worker_env))
        await wait_listening(port, 60)  # one at a time: the first migrates the database
    return processes, proxy


async def storm(
    kind: str, customers: int, tmp: Path, workers: int = 1, redis: str | None = None
) -> None:
    url, cleanup = await fresh_database(kind, tmp, f"storm_{customers}")
    try:
        await seed(url, customers)
        await seed_incident(url)
        async with FakeTelegram() as fake:
            fake.group(STAFF_CHAT, "Refund staff")
            fake.limit_overall(OVERALL)
            fake.limit_per_chat_per_second(PRIVATE)
            fake.limit_group_messages(GROUP_PER_MINUTE)
            processes, proxy = await start_desk(fake, url, workers, redis)
            try:
                calls_before = len(fake.calls())
                rng = random.Random(customers)
                starts = sorted(rng.uniform(0, SPREAD) for _ in range(customers))
                latencies: list[float] = []
                done: list[float] = []
                began = time.perf_counter()
                await asyncio.gather(
                    *(customer(fake, n, starts[n], latencies, done) for n in range(customers))
                )
                drain = max(done) - began
                await fake.settle(quiet=1.0, timeout=600)
                settled = time.perf_counter() - began
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    await asyncio.wait_for(process.wait(), 60)
                if proxy is not None:
                    await proxy.stop()
            calls = fake.calls()[calls_before:]
            counted = [
                c for c in calls if c.method in fake.rate_limited_methods and c.status == 200
            ]
            private = [c for c in counted if int(c.params.get("chat_id", 0)) > 0]
            group = [c for c in counted if int(c.params.get("chat_id", 0)) < 0]
            # A group may have 20 at once; each further one waits its share of the minute.
            group_floor = max(0, len(group) - GROUP_PER_MINUTE) * 60 / GROUP_PER_MINUTE
            floor = max(SPREAD, len(counted) / OVERALL, group_floor)
            if VERBOSE:
                hits = fake.rate_limit_hits
                print(
                    "429 to groups:",
                    sum(1 for h in hits if int(h.chat_id or 0) < 0),
                    "private:",
                    sum(1 for h in hits if int(h.chat_id or 0) > 0),
                    "retry_after:",
                    sorted({h.retry_after for h in hits}),
                )
            db = await open_database(url, upgrade=False)
            async with db.reader() as uow:
                stored = len(await uow.claims.list())
            await db.dispose()
            # Every message of this flow says something new: the same text twice in a chat
            # is a message sent twice.
            texts = Counter(
                (c.params.get("chat_id"), c.params.get("text"))
                for c in private
                if c.method == "sendMessage"
            )
            twice = sum(n - 1 for n in texts.values() if n > 1)
            latencies.sort()
            turns = len(latencies)
            print(
                f"{kind:<11}{customers:>6} {drain:>8.1f} {floor:>7.1f} {drain / floor:>6.2f} "
                f"{settled:>9.1f} {len(private) / turns:>6.2f} {len(group):>6} "
                f"{latencies[turns // 2] * 1000:>7.0f} {latencies[int(turns * 0.95)] * 1000:>7.0f} "
                f"{len(fake.rate_limit_hits):>5} {len(fake.early_retries):>5} "
                f"{stored:>6} {twice:>5}",
                flush=True,
            )
            if fake.early_retries:
                to_staff = sum(1 for e in fake.early_retries if e.chat_id == STAFF_CHAT)
                print(
                    f"{'':<11}early retries: {to_staff} to the staff group, "
                    f"{len(fake.early_retries) - to_staff} to private chats",
                    flush=True,
                )
    finally:
        await cleanup()  # type: ignore[operator]


async def main(args: argparse.Namespace) -> None:
    print(
        f"limits: {OVERALL}/s overall, {PRIVATE}/s per private chat, "
        f"{GROUP_PER_MINUTE}/min in the staff group; arrivals within {SPREAD:g} s; 6 turns each; "
        f"{args.workers} worker(s){', Redis' if args.redis else ''}"
    )
    print(
        f"{'db':<11}{'N':>6} {'drain s':>8} {'floor':>7} {'ratio':>6} {'settled':>9} "
        f"{'msg/t':>6} {'staff':>6} {'p50 ms':>7} {'p95 ms':>7} {'429s':>5} {'early':>5} "
        f"{'claims':>6} {'twice':>5}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for customers in args.customers:
            await storm(args.database, customers, Path(tmp), args.workers, args.redis)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--redis", default=None)
    asyncio.run(main(parser.parse_args()))
