"""What a turn costs: the refund desk beside PTB's bare echo bot, on one fake Bot API, one run.

N customers talk at once, 8 turns each, each waiting for the bot's answer before the next turn
(as people do). The echo bot repeats 8 texts. The desk gets an FAQ question, a whole claim
(/claim, transaction id, e-mail, reason button, campaign button, Send) and /status; the claims
reach a staff group, as in production. Both bots poll; the desk runs as `refundbot run`.

    python bench/speed.py [--customers 10 100] [--databases sqlite postgresql] [--rounds 3]
    python bench/speed.py --flows     # messages and edits each turn of each flow spends

Prints, per database and N, the median of the rounds: turns/s, turn latency p50/p95 (from the
customer's message to the answer they wait for), the bot process's CPU per turn, messages
(sends and edits) per turn, and the desk's ratio to echo, with the send limiter at its default
(SEND_RATE_PER_SECOND=30) and lifted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the fake Bot API server lives with the tests

from conversations.domain import Campaign, Kind, Purchase  # noqa: E402
from storage.database import open_database  # noqa: E402
from tests.e2e.harness import Customer  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

STAFF_CHAT = -1001234567890
TURNS = 8
# Each customer goes through the 8 turns this many times (a purchase for each).
CYCLES = int(os.environ.get("BENCH_CYCLES", "3"))
LIFTED = 0.0  # SEND_RATE_PER_SECOND=0: no pacing at all, as the echo bot
# BENCH_PROFILE=DIR records each desk round with py-spy there (for finding where time goes).
PROFILE = os.environ.get("BENCH_PROFILE")
# BENCH_LOG=FILE appends the bots' logs there.
LOG = os.environ.get("BENCH_LOG")
VERBOSE_FLOWS = bool(os.environ.get("BENCH_VERBOSE"))


@dataclass
class Result:
    turns: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float
    messages: int

    @property
    def rate(self) -> float:
        return self.turns / self.seconds

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds / self.turns * 1000


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tx(n: int, cycle: int) -> str:
    return f"TX-B{n:04d}{cycle:02d}"


async def seed(database_url: str, customers: int) -> None:
    """CYCLES purchases with a half-failed campaign per customer, bought an hour ago."""
    db = await open_database(database_url)
    now = datetime.now(UTC)
    async with db.uow() as uow:
        await uow.ledger.upsert_purchases(
            [
                Purchase(
                    transaction_id=tx(n, cycle),
                    account_id=f"ACC-B{n:04d}",
                    account_phone=f"+92300300{n:04d}",
                    account_email=f"bench{n}@example.com",
                    purchased_at=now - timedelta(hours=1),
                    kind=Kind.PACKAGE,
                    credits=1000,
                    credits_used=400,
                    amount=Decimal("500.00"),
                    currency="PKR",
                )
                for n in range(customers)
                for cycle in range(CYCLES)
            ]
        )
        await uow.ledger.upsert_campaigns(
            [
                Campaign(
                    campaign_id=f"CMP-{tx(n, cycle)[3:]}",
                    transaction_id=tx(n, cycle),
                    sent_at=now - timedelta(minutes=30),
                    destination_country="PK",
                    messages_sent=400,
                    delivered=300,
                    failed_platform=100,
                    failed_carrier=0,
                )
                for n in range(customers)
                for cycle in range(CYCLES)
            ]
        )
        await uow.commit()
    await db.dispose()


async def echo_customer(fake: FakeTelegram, n: int, latencies: list[float]) -> None:
    who = Customer(fake, 700_000 + n, f"Echo{n}")
    for turn in range(TURNS * CYCLES):
        started = time.perf_counter()
        await who.send(f"hello {turn}")
        await who.next(timeout=120)
        latencies.append(time.perf_counter() - started)


async def desk_customer(fake: FakeTelegram, n: int, latencies: list[float]) -> None:
    who = Customer(fake, 800_000 + n, f"Desk{n}")

    async def timed(action: object, wait: str | None) -> None:
        started = time.perf_counter()
        if isinstance(action, str):
            await who.skip_unread()
            await who.send(action)
        else:
            assert isinstance(action, tuple)
            await who.skip_unread()
            await who.press(*action)
        await who.next(wait, timeout=120)
        latencies.append(time.perf_counter() - started)

    for cycle in range(CYCLES):
        await timed("how long does a refund take", "business days")
        await timed("/claim", "transaction id")
        await timed(tx(n, cycle), "phone number or e-mail")
        await timed(f"bench{n}@example.com", "what went wrong")
        await timed((who.last_with_buttons(), "not delivered"), "which campaign")
        await timed((who.last_with_buttons(), "CMP"), "check your claim")
        await timed((who.last_with_buttons(), "Send"), "claim #")
        await timed("/status", None)


def desk_env(fake: FakeTelegram, url: str, rate: float) -> dict[str, str]:
    """`refundbot run` against the fake, with a staff group and no typing indicator."""
    return {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": url,
        "STAFF_CHAT_ID": str(STAFF_CHAT),
        "LOG_LEVEL": "INFO" if LOG else "WARNING",
        "SEND_RATE_PER_SECOND": f"{rate:g}",
        "TYPING_AFTER_MS": "10000",
    }


async def spawn(argv: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *argv,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        cwd=REPO,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=open(LOG, "a") if LOG else asyncio.subprocess.DEVNULL,  # noqa: SIM115
    )


async def run_round(
    fake: FakeTelegram,
    argv: list[str],
    env: dict[str, str],
    customer: object,
    customers: int,
) -> Result:
    before_calls = len(fake.calls())
    process = await spawn(argv, env)
    try:
        await fake.wait_for_call("getUpdates", timeout=60)
        await asyncio.sleep(0.5)  # past start-up work (commands, first poll)
        latencies: list[float] = []
        cpu_before = cpu_seconds(process.pid)
        calls_before = len(fake.calls())
        started = time.perf_counter()
        assert callable(customer)
        await asyncio.gather(*(customer(fake, n, latencies) for n in range(customers)))
        seconds = time.perf_counter() - started
        cpu = cpu_seconds(process.pid) - cpu_before
        sent = [
            c
            for c in fake.calls()[calls_before:]
            if c.method in ("sendMessage", "editMessageText") and c.status == 200
        ]
        private = [c for c in sent if int(c.params.get("chat_id", 0)) > 0]
        return Result(len(latencies), seconds, latencies, cpu, len(private))
    finally:
        process.send_signal(signal.SIGINT)  # py-spy writes its profile on SIGINT
        await asyncio.wait_for(process.wait(), 30)
        del before_calls


async def fresh_database(kind: str, tmp: Path, tag: str) -> tuple[str, object]:
    """A new, empty database URL and a cleanup coroutine factory."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / f'{tag}.db'}"

        async def nothing() -> None:
            return None

        return url, nothing
    server = make_url("postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    name = f"refundbot_speed_{os.getpid()}_{tag}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))

    async def drop() -> None:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


async def desk_round(
    kind: str, tmp: Path, customers: int, rate: float, tag: str, extra: dict[str, str]
) -> Result:
    url, cleanup = await fresh_database(kind, tmp, tag)
    try:
        await seed(url, customers)
        async with FakeTelegram() as fake:
            fake.group(STAFF_CHAT, "Refund staff")
            env = {**desk_env(fake, url, rate), **extra}
            argv = [sys.executable, "-m", "bot", "run"]
            if PROFILE:
                spy = ["py-spy", "record", "-r", "200", "-f", "raw", "-o", f"{PROFILE}/{tag}.txt"]
                argv = [*spy, "--", *argv]
            return await run_round(fake, argv, env, desk_customer, customers)
    finally:
        assert callable(cleanup)
        await cleanup()


async def echo_round(customers: int) -> Result:
    async with FakeTelegram() as fake:
        env = {"TOKEN": fake.token, "API": fake.base_url}
        argv = [sys.executable, str(REPO / "bench" / "ptb_echo.py")]
        return await run_round(fake, argv, env, echo_customer, customers)


async def flows(kind: str, tmp: Path) -> None:
    """Messages and edits each turn of each flow spends, for one customer on a quiet bot."""
    url, cleanup = await fresh_database(kind, tmp, "flows")
    try:
        await seed(url, 1)
        async with FakeTelegram() as fake:
            fake.group(STAFF_CHAT, "Refund staff")
            process = await spawn([sys.executable, "-m", "bot", "run"], desk_env(fake, url, 30))
            try:
                await fake.wait_for_call("getUpdates", timeout=60)
                who = Customer(fake, 800_000, "Flows")
                steps: list[tuple[str, object, str | None]] = [
                    ("FAQ question", "how long does a refund take", "business days"),
                    ("/claim", "/claim", "transaction id"),
                    ("transaction id", tx(0, 0), "phone number or e-mail"),
                    ("e-mail (ownership)", "bench0@example.com", "what went wrong"),
                    ("reason button", "not delivered", "which campaign"),
                    ("campaign button", "CMP", "check your claim"),
                    ("Send button", "Send", "claim #"),
                    ("/status", "/status", None),
                ]
                print(f"{'turn':<22}{'messages':>9}{'edits':>7}")
                await fake.settle(quiet=1.0, timeout=30)
                for name, action, wait in steps:
                    seen = {id(c) for c in fake.calls()}
                    await who.skip_unread()
                    assert isinstance(action, str)
                    if action.startswith(("/", "TX", "how", "bench")):
                        await who.send(action)
                    else:
                        await who.press(who.last_with_buttons(), action)
                    if wait != "":
                        await who.next(wait, timeout=30)
                    await fake.settle(quiet=1.5, timeout=30)
                    mine = [
                        c
                        for c in fake.calls()
                        if id(c) not in seen
                        and c.status == 200
                        and int(c.params.get("chat_id", 0)) == who.chat_id
                    ]
                    sent = sum(c.method.startswith("send") for c in mine)
                    edits = sum(c.method.startswith("edit") for c in mine)
                    print(f"{name:<22}{sent:>9}{edits:>7}", flush=True)
                    if VERBOSE_FLOWS:
                        for c in mine:
                            print("     ", c.method, repr(str(c.params.get("text", ""))[:70]))
            finally:
                process.send_signal(signal.SIGINT)
                await asyncio.wait_for(process.wait(), 30)
    finally:
        assert callable(cleanup)
        await cleanup()


def median(results: list[Result], pick: object) -> float:
    assert callable(pick)
    return statistics.median(pick(r) for r in results)


async def main(args: argparse.Namespace) -> None:
    if args.flows:
        with tempfile.TemporaryDirectory() as tmp_name:
            await flows(args.databases[0], Path(tmp_name))
        return
    turns = TURNS * CYCLES
    print(f"{turns} turns per customer; median of {args.rounds} round(s); {os.cpu_count()} cores")
    header = (
        f"{'db':<11}{'N':>5} {'echo t/s':>9} {'desk t/s':>9} {'ratio':>6} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'cpu ms/t':>9} {'msg/t':>6}  limiter"
    )
    print(header)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for kind in args.databases:
            for customers in args.customers:
                for label, rate in (("on (30/s)", 30.0), ("lifted", LIFTED)):
                    echoes: list[Result] = []
                    desks: list[Result] = []
                    for round_no in range(args.rounds):
                        echoes.append(await echo_round(customers))
                        tag = f"{kind}_{customers}_{int(rate)}_{round_no}"
                        desks.append(await desk_round(kind, tmp, customers, rate, tag, {}))
                    echo_rate = median(echoes, lambda r: r.rate)
                    desk_rate = median(desks, lambda r: r.rate)
                    print(
                        f"{kind:<11}{customers:>5} {echo_rate:>9.1f} {desk_rate:>9.1f} "
                        f"{desk_rate / echo_rate:>6.2f} "
                        f"{median(desks, lambda r: r.p(0.5)):>8.0f} "
                        f"{median(desks, lambda r: r.p(0.95)):>8.0f} "
                        f"{median(desks, lambda r: r.cpu_ms):>9.1f} "
                        f"{median(desks, lambda r: r.messages / r.turns):>6.2f}  {label}",
                        flush=True,
                    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[10, 100])
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flows", action="store_true", help="messages and edits per turn")
    asyncio.run(main(parser.parse_args()))
