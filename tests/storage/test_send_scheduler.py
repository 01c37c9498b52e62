"""The send scheduler: priorities, Telegram's per-chat limits, and one budget for all workers."""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.send_budget import OVERALL_BURST, LocalBudget, PostgresBudget, RedisBudget, SendBudget
from bot.send_scheduler import ChatLimits, Dropped, Priority, SendArgs, SendScheduler
from storage.database import Database

CUSTOMER = 501
STAFF = -1001


class Telegram:
    """Stands in for the HTTP call PTB makes once the scheduler lets a call through."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []
        self.started = time.monotonic()

    def call(self, label: str) -> Any:
        async def callback() -> bool:
            self.calls.append((label, time.monotonic() - self.started))
            return True

        return callback

    def at(self, label: str) -> float:
        return next(at for name, at in self.calls if name == label)


async def send(
    scheduler: SendScheduler,
    telegram: Telegram,
    label: str,
    chat_id: int,
    priority: Priority = Priority.NOTICE,
    droppable: bool = False,
    endpoint: str = "sendMessage",
) -> Any:
    args = SendArgs(priority=priority, droppable=droppable)
    data = {"chat_id": chat_id}
    return await scheduler.process_request(telegram.call(label), (), {}, endpoint, data, args)


async def started(scheduler: SendScheduler) -> SendScheduler:
    await scheduler.initialize()
    return scheduler


async def test_a_waiting_customers_answer_goes_before_notices_queued_earlier() -> None:
    telegram = Telegram()
    scheduler = await started(SendScheduler(LocalBudget(), rate=20))
    try:
        # The burst is used up, so from here on calls leave one slot (50 ms) at a time.
        await asyncio.gather(*(send(scheduler, telegram, f"b{n}", 900 + n) for n in range(5)))
        notices = [
            asyncio.create_task(send(scheduler, telegram, f"notice{n}", 1000 + n, Priority.NOTICE))
            for n in range(4)
        ]
        card = asyncio.create_task(send(scheduler, telegram, "card", STAFF, Priority.STAFF))
        reply = asyncio.create_task(send(scheduler, telegram, "reply", CUSTOMER, Priority.REPLY))
        await asyncio.gather(*notices, card, reply)
    finally:
        await scheduler.shutdown()
    order = [label for label, _ in telegram.calls[5:]]
    assert order[:2] == ["reply", "card"]
    assert order[2:] == [f"notice{n}" for n in range(4)]


async def test_one_private_chat_gets_a_reply_and_an_edit_at_once_then_waits() -> None:
    telegram = Telegram()
    limits = ChatLimits(chat_calls=2, chat_window=0.3)
    scheduler = await started(SendScheduler(LocalBudget(), rate=1000, limits=limits))
    try:
        await asyncio.gather(*(send(scheduler, telegram, f"m{n}", CUSTOMER) for n in range(3)))
        await send(scheduler, telegram, "other chat", CUSTOMER + 1)
    finally:
        await scheduler.shutdown()
    assert telegram.at("m1") < 0.1
    assert telegram.at("m2") >= 0.3
    # Another chat is not held up by the busy one.
    assert telegram.calls[-1][0] == "other chat"


async def test_a_group_never_gets_more_than_its_limit_in_a_window() -> None:
    telegram = Telegram()
    limits = ChatLimits(chat_calls=10, chat_window=0.05, group_calls=3, group_window=0.4)
    scheduler = await started(SendScheduler(LocalBudget(), rate=1000, limits=limits))
    try:
        await asyncio.gather(*(send(scheduler, telegram, f"g{n}", STAFF) for n in range(7)))
    finally:
        await scheduler.shutdown()
    times = [at for _, at in telegram.calls]
    for n in range(len(times) - 3):
        assert times[n + 3] - times[n] >= 0.4


async def test_an_edit_that_only_closes_a_menu_is_dropped_when_the_chat_is_busy() -> None:
    telegram = Telegram()
    limits = ChatLimits(chat_calls=1, chat_window=2.0)
    scheduler = await started(SendScheduler(LocalBudget(), rate=1000, limits=limits))
    try:
        await send(scheduler, telegram, "question", CUSTOMER, Priority.REPLY)
        with pytest.raises(Dropped):
            await send(
                scheduler, telegram, "close", CUSTOMER, droppable=True, endpoint="editMessageText"
            )
    finally:
        await scheduler.shutdown()
    assert [label for label, _ in telegram.calls] == ["question"]
    assert scheduler.dropped == 1


async def test_after_a_429_nothing_more_goes_to_that_chat_before_retry_after() -> None:
    telegram = Telegram()
    scheduler = await started(SendScheduler(LocalBudget(), rate=1000))

    async def flooded() -> bool:
        raise RetryAfter(1)

    try:
        with pytest.raises(RetryAfter):
            await scheduler.process_request(
                flooded, (), {}, "sendMessage", {"chat_id": CUSTOMER}, None
            )
        await asyncio.gather(
            send(scheduler, telegram, "later", CUSTOMER),
            send(scheduler, telegram, "elsewhere", CUSTOMER + 1),
        )
    finally:
        await scheduler.shutdown()
    assert telegram.at("later") >= 1.0
    assert telegram.at("elsewhere") < 0.5  # other chats are not held up


async def test_calls_that_send_nothing_are_not_paced() -> None:
    telegram = Telegram()
    limits = ChatLimits(chat_calls=1, chat_window=5.0)
    scheduler = await started(SendScheduler(LocalBudget(), rate=1000, limits=limits))
    try:
        await send(scheduler, telegram, "message", CUSTOMER)
        await send(scheduler, telegram, "answer", CUSTOMER, endpoint="answerCallbackQuery")
        await send(scheduler, telegram, "typing", CUSTOMER, endpoint="sendChatAction")
    finally:
        await scheduler.shutdown()
    assert telegram.at("typing") < 1.0


def _redis_up() -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


async def _two_workers_share(budgets: tuple[SendBudget, SendBudget], rate: float) -> None:
    """Two workers' schedulers on one budget send at the rate in all, not at twice the rate."""
    telegram = Telegram()
    schedulers = [await started(SendScheduler(budget, rate=rate)) for budget in budgets]
    calls = 24
    try:
        await asyncio.gather(
            *(
                send(schedulers[n % 2], telegram, f"c{n}", 2000 + n, Priority.NOTICE)
                for n in range(calls)
            )
        )
    finally:
        for scheduler in schedulers:
            await scheduler.shutdown()
    elapsed = max(at for _, at in telegram.calls)
    # The burst goes at once; every further call waits for its own slot of 1/rate.
    assert elapsed >= (calls - OVERALL_BURST - 1) / rate


async def test_workers_share_one_budget_in_process() -> None:
    budget = LocalBudget()
    await _two_workers_share((budget, budget), rate=40)


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
async def test_workers_share_one_budget_in_redis() -> None:
    key = f"refundbot:test-budget:{uuid.uuid4().hex}"
    url = "redis://127.0.0.1:6379/0"
    await _two_workers_share((RedisBudget(url, key), RedisBudget(url, key)), rate=40)


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)"
)
async def test_workers_share_one_budget_in_postgresql(db: Database, database_url: str) -> None:
    other = Database(database_url)
    try:
        await _two_workers_share((PostgresBudget(db), PostgresBudget(other)), rate=40)
    finally:
        await other.dispose()
