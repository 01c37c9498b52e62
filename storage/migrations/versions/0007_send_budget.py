"""The deployment's shared send schedule (workers on PostgreSQL without Redis); edits that
only close a menu are marked, so they can be dropped when a chat is busy.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "send_budget",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("tat", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_send_budget"),
    )
    # An edit that only closes a pressed menu: dropped rather than waited for when busy.
    op.add_column(
        "outbox",
        sa.Column("closes_menu", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    # A turn's reply held back while its worker sends it: released when that worker is gone.
    op.add_column(
        "outbox",
        sa.Column("leased", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("closes_menu")
        batch.drop_column("leased")
    op.drop_table("send_budget")
