"""What a test reads of the inbox and outbox that no worker needs."""

from __future__ import annotations

from sqlalchemy import select

from storage.database import Database
from storage.tables import inbox, outbox


async def waiting_updates(db: Database) -> list[int]:
    """Update ids not yet applied (nor recorded failed), in order."""
    async with db.engine.connect() as connection:
        rows = await connection.execute(
            select(inbox.c.update_id)
            .where(inbox.c.processed_at.is_(None))
            .order_by(inbox.c.update_id)
        )
        return [int(r.update_id) for r in rows]


async def is_sent(db: Database, outbox_id: int) -> bool:
    """Whether the outbox row was sent."""
    async with db.engine.connect() as connection:
        sent_at = await connection.scalar(select(outbox.c.sent_at).where(outbox.c.id == outbox_id))
        return sent_at is not None
