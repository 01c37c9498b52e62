"""The refund desk's domain types: ledger records, claims, decisions and outgoing messages."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any


class Kind(enum.StrEnum):
    PACKAGE = "package"
    SUBSCRIPTION = "subscription"


class Reason(enum.StrEnum):
    UNDELIVERED = "undelivered"
    OUTAGE = "outage"
    NOT_BENEFICIAL = "not_beneficial"
    OTHER = "other"


class Outcome(enum.StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    REVIEW = "review"


class ClaimStatus(enum.StrEnum):
    INELIGIBLE = "ineligible"
    ESCALATED = "escalated"
    IN_REVIEW = "in_review"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


# A claim in one of these blocks a new claim on the same transaction (C-DUPLICATE).
LIVE_STATUSES: frozenset[ClaimStatus] = frozenset(
    {
        ClaimStatus.ESCALATED,
        ClaimStatus.IN_REVIEW,
        ClaimStatus.INFO_REQUESTED,
        ClaimStatus.APPROVED,
    }
)
# Credits promised or paid: they count against the purchase (C-ONCE).
PAID_STATUSES: frozenset[ClaimStatus] = frozenset({ClaimStatus.APPROVED, ClaimStatus.REFUNDED})
# Staff still have work to do on these.
OPEN_STATUSES: frozenset[ClaimStatus] = frozenset(
    {ClaimStatus.ESCALATED, ClaimStatus.IN_REVIEW, ClaimStatus.INFO_REQUESTED}
)


@dataclass(frozen=True)
class Purchase:
    transaction_id: str
    account_id: str
    account_phone: str  # E.164, e.g. +923001234567; "" when the ledger has none
    account_email: str  # "" when the ledger has none
    purchased_at: datetime  # aware, UTC
    kind: Kind
    credits: int
    credits_used: int
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    transaction_id: str
    sent_at: datetime
    destination_country: str  # ISO 3166 alpha-2, upper case
    messages_sent: int
    delivered: int
    failed_platform: int
    failed_carrier: int


@dataclass(frozen=True)
class Incident:
    incident_id: str
    started_at: datetime
    ended_at: datetime | None  # None while ongoing
    scope: str  # "all", "international" or an ISO alpha-2 country
    description: str


@dataclass(frozen=True)
class ClaimRequest:
    """What the customer asks for; `now` is the moment the claim is submitted."""

    transaction_id: str
    reason: Reason
    now: datetime
    campaign_id: str | None = None
    description: str | None = None


# A fact a clause found: a count, an id, a moment, a duration, or a list of ids.
Fact = int | str | datetime | timedelta | tuple[int, ...] | tuple[str, ...] | None


@dataclass(frozen=True)
class ClauseResult:
    """One rule's verdict and the facts it rests on; the edge words it (policy_text.explain)."""

    id: str  # e.g. "C-WINDOW"
    passed: bool
    finding: str = ""  # which of the clause's explanations, e.g. "window_failed"
    params: tuple[tuple[str, Fact], ...] = ()  # the facts the explanation names
    # Only claims decided before clauses were facts: their words as stored then, by language.
    recorded: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, id: str, passed: bool, finding: str, **params: Fact) -> ClauseResult:
        return cls(id, passed, finding, tuple(params.items()))

    @property
    def facts(self) -> dict[str, Fact]:
        return dict(self.params)


# How a caller words a clause (catalog.policy_text.explain); the domain holds no text.
Explain = Callable[[ClauseResult], str]


def clause_json(clause: ClauseResult, explain: Explain) -> dict[str, Any]:
    return {"id": clause.id, "passed": clause.passed, "explanation": explain(clause)}


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    refundable_credits: int
    clauses: tuple[ClauseResult, ...]
    incident_id: str | None = None  # the incident the decision rests on or is linked to
    # The campaigns whose failures the refundable credits pay for (C-ONCE: each is paid once).
    campaign_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # "Eligible for 0 credits" would promise the customer nothing; the rules never say it.
        if self.outcome is Outcome.ELIGIBLE and self.refundable_credits <= 0:
            raise ValueError("an eligible decision must refund at least one credit")

    @property
    def failed_clause(self) -> ClauseResult | None:
        return next((c for c in self.clauses if not c.passed), None)

    def as_json(self, explain: Explain) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "refundable_credits": self.refundable_credits,
            "clauses": [clause_json(c, explain) for c in self.clauses],
        }


@dataclass
class Claim:
    id: int | None
    status: ClaimStatus
    outcome: Outcome
    reason: Reason
    transaction_id: str
    telegram_user_id: int
    chat_id: int
    refundable_credits: int
    clauses: list[ClauseResult]
    created_at: datetime
    updated_at: datetime
    campaign_id: str | None = None
    description: str | None = None
    incident_id: str | None = None
    customer_name: str = ""
    customer_username: str | None = None
    assigned_to: str | None = None  # staff display name
    assigned_to_id: int | None = None
    decided_at: datetime | None = None  # approved or rejected
    escalated_at: datetime | None = None
    refunded_at: datetime | None = None
    reject_reason: str | None = None
    pending_question: str | None = None
    campaign_ids: list[str] = field(default_factory=list)  # see Decision.campaign_ids
    # When staff should next be reminded of this claim (nobody took it, refund overdue).
    remind_at: datetime | None = None

    @property
    def paid_campaigns(self) -> list[str]:
        """The campaigns an approval of this claim pays for: its decision's, else its own."""
        if self.campaign_ids:
            return list(self.campaign_ids)
        return [self.campaign_id] if self.campaign_id else []

    @property
    def filed_again(self) -> bool:
        """C-HISTORY: filed after an earlier claim on the transaction was found ineligible."""
        return any(c.id == "C-HISTORY" for c in self.clauses)

    def as_json(self, explain: Explain) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status.value,
            "outcome": self.outcome.value,
            "reason": self.reason.value,
            "transaction_id": self.transaction_id,
            "campaign_id": self.campaign_id,
            "telegram_user_id": self.telegram_user_id,
            "chat_id": self.chat_id,
            "refundable_credits": self.refundable_credits,
            "clauses": [c.id for c in self.clauses],
            "clause_results": [clause_json(c, explain) for c in self.clauses],
            "description": self.description,
            "incident_id": self.incident_id,
            "campaign_ids": self.paid_campaigns,
            "filed_again": self.filed_again,
            "assigned_to": self.assigned_to,
            "reject_reason": self.reject_reason,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "escalated_at": self.escalated_at.isoformat() if self.escalated_at else None,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "refunded_at": self.refunded_at.isoformat() if self.refunded_at else None,
        }


class ReplyKind(enum.StrEnum):
    REJECT = "reject"  # a reason the customer reads when their claim is rejected
    ASK = "ask"  # a question for the customer about their claim


@dataclass(frozen=True)
class CannedReply:
    kind: ReplyKind
    key: str  # short, for button data: letters, digits, - and _
    text: str


@dataclass(frozen=True)
class CustomerQuery:
    """What staff look a customer up by; exactly one is set."""

    transaction_id: str | None = None
    username: str | None = None  # without the @
    phone: str | None = None  # E.164


class LiveClaimExists(Exception):
    """C-DUPLICATE: the transaction already has an open or approved claim."""

    def __init__(self, existing: Claim | None) -> None:
        super().__init__(f"transaction already has live claim {existing.id if existing else '?'}")
        self.existing = existing


class Approval(enum.StrEnum):
    """How an attempt to approve a claim ended; only DONE changed anything."""

    DONE = "done"
    STALE = "stale"  # the claim's status changed meanwhile
    OVER_CAP = "over_cap"  # more credits than the purchase has left (C-ONCE)
    CAMPAIGN_PAID = "campaign_paid"  # a campaign it pays for was already paid (C-ONCE)
    LIVE_EXISTS = "live_exists"  # another claim on the transaction is open or approved


# An erased customer's claims keep this user and chat id (0 means "no user" in an update).
ERASED_USER_ID = -1
# What a person's words on an erased customer's claim become.
ERASED_TEXT = "[erased]"


class AuditKind(enum.StrEnum):
    """What an audit entry records; its typed fields say the rest."""

    FILED = "filed"  # text: the bot's outcome
    TAKEN = "taken"
    APPROVED = "approved"  # credits_before/after when staff changed the amount
    OVERRULED = "overruled"  # text: staff's reason; credits_before/after
    REJECTED = "rejected"  # text: the reason the customer reads
    ASKED = "asked"  # text: the question
    ANSWERED = "answered"  # text: the customer's answer
    REFUNDED = "refunded"
    WITHDRAWN = "withdrawn"
    NOTE = "note"  # text: a staff member's internal note (no status change)
    ADDED = "added"  # text: information the customer added (no status change)
    REMINDED_UNTAKEN = "reminded_untaken"  # the staff chat was reminded of an untaken claim
    REMINDED_OVERDUE = "reminded_overdue"  # ... of an approved refund past its window
    REOPENED = "reopened"  # text: the outcome before and after new facts (stale decisions)
    ERASED = "erased"  # text: which erasure; the customer asked to be forgotten (/forget)
    OTHER = "other"  # text: an old row the audit migration could not read, as it was


# The one-line English summary of each kind, for `claims show` and the table's note column.
_AUDIT_SUMMARY: dict[AuditKind, str] = {
    AuditKind.FILED: "outcome {text}",
    AuditKind.OVERRULED: "overruled: {text}; {credits}",
    AuditKind.REJECTED: "reason: {text}",
    AuditKind.ASKED: "question: {text}",
    AuditKind.ANSWERED: "answer: {text}",
    AuditKind.WITHDRAWN: "withdrawn by the customer",
    AuditKind.NOTE: "note: {text}",
    AuditKind.ADDED: "added: {text}",
    AuditKind.REMINDED_UNTAKEN: "reminder: untaken",
    AuditKind.REMINDED_OVERDUE: "reminder: refund overdue",
    AuditKind.REOPENED: "re-opened: {text}",
    AuditKind.ERASED: "{text}",
    AuditKind.OTHER: "{text}",
}


@dataclass(frozen=True)
class AuditEntry:
    claim_id: int
    at: datetime
    actor: str  # "bot", "customer", a staff name, or "cli:NAME"
    actor_id: int | None
    from_status: ClaimStatus | None
    to_status: ClaimStatus | None  # None for an entry that changed no status (a note)
    kind: AuditKind = AuditKind.OTHER
    text: str = ""  # a person's words: a reason, a question, an answer, a note
    credits_before: int | None = None  # set when the refundable credits changed
    credits_after: int | None = None

    @property
    def credits_changed(self) -> bool:
        return self.credits_before is not None and self.credits_before != self.credits_after

    @property
    def note(self) -> str:
        """A one-line English summary of the typed fields, for people; nothing parses it."""
        credits = (
            f"credits {self.credits_before} -> {self.credits_after}"
            if self.credits_before is not None
            else ""
        )
        if self.kind is AuditKind.APPROVED:
            return credits if self.credits_changed else ""
        template = _AUDIT_SUMMARY.get(self.kind, "")
        return template.format(text=self.text, credits=credits)


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # callback data, at most 64 bytes
    url: str | None = None  # a link button instead (data is then unused)


class AttachmentKind(enum.StrEnum):
    """Files the bot sends; the core says what goes in them, the sender draws or writes them."""

    CLAIMS_CHART = "claims_chart"  # a PNG: claims per day by outcome
    FINANCE_CSV = "finance_csv"  # the finance export as a CSV document
    # A customer's file, sent on again by its Telegram file_id (data: {"file_id": ...}).
    EVIDENCE_PHOTO = "evidence_photo"
    EVIDENCE_DOCUMENT = "evidence_document"
    # A customer's own data as a JSON document (/mydata; data: {"document": ...}).
    PRIVACY_JSON = "privacy_json"


@dataclass(frozen=True)
class Attachment:
    kind: AttachmentKind
    filename: str
    data: dict[str, Any]  # JSON-able: what the file shows, not its bytes


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to send; buttons are rows of inline buttons."""

    chat_id: int
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    # Set when the message replaces (edits) an earlier one in place.
    edit_message_id: int | None = None
    message_thread_id: int | None = None
    # What the message is about, so the sender can remember e.g. a card's message id.
    ref: str | None = None
    # Edit the message remembered under this ref (a card, a digest) instead of sending anew,
    # or send anew when none is remembered; only the newest pending edit of a ref is sent.
    edit_ref: str | None = None
    # Reply to the message remembered under this ref (e.g. keep a claim's messages together).
    reply_ref: str | None = None
    # A photo or document sent with the text as its caption.
    attachment: Attachment | None = None
    # Offer a "share my phone number" keyboard button (only on a message without buttons).
    ask_contact: bool = False
    # An edit that only turns a pressed menu into a record of the choice: it carries nothing
    # new, so the sender may drop it when the chat is busy.
    closes_menu: bool = False


@dataclass(frozen=True)
class Evidence:
    """A photo or document a customer sent: with a claim, or to a person via /human."""

    claim_id: int | None  # None: sent in a /human conversation, not about a claim
    chat_id: int
    telegram_user_id: int
    kind: str  # "photo" or "document"
    file_id: str
    unique_id: str
    received_at: datetime
    file_name: str = ""
    mime_type: str = ""
    size: int | None = None
    caption: str = ""
    id: int | None = None

    @property
    def label(self) -> str:
        """How a list names it: the document's file name, or "photo"."""
        return self.file_name or self.kind


@dataclass(frozen=True)
class Rating:
    """A customer's 1-5 stars for how a closed claim was handled, and an optional comment."""

    claim_id: int
    telegram_user_id: int
    stars: int
    rated_at: datetime
    comment: str | None = None


@dataclass
class OutboxItem:
    id: int
    message: OutgoingMessage
    created_at: datetime
    attempts: int = 0
    not_before: datetime | None = None


@dataclass
class ConversationState:
    """One chat's place in the dialogue; stored as a row, never kept in memory."""

    chat_id: int
    step: str = "menu"
    slots: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    updated_at: datetime | None = None


@dataclass(frozen=True)
class LanguageChoice:
    """The language a customer reads (conversations.i18n.LANGUAGES), remembered per user."""

    language: str
    chosen: bool = False  # picked with /language: wins over Telegram's language_code
    switch_offered: bool = False  # offered Urdu once, for a message typed in Urdu script


@dataclass(frozen=True)
class WaitingQuestion:
    """A staff question waiting for the customer's answer in this chat."""

    claim_id: int
    asked_at: datetime


@dataclass
class ChatSnapshot:
    """What every customer turn reads, in one round trip: the chat's state, its author's stored
    language and the staff questions waiting in the chat (newest first)."""

    state: ConversationState
    language: LanguageChoice | None = None
    questions: tuple[WaitingQuestion, ...] = ()
