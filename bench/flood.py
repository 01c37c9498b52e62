"""One customer floods the team through /human; how long everyone else waits meanwhile.

Run: python bench/flood.py [--database sqlite|postgresql] [--messages 150]

`refundbot run` (one worker, default pacing) against the fake Bot API, which answers 429 past
Telegram's limits: 30 calls a second, 2 a second in a chat, 20 messages a minute in the staff
group. Flo opens /human and sends N messages to the team as fast as she can type them in;
each must be relayed to the staff group, 20 a minute, so the group's queue stays full for
minutes. Meanwhile, on the real clock:

1. Alice files a claim: seconds from her Send to its card in the staff group;
2. a staff member presses Take on the card: seconds until the button is answered, and until
   Alice reads that her claim is being looked at;
3. the command line approves the claim: seconds from the command's start until Alice reads
   the approval (the CLI process's own start-up, about a second, is in it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.latency import limit, press  # noqa: E402
from bench.speed import STAFF_CHAT, desk_env, fresh_database, seed, spawn, tx  # noqa: E402
from tests.e2e.harness import Customer, StaffMember, wait_for_card  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

FLO, ALICE = 900_001, 1  # Alice is seeded customer 1 (bench.speed.seed)
SARA = 9001  # the staff member


async def approve_from_cli(url: str, claim_id: int) -> float:
    """Run `refundbot claims approve`; returns when it was started (monotonic)."""
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "claims",
        "approve",
        str(claim_id),
        "--by",
        "Bench",
        env={**os.environ, "PYTHONPATH": str(REPO), "DATABASE_URL": url},
        cwd=REPO,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    if await process.wait() != 0:
        raise RuntimeError("refundbot claims approve failed")
    return started


async def measure(kind: str, messages: int, tmp: Path) -> dict[str, float]:
    url, cleanup = await fresh_database(kind, tmp, "flood")
    out: dict[str, float] = {}
    try:
        await seed(url, 2)
        async with FakeTelegram() as fake:
            limit(fake)
            env = {**desk_env(fake, url, 30), "STAFF_USER_IDS": str(SARA)}
            bot = await spawn([sys.executable, "-m", "bot", "run"], env)
            try:
                await fake.wait_for_call("getUpdates", timeout=60)
                flo = Customer(fake, FLO, "Flo")
                await flo.says("/human")
                for n in range(messages):
                    await flo.send(f"hello? are you there? message {n}")
                await asyncio.sleep(3)  # the flood's relays fill the group's window
                relayed_before = len(fake.messages(STAFF_CHAT))

                alice = Customer(fake, 800_000 + ALICE, "Alice")
                await alice.says("/claim")
                await alice.says(tx(ALICE, 0))
                await alice.says(f"bench{ALICE}@example.com")
                await press(alice, "not delivered")
                await alice.next("which campaign", timeout=30)
                await press(alice, "CMP")
                await alice.next("check your claim", timeout=30)
                started = time.monotonic()
                await press(alice, "Send")
                card = await wait_for_card(fake, 1, timeout=120)
                out["card in the staff group"] = time.monotonic() - started

                sara = StaffMember(fake, SARA, "Sara", "sara")
                await asyncio.sleep(1)  # a person reads the card first
                answers = len(fake.callback_answers)
                started = time.monotonic()
                await sara.press(card, "Take")
                while len(fake.callback_answers) == answers:
                    await asyncio.sleep(0.01)
                out["staff's Take answered"] = time.monotonic() - started
                await alice.next("looking at", timeout=120)
                out["customer told it is taken"] = time.monotonic() - started

                started = await approve_from_cli(url, 1)
                out["CLI approve done"] = time.monotonic() - started
                await alice.next("approved", timeout=120)
                out["customer reads the CLI approval"] = time.monotonic() - started
                relayed = len(fake.messages(STAFF_CHAT)) - relayed_before
                out["flood messages relayed meanwhile"] = relayed
                out["Telegram 429s"] = len(fake.rate_limit_hits)
            finally:
                bot.send_signal(signal.SIGINT)
                await asyncio.wait_for(bot.wait(), 30)
    finally:
        await cleanup()  # type: ignore[operator]
    return out


async def main(args: argparse.Namespace) -> None:
    print(
        f"{args.messages} /human messages from one customer; limits 30/s, 2/s a chat, "
        "20/min the staff group; one worker, default pacing"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.databases:
            figures = await measure(kind, args.messages, Path(tmp))
            print(f"{kind}:")
            for name, value in figures.items():
                shown = f"{value:.2f} s" if isinstance(value, float) else str(value)
                print(f"  {name:<34}{shown:>10}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["postgresql", "sqlite"])
    parser.add_argument("--messages", type=int, default=150)
    asyncio.run(main(parser.parse_args()))
