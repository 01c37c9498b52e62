"""The inbox: updates stored on arrival, then taken one chat at a time by any worker."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, and_, bindparam, column, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories._dialect import rowcount, upsert_insert
from storage.tables import inbox

MAX_ERROR_CHARS = 500
# Failed updates stay this much longer than the rest, so an operator back from a weekend can
# still look at them (`refundbot inbox failed`) and retry them.
FAILED_KEPT_LONGER = timedelta(days=27)


@dataclass(frozen=True)
class InboxRow:
    update_id: int
    chat_id: int
    payload: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True)
class FailedUpdate:
    """An update that could not be read, or whose turn failed: what an operator may see."""

    update_id: int
    chat_id: int
    received_at: datetime
    failed_at: datetime
    reason: str


class InboxRepository:
    """Stores updates unique by update_id and hands out each chat's oldest waiting one."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        rows: Iterable[tuple[int, int, dict[str, Any]]],
        at: datetime,
        failed: Iterable[tuple[int, int, dict[str, Any], str]] = (),
    ) -> int:
        """Store (update_id, chat_id, payload) rows; a re-delivered update_id is ignored.

        `failed` rows (update_id, chat_id, payload, reason) could not be read: they are kept
        as received, already marked processed with the reason, so no worker applies them.
        Returns how many were new.
        """
        values = [
            {
                "update_id": u,
                "chat_id": c,
                "payload": p,
                "received_at": at,
                "processed_at": None,
                "error": None,
            }
            for u, c, p in rows
        ] + [
            {
                "update_id": u,
                "chat_id": c,
                "payload": p,
                "received_at": at,
                "processed_at": at,
                "error": reason[:MAX_ERROR_CHARS],
            }
            for u, c, p, reason in failed
        ]
        if not values:
            return 0
        if len(values) == 1:  # a webhook's post: a statement built once
            dialect = self._session.bind.dialect.name if self._session.bind is not None else ""
            if dialect in _ADD_ONE:
                return rowcount(await self._session.execute(_ADD_ONE[dialect], values[0]))
        insert = upsert_insert(self._session, inbox)
        result = await self._session.execute(
            insert.values(values).on_conflict_do_nothing(index_elements=[inbox.c.update_id])
        )
        return rowcount(result)

    async def waiting_chats(self, limit: int, skip: Iterable[int] = ()) -> list[int]:
        """Chats with unprocessed updates, the one waiting longest first."""
        query = (
            select(inbox.c.chat_id)
            .where(inbox.c.processed_at.is_(None))
            .group_by(inbox.c.chat_id)
            .order_by(func.min(inbox.c.update_id))
            .limit(limit)
        )
        skipped = list(skip)
        if skipped:
            query = query.where(inbox.c.chat_id.not_in(skipped))
        return [int(row.chat_id) for row in await self._session.execute(query)]

    async def next_for_chat(self, chat_id: int) -> InboxRow | None:
        """The chat's oldest unprocessed update: updates of one chat are applied in order."""
        row = (await self._session.execute(_NEXT, {"b_chat": chat_id})).first()
        if row is None:
            return None
        return InboxRow(row.update_id, row.chat_id, dict(row.payload), row.received_at)

    async def lock_and_next(self, chat_id: int) -> tuple[bool, InboxRow | None]:
        """Take the chat's lock and read its oldest waiting update, in one round trip.

        PostgreSQL: a session-level advisory lock, so call it on a unit of work whose
        statements commit by themselves (Database.single): the lock outlives them and each turn
        commits on a connection of its own meanwhile. It is released by next_or_unlock finding
        nothing (here too, when there is nothing), by unlock_chat, or by the connection closing
        (a killed worker). The read's snapshot may predate the lock: the row is a candidate
        that claim() confirms. SQLite: the in-process busy set is the lock.
        """
        bind = self._session.bind
        if bind is None or bind.dialect.name != "postgresql":
            return True, await self.next_for_chat(chat_id)
        row = (
            await self._session.execute(
                _LOCK_AND_NEXT, {"key": _chat_key(chat_id), "chat": chat_id}
            )
        ).one()
        if not row.locked:
            return False, None
        return True, _row(row)

    async def next_or_unlock(self, chat_id: int) -> InboxRow | None:
        """The chat's next waiting update; when there is none, the chat's lock is released.

        PostgreSQL, with the lock of lock_and_next held; elsewhere next_for_chat.
        """
        bind = self._session.bind
        if bind is None or bind.dialect.name != "postgresql":
            return await self.next_for_chat(chat_id)
        row = (
            await self._session.execute(
                _NEXT_OR_UNLOCK, {"key": _chat_key(chat_id), "chat": chat_id}
            )
        ).one()
        return _row(row)

    async def unlock_chat(self, chat_id: int) -> None:
        """Release the lock of lock_and_next (PostgreSQL; nothing elsewhere)."""
        bind = self._session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            await self._session.execute(
                text("SELECT pg_advisory_unlock(hashtextextended(:key, 0))"),
                {"key": _chat_key(chat_id)},
            )

    async def claim(self, update_id: int, at: datetime) -> bool:
        """Mark a waiting update processed; False if it was already (the one duplicate key)."""
        result = await self._session.execute(_CLAIM, {"b_update": update_id, "processed_at": at})
        return rowcount(result) == 1

    async def try_again(self, update_id: int, tries: int) -> bool:
        """Count a failed turn that committed nothing; True if the update may be tried again.

        False when the turn's transaction committed (the update is applied) or the update
        failed `tries` times already.
        """
        result = await self._session.execute(
            update(inbox)
            .where(
                inbox.c.update_id == update_id,
                inbox.c.processed_at.is_(None),
                inbox.c.failures < tries - 1,
            )
            .values(failures=inbox.c.failures + 1)
        )
        return rowcount(result) == 1

    async def try_lock_chat(self, chat_id: int) -> bool:
        """Take the chat for this transaction; False if another worker has it.

        PostgreSQL: a transaction-scoped advisory lock, released at commit, rollback, or when
        a killed worker's connection drops. SQLite serves one process; the caller's in-process
        bookkeeping is the whole lock there.
        """
        bind = self._session.bind
        if bind is None or bind.dialect.name != "postgresql":
            return True
        taken = await self._session.scalar(
            text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": _chat_key(chat_id)},
        )
        return bool(taken)

    async def mark_processed(self, update_id: int, at: datetime, error: str | None = None) -> None:
        await self._session.execute(
            update(inbox)
            .where(inbox.c.update_id == update_id)
            .values(processed_at=at, error=error[:MAX_ERROR_CHARS] if error else None)
        )

    async def forget_processed_before(self, cutoff: datetime) -> int:
        """Drop processed updates older than cutoff (Telegram re-delivers within a day).

        Failed ones stay FAILED_KEPT_LONGER more, for the operator.
        """
        result = await self._session.execute(
            inbox.delete().where(
                inbox.c.processed_at.is_not(None),
                or_(
                    and_(inbox.c.error.is_(None), inbox.c.processed_at < cutoff),
                    inbox.c.processed_at < cutoff - FAILED_KEPT_LONGER,
                ),
            )
        )
        return rowcount(result)

    async def failed(self, limit: int = 1000) -> list[FailedUpdate]:
        """Updates that could not be read or whose turn failed, oldest first."""
        rows = await self._session.execute(
            select(
                inbox.c.update_id,
                inbox.c.chat_id,
                inbox.c.received_at,
                inbox.c.processed_at,
                inbox.c.error,
            )
            .where(inbox.c.error.is_not(None))
            .order_by(inbox.c.update_id)
            .limit(limit)
        )
        return [
            FailedUpdate(
                int(r.update_id), int(r.chat_id), r.received_at, r.processed_at, str(r.error)
            )
            for r in rows
        ]

    async def retry(self, update_id: int) -> bool:
        """Put a failed update back in line; False when there is no such failed update."""
        result = await self._session.execute(
            update(inbox)
            .where(inbox.c.update_id == update_id, inbox.c.error.is_not(None))
            .values(processed_at=None, error=None, failures=0)
        )
        return rowcount(result) > 0


# Built once: each turn runs them.
_ADD_ONE = {
    name: dialect.insert(inbox).on_conflict_do_nothing(index_elements=[inbox.c.update_id])
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_NEXT = (
    select(inbox)
    .where(inbox.c.chat_id == bindparam("b_chat"), inbox.c.processed_at.is_(None))
    .order_by(inbox.c.update_id)
    .limit(1)
)
_CLAIM = update(inbox).where(
    inbox.c.update_id == bindparam("b_update"), inbox.c.processed_at.is_(None)
)


def _chat_key(chat_id: int) -> str:
    return f"inbox-chat:{chat_id}"


_WAITING = (
    "SELECT update_id, chat_id, payload, received_at FROM inbox"
    " WHERE chat_id = :chat AND processed_at IS NULL ORDER BY update_id LIMIT 1"
)
_COLUMNS = (inbox.c.update_id, inbox.c.chat_id, inbox.c.payload, inbox.c.received_at)
# The lock, the read only if locked, and the lock given back at once when nothing waits.
_LOCK_AND_NEXT = text(
    "SELECT l.locked, i.update_id, i.chat_id, i.payload, i.received_at,"
    " CASE WHEN l.locked AND i.update_id IS NULL"
    " THEN pg_advisory_unlock(hashtextextended(:key, 0)) END AS unlocked"
    " FROM (SELECT pg_try_advisory_lock(hashtextextended(:key, 0)) AS locked) AS l"
    f" LEFT JOIN LATERAL ({_WAITING.replace('WHERE', 'WHERE l.locked AND')}) AS i ON true"
).columns(column("locked", Boolean), *_COLUMNS, column("unlocked", Boolean))
# The next read, and the lock given back when it finds nothing: a later update then finds the
# chat free, for this worker's door or another's, or the idle scan.
_NEXT_OR_UNLOCK = text(
    "SELECT i.update_id, i.chat_id, i.payload, i.received_at,"
    " CASE WHEN i.update_id IS NULL THEN pg_advisory_unlock(hashtextextended(:key, 0)) END"
    " AS unlocked"
    f" FROM (SELECT 1) AS one LEFT JOIN LATERAL ({_WAITING}) AS i ON true"
).columns(*_COLUMNS, column("unlocked", Boolean))


def _row(row: Any) -> InboxRow | None:
    if row.update_id is None:
        return None
    return InboxRow(row.update_id, row.chat_id, dict(row.payload), row.received_at)
