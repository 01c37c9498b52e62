"""An FAQ miss remembers the chat it came from, so /forget finds it after the update is gone.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("faq_misses") as batch:
        batch.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_faq_misses_chat_id", "faq_misses", ["chat_id"])


def downgrade() -> None:
    op.drop_index("ix_faq_misses_chat_id", table_name="faq_misses")
    with op.batch_alter_table("faq_misses") as batch:
        batch.drop_column("chat_id")
