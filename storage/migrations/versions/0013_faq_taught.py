"""Phrasings the support team teaches the FAQ, and the models retrained on them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "faq_taught",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("text", sa.String(300), nullable=False),
        sa.Column("topic_id", sa.String(64), nullable=False),
        sa.Column("taught_by", sa.String(120), nullable=False),
        sa.Column("taught_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_faq_taught"),
        sa.UniqueConstraint("text", "topic_id", name="uq_faq_taught_text_topic"),
    )
    op.create_table(
        "faq_models",
        sa.Column("version", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("taught_upto", sa.Integer(), nullable=False),
        sa.Column("taught_count", sa.Integer(), nullable=False),
        sa.Column("frozen_top1", sa.Float(), nullable=False),
        sa.Column("frozen_rejected", sa.Float(), nullable=False),
        sa.CheckConstraint("taught_count >= 0", name="ck_faq_models_taught_count"),
        sa.PrimaryKeyConstraint("version", name="pk_faq_models"),
    )


def downgrade() -> None:
    op.drop_table("faq_models")
    op.drop_table("faq_taught")
