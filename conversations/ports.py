"""What the core needs from the outside, as Protocols; adapters live in storage/ and bot/."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol

from conversations.domain import (
    Approval,
    AuditEntry,
    Campaign,
    CannedReply,
    ChatSnapshot,
    Claim,
    ClaimStatus,
    ConversationState,
    CustomerQuery,
    Evidence,
    Incident,
    LanguageChoice,
    Outcome,
    OutgoingMessage,
    Purchase,
    Rating,
    ReplyKind,
)
from conversations.ownership import Attempts


class Clock(Protocol):
    def __call__(self) -> datetime: ...


class Ledger(Protocol):
    async def purchase(self, transaction_id: str) -> Purchase | None: ...
    async def campaign(self, campaign_id: str) -> Campaign | None: ...
    async def campaigns_for(self, transaction_id: str) -> Sequence[Campaign]: ...
    async def incidents_between(self, start: datetime, end: datetime) -> Sequence[Incident]: ...
    async def purchases_by_id(self, ids: Collection[str]) -> dict[str, Purchase]: ...


class ClaimRepository(Protocol):
    async def add(self, claim: Claim) -> Claim:
        """Store a new claim; LiveClaimExists if it is live and the transaction has a live one."""
        ...

    async def get(self, claim_id: int) -> Claim | None: ...
    async def live_for_transaction(self, transaction_id: str) -> Claim | None: ...
    async def for_transaction(self, transaction_id: str) -> Sequence[Claim]:
        """Every claim on a transaction, oldest first (C-HISTORY)."""
        ...

    async def approve(
        self, claim_id: int, allowed_from: frozenset[ClaimStatus], claim: Claim
    ) -> Approval:
        """Save an approval of `claim` and book its credits and campaigns against the purchase.

        All or nothing, in this transaction: the status must still be in `allowed_from`, the
        purchase must have the credits left, and no campaign may have been paid before.
        """
        ...

    async def credits_approved(self, transaction_id: str) -> int:
        """Credits approved or paid so far across all claims of the purchase."""
        ...

    async def find(self, query: CustomerQuery, limit: int) -> Sequence[Claim]:
        """A customer's claims, newest first, by transaction, username or phone."""
        ...

    async def active_since(self, start: datetime) -> Sequence[Claim]:
        """Claims filed, decided or refunded at or after `start` (for reports)."""
        ...

    async def due_for_reminder(self, now: datetime, limit: int) -> Sequence[Claim]:
        """Claims whose remind_at has come, the longest overdue first."""
        ...

    async def remind_next(self, claim_id: int, at: datetime | None) -> None: ...

    async def for_user(self, telegram_user_id: int) -> Sequence[Claim]: ...
    async def list(self, status: ClaimStatus | None = None) -> Sequence[Claim]: ...
    async def transition(
        self,
        claim_id: int,
        allowed_from: frozenset[ClaimStatus],
        claim: Claim,
    ) -> bool:
        """Save `claim` only if the stored status is still in `allowed_from`; False otherwise."""
        ...

    async def open_oldest_first(self, limit: int, offset: int = 0) -> Sequence[Claim]: ...
    async def count_by_status(self) -> dict[str, int]: ...
    async def escalated_between(self, start: datetime, end: datetime) -> Sequence[Claim]: ...
    async def count_escalated_between(self, start: datetime, end: datetime) -> int: ...
    async def for_incident(
        self, incident_id: str, status: ClaimStatus, outcome: Outcome
    ) -> Sequence[Claim]: ...
    async def add_audit(self, entry: AuditEntry) -> None: ...
    async def audit(self, claim_id: int) -> Sequence[AuditEntry]: ...


class ConversationRepository(Protocol):
    async def load(self, chat_id: int) -> ConversationState: ...
    async def load_turn(self, chat_id: int, user_id: int) -> ChatSnapshot:
        """The chat's state with what a customer's turn reads beside it, in one read."""
        ...

    async def save(self, state: ConversationState) -> bool:
        """Write if the stored version equals state.version; bumps it. False on a lost race."""
        ...


class UpdateInbox(Protocol):
    """The updates stored on arrival and waiting for their turn (bot/inbox.py)."""

    async def claim(self, update_id: int, at: datetime) -> bool:
        """Mark a waiting update applied in this transaction; False if it was already.

        The one duplicate key: a re-delivered update, or one another worker applied, is not
        applied again.
        """
        ...


class Outbox(Protocol):
    async def put(
        self,
        message: OutgoingMessage,
        now: datetime | None = None,
        not_before: datetime | None = None,
    ) -> int:
        """Queue a message; the dispatcher leaves it alone until not_before."""
        ...

    async def put_many(
        self, messages: Sequence[tuple[OutgoingMessage, datetime | None]], now: datetime
    ) -> list[int]:
        """Queue several (message, not_before) at once; their ids, in order."""
        ...


class MessageRefs(Protocol):
    """Which Telegram message stands for what (a claim's card, a relayed message)."""

    async def remember(
        self, ref: str, chat_id: int, message_id: int, thread_id: int | None = None
    ) -> None: ...
    async def lookup(self, ref: str) -> tuple[int, int, int | None] | None: ...
    async def find_ref(self, chat_id: int, message_id: int) -> str | None: ...


class CannedReplies(Protocol):
    """Staff's own reject reasons and questions, in the order they are offered."""

    async def list(self, kind: ReplyKind) -> Sequence[CannedReply]: ...
    async def set(self, reply: CannedReply) -> None: ...
    async def remove(self, kind: ReplyKind, key: str) -> bool: ...


class FaqLog(Protocol):
    """Ratings of FAQ answers and the questions the FAQ could not place."""

    async def rate(self, topic_id: str, helpful: bool, at: datetime) -> None: ...
    async def miss(self, text: str, at: datetime, chat_id: int | None = None) -> None: ...
    async def ratings(self) -> dict[str, tuple[int, int]]: ...
    async def top_misses(self, limit: int) -> list[tuple[str, int]]: ...
    async def teach(self, text: str, topic_id: str, taught_by: str, at: datetime) -> bool:
        """Store a phrasing the team taught for a topic; False when it was taught already."""
        ...


class Languages(Protocol):
    """The language each customer reads, by Telegram user id."""

    async def get(self, telegram_user_id: int) -> LanguageChoice | None: ...
    async def set(self, telegram_user_id: int, choice: LanguageChoice, at: datetime) -> None: ...


class EvidenceStore(Protocol):
    """Photos and documents customers sent (kept as Telegram file ids, never downloaded)."""

    async def add(self, evidence: Evidence) -> int: ...
    async def for_claim(self, claim_id: int) -> Sequence[Evidence]:
        """A claim's files, in the order they came."""
        ...

    async def relayed_since(self, telegram_user_id: int, since: datetime) -> Sequence[datetime]:
        """When files this user sent to a person (outside any claim) came, after `since`."""
        ...


class Ratings(Protocol):
    """Customers' 1-5 stars for closed claims, one per claim, and their comments."""

    async def rate(self, rating: Rating) -> bool:
        """Store the claim's rating; False (nothing changed) when it was rated already."""
        ...

    async def comment(self, claim_id: int, text: str) -> bool:
        """Add the comment to a rating that has none; False otherwise."""
        ...

    async def get(self, claim_id: int) -> Rating | None: ...
    async def summary(self) -> tuple[int, float | None]:
        """How many ratings there are, and their average (None when there are none)."""
        ...

    async def latest_comments(self, limit: int) -> Sequence[Rating]:
        """The newest ratings that have a comment, newest first."""
        ...


class OwnershipAttempts(Protocol):
    """Misses at proving a purchase, per Telegram user and per transaction ("user:1", "tx:TX-1")."""

    async def get(self, subject: str) -> Attempts | None: ...
    async def put(self, subject: str, attempts: Attempts) -> None: ...
    async def blocked(self, now: datetime) -> Sequence[tuple[str, Attempts]]:
        """Every subject waiting at `now`, the longest wait first."""
        ...

    async def lift(self, subject: str) -> bool:
        """Forget the subject's misses and wait; False when there was nothing to lift."""
        ...


class Incidents(Protocol):
    """Incidents declared and ended in the staff chat, and who did it."""

    async def get(self, incident_id: str) -> Incident | None: ...
    async def ids_starting(self, prefix: str) -> Sequence[str]: ...
    async def declare(self, incident: Incident, actor: str, actor_id: int | None) -> None: ...
    async def end(
        self, incident_id: str, at: datetime, actor: str, actor_id: int | None
    ) -> bool: ...
    async def ongoing(self, now: datetime) -> Sequence[Incident]: ...


class UnitOfWork(Protocol):
    """One transaction: everything a turn changes commits together or not at all."""

    # Read-only, so an adapter may hold its own repository classes (attributes are invariant).
    @property
    def ledger(self) -> Ledger: ...
    @property
    def claims(self) -> ClaimRepository: ...
    @property
    def conversations(self) -> ConversationRepository: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def messages(self) -> MessageRefs: ...
    @property
    def replies(self) -> CannedReplies: ...
    @property
    def faq(self) -> FaqLog: ...
    @property
    def languages(self) -> Languages: ...
    @property
    def evidence(self) -> EvidenceStore: ...
    @property
    def ratings(self) -> Ratings: ...
    @property
    def attempts(self) -> OwnershipAttempts: ...
    @property
    def inbox(self) -> UpdateInbox: ...
    @property
    def incidents(self) -> Incidents: ...

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    async def serialize(self, key: str) -> None:
        """Make sections under the same key run one transaction at a time."""
        ...
