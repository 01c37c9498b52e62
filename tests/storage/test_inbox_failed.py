"""Failed inbox rows: stored as received, never handed to a worker, listed, retried, kept longer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Bot

from bot.edge import decode
from bot.inbox import store_updates
from storage.database import Database
from tests.storage.rows import waiting_updates

NOW = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)


def _payload(update_id: int, chat: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": {"chat": {"id": chat}, "contact": {}}}


async def test_a_failed_update_is_listed_never_waiting_and_can_be_put_back(db: Database) -> None:
    await store_updates(
        db, [(1, 10, _payload(1, 10))], NOW, failed=[(2, 11, _payload(2, 11), "unreadable: X")]
    )
    # Re-delivered: stored once, still failed.
    await store_updates(db, [], NOW, failed=[(2, 11, _payload(2, 11), "unreadable: X")])
    async with db.reader() as uow:
        assert await waiting_updates(db) == [1]
        assert await uow.inbox.waiting_chats(10) == [10]
        [failed] = await uow.inbox.failed()
    assert (failed.update_id, failed.chat_id, failed.reason) == (2, 11, "unreadable: X")
    async with db.uow() as uow:
        assert await uow.inbox.retry(2)
        assert not await uow.inbox.retry(1)  # not failed
        assert not await uow.inbox.retry(99)
        await uow.commit()
    assert await waiting_updates(db) == [1, 2]
    async with db.reader() as uow:
        assert await uow.inbox.failed() == []


async def test_failed_updates_are_kept_for_the_operator_after_the_others_are_forgotten(
    db: Database,
) -> None:
    await store_updates(db, [(1, 10, _payload(1, 10))], NOW, failed=[(2, 11, {}, "why")])
    async with db.uow() as uow:
        await uow.inbox.mark_processed(1, NOW)
        await uow.inbox.forget_processed_before(NOW + timedelta(days=3))
        await uow.commit()
    async with db.reader() as uow:
        assert [f.update_id for f in await uow.inbox.failed()] == [2]
    async with db.uow() as uow:
        await uow.inbox.forget_processed_before(NOW + timedelta(days=31))
        await uow.commit()
    async with db.reader() as uow:
        assert await uow.inbox.failed() == []


BOT = Bot("123:fake")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
fields = st.sampled_from(
    ["message", "edited_message", "callback_query", "poll", "chat", "from", "contact", "text"]
)
shaped = st.recursive(
    json_values,
    lambda inner: st.dictionaries(fields, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(body=st.dictionaries(fields, shaped, max_size=3), update_id=st.integers(1, 2**40))
def test_any_json_with_an_update_id_is_either_an_update_or_a_stored_reason(
    body: dict[str, Any], update_id: int
) -> None:
    received = decode({"update_id": update_id, **body}, BOT)
    assert received is not None and received.update_id == update_id
    assert (received.update is None) == (received.reason is not None)
    assert isinstance(received.chat_id, int)


@given(payload=json_values)
def test_json_without_an_update_id_is_not_an_update(payload: Any) -> None:
    if isinstance(payload, dict) and isinstance(payload.get("update_id"), int):
        return
    assert decode(payload, BOT) is None
