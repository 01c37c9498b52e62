"""Chats Telegram gave a new id (a group upgraded to a supergroup), and following them.

Telegram answers a send to the old id with 400 and the new id (PTB's ChatMigrated), and tells
the group itself with a service message. The move is recorded in the database, so every worker
and every restart sends to the new chat although STAFF_CHAT_ID still names the old one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from telegram import Update

from conversations.dialogue.engine import Desk
from storage.database import Database
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

# A chat moved more often than this is a loop in the records, not Telegram.
MAX_HOPS = 8
# Groups remembered as checked; past this many the memory starts over (one read each again).
MAX_GROUPS_CHECKED = 10_000


def resolve(moves: dict[int, int], chat_id: int) -> int:
    """Where messages to `chat_id` go now."""
    for _ in range(MAX_HOPS):
        if chat_id not in moves:
            break
        chat_id = moves[chat_id]
    return chat_id


def move_of(update: Update) -> tuple[int, int] | None:
    """(old id, new id) if the update is Telegram's notice that a group became a supergroup."""
    message = update.effective_message
    if message is None:
        return None
    if message.migrate_to_chat_id:
        return message.chat.id, int(message.migrate_to_chat_id)
    if message.migrate_from_chat_id:
        return int(message.migrate_from_chat_id), message.chat.id
    return None


class ChatMoves:
    """The moves this process knows, and the desk's staff chat kept on the newest id."""

    def __init__(
        self, db: Database, clock: Callable[[], datetime], staff_setting: int | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        self.staff_setting = staff_setting  # STAFF_CHAT_ID as configured
        self.moves: dict[int, int] = {}
        self._desks: list[Desk] = []
        self._warned: set[int] = set()
        self._groups_checked: set[int] = set()

    def resolve(self, chat_id: int) -> int:
        return resolve(self.moves, chat_id)

    def keep_current(self, desk: Desk) -> None:
        """Point the desk's staff chat at the newest id, now and after every move."""
        self._desks.append(desk)
        self._update(desk)

    async def load(self) -> None:
        """Read the recorded moves (at start-up)."""
        async with self.db.reader() as uow:
            self.moves = await uow.outbox.chat_moves()
        for desk in self._desks:
            self._update(desk)

    async def check_group(self, chat_id: int) -> None:
        """A group's first message here: read the moves, in case another worker saw this one.

        A group a move created has an id never seen before the move, so a group seen once
        needs no second read: a customers' group that talks all day costs one.
        """
        if chat_id in self._groups_checked:
            return
        if len(self._groups_checked) >= MAX_GROUPS_CHECKED:
            self._groups_checked.clear()
        await self.load()
        self._groups_checked.add(chat_id)

    async def follow(self, old: int, new: int, uow: SqlUnitOfWork | None = None) -> int:
        """Record the move and readdress the old chat's unsent messages; how many moved.

        In `uow` (the caller's transaction, which may hold one of those rows locked) inside a
        savepoint, so a failure leaves the caller's transaction usable; else in its own.
        """
        if old == new:
            return 0
        if uow is not None:
            async with uow.session.begin_nested():
                moved = await uow.outbox.follow_chat(old, new, self.clock())
        else:
            async with self.db.uow() as own:
                moved = await own.outbox.follow_chat(old, new, self.clock())
                await own.commit()
        self.moves[old] = new
        for desk in self._desks:
            self._update(desk)
        if old not in self._warned:
            self._warned.add(old)
            self._warn(old, new, moved)
        return moved

    def _warn(self, old: int, new: int, moved: int) -> None:
        if self.staff_setting is not None and self.resolve(self.staff_setting) == new:
            log.warning(
                "Telegram moved the staff chat %s to %s (the group became a supergroup): "
                "staff messages now go to %s (queued messages readdressed: %d). "
                "Set STAFF_CHAT_ID=%s in the settings.",
                old,
                new,
                new,
                moved,
                new,
            )
        else:
            log.warning(
                "Telegram moved chat %s to %s: its messages now go there (readdressed: %d)",
                old,
                new,
                moved,
            )

    def _update(self, desk: Desk) -> None:
        current = desk.config.staff_chat_id
        if current is None:
            return
        newest = self.resolve(current)
        if newest != current:
            desk.config = replace(desk.config, staff_chat_id=newest)
