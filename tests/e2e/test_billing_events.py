"""Claim events reach billing's receiver on 127.0.0.1: signed, retried, once per id at least."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.api import LedgerApi
from bot.web import WebServer
from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.config import DeskConfig
from conversations.domain import ClaimRequest, Reason
from conversations.services.claims import Claimant, file_claim
from conversations.services.staff import staff_act
from storage.database import Database
from storage.demo_data import load_demo_data
from tests.e2e.harness import (
    PINNED_NOW,
    STAFF_CHAT_ID,
    Customer,
    LiveClock,
    Running,
    start_bot,
    stop_bot,
)
from tests.e2e.harness import file_claim as file_in_chat
from tests.e2e.processes import Spawn, free_port, wait_listening
from tests.fake_telegram import FakeTelegram

SECRET = "events-secret-for-tests"
TOKEN = "billing-token-0123456789"


@dataclass
class Receiver:
    """Billing's endpoint: checks each signature, answers as told, keeps each event by id."""

    fail_first: int = 0
    hang_on: str | None = None  # an event type whose first post is held unanswered
    posts: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    taken: dict[str, bytes] = field(default_factory=dict)
    held: asyncio.Event = field(default_factory=asyncio.Event)
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("X-Signature", ""), expected):
            self.bad_signatures += 1
            return web.Response(status=401)
        event = json.loads(body)
        self.posts.append(event)
        if len(self.posts) <= self.fail_first:
            return web.Response(status=500)  # billing's bad minute: the first posts fail
        if event["type"] == self.hang_on and not self.held.is_set():
            self.held.set()
            await self._release.wait()  # the sender is killed meanwhile
            return web.Response(status=200)
        if event["id"] in self.taken:
            assert self.taken[event["id"]] == body, "a retry must send the same body"
        self.taken.setdefault(event["id"], body)
        return web.Response(status=204)

    def release(self) -> None:
        self._release.set()

    def types(self) -> list[str]:
        return [json.loads(b)["type"] for b in self.taken.values()]

    async def wait_for(self, count: int, timeout: float = 60.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.taken) < count:
            if loop.time() > deadline:
                raise AssertionError(f"{len(self.taken)} of {count} events taken: {self.types()}")
            await asyncio.sleep(0.05)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    got = Receiver()
    app = web.Application()
    app.router.add_post("/billing", got.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield got, f"http://127.0.0.1:{port}/billing"
    finally:
        got.release()
        await runner.cleanup()


@pytest.fixture
async def billed_bot(
    fake_telegram: FakeTelegram, db: Database, receiver: tuple[Receiver, str]
) -> AsyncIterator[Running]:
    """The bot on a clock that runs (retries wait real seconds), posting events to billing."""
    clock = LiveClock(PINNED_NOW)
    await load_demo_data(db, clock(), "PK")
    fake_telegram.group(STAFF_CHAT_ID, "Refund staff")
    running = await start_bot(
        fake_telegram, db, clock, events_url=receiver[1], events_secret=SECRET
    )
    try:
        yield running
    finally:
        await stop_bot(running)


async def test_each_event_arrives_signed_once_per_id_after_two_500s(
    billed_bot: Running, receiver: tuple[Receiver, str]
) -> None:
    got, _ = receiver
    got.fail_first = 2
    bot = billed_bot
    noor = Customer(bot.fake, 801, "Noor")
    await file_in_chat(noor, "TX-1001", "0300 1110001", "not delivered", campaign="CMP")
    await got.wait_for(2)
    assert got.types() == ["claim.filed", "claim.escalated"]

    async with bot.db.uow() as uow:
        await staff_act(
            uow, 1, Transition.APPROVE, Actor("Sara", 9001), bot.clock(), bot.desk.config
        )
        await uow.commit()
    api = LedgerApi(bot.db, bot.clock, [TOKEN], lambda: bot.desk.config)
    server_port = free_port()
    server = WebServer(bot.db, bot.services.metrics, bot.clock, api=api)
    await server.start("127.0.0.1", server_port)
    try:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{server_port}/api/v1/claims/1/refunded"
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with http.post(url, headers=headers) as response:
                assert response.status == 200
    finally:
        await server.stop()
    await got.wait_for(4)

    assert got.types() == ["claim.filed", "claim.escalated", "claim.approved", "claim.refunded"]
    assert got.bad_signatures == 0
    # The two refused posts were the same event again, not lost and not doubled.
    assert got.posts[0]["id"] == got.posts[1]["id"] == got.posts[2]["id"]
    refunded = json.loads(list(got.taken.values())[-1])
    assert refunded["claim"]["id"] == 1
    assert refunded["claim"]["credits"] == 120
    assert refunded["claim"]["status"] == "refunded"
    assert refunded["claim"]["amount_due"] is not None
    # Billing answered; the sender records that a moment later: then nothing is left queued.
    for _ in range(500):
        async with bot.db.reader() as uow:
            stats = await uow.events.stats()
        if stats.queued == 0:
            break
        await asyncio.sleep(0.02)
    assert stats.queued == 0


async def test_an_event_committed_before_a_kill_9_is_sent_by_the_next_process(
    fake_telegram: FakeTelegram,
    db: Database,
    database_url: str,
    receiver: tuple[Receiver, str],
    spawn: Spawn,
) -> None:
    got, url = receiver
    got.hang_on = "claim.refunded"
    now = datetime.now(UTC)
    await load_demo_data(db, now, "PK")
    config = DeskConfig(home_country="PK", staff_chat_id=None, staff_user_ids=frozenset())
    async with db.uow() as uow:
        request = ClaimRequest("TX-1001", Reason.UNDELIVERED, now, campaign_id="CMP-1001")
        filed = await file_claim(uow, request, Claimant(801, 801, "Noor"), config)
        assert filed is not None and filed.claim is not None
        await staff_act(uow, 1, Transition.APPROVE, Actor("Sara", 9001), now, config)
        await uow.commit()
    fake_telegram.private_chat(fake_telegram.user(801, "Noor"))
    api_port = free_port()
    env = {
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        "DATABASE_URL": database_url,
        "STAFF_CHAT_ID": "",
        "API_TOKENS": TOKEN,
        "API_PORT": str(api_port),
        "WEBHOOK_LISTEN": "127.0.0.1",
        "EVENTS_URL": url,
        "EVENTS_SECRET": SECRET,
    }
    first = await spawn(env, "first")
    await wait_listening(api_port)
    await got.wait_for(3)  # filed, escalated, approved: queued before the bot started
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"http://127.0.0.1:{api_port}/api/v1/claims/1/refunded",
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as response,
    ):
        assert response.status == 200
    # Committed, and on its way to billing: the process dies before billing answers.
    await asyncio.wait_for(got.held.wait(), 30)
    await first.kill9()
    got.release()

    await spawn(env, "second")
    await got.wait_for(4)
    assert got.types() == ["claim.filed", "claim.escalated", "claim.approved", "claim.refunded"]
    refunded_posts = [p for p in got.posts if p["type"] == "claim.refunded"]
    assert len(refunded_posts) == 2 and refunded_posts[0]["id"] == refunded_posts[1]["id"]
    assert got.bad_signatures == 0
