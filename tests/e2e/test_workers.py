"""Two webhook workers on one PostgreSQL database; one is killed with kill -9 mid-storm.

Updates reach the workers through a small round-robin proxy (what the reverse proxy does in
production). Afterwards every update was applied once, every claim stored once, every customer
answered, and every staff card posted once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conversations.domain import Incident, Kind, Purchase
from storage.database import Database
from storage.tables import claims, inbox, processed_updates
from tests.e2e.harness import STAFF_CHAT_ID, STAFF_IDS, Customer, file_claim
from tests.e2e.processes import BotProcess, RoundRobin, free_port, wait_listening
from tests.fake_telegram import FakeTelegram

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="several workers need PostgreSQL"
)

CHATTY = 30  # customers who say /start and /help
CLAIMANTS = 6  # customers who file a claim (below STAFF_CARDS_PER_MINUTE: one card each)
SECRET = "s3cret-token"
WELCOME = "I'm the refund desk"
HELP = "Here's what I can do"


def _phone(n: int) -> str:
    return f"+92300300{n:04d}"


async def _seed(db: Database, now: datetime) -> None:
    """Purchases bought before a platform-wide outage: each claim is eligible and gets a card."""
    async with db.uow() as uow:
        await uow.ledger.upsert_purchases(
            [
                Purchase(
                    transaction_id=f"TX-W{n}",
                    account_id=f"ACC-W{n}",
                    account_phone=_phone(n),
                    account_email=f"worker{n}@example.com",
                    purchased_at=now - timedelta(hours=3),
                    kind=Kind.PACKAGE,
                    credits=1000,
                    credits_used=400,
                    amount=500.0,
                    currency="PKR",
                )
                for n in range(1, CLAIMANTS + 1)
            ]
        )
        await uow.ledger.upsert_incidents(
            [
                Incident(
                    incident_id="INC-W",
                    started_at=now - timedelta(hours=2),
                    ended_at=now - timedelta(hours=1),
                    scope="all",
                    description="Sending failed for every account",
                )
            ]
        )
        await uow.commit()


@pytest.fixture
async def proxy_port() -> AsyncIterator[tuple[int, list[int]]]:
    port, workers = free_port(), [free_port(), free_port()]
    proxy = RoundRobin([f"http://127.0.0.1:{p}/hook" for p in workers])
    await proxy.start(port)
    try:
        yield port, workers
    finally:
        await proxy.stop()


async def test_two_workers_one_killed_mid_storm_lose_and_double_nothing(
    fake_telegram: FakeTelegram,
    db: Database,
    database_url: str,
    proxy_port: tuple[int, list[int]],
    tmp_path: Path,
) -> None:
    port, worker_ports = proxy_port
    await _seed(db, datetime.now(UTC))
    fake_telegram.group(STAFF_CHAT_ID, "Refund staff")

    def env(worker_port: int) -> dict[str, str]:
        return {
            "TELEGRAM_BOT_TOKEN": fake_telegram.token,
            "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
            "DATABASE_URL": database_url,
            "STAFF_CHAT_ID": str(STAFF_CHAT_ID),
            "STAFF_USER_IDS": ",".join(map(str, STAFF_IDS)),
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(worker_port),
        }

    workers = [
        await BotProcess.start(env(p), tmp_path, f"worker{i}") for i, p in enumerate(worker_ports)
    ]
    for p in worker_ports:
        await wait_listening(p, timeout=30)
    await fake_telegram.wait_for_call("setWebhook", timeout=30)

    chatty = [Customer(fake_telegram, 700_000 + n, f"Chatty{n}") for n in range(CHATTY)]
    claimants = [
        Customer(fake_telegram, 710_000 + n, f"Claimant{n}") for n in range(1, 1 + CLAIMANTS)
    ]

    async def chat(customer: Customer) -> None:
        await customer.send("/start")
        await customer.next(WELCOME, timeout=30)
        await customer.send("/help")
        await customer.next(HELP, timeout=30)

    async def claim(n: int, customer: Customer) -> None:
        await file_claim(customer, f"TX-W{n}", _phone(n), "platform down")

    async def kill_and_restart() -> None:
        # Mid-storm: once a third of the updates have reached a worker.
        total = 2 * CHATTY + 5 * CLAIMANTS
        while len(fake_telegram.webhook_deliveries) < total // 3:
            await asyncio.sleep(0.01)
        await workers[0].kill9()
        await asyncio.sleep(0.5)
        workers[0] = await BotProcess.start(env(worker_ports[0]), tmp_path, "worker0")

    try:
        await asyncio.wait_for(
            asyncio.gather(
                kill_and_restart(),
                *(chat(c) for c in chatty),
                *(claim(n, c) for n, c in enumerate(claimants, start=1)),
            ),
            120,
        )
        await fake_telegram.settle(quiet=1.0, timeout=30)
    finally:
        outputs = []
        for worker in workers:
            with contextlib.suppress(Exception):
                outputs.append(await worker.stop())

    # Every customer answered, nothing twice.
    for customer in chatty:
        texts = customer.texts()
        assert sum(WELCOME in t for t in texts) == 1, texts
        assert sum(HELP in t for t in texts) == 1, texts
    for customer in claimants:
        assert sum("claim #" in t.lower() for t in customer.texts()) == 1, customer.texts()

    async with db.uow() as uow:
        session = uow.session
        waiting = await session.scalar(
            select(func.count()).select_from(inbox).where(inbox.c.processed_at.is_(None))
        )
        failed = await session.scalar(
            select(func.count()).select_from(inbox).where(inbox.c.error.is_not(None))
        )
        stored = await session.scalar(select(func.count()).select_from(inbox))
        applied = await session.scalar(select(func.count()).select_from(processed_updates))
        per_tx = dict(
            (
                await session.execute(
                    select(claims.c.transaction_id, func.count()).group_by(claims.c.transaction_id)
                )
            ).all()
        )
    delivered_ids = {d.update_id for d in fake_telegram.webhook_deliveries}
    assert (waiting, failed) == (0, 0)
    assert stored == applied == len(delivered_ids) == 2 * CHATTY + 5 * CLAIMANTS
    assert per_tx == {f"TX-W{n}": 1 for n in range(1, CLAIMANTS + 1)}

    cards = [
        m.text
        for m in fake_telegram.messages(STAFF_CHAT_ID)
        if (m.text or "").startswith("🧾 Claim #")
    ]
    numbers = sorted(int(t.split("#")[1].split(" ")[0]) for t in cards)
    assert numbers == list(range(1, CLAIMANTS + 1)), cards
    assert all(worker.process.returncode == 0 for worker in workers), outputs
