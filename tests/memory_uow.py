"""An in-memory unit of work implementing the core's ports (conversations/ports.py).

The dialogue runs on it in microseconds; tests/conversations/test_uow_contract.py runs the same
behaviours on it and on the SQL unit of work, so the two cannot drift apart. A unit of work
works on a copy of the store and publishes it on commit: leaving without commit loses it all.
"""

from __future__ import annotations

import builtins
import copy
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType

from conversations.domain import (
    LIVE_STATUSES,
    OPEN_STATUSES,
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
    LiveClaimExists,
    OutboxItem,
    Outcome,
    OutgoingMessage,
    Purchase,
    Rating,
    ReplyKind,
    WaitingQuestion,
)
from conversations.ownership import Attempts


@dataclass
class MemoryData:
    """Everything the ports store; copied whole by each unit of work."""

    purchases: dict[str, Purchase] = field(default_factory=dict)
    credits_approved: dict[str, int] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    incidents: dict[str, Incident] = field(default_factory=dict)
    paid_campaigns: set[str] = field(default_factory=set)
    claims: dict[int, Claim] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    conversations: dict[int, ConversationState] = field(default_factory=dict)
    inbox: dict[int, bool] = field(default_factory=dict)  # update id -> applied
    outbox: list[OutboxItem] = field(default_factory=list)
    refs: list[tuple[str, int, int, int | None]] = field(default_factory=list)
    replies: dict[ReplyKind, list[CannedReply]] = field(default_factory=dict)
    faq_ratings: list[tuple[str, bool]] = field(default_factory=list)
    faq_misses: list[str] = field(default_factory=list)
    faq_taught: set[tuple[str, str]] = field(default_factory=set)  # (text, topic id)
    languages: dict[int, LanguageChoice] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    ratings: dict[int, Rating] = field(default_factory=dict)
    attempts: dict[str, Attempts] = field(default_factory=dict)
    # The last id given, per table (claim numbers start at 1, as in the database).
    last_ids: Counter[str] = field(default_factory=Counter)

    def new_id(self, table: str) -> int:
        self.last_ids[table] += 1
        return self.last_ids[table]


class MemoryStore:
    """The committed state; `store.uow` is a factory for Desk(uow_factory=...)."""

    def __init__(self) -> None:
        self.data = MemoryData()
        self.commits = 0

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)

    def load_ledger(
        self,
        purchases: Iterable[Purchase] = (),
        campaigns: Iterable[Campaign] = (),
        incidents: Iterable[Incident] = (),
    ) -> None:
        """Put ledger rows in directly, as `refundbot import` would."""
        for p in purchases:
            self.data.purchases[p.transaction_id] = p
        for c in campaigns:
            self.data.campaigns[c.campaign_id] = c
        for i in incidents:
            self.data.incidents[i.incident_id] = i

    def receive(self, update_id: int) -> None:
        """An update stored in the inbox, waiting to be applied."""
        self.data.inbox.setdefault(update_id, False)

    def outbox(self) -> list[OutgoingMessage]:
        """Every message queued so far, in order."""
        return [item.message for item in self.data.outbox]


class _Part:
    def __init__(self, data: Callable[[], MemoryData]) -> None:
        self._data = data

    @property
    def d(self) -> MemoryData:
        return self._data()


def _newest_first(claims: Iterable[Claim]) -> list[Claim]:
    return sorted(claims, key=lambda c: (c.created_at, c.id or 0), reverse=True)


def _oldest_first(claims: Iterable[Claim]) -> list[Claim]:
    return sorted(claims, key=lambda c: (c.created_at, c.id or 0))


class MemoryLedger(_Part):
    async def purchase(self, transaction_id: str) -> Purchase | None:
        return self.d.purchases.get(transaction_id)

    async def campaign(self, campaign_id: str) -> Campaign | None:
        return self.d.campaigns.get(campaign_id)

    async def campaigns_for(self, transaction_id: str) -> Sequence[Campaign]:
        found = [c for c in self.d.campaigns.values() if c.transaction_id == transaction_id]
        found.sort(key=lambda c: c.campaign_id)
        found.sort(key=lambda c: c.sent_at, reverse=True)
        return found

    async def incidents_between(self, start: datetime, end: datetime) -> Sequence[Incident]:
        found = [
            i
            for i in self.d.incidents.values()
            if i.started_at <= end and (i.ended_at is None or i.ended_at >= start)
        ]
        return sorted(found, key=lambda i: (i.started_at, i.incident_id))

    async def purchases_by_id(self, ids: Collection[str]) -> dict[str, Purchase]:
        return {i: self.d.purchases[i] for i in ids if i in self.d.purchases}


class MemoryClaims(_Part):
    async def add(self, claim: Claim) -> Claim:
        if claim.status in LIVE_STATUSES:
            live = await self.live_for_transaction(claim.transaction_id)
            if live is not None:
                raise LiveClaimExists(live)
        remind_at = claim.remind_at
        if remind_at is None and claim.status is ClaimStatus.ESCALATED:
            remind_at = claim.escalated_at or claim.created_at
        elif remind_at is None and claim.status is ClaimStatus.APPROVED:
            remind_at = claim.decided_at or claim.created_at
        stored = replace(claim, id=self.d.new_id("claims"), remind_at=remind_at)
        self.d.claims[stored.id or 0] = stored
        return stored

    async def get(self, claim_id: int) -> Claim | None:
        return self.d.claims.get(claim_id)

    async def live_for_transaction(self, transaction_id: str) -> Claim | None:
        live = [
            c
            for c in self.d.claims.values()
            if c.transaction_id == transaction_id and c.status in LIVE_STATUSES
        ]
        return _newest_first(live)[0] if live else None

    async def for_transaction(self, transaction_id: str) -> Sequence[Claim]:
        return _oldest_first(
            c for c in self.d.claims.values() if c.transaction_id == transaction_id
        )

    async def approve(
        self, claim_id: int, allowed_from: frozenset[ClaimStatus], claim: Claim
    ) -> Approval:
        stored = self.d.claims.get(claim_id)
        if stored is None or stored.status not in allowed_from:
            return Approval.STALE
        if claim.status in LIVE_STATUSES and any(
            c.id != claim_id
            and c.transaction_id == claim.transaction_id
            and c.status in LIVE_STATUSES
            for c in self.d.claims.values()
        ):
            return Approval.LIVE_EXISTS
        purchase = self.d.purchases.get(claim.transaction_id)
        booked = self.d.credits_approved.get(claim.transaction_id, 0)
        if purchase is None or booked + claim.refundable_credits > purchase.credits:
            return Approval.OVER_CAP
        if any(c in self.d.paid_campaigns for c in claim.paid_campaigns):
            return Approval.CAMPAIGN_PAID
        self.d.claims[claim_id] = replace(claim, id=claim_id, created_at=stored.created_at)
        self.d.credits_approved[claim.transaction_id] = booked + claim.refundable_credits
        self.d.paid_campaigns.update(claim.paid_campaigns)
        return Approval.DONE

    async def credits_approved(self, transaction_id: str) -> int:
        return self.d.credits_approved.get(transaction_id, 0)

    async def find(self, query: CustomerQuery, limit: int) -> Sequence[Claim]:
        claims = self.d.claims.values()
        if query.transaction_id is not None:
            found = [c for c in claims if c.transaction_id == query.transaction_id]
        elif query.username is not None:
            name = query.username.lower()
            found = [c for c in claims if (c.customer_username or "").lower() == name]
        elif query.phone is not None:
            bought = {
                p.transaction_id
                for p in self.d.purchases.values()
                if p.account_phone == query.phone
            }
            found = [c for c in claims if c.transaction_id in bought]
        else:
            return []
        return _newest_first(found)[:limit]

    async def active_since(self, start: datetime) -> Sequence[Claim]:
        def active(c: Claim) -> bool:
            times = (c.created_at, c.decided_at, c.refunded_at)
            return any(t is not None and t >= start for t in times)

        return _oldest_first(c for c in self.d.claims.values() if active(c))

    async def due_for_reminder(self, now: datetime, limit: int) -> Sequence[Claim]:
        due = [c for c in self.d.claims.values() if c.remind_at is not None and c.remind_at <= now]
        return sorted(due, key=lambda c: (c.remind_at or now, c.id or 0))[:limit]

    async def remind_next(self, claim_id: int, at: datetime | None) -> None:
        if claim_id in self.d.claims:
            self.d.claims[claim_id] = replace(self.d.claims[claim_id], remind_at=at)

    async def for_user(self, telegram_user_id: int) -> Sequence[Claim]:
        return _newest_first(
            c for c in self.d.claims.values() if c.telegram_user_id == telegram_user_id
        )

    async def list(self, status: ClaimStatus | None = None) -> Sequence[Claim]:
        return _newest_first(
            c for c in self.d.claims.values() if status is None or c.status is status
        )

    async def transition(
        self, claim_id: int, allowed_from: frozenset[ClaimStatus], claim: Claim
    ) -> bool:
        stored = self.d.claims.get(claim_id)
        if stored is None or stored.status not in allowed_from:
            return False
        self.d.claims[claim_id] = replace(claim, id=claim_id, created_at=stored.created_at)
        return True

    async def open_oldest_first(self, limit: int, offset: int = 0) -> Sequence[Claim]:
        open_ = [c for c in self.d.claims.values() if c.status in OPEN_STATUSES]
        open_.sort(key=lambda c: (c.escalated_at or c.created_at, c.id or 0))
        return open_[offset : offset + limit]

    async def count_by_status(self) -> dict[str, int]:
        return dict(Counter(c.status.value for c in self.d.claims.values()))

    async def escalated_between(self, start: datetime, end: datetime) -> Sequence[Claim]:
        found = [
            c
            for c in self.d.claims.values()
            if c.escalated_at is not None and start <= c.escalated_at < end
        ]
        return sorted(found, key=lambda c: (c.escalated_at or start, c.id or 0))

    async def count_escalated_between(self, start: datetime, end: datetime) -> int:
        return len(await self.escalated_between(start, end))

    async def for_incident(
        self, incident_id: str, status: ClaimStatus, outcome: Outcome
    ) -> Sequence[Claim]:
        return _oldest_first(
            c
            for c in self.d.claims.values()
            if c.incident_id == incident_id and c.status is status and c.outcome is outcome
        )

    async def add_audit(self, entry: AuditEntry) -> None:
        self.d.audit.append(entry)

    async def audit(self, claim_id: int) -> Sequence[AuditEntry]:
        entries = [e for e in self.d.audit if e.claim_id == claim_id]
        return sorted(entries, key=lambda e: e.at)  # stable: same time, order added


class MemoryConversations(_Part):
    async def load(self, chat_id: int) -> ConversationState:
        stored = self.d.conversations.get(chat_id)
        return copy.deepcopy(stored) if stored else ConversationState(chat_id=chat_id)

    async def load_turn(self, chat_id: int, user_id: int) -> ChatSnapshot:
        asked = _newest_first(
            c
            for c in self.d.claims.values()
            if c.telegram_user_id == user_id
            and c.chat_id == chat_id
            and c.status is ClaimStatus.INFO_REQUESTED
        )
        questions = tuple(WaitingQuestion(c.id or 0, c.updated_at) for c in asked)
        return ChatSnapshot(await self.load(chat_id), self.d.languages.get(user_id), questions)

    async def save(self, state: ConversationState) -> bool:
        stored = self.d.conversations.get(state.chat_id)
        if (stored.version if stored else 0) != state.version:
            return False
        state.version += 1
        self.d.conversations[state.chat_id] = copy.deepcopy(state)
        return True


class MemoryInbox(_Part):
    async def claim(self, update_id: int, at: datetime) -> bool:
        if self.d.inbox.get(update_id, True):
            return False  # applied already, or never stored
        self.d.inbox[update_id] = True
        return True


class MemoryOutbox(_Part):
    async def put(
        self,
        message: OutgoingMessage,
        now: datetime | None = None,
        not_before: datetime | None = None,
    ) -> int:
        item_id = self.d.new_id("outbox")
        created = now or datetime.min
        self.d.outbox.append(OutboxItem(item_id, message, created, not_before=not_before))
        return item_id

    async def put_many(
        self, messages: Sequence[tuple[OutgoingMessage, datetime | None]], now: datetime
    ) -> list[int]:
        return [await self.put(message, now, not_before) for message, not_before in messages]


class MemoryMessages(_Part):
    async def remember(
        self, ref: str, chat_id: int, message_id: int, thread_id: int | None = None
    ) -> None:
        # As the SQL upsert: one row per (chat, message), a new ref replacing the old in place.
        for n, (_, c, m, _t) in enumerate(self.d.refs):
            if (c, m) == (chat_id, message_id):
                self.d.refs[n] = (ref, chat_id, message_id, thread_id)
                return
        self.d.refs.append((ref, chat_id, message_id, thread_id))

    async def lookup(self, ref: str) -> tuple[int, int, int | None] | None:
        found = [(c, m, t) for r, c, m, t in self.d.refs if r == ref]
        return found[-1] if found else None

    async def find_ref(self, chat_id: int, message_id: int) -> str | None:
        found = [r for r, c, m, _ in self.d.refs if (c, m) == (chat_id, message_id)]
        return found[-1] if found else None


class MemoryReplies(_Part):
    async def list(self, kind: ReplyKind) -> Sequence[CannedReply]:
        return builtins.list(self.d.replies.get(kind, []))

    async def set(self, reply: CannedReply) -> None:
        replies = self.d.replies.setdefault(reply.kind, [])
        for n, old in enumerate(replies):
            if old.key == reply.key:
                replies[n] = reply
                return
        replies.append(reply)

    async def remove(self, kind: ReplyKind, key: str) -> bool:
        replies = self.d.replies.get(kind, [])
        kept = [r for r in replies if r.key != key]
        self.d.replies[kind] = kept
        return len(kept) != len(replies)


class MemoryFaq(_Part):
    async def rate(self, topic_id: str, helpful: bool, at: datetime) -> None:
        self.d.faq_ratings.append((topic_id[:64], helpful))

    async def miss(self, text: str, at: datetime, chat_id: int | None = None) -> None:
        self.d.faq_misses.append(text[:300])

    async def ratings(self) -> dict[str, tuple[int, int]]:
        counts: dict[str, tuple[int, int]] = {}
        for topic_id, helpful in self.d.faq_ratings:
            yes, no = counts.get(topic_id, (0, 0))
            counts[topic_id] = (yes + 1, no) if helpful else (yes, no + 1)
        return counts

    async def teach(self, text: str, topic_id: str, taught_by: str, at: datetime) -> bool:
        key = (text[:300], topic_id)
        if key in self.d.faq_taught:
            return False
        self.d.faq_taught.add(key)
        return True

    async def top_misses(self, limit: int) -> list[tuple[str, int]]:
        counted = Counter(self.d.faq_misses).items()
        return sorted(counted, key=lambda tc: (-tc[1], tc[0]))[:limit]


class MemoryIncidents(_Part):
    async def get(self, incident_id: str) -> Incident | None:
        return self.d.incidents.get(incident_id)

    async def ids_starting(self, prefix: str) -> Sequence[str]:
        return [i for i in self.d.incidents if i.startswith(prefix)]

    async def declare(self, incident: Incident, actor: str, actor_id: int | None) -> None:
        self.d.incidents[incident.incident_id] = incident

    async def end(self, incident_id: str, at: datetime, actor: str, actor_id: int | None) -> bool:
        incident = self.d.incidents.get(incident_id)
        if incident is None or incident.ended_at is not None:
            return False
        self.d.incidents[incident_id] = replace(incident, ended_at=at)
        return True

    async def ongoing(self, now: datetime) -> Sequence[Incident]:
        going = [
            i
            for i in self.d.incidents.values()
            if i.started_at <= now and (i.ended_at is None or i.ended_at > now)
        ]
        return sorted(going, key=lambda i: (i.started_at, i.incident_id))


class MemoryLanguages(_Part):
    async def get(self, telegram_user_id: int) -> LanguageChoice | None:
        return self.d.languages.get(telegram_user_id)

    async def set(self, telegram_user_id: int, choice: LanguageChoice, at: datetime) -> None:
        self.d.languages[telegram_user_id] = choice


class MemoryEvidence(_Part):
    async def add(self, evidence: Evidence) -> int:
        stored = replace(evidence, id=self.d.new_id("evidence"))
        self.d.evidence.append(stored)
        return stored.id or 0

    async def for_claim(self, claim_id: int) -> Sequence[Evidence]:
        return [e for e in self.d.evidence if e.claim_id == claim_id]

    async def relayed_since(self, telegram_user_id: int, since: datetime) -> Sequence[datetime]:
        return sorted(
            e.received_at
            for e in self.d.evidence
            if e.telegram_user_id == telegram_user_id
            and e.claim_id is None
            and e.received_at > since
        )


class MemoryRatings(_Part):
    async def rate(self, rating: Rating) -> bool:
        if rating.claim_id in self.d.ratings:
            return False
        self.d.ratings[rating.claim_id] = rating
        return True

    async def comment(self, claim_id: int, text: str) -> bool:
        rating = self.d.ratings.get(claim_id)
        if rating is None or rating.comment is not None:
            return False
        self.d.ratings[claim_id] = replace(rating, comment=text)
        return True

    async def get(self, claim_id: int) -> Rating | None:
        return self.d.ratings.get(claim_id)

    async def summary(self) -> tuple[int, float | None]:
        stars = [r.stars for r in self.d.ratings.values()]
        return len(stars), (sum(stars) / len(stars) if stars else None)

    async def latest_comments(self, limit: int) -> Sequence[Rating]:
        commented = [r for r in self.d.ratings.values() if r.comment is not None]
        commented.sort(key=lambda r: (r.rated_at, r.claim_id), reverse=True)
        return commented[:limit]


class MemoryAttempts(_Part):
    async def get(self, subject: str) -> Attempts | None:
        return self.d.attempts.get(subject)

    async def put(self, subject: str, attempts: Attempts) -> None:
        self.d.attempts[subject] = attempts

    async def blocked(self, now: datetime) -> Sequence[tuple[str, Attempts]]:
        waiting = [
            (s, a)
            for s, a in self.d.attempts.items()
            if a.blocked_until is not None and a.blocked_until > now
        ]
        waiting.sort(key=lambda sa: sa[0])
        waiting.sort(key=lambda sa: sa[1].blocked_until or now, reverse=True)
        return waiting

    async def lift(self, subject: str) -> bool:
        return self.d.attempts.pop(subject, None) is not None


class MemoryUnitOfWork:
    """One transaction on a MemoryStore: a private copy, published by commit()."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._data: MemoryData | None = None

        def data() -> MemoryData:
            if self._data is None:
                raise RuntimeError("use the unit of work inside 'async with'")
            return self._data

        self.ledger = MemoryLedger(data)
        self.claims = MemoryClaims(data)
        self.conversations = MemoryConversations(data)
        self.inbox = MemoryInbox(data)
        self.outbox = MemoryOutbox(data)
        self.messages = MemoryMessages(data)
        self.replies = MemoryReplies(data)
        self.faq = MemoryFaq(data)
        self.languages = MemoryLanguages(data)
        self.evidence = MemoryEvidence(data)
        self.ratings = MemoryRatings(data)
        self.attempts = MemoryAttempts(data)
        self.incidents = MemoryIncidents(data)

    async def __aenter__(self) -> MemoryUnitOfWork:
        if self._data is not None:
            raise RuntimeError("a unit of work cannot be entered twice")
        self._data = copy.deepcopy(self._store.data)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._data = None

    async def commit(self) -> None:
        assert self._data is not None
        self._store.data = self._data
        self._store.commits += 1
        self._data = copy.deepcopy(self._data)

    async def rollback(self) -> None:
        self._data = copy.deepcopy(self._store.data)

    async def serialize(self, key: str) -> None:
        """Nothing to hold: these tests run one turn at a time."""
