"""No message can block another: each kind of Bot API error on the message at the head of the
outbox has its outcome, and every message behind it goes out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import NetworkError, TimedOut

from bot.send_errors import MAX_NETWORK_ATTEMPTS, Action, classify
from conversations.domain import OutgoingMessage
from storage.database import Database
from storage.demo_data import DemoCase
from tests.cli.cli_process import Cli
from tests.e2e.harness import STAFF_CHAT_ID, Customer, FakeClock, Running, start_bot, stop_bot
from tests.fake_telegram import FakeTelegram
from tests.storage.rows import is_sent

ANN, BOB = 1001, 1002


@pytest.fixture
async def running(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock, demo: dict[str, DemoCase]
) -> AsyncIterator[Running]:
    fake_telegram.group(STAFF_CHAT_ID, "Refund staff")
    bot = await start_bot(fake_telegram, db, clock)
    try:
        yield bot
    finally:
        await stop_bot(bot)


async def queue(bot: Running, *messages: OutgoingMessage) -> list[int]:
    """Cross-chat messages, queued together as one turn queues them, oldest first."""
    async with bot.db.uow() as uow:
        ids = [await uow.outbox.put(m, bot.clock()) for m in messages]
        await uow.commit()
    bot.services.dispatcher.wake()
    return ids


def texts(bot: Running, chat_id: int) -> list[str]:
    return [m.text or "" for m in bot.fake.messages(chat_id)]


def counted(bot: Running, kind: str) -> float:
    registry = bot.services.metrics.registry
    return registry.get_sample_value("refundbot_send_errors_total", {"kind": kind}) or 0.0


async def sent(bot: Running, outbox_id: int) -> bool:
    return await is_sent(bot.db, outbox_id)


async def head_fails_then_rest(bot: Running, **failure: Any) -> list[int]:
    """Ann's message heads the outbox and meets `failure`; staff, Bob and Ann again follow."""
    for user_id, name in ((ANN, "Ann"), (BOB, "Bob")):
        Customer(bot.fake, user_id, name)
    bot.fake.fail_next("sendMessage", chat_id=ANN, **failure)
    ids = await queue(
        bot,
        OutgoingMessage(ANN, "first to Ann"),
        OutgoingMessage(STAFF_CHAT_ID, "to the staff"),
        OutgoingMessage(BOB, "to Bob"),
        OutgoingMessage(ANN, "second to Ann"),
    )
    # What is behind the failed message goes out: other chats at once, even during a hang.
    await bot.fake.wait_for_message(STAFF_CHAT_ID)
    await bot.fake.wait_for_message(BOB)
    return ids


@pytest.mark.parametrize(
    "failure",
    [
        {"error_code": 403},
        {"error_code": 400, "description": "Bad Request: chat not found"},
    ],
    ids=["forbidden", "bad-request"],
)
async def test_a_refused_message_is_given_up_and_the_rest_go_out(
    running: Running, failure: dict[str, Any]
) -> None:
    ids = await head_fails_then_rest(running, **failure)
    await running.fake.wait_for_message(ANN, lambda m: m.text == "second to Ann")
    await running.jump(seconds=600)
    await running.fake.settle()
    assert texts(running, ANN) == ["second to Ann"]  # the refused one is not tried again
    assert await sent(running, ids[0])  # given up: nothing left for the dispatcher
    assert counted(running, "refused") == 1
    async with running.db.reader() as uow:
        assert await uow.outbox.failed() == []


@pytest.mark.parametrize(
    "failure",
    [{"error_code": 500}, {"error_code": 502, "description": "Bad Gateway"}, {"hang": True}],
    ids=["server-error", "bad-gateway", "hang"],
)
async def test_a_message_telegram_could_not_take_is_retried_and_the_rest_go_out(
    running: Running, failure: dict[str, Any]
) -> None:
    ids = await head_fails_then_rest(running, **failure)
    # Ann's second message waits for her first to fail (a hang: PTB's 5-s read timeout);
    # other chats did not wait for it.
    await running.fake.wait_for_message(ANN, lambda m: m.text == "second to Ann", timeout=10)
    assert not await sent(running, ids[0])
    assert counted(running, "network") == 1

    await running.jump(seconds=3)  # the first backoff is 2 s
    await running.fake.wait_for_message(ANN, lambda m: m.text == "first to Ann")
    await running.fake.settle()
    assert sorted(texts(running, ANN)) == ["first to Ann", "second to Ann"]  # each once
    assert await sent(running, ids[0])


async def test_after_a_429_the_chat_waits_and_the_other_chats_do_not(running: Running) -> None:
    await head_fails_then_rest(running, error_code=429, retry_after=1)
    await running.fake.settle()
    assert texts(running, ANN) == []  # its later message waits behind the 429 too

    await asyncio.sleep(1.1)  # Telegram's retry_after runs on wall time
    await running.jump(seconds=2)
    await running.fake.wait_for_message(ANN, lambda m: m.text == "first to Ann")
    await running.fake.wait_for_message(ANN, lambda m: m.text == "second to Ann")
    assert texts(running, ANN) == ["first to Ann", "second to Ann"]  # in order


async def test_an_unexpected_error_parks_the_message_for_the_operator(
    running: Running, database_url: str, tmp_path: Path
) -> None:
    ids = await head_fails_then_rest(
        running, error_code=409, description="Conflict: something Telegram never said before"
    )
    await running.fake.wait_for_message(ANN, lambda m: m.text == "second to Ann")
    await running.jump(seconds=3600)
    await running.fake.settle()
    assert texts(running, ANN) == ["second to Ann"]  # parked: not tried again by itself
    assert counted(running, "parked") == 1

    workdir = tmp_path / "cwd"
    workdir.mkdir()
    cli = Cli(database_url, workdir)
    listed = cli("outbox", "failed", "--json")
    assert listed.code == 0, listed
    [parked] = listed.json()
    assert parked["id"] == ids[0]
    assert parked["chat_id"] == ANN
    assert parked["text"] == "first to Ann"
    assert "Conflict: something Telegram never said before" in parked["error"]

    retried = cli("outbox", "retry", str(ids[0]))
    assert retried.code == 0, retried
    await running.fake.wait_for_message(ANN, lambda m: m.text == "first to Ann")
    assert cli("outbox", "failed").out.strip() == "No parked messages."


async def test_a_reply_that_meets_an_unexpected_error_still_reaches_the_customer(
    running: Running,
) -> None:
    ann = Customer(running.fake, ANN, "Ann")
    bob = Customer(running.fake, BOB, "Bob")
    running.fake.fail_next("sendMessage", error_code=409, description="Conflict", chat_id=ANN)
    await ann.send("/start")
    welcome = await bob.says("/start")
    # The turn's own send failed; the dispatcher sends the reply at once, not after its lease.
    again = await ann.next()
    assert (again.text or "").replace("Ann", "Bob") == welcome.text
    await running.fake.settle()
    assert len(texts(running, ANN)) == 1


@given(
    attempts=st.integers(min_value=0, max_value=200),
    hours=st.floats(min_value=0, max_value=48, allow_nan=False),
)
def test_telegram_unreachable_is_retried_within_5_minutes_until_the_cap_then_parked(
    attempts: int, hours: float
) -> None:
    outcome = classify(TimedOut(), attempts, timedelta(hours=hours))
    capped = attempts + 1 >= MAX_NETWORK_ATTEMPTS or hours >= 24
    if capped:
        assert outcome.action is Action.PARK
    else:
        assert outcome.action is Action.RETRY
        assert 2 <= outcome.wait <= 300
        assert outcome.wait >= classify(NetworkError("x"), max(0, attempts - 1)).wait


def test_a_message_is_parked_after_about_two_hours_of_an_unreachable_telegram() -> None:
    waited, attempts = 0.0, 0
    while (outcome := classify(NetworkError("x"), attempts)).action is Action.RETRY:
        waited += outcome.wait
        attempts += 1
    assert 90 * 60 <= waited <= 150 * 60


@pytest.mark.parametrize("error", [ValueError("boom"), KeyError("x"), RuntimeError()])
def test_an_error_that_is_not_telegrams_parks_the_message(error: Exception) -> None:
    assert classify(error).action is Action.PARK
