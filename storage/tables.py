"""The schema as SQLAlchemy Core tables; migrations/ must create exactly this."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from conversations.domain import LIVE_STATUSES
from storage.types import Money, UTCDateTime

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
    Column("account_phone", String(20), nullable=False, index=True),  # staff /find
    Column("account_email", String(254), nullable=False),
    Column("purchased_at", UTCDateTime(), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("credits", Integer, nullable=False),
    Column("credits_used", Integer, nullable=False),
    Column("amount", Money(), nullable=False),
    Column("currency", String(3), nullable=False),
    # Not from the ledger: credits approved or paid across all claims of the purchase (C-ONCE).
    # The CHECK makes an over-approval fail however it is attempted.
    Column("credits_approved", Integer, nullable=False, server_default=text("0")),
    CheckConstraint(
        "credits_approved >= 0 AND credits_approved <= credits", name="credits_approved_cap"
    ),
)

# The ledger's own columns: an import writes these and never credits_approved.
LEDGER_PURCHASE_COLUMNS = tuple(c.name for c in purchases.columns if c.name != "credits_approved")

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

LIVE_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in sorted(LIVE_STATUSES)))

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
    Column("campaign_ids", JSON, nullable=False, server_default=text("'[]'")),
    # Reminders read only the claims due, through this index, however many claims pile up.
    Column("remind_at", UTCDateTime(), nullable=True, index=True),
    # C-DUPLICATE: one live claim per transaction, held by the database against any race.
    Index(
        "uq_claims_live_transaction",
        "transaction_id",
        unique=True,
        sqlite_where=text(LIVE_SQL),
        postgresql_where=text(LIVE_SQL),
    ),
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
    # What the entry records (conversations.domain.AuditKind) and its typed fields.
    Column("kind", String(20), nullable=False, server_default="other"),
    Column("text", Text, nullable=False, server_default=""),
    Column("credits_before", Integer, nullable=True),
    Column("credits_after", Integer, nullable=True),
    # A readable summary of the fields above, for people reading the table; never read back.
    Column("note", Text, nullable=False, default=""),
)

# C-ONCE: a campaign's failures are paid by one claim; the primary key refuses a second.
refunded_campaigns = Table(
    "refunded_campaigns",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("claim_id", Integer, ForeignKey("claims.id"), nullable=False, index=True),
    Column("transaction_id", String(64), nullable=False),
)

# Staff's own reject reasons and questions (C-FINAL); the catalog's are used while this is empty.
canned_replies = Table(
    "canned_replies",
    metadata,
    Column("kind", String(8), primary_key=True),  # "reject" or "ask"
    Column("key", String(24), primary_key=True),
    Column("text", Text, nullable=False),
    Column("position", Integer, nullable=False),
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
    Column("attachment", JSON, nullable=True),  # {"kind", "filename", "data"}
    Column("ask_contact", Boolean, nullable=False, server_default=text("false")),
    Column("closes_menu", Boolean, nullable=False, server_default=text("false")),
    # A turn's reply, held back while the turn's own worker sends it (see bot/inbox.py).
    Column("leased", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("telegram_message_id", BigInteger, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", UTCDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    # Parked for an operator (`refundbot outbox failed|retry|drop`): never sent by itself again.
    Column("failed_at", UTCDateTime(), nullable=True),
    Index("ix_outbox_pending", "sent_at", "not_before"),
    sqlite_autoincrement=True,
)

# Chats Telegram gave a new id (a group upgraded to a supergroup): where their messages go now.
chat_migrations = Table(
    "chat_migrations",
    metadata,
    Column("old_chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("new_chat_id", BigInteger, nullable=False),
    Column("migrated_at", UTCDateTime(), nullable=False),
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
    # Turns of this update that failed without committing; one is tried again (bot/inbox.py).
    Column("failures", Integer, nullable=False, server_default=text("0")),
    Index("ix_inbox_waiting", "processed_at", "chat_id", "update_id"),
)

# Customers' 👍/👎 under FAQ answers, and the questions the FAQ could not place (scrubbed of
# phone numbers, e-mails and long numbers), so the team can see what to add.
faq_feedback = Table(
    "faq_feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic_id", String(64), nullable=False),
    Column("helpful", Boolean, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)

faq_misses = Table(
    "faq_misses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", String(300), nullable=False),
    Column("at", UTCDateTime(), nullable=False, index=True),
    # Whose question it was, for /forget: the update that carried it is dropped minutes later.
    Column("chat_id", BigInteger, nullable=True, index=True),
)

# Phrasings the support team taught the FAQ (refundbot faq teach, /teach in the staff chat),
# and the models retrained on them: every worker answers with the newest accepted model.
faq_taught = Table(
    "faq_taught",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", String(300), nullable=False),
    Column("topic_id", String(64), nullable=False),
    Column("taught_by", String(120), nullable=False),
    Column("taught_at", UTCDateTime(), nullable=False),
    # A phrasing is taught once per topic; teaching it again is a no-op, not a heavier weight.
    UniqueConstraint("text", "topic_id", name="uq_faq_taught_text_topic"),
)

faq_models = Table(
    "faq_models",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime(), nullable=False),
    # zlib-compressed JSON weights, the same format as conversations/data/faq_model.json.
    Column("body", LargeBinary, nullable=False),
    # The newest taught phrasing it was trained on (0: none), and how many.
    Column("taught_upto", Integer, nullable=False),
    Column("taught_count", Integer, nullable=False),
    Column("frozen_top1", Float, nullable=False),
    Column("frozen_rejected", Float, nullable=False),
    CheckConstraint("taught_count >= 0", name="taught_count"),
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

# The deployment's shared send schedule (bot/send_budget.py): one row per budget.
send_budget = Table(
    "send_budget",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("tat", Float(), nullable=False),
)

# The language each customer reads: from Telegram's language_code until they pick one with
# /language (`chosen`); `switch_offered` once they were offered Urdu for typing in Urdu script.
customer_languages = Table(
    "customer_languages",
    metadata,
    Column("telegram_user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("language", String(8), nullable=False),
    Column("chosen", Boolean, nullable=False),
    Column("switch_offered", Boolean, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Misses at proving whose purchase a transaction is: per Telegram user ("user:<id>") and per
# transaction ("tx:<id as typed, canonical>"), so a restart or a second account starts no fresh.
ownership_attempts = Table(
    "ownership_attempts",
    metadata,
    Column("subject", String(80), primary_key=True),
    Column("misses", Integer, nullable=False),
    Column("last_miss_at", UTCDateTime(), nullable=True),
    Column("blocked_until", UTCDateTime(), nullable=True, index=True),
)

# Photos and documents customers sent, kept as Telegram file ids (the bot never downloads them):
# with a claim (claim_id), or to a person in a /human conversation (claim_id empty).
evidence = Table(
    "evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", Integer, ForeignKey("claims.id"), nullable=True, index=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("telegram_user_id", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),  # "photo" or "document"
    Column("file_id", String(256), nullable=False),
    Column("unique_id", String(128), nullable=False),
    Column("file_name", String(256), nullable=False, default=""),
    Column("mime_type", String(128), nullable=False, default=""),
    Column("size", BigInteger, nullable=True),
    Column("caption", Text, nullable=False, default=""),
    Column("received_at", UTCDateTime(), nullable=False),
)

# A customer's 1-5 stars for a closed claim: one per claim, held by the primary key.
claim_ratings = Table(
    "claim_ratings",
    metadata,
    Column("claim_id", Integer, ForeignKey("claims.id"), primary_key=True, autoincrement=False),
    Column("telegram_user_id", BigInteger, nullable=False),
    Column("stars", Integer, nullable=False),
    Column("comment", Text, nullable=True),
    Column("rated_at", UTCDateTime(), nullable=False, index=True),
    CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
)

# Claim events for billing, written in the claim's own transaction and sent by bot/events.py
# until billing answers 2xx (at least once; billing de-duplicates by event_id).
EVENT_TYPES = ("filed", "escalated", "approved", "rejected", "refunded", "withdrawn", "erased")
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(16), nullable=False),
    Column("claim_id", Integer, nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    # The exact bytes posted: a retry sends the same body with the same signature.
    Column("body", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    # When it may be posted (again); pushed on while a worker is posting it (a lease).
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    CheckConstraint(
        "type IN ('filed', 'escalated', 'approved', 'rejected', 'refunded', 'withdrawn', 'erased')",
        name="type",
    ),
    Index("ix_events_pending", "sent_at", "next_attempt_at"),
    sqlite_autoincrement=True,
)

# Who declared or ended an incident from the staff chat, and when (the ledger row holds the facts).
incident_audit = Table(
    "incident_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", String(64), nullable=False, index=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("actor_id", BigInteger, nullable=True),
    Column("action", String(16), nullable=False),
    Column("note", Text, nullable=False),
    sqlite_autoincrement=True,
)
# Privacy (issue 20): each honoured request to forget a customer, for the audit (who, when, what
# kinds of data, how many rows); the erased claims are shown as "erased #<id>".
erasures = Table(
    "erasures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("by", String(256), nullable=False),
    Column("kinds", JSON, nullable=False),
    Column("claims", Integer, nullable=False),
    sqlite_autoincrement=True,
)

# When each customer last had /mydata: the once-a-day limit, held by the database.
privacy_exports = Table(
    "privacy_exports",
    metadata,
    Column("telegram_user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("last_at", UTCDateTime(), nullable=False),
)
