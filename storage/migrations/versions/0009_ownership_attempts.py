"""Misses at proving a purchase, per Telegram user and per transaction, kept across restarts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ownership_attempts",
        sa.Column("subject", sa.String(80), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("last_miss_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("subject", name="pk_ownership_attempts"),
    )
    op.create_index("ix_ownership_attempts_blocked_until", "ownership_attempts", ["blocked_until"])


def downgrade() -> None:
    op.drop_index("ix_ownership_attempts_blocked_until", table_name="ownership_attempts")
    op.drop_table("ownership_attempts")
