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

from bot.send_budget import (
    GuardedBudget,
    LocalBudget,
    PostgresBudget,
    RedisBudget,
    SendBudget,
    window_of,
)
from bot.send_scheduler import ChatLimits, Dropped, Priority, SendArgs, SendScheduler, TooLate
from storage.database import Database
from tests.silent_server import SilentServer

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


async def telegram_says_429(scheduler: SendScheduler, chat_id: int, retry_after: int) -> None:
    """A call to the chat that Telegram answers with 429 and this retry_after."""

    async def flooded() -> bool:
        raise RetryAfter(retry_after)

    with pytest.raises(RetryAfter):
        await scheduler.process_request(flooded, (), {}, "sendMessage", {"chat_id": chat_id}, None)


async def started(scheduler: SendScheduler) -> SendScheduler:
    await scheduler.initialize()
    return scheduler


async def test_a_waiting_customers_answer_goes_before_notices_queued_earlier() -> None:
    telegram = Telegram()
    scheduler = await started(SendScheduler(LocalBudget(), rate=5))
    try:
        # The window's 5 sends are used up, so from here on calls wait for a slot to free.
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
    limits = ChatLimits(chat_calls=2, chat_window=1.0)
    scheduler = await started(SendScheduler(LocalBudget(), rate=1000, limits=limits))
    try:
        await asyncio.gather(*(send(scheduler, telegram, f"m{n}", CUSTOMER) for n in range(3)))
        await send(scheduler, telegram, "other chat", CUSTOMER + 1)
    finally:
        await scheduler.shutdown()
    assert telegram.at("m1") < 0.5
    assert telegram.at("m2") >= 1.0
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


async def test_an_edit_closing_a_menu_is_dropped_while_telegram_holds_the_chat() -> None:
    telegram = Telegram()
    scheduler = await started(SendScheduler(LocalBudget(), rate=1000))

    try:
        await telegram_says_429(scheduler, CUSTOMER, 5)
        with pytest.raises(Dropped):
            await send(
                scheduler, telegram, "close", CUSTOMER, droppable=True, endpoint="editMessageText"
            )
    finally:
        await scheduler.shutdown()
    assert telegram.calls == []
    assert scheduler.dropped == 1


async def test_after_a_429_nothing_more_goes_to_that_chat_before_retry_after() -> None:
    telegram = Telegram()
    scheduler = await started(SendScheduler(LocalBudget(), rate=1000))

    try:
        await telegram_says_429(scheduler, CUSTOMER, 1)
        await asyncio.gather(
            send(scheduler, telegram, "later", CUSTOMER),
            send(scheduler, telegram, "elsewhere", CUSTOMER + 1),
        )
    finally:
        await scheduler.shutdown()
    assert telegram.at("later") >= 1.0
    # Other chats are not held up.
    assert [label for label, _ in telegram.calls] == ["elsewhere", "later"]


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
    assert telegram.at("typing") < 2.5  # not the 5 s a paced call would wait


def _redis_up() -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


async def _two_workers_share(budgets: tuple[SendBudget, SendBudget], rate: float) -> None:
    """Two workers' schedulers on one budget send at the rate in all, not at twice the rate."""
    telegram = Telegram()
    sends, window = window_of(rate)
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
    # A window's worth goes at once (told by the budget, not by a clock a busy machine slows);
    # no window ever holds more than the rate allows.
    assert sum(scheduler.paced for scheduler in schedulers) <= calls - sends
    times = sorted(at for _, at in telegram.calls)
    for n in range(len(times) - sends):
        assert times[n + sends] - times[n] >= window * 0.95


async def test_workers_share_one_budget_in_process() -> None:
    budget = LocalBudget()
    await _two_workers_share((budget, budget), rate=10)


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
async def test_workers_share_one_budget_in_redis() -> None:
    key = f"refundbot:test-budget:{uuid.uuid4().hex}"
    url = "redis://127.0.0.1:6379/0"
    # The sharing is under test, not Redis's answer time: on a machine busy with the rest of
    # the suite a call can take longer than the production quarter second, and a worker that
    # gave up on it would rightly pace alone.
    budgets = (RedisBudget(url, key, timeout=5.0), RedisBudget(url, key, timeout=5.0))
    await _two_workers_share(budgets, rate=10)


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)"
)
async def test_workers_share_one_budget_in_postgresql(db: Database, database_url: str) -> None:
    other = Database(database_url)
    try:
        await _two_workers_share((PostgresBudget(db), PostgresBudget(other)), rate=10)
    finally:
        await other.dispose()


async def test_below_the_rate_nothing_queues_a_window_goes_at_once() -> None:
    telegram = Telegram()
    scheduler = await started(SendScheduler(LocalBudget(), rate=30))
    try:
        # Half the rate, all at the same moment: none of them waits for another.
        await asyncio.gather(*(send(scheduler, telegram, f"m{n}", 3000 + n) for n in range(15)))
        paced_below_the_rate = scheduler.paced
        # The window is full now: the next waits until the oldest send is a window old.
        await asyncio.gather(*(send(scheduler, telegram, f"n{n}", 4000 + n) for n in range(16)))
    finally:
        await scheduler.shutdown()
    _, window = window_of(30)
    assert paced_below_the_rate == 0
    times = sorted(at for _, at in telegram.calls)
    assert times[30] - times[0] >= window * 0.95


async def test_a_droppable_edit_behind_ready_calls_is_dropped_not_kept_waiting() -> None:
    telegram = Telegram()
    scheduler = await started(SendScheduler(LocalBudget(), rate=10))
    try:
        notices = [
            asyncio.create_task(send(scheduler, telegram, f"notice{n}", 5000 + n))
            for n in range(40)
        ]
        await asyncio.sleep(0)
        edit = asyncio.create_task(
            send(scheduler, telegram, "close", CUSTOMER, droppable=True, endpoint="editMessageText")
        )
        with pytest.raises(Dropped):
            await edit
        # Dropped while the notices were still going out, not after them.
        assert sum(1 for label, _ in telegram.calls if label.startswith("notice")) < 40
        await asyncio.gather(*notices)
    finally:
        await scheduler.shutdown()
    assert "close" not in [label for label, _ in telegram.calls]


async def test_a_call_not_let_go_before_its_deadline_fails_and_sends_nothing() -> None:
    telegram = Telegram()
    limits = ChatLimits(chat_calls=1, chat_window=5.0)
    scheduler = await started(SendScheduler(LocalBudget(), rate=1000, limits=limits))
    try:
        await send(scheduler, telegram, "first", CUSTOMER)
        args = SendArgs(priority=Priority.REPLY, deadline=scheduler.now() + 0.2)
        with pytest.raises(TooLate):
            await scheduler.process_request(
                telegram.call("late"), (), {}, "sendMessage", {"chat_id": CUSTOMER}, args
            )
        await send(scheduler, telegram, "other chat", CUSTOMER + 1)
    finally:
        await scheduler.shutdown()
    assert [label for label, _ in telegram.calls] == ["first", "other chat"]
    assert scheduler.too_late == 1


async def test_a_busy_group_keeps_room_for_the_answer_to_a_staff_members_button() -> None:
    telegram = Telegram()
    limits = ChatLimits(
        chat_calls=100, chat_window=0.01, group_calls=5, group_window=3.0, group_kept_for_replies=2
    )
    scheduler = await started(SendScheduler(LocalBudget(), rate=1000, limits=limits))
    try:
        cards = [
            asyncio.create_task(send(scheduler, telegram, f"card{n}", STAFF, Priority.STAFF))
            for n in range(8)
        ]
        await asyncio.sleep(0.2)
        await send(scheduler, telegram, "answer", STAFF, Priority.REPLY)
        answered = [label for label, _ in telegram.calls]
        for task in cards:
            task.cancel()
        await asyncio.gather(*cards, return_exceptions=True)
    finally:
        await scheduler.shutdown()
    # Three cards filled what cards may use; the answer went at once, before the other five.
    assert answered == ["card0", "card1", "card2", "answer"]


async def test_a_hung_redis_costs_one_short_wait_then_the_fallback_paces(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with SilentServer() as silent:
        redis = RedisBudget(f"redis://127.0.0.1:{silent.port}/0", timeout=0.2)
        fallback = LocalBudget()
        guarded = GuardedBudget(redis, fallback, "Redis", timeout=0.2, retry_after=60)
        waits = [await guarded.take(rate=10) for _ in range(12)]
        await guarded.close()
    # Only the first take waited for Redis; the rest were paced here, as a window of 10.
    assert guarded.failures == 1 and guarded.is_down
    assert waits[:10] == [0.0] * 10 and waits[10] > 0.5
    warnings = [r for r in caplog.records if r.name == "bot.send_budget"]
    assert len(warnings) == 1 and "Redis is not answering" in warnings[0].getMessage()


async def test_a_refused_redis_logs_once_and_a_recovered_one_is_used_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clock = [0.0]
    guarded = GuardedBudget(
        RedisBudget(f"redis://127.0.0.1:{port}/0"),
        LocalBudget(),
        "Redis",
        retry_after=5.0,
        timer=lambda: clock[0],
    )
    for _ in range(20):
        await guarded.take(rate=1000)
    assert guarded.is_down
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.send_budget"]
    assert len(logged) == 1  # one line for the change of state, not one a send
    await guarded.close()
    if not _redis_up():
        return
    key = f"refundbot:test-budget:{uuid.uuid4().hex}"
    guarded = GuardedBudget(
        RedisBudget(f"redis://127.0.0.1:{port}/0"),
        LocalBudget(),
        "Redis",
        retry_after=5.0,
        timer=lambda: clock[0],
    )
    await guarded.take(rate=1000)
    assert guarded.is_down
    # Redis comes back (here: the same budget pointed at a live one) after the retry time.
    guarded._shared = RedisBudget("redis://127.0.0.1:6379/0", key)
    clock[0] += 6.0
    await guarded.take(rate=1000)
    assert not guarded.is_down
    await guarded.close()
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.send_budget"]
    assert messages[-1] == "send budget: Redis answers again; pacing is shared again"


async def test_a_full_second_of_notices_leaves_room_for_a_customers_answer() -> None:
    telegram = Telegram()
    scheduler = await started(SendScheduler(LocalBudget(), rate=10))
    try:
        notices = [
            asyncio.create_task(send(scheduler, telegram, f"notice{n}", 6000 + n))
            for n in range(10)
        ]
        await asyncio.sleep(0.1)
        await send(scheduler, telegram, "answer", CUSTOMER, Priority.REPLY)
        await asyncio.gather(*notices)
    finally:
        await scheduler.shutdown()
    # Eight notices took what notices may of the window; the answer went at once, the last two
    # notices a window later.
    assert [label for label, _ in telegram.calls][:9] == [f"notice{n}" for n in range(8)] + [
        "answer"
    ]
    assert telegram.at("notice9") >= window_of(10)[1] * 0.95


async def _two_workers_share_a_group(budgets: tuple[SendBudget, SendBudget]) -> None:
    """Two workers' cards to one group keep the group's limit in all, and honour each 429."""
    telegram = Telegram()
    limits = ChatLimits(chat_calls=100, chat_window=0.1, group_calls=4, group_window=2.0)
    schedulers = [
        await started(SendScheduler(budget, rate=1000, limits=limits)) for budget in budgets
    ]
    try:
        # Telegram blocks the group for 2 s after worker 0's call: worker 1 must not call it.
        await telegram_says_429(schedulers[0], STAFF, 2)
        blocked_at = time.monotonic() - telegram.started
        await send(schedulers[1], telegram, "after the 429", STAFF, Priority.REPLY)
        await asyncio.gather(
            *(
                send(schedulers[n % 2], telegram, f"card{n}", STAFF, Priority.STAFF)
                for n in range(9)
            )
        )
    finally:
        for scheduler in schedulers:
            await scheduler.shutdown()
    assert telegram.at("after the 429") >= blocked_at + 2.0
    times = sorted(at for _, at in telegram.calls)
    assert len(times) == 10
    # No 2-second window holds more than the group's 4 calls, whichever worker made them.
    for n in range(len(times) - 4):
        assert times[n + 4] - times[n] >= 2.0 * 0.95


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
async def test_workers_share_a_groups_limit_and_its_429_in_redis() -> None:
    key = f"refundbot:test-budget:{uuid.uuid4().hex}"
    url = "redis://127.0.0.1:6379/0"
    # As above: the sharing is under test, not how fast a busy machine's Redis answers.
    budgets = (RedisBudget(url, key, timeout=5.0), RedisBudget(url, key, timeout=5.0))
    await _two_workers_share_a_group(budgets)


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)"
)
async def test_workers_share_a_groups_limit_and_its_429_in_postgresql(
    db: Database, database_url: str
) -> None:
    other = Database(database_url)
    try:
        await _two_workers_share_a_group((PostgresBudget(db), PostgresBudget(other)))
    finally:
        await other.dispose()
