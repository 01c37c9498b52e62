"""The schema as SQLAlchemy Core tables; migrations/ must create exactly this."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

purchases = Table(
    "purchases",
    metadata,
    Column("transaction_id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False),
    Column("account_phone", String(20), nullable=False),
    Column("account_email", String(254), nullable=False),
    Column("purchased_at", UTCDateTime(), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("credits", Integer, nullable=False),
    Column("credits_used", Integer, nullable=False),
    Column("amount", Float, nullable=False),
    Column("currency", String(3), nullable=False),
)

# transaction_id is checked at import rather than by a foreign key, so a purchases file can be
# re-exported and re-imported in any order without tripping constraints.
campaigns = Table(
    "campaigns",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("transaction_id", String(64), nullable=False, index=True),
    Column("sent_at", UTCDateTime(), nullable=False),
    Column("destination_country", String(2), nullable=False),
    Column("messages_sent", Integer, nullable=False),
    Column("delivered", Integer, nullable=False),
    Column("failed_platform", Integer, nullable=False),
    Column("failed_carrier", Integer, nullable=False),
)

incidents = Table(
    "incidents",
    metadata,
    Column("incident_id", String(64), primary_key=True),
    Column("started_at", UTCDateTime(), nullable=False, index=True),
    Column("ended_at", UTCDateTime(), nullable=True),
    Column("scope", String(16), nullable=False),
    Column("description", Text, nullable=False),
)

claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("status", String(20), nullable=False, index=True),
    Column("outcome", String(16), nullable=False),
    Column("reason", String(20), nullable=False),
    Column("transaction_id", String(64), nullable=False, index=True),
    Column("telegram_user_id", BigInteger, nullable=False, index=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("refundable_credits", Integer, nullable=False),
    Column("clauses", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("campaign_id", String(64), nullable=True),
    Column("description", Text, nullable=True),
    Column("incident_id", String(64), nullable=True, index=True),
    Column("customer_name", String(256), nullable=False, default=""),
    Column("customer_username", String(64), nullable=True),
    Column("assigned_to", String(256), nullable=True),
    Column("assigned_to_id", BigInteger, nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("escalated_at", UTCDateTime(), nullable=True, index=True),
    Column("refunded_at", UTCDateTime(), nullable=True),
    Column("reject_reason", Text, nullable=True),
    Column("pending_question", Text, nullable=True),
    # Claim numbers are shown to customers; never reuse one, even after a rollback.
    sqlite_autoincrement=True,
)

claim_audit = Table(
    "claim_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", Integer, ForeignKey("claims.id"), nullable=False, index=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(256), nullable=False),
    Column("actor_id", BigInteger, nullable=True),
    Column("from_status", String(20), nullable=True),
    Column("to_status", String(20), nullable=True),
    Column("note", Text, nullable=False, default=""),
)

conversations = Table(
    "conversations",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("step", String(64), nullable=False),
    Column("slots", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

processed_updates = Table(
    "processed_updates",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime(), nullable=False, index=True),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("text", Text, nullable=False),
    Column("buttons", JSON, nullable=False),
    Column("edit_message_id", BigInteger, nullable=True),
    Column("message_thread_id", BigInteger, nullable=True),
    Column("ref", String(128), nullable=True),
    Column("edit_ref", String(128), nullable=True),
    Column("reply_ref", String(128), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("telegram_message_id", BigInteger, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", UTCDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Index("ix_outbox_pending", "sent_at", "not_before"),
    sqlite_autoincrement=True,
)

# Every update Telegram hands over, stored before Telegram is told it arrived; processed in
# order per chat by whichever worker takes the chat (see bot/inbox.py).
inbox = Table(
    "inbox",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("processed_at", UTCDateTime(), nullable=True),
    Column("error", Text, nullable=True),
    Index("ix_inbox_waiting", "processed_at", "chat_id", "update_id"),
)

message_refs = Table(
    "message_refs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(128), nullable=False, index=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("thread_id", BigInteger, nullable=True),
    UniqueConstraint("chat_id", "message_id", name="uq_message_refs_chat_message"),
)
