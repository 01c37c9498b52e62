"""FAQ feedback (👍/👎, questions not placed); messages that ask for a shared contact.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "faq_feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("topic_id", sa.String(64), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_faq_feedback"),
    )
    op.create_table(
        "faq_misses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("text", sa.String(300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_faq_misses"),
    )
    op.create_index("ix_faq_misses_at", "faq_misses", ["at"])
    # A message may offer the "share my phone number" keyboard (proof of ownership).
    op.add_column(
        "outbox",
        sa.Column("ask_contact", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("ask_contact")
    op.drop_index("ix_faq_misses_at", table_name="faq_misses")
    op.drop_table("faq_misses")
    op.drop_table("faq_feedback")
