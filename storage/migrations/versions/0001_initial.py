"""Initial schema: ledger, claims and audit, conversations, outbox, message refs.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "purchases",
        sa.Column("transaction_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("account_phone", sa.String(20), nullable=False),
        sa.Column("account_email", sa.String(254), nullable=False),
        _at("purchased_at"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("credits_used", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("transaction_id", name="pk_purchases"),
    )
    op.create_table(
        "campaigns",
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("transaction_id", sa.String(64), nullable=False),
        _at("sent_at"),
        sa.Column("destination_country", sa.String(2), nullable=False),
        sa.Column("messages_sent", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("failed_platform", sa.Integer(), nullable=False),
        sa.Column("failed_carrier", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", name="pk_campaigns"),
    )
    op.create_index("ix_campaigns_transaction_id", "campaigns", ["transaction_id"])
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.String(64), nullable=False),
        _at("started_at"),
        _at("ended_at", nullable=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", name="pk_incidents"),
    )
    op.create_index("ix_incidents_started_at", "incidents", ["started_at"])
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("transaction_id", sa.String(64), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("refundable_credits", sa.Integer(), nullable=False),
        sa.Column("clauses", sa.JSON(), nullable=False),
        _at("created_at"),
        _at("updated_at"),
        sa.Column("campaign_id", sa.String(64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("incident_id", sa.String(64), nullable=True),
        sa.Column("customer_name", sa.String(256), nullable=False),
        sa.Column("customer_username", sa.String(64), nullable=True),
        sa.Column("assigned_to", sa.String(256), nullable=True),
        sa.Column("assigned_to_id", sa.BigInteger(), nullable=True),
        _at("decided_at", nullable=True),
        _at("escalated_at", nullable=True),
        _at("refunded_at", nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("pending_question", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_claims_status", "claims", ["status"])
    op.create_index("ix_claims_transaction_id", "claims", ["transaction_id"])
    op.create_index("ix_claims_telegram_user_id", "claims", ["telegram_user_id"])
    op.create_index("ix_claims_incident_id", "claims", ["incident_id"])
    op.create_index("ix_claims_escalated_at", "claims", ["escalated_at"])
    op.create_table(
        "claim_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        _at("at"),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name="fk_claim_audit_claim_id_claims"),
        sa.PrimaryKeyConstraint("id", name="pk_claim_audit"),
    )
    op.create_index("ix_claim_audit_claim_id", "claim_audit", ["claim_id"])
    op.create_table(
        "conversations",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("step", sa.String(64), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("chat_id", name="pk_conversations"),
    )
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        _at("at"),
        sa.PrimaryKeyConstraint("update_id", name="pk_processed_updates"),
    )
    op.create_index("ix_processed_updates_at", "processed_updates", ["at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("edit_message_id", sa.BigInteger(), nullable=True),
        sa.Column("message_thread_id", sa.BigInteger(), nullable=True),
        sa.Column("ref", sa.String(128), nullable=True),
        sa.Column("edit_ref", sa.String(128), nullable=True),
        sa.Column("reply_ref", sa.String(128), nullable=True),
        _at("created_at"),
        _at("sent_at", nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("not_before", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_outbox_pending", "outbox", ["sent_at", "not_before"])
    op.create_table(
        "message_refs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(128), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_message_refs"),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_message_refs_chat_message"),
    )
    op.create_index("ix_message_refs_ref", "message_refs", ["ref"])


def downgrade() -> None:
    for table in (
        "message_refs",
        "outbox",
        "processed_updates",
        "conversations",
        "claim_audit",
        "claims",
        "incidents",
        "campaigns",
        "purchases",
    ):
        op.drop_table(table)
