"""Money safety (one live claim per transaction, credits paid once); reminders; attachments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import Money

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "status IN ('approved', 'escalated', 'in_review', 'info_requested')"
PAID = "status IN ('approved', 'refunded')"


class UnsafeData(RuntimeError):
    """The database already breaks an invariant this migration adds; a person must decide."""


def _refuse_if_any(sql: str, what: str) -> None:
    rows = op.get_bind().execute(sa.text(sql)).all()
    if rows:
        listed = "; ".join(", ".join(str(v) for v in row) for row in rows[:20])
        raise UnsafeData(
            f"cannot upgrade: {what}: {listed}. Reject, refund or correct these claims with "
            "the previous version, then run `refundbot db upgrade` again."
        )


def upgrade() -> None:
    # The old code let these happen; the new constraints cannot be added on top of them.
    _refuse_if_any(
        f"SELECT transaction_id, COUNT(*) FROM claims WHERE {LIVE} "
        "GROUP BY transaction_id HAVING COUNT(*) > 1",
        "several open or approved claims on one transaction (transaction, count)",
    )
    _refuse_if_any(
        f"SELECT p.transaction_id, SUM(c.refundable_credits), p.credits FROM purchases p "
        f"JOIN claims c ON c.transaction_id = p.transaction_id AND c.{PAID} "
        "GROUP BY p.transaction_id, p.credits HAVING SUM(c.refundable_credits) > p.credits",
        "more credits approved than bought (transaction, approved, bought)",
    )
    _refuse_if_any(
        f"SELECT campaign_id, COUNT(*) FROM claims WHERE {PAID} AND campaign_id IS NOT NULL "
        "GROUP BY campaign_id HAVING COUNT(*) > 1",
        "a campaign approved in several claims (campaign, count)",
    )

    with op.batch_alter_table("purchases") as batch:
        batch.alter_column(
            "amount",
            existing_type=sa.Float(),
            type_=Money(),
            existing_nullable=False,
            postgresql_using="amount::numeric(18, 4)",
        )
        batch.add_column(
            sa.Column("credits_approved", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_check_constraint(
            "credits_approved_cap", "credits_approved >= 0 AND credits_approved <= credits"
        )
    op.execute(
        "UPDATE purchases SET credits_approved = (SELECT COALESCE(SUM(c.refundable_credits), 0) "
        f"FROM claims c WHERE c.transaction_id = purchases.transaction_id AND c.{PAID})"
    )

    op.add_column(
        "claims",
        sa.Column("campaign_ids", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.add_column("claims", sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_claims_remind_at", "claims", ["remind_at"])
    # Due at once; the reminder job reschedules each to its real time.
    op.execute(
        "UPDATE claims SET remind_at = COALESCE(escalated_at, created_at) "
        "WHERE status = 'escalated'"
    )
    op.execute("UPDATE claims SET remind_at = decided_at WHERE status = 'approved'")
    op.create_index(
        "uq_claims_live_transaction",
        "claims",
        ["transaction_id"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )

    # Staff find a customer's claims by the phone on their purchases.
    op.create_index("ix_purchases_account_phone", "purchases", ["account_phone"])

    # Staff reports carry a chart and a CSV (described, not rendered, in the row).
    op.add_column("outbox", sa.Column("attachment", sa.JSON(), nullable=True))

    op.create_table(
        "canned_replies",
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("key", sa.String(24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_canned_replies"),
    )

    op.create_table(
        "refunded_campaigns",
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name="fk_refunded_campaigns_claim_id_claims"
        ),
        sa.PrimaryKeyConstraint("campaign_id", name="pk_refunded_campaigns"),
    )
    op.create_index("ix_refunded_campaigns_claim_id", "refunded_campaigns", ["claim_id"])
    op.execute(
        "INSERT INTO refunded_campaigns (campaign_id, claim_id, transaction_id) "
        f"SELECT campaign_id, id, transaction_id FROM claims WHERE {PAID} "
        "AND campaign_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("canned_replies")
    op.drop_index("ix_purchases_account_phone", table_name="purchases")
    with op.batch_alter_table("outbox", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("attachment")
    op.drop_index("ix_refunded_campaigns_claim_id", table_name="refunded_campaigns")
    op.drop_table("refunded_campaigns")
    op.drop_index("uq_claims_live_transaction", table_name="claims")
    op.drop_index("ix_claims_remind_at", table_name="claims")
    with op.batch_alter_table("claims", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("remind_at")
        batch.drop_column("campaign_ids")
    with op.batch_alter_table("purchases") as batch:
        batch.drop_constraint("credits_approved_cap", type_="check")
        batch.drop_column("credits_approved")
        batch.alter_column(
            "amount",
            existing_type=Money(),
            type_=sa.Float(),
            existing_nullable=False,
            postgresql_using="amount::double precision",
        )
