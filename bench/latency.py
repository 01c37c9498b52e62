"""Latency at a realistic load: the refund desk beside PTB's bare echo bot, in one run.

CUSTOMERS arrive within ARRIVAL seconds and pause 1-3 s (seeded) between messages, as people
do; each asks an FAQ question, files a claim (/claim, transaction id, e-mail, reason button,
campaign button, Send) and asks /status, CYCLES times. The echo bot gets the same arrivals and
pauses with plain texts. Each bot polls its own fake Bot API server (tests/fake_telegram), set
to answer 429 past Telegram's limits as bench/storm.py sets them (30 a second in all, 2 a
second per private chat, 20 a minute in the staff group). The desk runs as `refundbot run`
(one worker) at its default pacing (SEND_RATE_PER_SECOND=30), on PostgreSQL (a database of its
own, created and dropped) and on SQLite.

    python bench/latency.py [--quick] [--databases postgresql sqlite] [--customers 40] [--rounds N]

Prints, per step kind, latency p50/p95/p99 (from the customer's message to the answer they
wait for) and the bot process's CPU per turn (/proc/PID/stat, user + system, over the load);
then "burst": CUSTOMERS customers writing one message at the same moment, the time until all
are answered; then the database round trips of each step kind: one customer on a quiet bot,
every statement, BEGIN and COMMIT/ROLLBACK the bot process sends (a SQLAlchemy event hook
behind REFUNDBOT_STATEMENT_LOG, storage/database.py) from the customer's message until
STATEMENT_TAIL after the answer. asyncpg's statement preparations are not counted.
--rounds N runs echo and desk N times in turn and prints each round's CPU ratio and their
median (the echo bot's own CPU a turn moves by a quarter from run to run). BENCH_PROFILE=DIR
records the desk with py-spy there (DIR/KIND.txt, collapsed stacks); its CPU figures are then
py-spy's, not the desk's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.speed import (  # noqa: E402
    PROFILE,
    STAFF_CHAT,
    cpu_seconds,
    desk_env,
    fresh_database,
    seed,
    spawn,
    tx,
)
from tests.e2e.harness import Customer  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

OVERALL = 30
PRIVATE = 2
GROUP_PER_MINUTE = 20
SEED = 17
# After the answer, the turn may still mark its update, release its slot and look for more.
STATEMENT_TAIL = 0.3

STEPS: list[tuple[str, str]] = [
    ("FAQ question", "business days"),
    ("/claim", "transaction id"),
    ("transaction id", "phone number or e-mail"),
    ("e-mail", "what went wrong"),
    ("reason button", "which campaign"),
    ("campaign button", "check your claim"),
    ("Send button", "claim #"),
    ("/status", ""),
]


@dataclass
class Load:
    """What one bot did under the load."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu: float = 0.0
    burst: float = 0.0
    burst_cpu: float = 0.0
    turns: int = 0

    def all(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 if ordered else 0.0


def limit(fake: FakeTelegram) -> None:
    fake.group(STAFF_CHAT, "Refund staff")
    fake.limit_overall(OVERALL)
    fake.limit_per_chat_per_second(PRIVATE)
    fake.limit_group_messages(GROUP_PER_MINUTE)


def desk_action(who: Customer, n: int, cycle: int, step: int) -> Callable[[], Awaitable[None]]:
    """The customer's message or button press for one step of the flow."""
    texts = {
        0: "how long does a refund take",
        1: "/claim",
        2: tx(n, cycle),
        3: f"bench{n}@example.com",
        7: "/status",
    }
    if step in texts:
        return lambda: who.send(texts[step])
    label = {4: "not delivered", 5: "CMP", 6: "Send"}[step]
    return lambda: press(who, label)


async def press(who: Customer, label: str) -> None:
    """Press the newest button containing label (a menu's closing edit may come later)."""
    for _ in range(500):
        for message in reversed(who.fake.messages(who.chat_id)):
            current = who.fake.message(who.chat_id, message.message_id)
            if any(label.lower() in b.lower() for b in current.button_labels):
                await who.press(current, label)
                return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no button {label!r} in chat {who.chat_id}")


async def desk_customer(
    fake: FakeTelegram, n: int, start: float, cycles: int, rng: random.Random, load: Load
) -> None:
    await asyncio.sleep(start)
    who = Customer(fake, 800_000 + n, f"Desk{n}")
    pauses = [rng.uniform(1, 3) for _ in range(len(STEPS) * cycles)]
    for cycle in range(cycles):
        for step, (kind, wait) in enumerate(STEPS):
            await who.skip_unread()
            act = desk_action(who, n, cycle, step)
            started = time.perf_counter()
            await act()
            await who.next(wait or None, timeout=120)
            load.latencies[kind].append(time.perf_counter() - started)
            await asyncio.sleep(pauses.pop())


async def echo_customer(
    fake: FakeTelegram, n: int, start: float, cycles: int, rng: random.Random, load: Load
) -> None:
    await asyncio.sleep(start)
    who = Customer(fake, 700_000 + n, f"Echo{n}")
    pauses = [rng.uniform(1, 3) for _ in range(len(STEPS) * cycles)]
    for turn in range(len(STEPS) * cycles):
        await who.skip_unread()
        started = time.perf_counter()
        await who.send(f"hello {turn}")
        await who.next(timeout=120)
        load.latencies["echo"].append(time.perf_counter() - started)
        await asyncio.sleep(pauses.pop())


async def burst(fake: FakeTelegram, customers: int, first_id: int, text: str) -> float:
    """Everyone writes at once; seconds until the last of them has an answer."""
    people = [Customer(fake, first_id + n, f"Burst{n}") for n in range(customers)]
    started = time.perf_counter()
    await asyncio.gather(*(who.send(text) for who in people))
    await asyncio.gather(*(who.next(timeout=30) for who in people))
    return time.perf_counter() - started


async def under_load(
    fake: FakeTelegram,
    argv: list[str],
    env: dict[str, str],
    customer: Callable[..., Awaitable[None]],
    args: argparse.Namespace,
    burst_text: str,
    burst_id: int,
) -> Load:
    """Start the bot, run the arrivals, then the burst; the bot's CPU over each."""
    process = await spawn(argv, env)
    load = Load()
    try:
        await fake.wait_for_call("getUpdates", timeout=60)
        await asyncio.sleep(1.0)  # past start-up work
        rng = random.Random(SEED)
        starts = [rng.uniform(0, args.arrival) for _ in range(args.customers)]
        rngs = [random.Random(SEED * 1000 + n) for n in range(args.customers)]
        cpu_before = cpu_seconds(process.pid)
        await asyncio.gather(
            *(
                customer(fake, n, starts[n], args.cycles, rngs[n], load)
                for n in range(args.customers)
            )
        )
        load.cpu = cpu_seconds(process.pid) - cpu_before
        load.turns = len(load.all())
        await asyncio.sleep(1.0)
        cpu_before = cpu_seconds(process.pid)
        load.burst = await burst(fake, args.customers, burst_id, burst_text)
        load.burst_cpu = cpu_seconds(process.pid) - cpu_before
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 30)
    return load


async def echo_run(args: argparse.Namespace) -> Load:
    async with FakeTelegram() as fake:
        limit(fake)
        env = {"TOKEN": fake.token, "API": fake.base_url}
        argv = [sys.executable, str(REPO / "bench" / "ptb_echo.py")]
        return await under_load(fake, argv, env, echo_customer, args, "hello", 600_000)


async def desk_run(kind: str, tmp: Path, args: argparse.Namespace) -> Load:
    url, cleanup = await fresh_database(kind, tmp, "latency")
    try:
        await seed(url, args.customers)
        async with FakeTelegram() as fake:
            limit(fake)
            env = desk_env(fake, url, OVERALL)
            argv = [sys.executable, "-m", "bot", "run"]
            if PROFILE:  # py-spy writes a raw (collapsed) profile on SIGINT
                spy = ["py-spy", "record", "-r", "200", "-f", "raw", "-o", f"{PROFILE}/{kind}.txt"]
                argv = [*spy, "--", *argv]
            return await under_load(
                fake, argv, env, desk_customer, args, "how long does a refund take", 500_000
            )
    finally:
        await cleanup()  # type: ignore[operator]


async def round_trips(kind: str, tmp: Path, cycles: int) -> dict[str, list[int]]:
    """Round trips of each step kind, one customer on an otherwise quiet bot."""
    url, cleanup = await fresh_database(kind, tmp, "statements")
    log_path = tmp / f"statements-{kind}.log"
    counts: dict[str, list[int]] = defaultdict(list)
    try:
        await seed(url, 1)
        async with FakeTelegram() as fake:
            limit(fake)
            env = {**desk_env(fake, url, OVERALL), "REFUNDBOT_STATEMENT_LOG": str(log_path)}
            process = await spawn([sys.executable, "-m", "bot", "run"], env)
            try:
                await fake.wait_for_call("getUpdates", timeout=60)
                await asyncio.sleep(1.5)
                who = Customer(fake, 800_000, "Statements")
                windows: list[tuple[str, float, float]] = []
                for cycle in range(cycles):
                    for step, (step_kind, wait) in enumerate(STEPS):
                        await who.skip_unread()
                        act = desk_action(who, 0, cycle, step)
                        began = time.monotonic()
                        await act()
                        await who.next(wait or None, timeout=30)
                        await asyncio.sleep(STATEMENT_TAIL)
                        windows.append((step_kind, began, time.monotonic()))
                        await asyncio.sleep(0.2)
            finally:
                process.send_signal(signal.SIGINT)
                await asyncio.wait_for(process.wait(), 30)
        lines = log_path.read_text().splitlines()
        stamps = [float(line.split()[0]) for line in lines]
        if os.environ.get("BENCH_STATEMENTS"):  # print what each step sent
            for step_kind, began, ended in windows:
                print(f"--- {step_kind}")
                for line in lines:
                    if began <= float(line.split()[0]) <= ended:
                        print("   ", line.split(" ", 2)[2])
        for step_kind, began, ended in windows:
            counts[step_kind].append(sum(1 for t in stamps if began <= t <= ended))
    finally:
        await cleanup()  # type: ignore[operator]
    return counts


def row(label: str, values: list[float], cpu_ms: float | None = None) -> str:
    cpu = f"{cpu_ms:>9.1f}" if cpu_ms is not None else f"{'':>9}"
    return (
        f"  {label:<18}{len(values):>6} {pct(values, 0.5):>7.0f} {pct(values, 0.95):>7.0f} "
        f"{pct(values, 0.99):>7.0f}{cpu}"
    )


async def cpu_rounds(kind: str, tmp: Path, args: argparse.Namespace, first: float) -> None:
    """More rounds of echo then desk, CPU only: one run's ratio moves with the echo bot's."""
    ratios = [first]
    for _ in range(args.rounds - 1):
        echo = await echo_run(args)
        desk = await desk_run(kind, tmp, args)
        ratios.append((desk.cpu / desk.turns) / (echo.cpu / echo.turns))
    if len(ratios) > 1:
        each = " ".join(f"{r:.1f}x" for r in ratios)
        print(
            f"  cpu/turn desk/echo over {len(ratios)} rounds: {each}, median "
            f"{statistics.median(ratios):.1f}x"
        )


async def main(args: argparse.Namespace) -> None:
    print(
        f"{args.customers} customers arriving within {args.arrival:g} s, 1-3 s between "
        f"messages, {args.cycles} cycle(s) of {len(STEPS)} steps; limits {OVERALL}/s, "
        f"{PRIVATE}/s a chat, {GROUP_PER_MINUTE}/min the staff group; {os.cpu_count()} cores"
    )
    header = f"  {'step':<18}{'turns':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}{'cpu ms/t':>9}"
    echo = await echo_run(args)
    echo_cpu = echo.cpu / echo.turns * 1000
    print("echo bot (PTB, polling)")
    print(header)
    print(row("echo", echo.all(), echo_cpu))
    print(f"  burst: {args.customers} at once, all answered in {echo.burst * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for kind in args.databases:
            desk = await desk_run(kind, tmp, args)
            desk_cpu = desk.cpu / desk.turns * 1000
            print(f"desk on {kind} (refundbot run, one worker, SEND_RATE_PER_SECOND=30)")
            print(header)
            for step_kind, _ in STEPS:
                print(row(step_kind, desk.latencies[step_kind]))
            print(row("all", desk.all(), desk_cpu))
            print(
                f"  desk/echo: p50 {pct(desk.all(), 0.5) / max(pct(echo.all(), 0.5), 0.001):.1f}x"
                f"  p95 {pct(desk.all(), 0.95) / max(pct(echo.all(), 0.95), 0.001):.1f}x"
                f"  cpu/turn {desk_cpu / echo_cpu:.1f}x"
            )
            print(
                f"  burst: {args.customers} at once, all answered in {desk.burst * 1000:.0f} ms"
                f" (echo {echo.burst * 1000:.0f} ms)"
            )
            await cpu_rounds(kind, tmp, args, desk_cpu / echo_cpu)
            counts = await round_trips(kind, tmp, 1 if args.quick else 2)
            print("  round trips a turn (statements + BEGIN/COMMIT, quiet bot, one customer):")
            print("    " + "  ".join(f"{k} {'/'.join(map(str, v))}" for k, v in counts.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--arrival", type=float, default=4.0)
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument(
        "--rounds", type=int, default=1, help="echo and desk this many times; CPU ratio median"
    )
    parser.add_argument(
        "--databases", nargs="+", choices=["postgresql", "sqlite"], default=["postgresql", "sqlite"]
    )
    parser.add_argument("--quick", action="store_true", help="one cycle")
    parsed = parser.parse_args()
    if parsed.quick:
        parsed.cycles = 1
    asyncio.run(main(parsed))
