"""Evidence customers sent (photos, documents) and their ratings of closed claims.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_id", sa.String(256), nullable=False),
        sa.Column("unique_id", sa.String(128), nullable=False),
        sa.Column("file_name", sa.String(256), nullable=False),
        sa.Column("mime_type", sa.String(128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name="fk_evidence_claim_id_claims"),
        sa.PrimaryKeyConstraint("id", name="pk_evidence"),
    )
    op.create_index("ix_evidence_claim_id", "evidence", ["claim_id"])
    op.create_table(
        "claim_ratings",
        sa.Column("claim_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name="fk_claim_ratings_claim_id_claims"
        ),
        sa.PrimaryKeyConstraint("claim_id", name="pk_claim_ratings"),
    )
    op.create_index("ix_claim_ratings_rated_at", "claim_ratings", ["rated_at"])


def downgrade() -> None:
    op.drop_index("ix_claim_ratings_rated_at", table_name="claim_ratings")
    op.drop_table("claim_ratings")
    op.drop_index("ix_evidence_claim_id", table_name="evidence")
    op.drop_table("evidence")
