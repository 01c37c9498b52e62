"""Outbox rows parked for an operator (`refundbot outbox failed|retry|drop`), and the chats
Telegram moved (a group upgraded to a supergroup gets a new id).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Set when sending gave up for a reason an operator must look at; pending() skips the row.
    op.add_column("outbox", sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "chat_migrations",
        sa.Column("old_chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("new_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("migrated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("old_chat_id", name="pk_chat_migrations"),
    )


def downgrade() -> None:
    op.drop_table("chat_migrations")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("failed_at")
