"""The inbox's mark is the one duplicate key: processed_updates goes; a turn that failed
without committing is tried once more (inbox.failures).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_processed_updates_at", table_name="processed_updates")
    op.drop_table("processed_updates")
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(
            sa.Column("failures", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("failures")
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name="pk_processed_updates"),
    )
    op.create_index("ix_processed_updates_at", "processed_updates", ["at"])
