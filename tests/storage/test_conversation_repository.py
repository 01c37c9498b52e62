"""Conversation state: one row per chat, optimistic concurrency, updates applied once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from storage import Database

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def test_a_new_chat_starts_fresh_at_version_zero(db: Database) -> None:
    async with db.uow() as uow:
        state = await uow.conversations.load(123)

    assert (state.chat_id, state.step, state.slots, state.version) == (123, "menu", {}, 0)


async def test_state_round_trips_with_its_slots(db: Database) -> None:
    async with db.uow() as uow:
        state = await uow.conversations.load(-1001234567890)
        state.step = "claim_reason"
        state.slots = {"transaction_id": "TX-1", "tries_left": 2, "owner": {"by": 7}}
        state.updated_at = T0
        assert await uow.conversations.save(state)
        await uow.commit()
    async with db.uow() as uow:
        loaded = await uow.conversations.load(-1001234567890)

    assert state.version == 1
    assert loaded == state


async def test_two_saves_from_the_same_version_only_one_wins(db: Database) -> None:
    async with db.uow() as uow:
        state = await uow.conversations.load(7)
        state.updated_at = T0
        await uow.conversations.save(state)
        await uow.commit()

    async with db.uow() as uow:
        mine = await uow.conversations.load(7)
    async with db.uow() as uow:
        theirs = await uow.conversations.load(7)
    mine.step, theirs.step = "faq", "claim"
    async with db.uow() as uow:
        first = await uow.conversations.save(mine)
        await uow.commit()
    async with db.uow() as uow:
        second = await uow.conversations.save(theirs)
        await uow.commit()
    async with db.uow() as uow:
        stored = await uow.conversations.load(7)

    assert (first, second) == (True, False)
    assert (stored.step, stored.version) == ("faq", 2)
    assert theirs.version == 1


async def test_two_first_saves_of_a_new_chat_only_one_wins(db: Database) -> None:
    async with db.uow() as uow:
        mine = await uow.conversations.load(8)
        theirs = await uow.conversations.load(8)
    mine.step, theirs.step = "faq", "claim"

    async with db.uow() as uow:
        first = await uow.conversations.save(mine)
        await uow.commit()
    async with db.uow() as uow:
        second = await uow.conversations.save(theirs)
        await uow.commit()

    assert (first, second) == (True, False)


async def test_concurrent_turns_on_one_chat_both_apply(db: Database) -> None:
    lost_races = 0

    async def turn(name: str) -> None:
        nonlocal lost_races
        for _ in range(5):
            async with db.uow() as uow:
                state = await uow.conversations.load(9)
                # Give the other turn every chance to interleave with this one.
                await asyncio.sleep(0.05)
                state.slots[name] = True
                if await uow.conversations.save(state):
                    await uow.commit()
                    return
            lost_races += 1
        raise AssertionError(f"turn {name} never applied")

    await asyncio.gather(turn("a"), turn("b"))
    async with db.uow() as uow:
        final = await uow.conversations.load(9)

    assert final.slots == {"a": True, "b": True}
    assert final.version == 2
    if db.dialect == "sqlite":
        # BEGIN IMMEDIATE queues the second turn instead of letting it read stale state.
        assert lost_races == 0
