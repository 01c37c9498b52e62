"""Outgoing messages, recorded in the turn's transaction and sent after it commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import Attachment, AttachmentKind, Button, OutboxItem, OutgoingMessage
from storage.repositories._dialect import rowcount, upsert_insert
from storage.tables import chat_migrations, outbox

MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class ParkedMessage:
    """A message sending gave up on for a reason an operator must look at."""

    id: int
    chat_id: int
    text: str
    attempts: int
    created_at: datetime
    failed_at: datetime
    last_error: str


def _due(now: datetime) -> tuple[Any, ...]:
    """Unsent, not parked, and not held back past `now`."""
    return (
        outbox.c.sent_at.is_(None),
        outbox.c.failed_at.is_(None),
        or_(outbox.c.not_before.is_(None), outbox.c.not_before <= now),
    )


def _buttons(rows: Any) -> tuple[tuple[Button, ...], ...]:
    return tuple(
        tuple(Button(label=b["label"], data=b["data"], url=b.get("url")) for b in row)
        for row in rows or []
    )


def _button_json(button: Button) -> dict[str, str]:
    stored = {"label": button.label, "data": button.data}
    if button.url:
        stored["url"] = button.url
    return stored


def _attachment(value: Any) -> Attachment | None:
    if not value:
        return None
    return Attachment(AttachmentKind(value["kind"]), value["filename"], dict(value["data"]))


def _item(row: Row[Any]) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        message=OutgoingMessage(
            chat_id=row.chat_id,
            text=row.text,
            buttons=_buttons(row.buttons),
            edit_message_id=row.edit_message_id,
            message_thread_id=row.message_thread_id,
            ref=row.ref,
            edit_ref=row.edit_ref,
            reply_ref=row.reply_ref,
            attachment=_attachment(row.attachment),
            ask_contact=bool(row.ask_contact),
            closes_menu=bool(row.closes_menu),
        ),
        created_at=row.created_at,
        attempts=row.attempts,
        not_before=row.not_before,
    )


# Built once: a turn writes and marks its replies on every turn, and building a statement
# costs about as much CPU as sending it.
_PUT = insert(outbox).returning(outbox.c.id)
_PUT_MANY = insert(outbox).returning(outbox.c.id, sort_by_parameter_order=True)
_MARK_SENT = (
    update(outbox).where(outbox.c.id == bindparam("b_id")).values(attempts=outbox.c.attempts + 1)
)


def _row_of(
    message: OutgoingMessage, now: datetime | None, not_before: datetime | None
) -> dict[str, Any]:
    return {
        "chat_id": message.chat_id,
        "text": message.text,
        "buttons": [[_button_json(b) for b in row] for row in message.buttons],
        "edit_message_id": message.edit_message_id,
        "message_thread_id": message.message_thread_id,
        "ref": message.ref,
        "edit_ref": message.edit_ref,
        "reply_ref": message.reply_ref,
        "attachment": (
            None
            if message.attachment is None
            else {
                "kind": message.attachment.kind.value,
                "filename": message.attachment.filename,
                "data": message.attachment.data,
            }
        ),
        "ask_contact": message.ask_contact,
        "closes_menu": message.closes_menu,
        "leased": not_before is not None,
        "not_before": not_before,
        "created_at": now or datetime.now(UTC),
        "attempts": 0,
    }


class OutboxRepositorySql:
    """The Outbox port, plus what the dispatcher needs to send and retry."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(
        self,
        message: OutgoingMessage,
        now: datetime | None = None,
        not_before: datetime | None = None,
    ) -> int:
        result = await self._session.execute(_PUT, _row_of(message, now, not_before))
        return int(result.scalar_one())

    async def put_many(
        self, messages: Sequence[tuple[OutgoingMessage, datetime | None]], now: datetime
    ) -> list[int]:
        """One statement for a turn's messages (a round trip each costs as much as a message)."""
        if len(messages) == 1:
            return [await self.put(messages[0][0], now, messages[0][1])]
        if not messages:
            return []
        result = await self._session.execute(
            _PUT_MANY, [_row_of(message, now, not_before) for message, not_before in messages]
        )
        return [int(item_id) for item_id in result.scalars()]

    async def get(self, item_id: int) -> OutboxItem | None:
        row = (await self._session.execute(select(outbox).where(outbox.c.id == item_id))).first()
        return _item(row) if row else None

    async def pending(
        self, now: datetime, limit: int = 100, chats: Collection[int] | None = None
    ) -> Sequence[OutboxItem]:
        """Unsent messages that are due (to these chats, if given), oldest first."""
        query = select(outbox).where(*_due(now)).order_by(outbox.c.id).limit(limit)
        if chats is not None:
            query = query.where(outbox.c.chat_id.in_(list(chats)))
        return [_item(row) for row in await self._session.execute(query)]

    async def pending_chats(
        self, now: datetime, skip: Collection[int] = (), limit: int = 500
    ) -> list[int]:
        """Chats with due messages, the one waiting longest first."""
        query = (
            select(outbox.c.chat_id)
            .where(*_due(now))
            .group_by(outbox.c.chat_id)
            .order_by(func.min(outbox.c.id))
            .limit(limit)
        )
        if skip:
            query = query.where(outbox.c.chat_id.not_in(list(skip)))
        return [int(row.chat_id) for row in await self._session.execute(query)]

    async def mark_sent(
        self, item_id: int, telegram_message_id: int | None, at: datetime | None = None
    ) -> None:
        await self._session.execute(
            _MARK_SENT,
            {
                "b_id": item_id,
                "sent_at": at or datetime.now(UTC),
                "telegram_message_id": telegram_message_id,
            },
        )

    async def mark_all_sent(self, sent: Sequence[tuple[int, int | None]], at: datetime) -> None:
        """mark_sent for each (outbox id, Telegram message id), in one round trip."""
        if sent:
            await self._session.execute(
                _MARK_SENT,
                [
                    {"b_id": item_id, "sent_at": at, "telegram_message_id": message_id}
                    for item_id, message_id in sent
                ],
            )

    async def release(self, item_id: int, now: datetime) -> None:
        """Due again from `now`, with no try counted (a sender gave it back unsent)."""
        await self._session.execute(
            update(outbox).where(outbox.c.id == item_id).values(not_before=now)
        )

    async def retry_later(self, item_id: int, not_before: datetime, error: str) -> None:
        await self._session.execute(
            update(outbox)
            .where(outbox.c.id == item_id)
            .values(
                not_before=not_before,
                last_error=error[:MAX_ERROR_CHARS],
                attempts=outbox.c.attempts + 1,
            )
        )

    async def claim(self, item_id: int, now: datetime, until: datetime) -> bool:
        """Take an unsent, due message for sending until `until`; False if another sender has it.

        Several workers may run a dispatcher on one database: the conditional UPDATE lets
        exactly one of them send each message.
        """
        result = await self._session.execute(
            update(outbox).where(outbox.c.id == item_id, *_due(now)).values(not_before=until)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def lock_due(self, item_id: int, now: datetime) -> bool:
        """Lock an unsent, due message for this transaction; False if another has it (PostgreSQL).

        SKIP LOCKED: a message being sent by another worker is passed over, not waited for.
        """
        row = (
            await self._session.execute(
                select(outbox.c.id)
                .where(outbox.c.id == item_id, *_due(now))
                .with_for_update(skip_locked=True)
            )
        ).first()
        return row is not None

    @staticmethod
    def _held_replies(now: datetime) -> tuple[Any, ...]:
        return (
            outbox.c.leased,
            outbox.c.sent_at.is_(None),
            outbox.c.attempts == 0,
            outbox.c.not_before > now,
        )

    async def chats_with_held_replies(self, now: datetime) -> list[int]:
        """Chats whose turn replies are still held back for the worker sending them."""
        rows = await self._session.execute(
            select(outbox.c.chat_id).where(*self._held_replies(now)).distinct()
        )
        return [int(row.chat_id) for row in rows]

    async def release_held_replies(self, now: datetime, chat_id: int | None = None) -> int:
        """Make held replies due now (of one chat, or all): their worker is known to be gone."""
        query = update(outbox).where(*self._held_replies(now)).values(not_before=None, leased=False)
        if chat_id is not None:
            query = query.where(outbox.c.chat_id == chat_id)
        return rowcount(await self._session.execute(query))

    # Giving up and parking ---------------------------------------------------------------

    async def give_up(self, item_id: int, error: str, at: datetime) -> None:
        """Never to be sent (Telegram refused it for good); the reason stays on the row."""
        await self._session.execute(
            update(outbox)
            .where(outbox.c.id == item_id)
            .values(
                sent_at=at,
                telegram_message_id=None,
                last_error=error[:MAX_ERROR_CHARS],
                attempts=outbox.c.attempts + 1,
            )
        )

    async def park(self, item_id: int, error: str, at: datetime) -> None:
        """Stop trying until an operator retries or drops the message."""
        await self._session.execute(
            update(outbox)
            .where(outbox.c.id == item_id, outbox.c.sent_at.is_(None))
            .values(
                failed_at=at,
                not_before=None,
                last_error=error[:MAX_ERROR_CHARS],
                attempts=outbox.c.attempts + 1,
            )
        )

    async def failed(self) -> list[ParkedMessage]:
        """Parked messages, oldest first."""
        rows = await self._session.execute(
            select(outbox)
            .where(outbox.c.failed_at.is_not(None), outbox.c.sent_at.is_(None))
            .order_by(outbox.c.id)
        )
        return [
            ParkedMessage(
                id=row.id,
                chat_id=row.chat_id,
                text=row.text,
                attempts=row.attempts,
                created_at=row.created_at,
                failed_at=row.failed_at,
                last_error=row.last_error or "",
            )
            for row in rows
        ]

    async def count_failed(self) -> int:
        query = select(func.count()).where(
            outbox.c.failed_at.is_not(None), outbox.c.sent_at.is_(None)
        )
        return int((await self._session.execute(query)).scalar_one())

    async def retry_failed(self, item_id: int | None = None) -> int:
        """Make parked messages (one, or all) due now, with a fresh count of attempts."""
        query = (
            update(outbox)
            .where(outbox.c.failed_at.is_not(None), outbox.c.sent_at.is_(None))
            .values(failed_at=None, not_before=None, leased=False, attempts=0)
        )
        if item_id is not None:
            query = query.where(outbox.c.id == item_id)
        return rowcount(await self._session.execute(query))

    async def drop_failed(self, item_id: int) -> bool:
        """Delete a parked message: it will never be sent."""
        result = await self._session.execute(
            delete(outbox).where(
                outbox.c.id == item_id,
                outbox.c.failed_at.is_not(None),
                outbox.c.sent_at.is_(None),
            )
        )
        return rowcount(result) == 1

    # Chats Telegram moved -----------------------------------------------------------------

    async def follow_chat(self, old_chat_id: int, new_chat_id: int, at: datetime) -> int:
        """Record that a chat has a new id and readdress its unsent messages; how many moved."""
        insert = upsert_insert(self._session, chat_migrations).values(
            old_chat_id=old_chat_id, new_chat_id=new_chat_id, migrated_at=at
        )
        await self._session.execute(
            insert.on_conflict_do_update(
                index_elements=[chat_migrations.c.old_chat_id],
                set_={"new_chat_id": new_chat_id, "migrated_at": at},
            )
        )
        result = await self._session.execute(
            update(outbox)
            .where(outbox.c.chat_id == old_chat_id, outbox.c.sent_at.is_(None))
            .values(chat_id=new_chat_id)
        )
        return rowcount(result)

    async def chat_moves(self) -> dict[int, int]:
        """Every recorded move: old chat id -> new chat id."""
        rows = await self._session.execute(
            select(chat_migrations.c.old_chat_id, chat_migrations.c.new_chat_id)
        )
        return {int(old): int(new) for old, new in rows}
