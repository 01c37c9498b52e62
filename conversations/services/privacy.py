"""Privacy: what the desk holds about a customer (/mydata), and forgetting them (/forget).

Every door (the chat, the CLI) calls these; the SQL is the store's (storage.repositories.privacy).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from conversations.catalog.policy_text import explain_en
from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition, allows
from conversations.config import DeskConfig
from conversations.domain import (
    ERASED_TEXT,
    OPEN_STATUSES,
    AuditEntry,
    AuditKind,
    Claim,
    OutgoingMessage,
)
from conversations.faq.privacy import scrub
from conversations.ports import Clock, UnitOfWork
from conversations.services.changes import change_claim
from conversations.staff import card

# The kind under which an erasure counts the applied updates of everyone it sweeps.
SWEPT = "applied_updates"
# How often a customer may have /mydata.
EXPORT_EVERY = timedelta(days=1)
# Audit entries whose text a machine wrote (an outcome, a re-check): kept as they are.
_MACHINE_KINDS = frozenset({AuditKind.FILED, AuditKind.REOPENED, AuditKind.ERASED})
# The audit note that tells staff, on the card, why the claim lost its customer.
FORGOTTEN_NOTE = "the customer asked to be forgotten (erased #{erasure})"


class PrivacyStore(Protocol):
    """What the privacy service needs beyond the unit of work's repositories."""

    async def take_export(self, user_id: int, now: datetime, every: timedelta) -> bool: ...
    async def last_export(self, user_id: int) -> datetime | None: ...
    async def chats_of(self, user_id: int) -> list[int]: ...
    async def held(self, user_id: int, chats: Collection[int]) -> dict[str, Any]: ...
    async def typed_texts(self, chats: Collection[int]) -> list[str]: ...
    async def claims_of(self, user_id: int) -> list[tuple[int, str]]: ...
    async def identifiers(
        self, user_id: int, chats: Collection[int], transaction_ids: Collection[str]
    ) -> list[str]: ...
    async def begin_erasure(self, at: datetime, by: str) -> int: ...
    async def finish_erasure(self, erasure_id: int, kinds: dict[str, int], count: int) -> None: ...
    async def audit_entries(self, claim_ids: Collection[int]) -> list[tuple[int, AuditEntry]]: ...
    async def rewrite_audit(
        self, claim_ids: Collection[int], user_id: int | None, erased: dict[int, AuditEntry]
    ) -> int: ...
    async def anonymise_claims(self, claim_ids: Collection[int], label: str) -> int: ...
    async def erase_user_rows(
        self,
        user_id: int,
        chats: Collection[int],
        claim_ids: Collection[int],
        transaction_ids: Collection[str],
        misses: Collection[str],
        needles: Collection[str],
        keep_chat: int | None,
    ) -> dict[str, int]: ...


def erased_label(erasure_id: int) -> str:
    """How an erased customer is shown on their claims."""
    return f"erased #{erasure_id}"


def without_words(entry: AuditEntry) -> AuditEntry:
    """The entry without what a person wrote: its kind, actor and credits stay."""
    if entry.kind in _MACHINE_KINDS or not entry.text:
        return entry
    return replace(entry, text=ERASED_TEXT)


def _scrubbed(texts: Sequence[str]) -> list[str]:
    """The FAQ-miss rows the texts may have left (the FAQ keeps them scrubbed)."""
    return sorted({scrub(t.strip()) for t in texts if t.strip()})


@dataclass(frozen=True)
class Forgotten:
    """What an erasure did: its number, the claims withdrawn first, the rows per kind."""

    erasure_id: int
    withdrawn: tuple[int, ...]
    claims: tuple[int, ...]
    kinds: dict[str, int]
    # The language the customer read, to tell them (read before it was erased).
    language: str | None
    # Staff cards brought up to date ("erased #N"), for the caller to queue.
    staff_messages: tuple[OutgoingMessage, ...] = field(default=())

    @property
    def anything(self) -> bool:
        """Whether anything of theirs was found (the sweep of everyone's updates aside)."""
        return bool(self.claims or set(self.kinds) - {SWEPT})


async def forget(
    uow: UnitOfWork,
    store: PrivacyStore,
    user_id: int,
    *,
    by: str,
    clock: Clock,
    config: DeskConfig,
    keep_chat: int | None = None,
) -> Forgotten:
    """Erase or anonymise everything about `user_id`, in the caller's transaction.

    Open claims are withdrawn first (through the claim lifecycle); every claim stays for
    finance as "erased #N". Idempotent: a second run finds nothing of theirs left to erase.
    `keep_chat` is the chat whose turn this is: its row is reset, not deleted, so the turn can
    save it. The caller commits, tells the customer, and queues `staff_messages`.
    """
    if user_id <= 0:
        raise ValueError(f"not a Telegram user id: {user_id}")
    now = clock()
    chosen = await uow.languages.get(user_id)
    chats = await store.chats_of(user_id)
    owned = await store.claims_of(user_id)
    claim_ids = [c for c, _tx in owned]
    withdrawn = await _withdraw_open(uow, claim_ids, by, now, config)
    erasure_id = await store.begin_erasure(now, by)
    transactions = sorted({tx for _c, tx in owned})
    texts = await store.typed_texts(chats)
    needles = await store.identifiers(user_id, chats, transactions)
    kinds: dict[str, int] = {}
    rewritten = await erase_trails(store, claim_ids, user_id)
    if rewritten:
        kinds["audit_notes"] = rewritten
    anonymised = await store.anonymise_claims(claim_ids, erased_label(erasure_id))
    if anonymised:
        kinds["claims"] = anonymised
    erased = await store.erase_user_rows(
        user_id,
        chats,
        claim_ids,
        transactions,
        _scrubbed(texts),
        needles,
        keep_chat,
    )
    kinds.update(erased)
    for claim_id in claim_ids:
        await uow.claims.add_audit(_forgotten_entry(claim_id, now, by, erasure_id))
    await store.finish_erasure(erasure_id, kinds, len(claim_ids))
    staff = await _cards_to_update(uow, claim_ids, now, config)
    return Forgotten(
        erasure_id=erasure_id,
        withdrawn=tuple(withdrawn),
        claims=tuple(claim_ids),
        kinds=kinds,
        language=chosen.language if chosen is not None else None,
        staff_messages=tuple(staff),
    )


async def erase_trails(store: PrivacyStore, claim_ids: list[int], user_id: int | None) -> int:
    """Blank the words people wrote in the claims' audit trails; how many entries changed."""
    erased = {
        audit_id: new
        for audit_id, entry in await store.audit_entries(claim_ids)
        if (new := without_words(entry)) != entry
    }
    return await store.rewrite_audit(claim_ids, user_id, erased)


async def _withdraw_open(
    uow: UnitOfWork, claim_ids: list[int], by: str, now: datetime, config: DeskConfig
) -> list[int]:
    """Withdraw the customer's open claims through the claim service; which were."""
    withdrawn: list[int] = []
    for claim_id in claim_ids:
        claim = await uow.claims.get(claim_id)
        if claim is None or claim.status not in OPEN_STATUSES:
            continue
        if not allows(claim, Transition.WITHDRAW):
            continue
        change = await change_claim(
            uow, claim_id, Transition.WITHDRAW, Actor(by, None), now, config
        )
        if change.result.ok:
            withdrawn.append(claim_id)
    return withdrawn


async def _cards_to_update(
    uow: UnitOfWork, claim_ids: list[int], now: datetime, config: DeskConfig
) -> list[OutgoingMessage]:
    """The staff cards that now show "erased #N"."""
    staff: list[OutgoingMessage] = []
    if config.staff_chat_id is None:
        return staff
    for claim_id in claim_ids:
        claim = await uow.claims.get(claim_id)
        # Only a claim that was escalated, or shown with /card, has a card to bring up to date.
        if claim is None:
            continue
        if claim.escalated_at is not None or await uow.messages.lookup(card.card_ref(claim_id)):
            staff.append(await card.card_message(uow, claim, now, config, edit=True))
    return staff


def _forgotten_entry(claim_id: int, now: datetime, by: str, erasure_id: int) -> AuditEntry:
    return AuditEntry(
        claim_id,
        now,
        by,
        None,
        None,
        None,
        AuditKind.ERASED,
        FORGOTTEN_NOTE.format(erasure=erasure_id),
    )


async def export(
    uow: UnitOfWork, store: PrivacyStore, user_id: int, clock: Clock
) -> dict[str, Any]:
    """Everything held about `user_id`, as one JSON-able document."""
    chats = await store.chats_of(user_id)
    claims: list[dict[str, Any]] = []
    for claim in await uow.claims.for_user(user_id):
        claims.append(await _claim_document(uow, claim))
    held = await store.held(user_id, chats)
    last = await store.last_export(user_id)
    return {
        "telegram_user_id": user_id,
        "made_at": clock().isoformat(),
        "claims": claims,
        **held,
        "last_mydata_at": last.isoformat() if last else None,
    }


async def _claim_document(uow: UnitOfWork, claim: Claim) -> dict[str, Any]:
    assert claim.id is not None
    trail = await uow.claims.audit(claim.id)
    return {
        **claim.as_json(explain_en),
        "customer_name": claim.customer_name,
        "customer_username": claim.customer_username,
        "pending_question": claim.pending_question,
        "audit": [
            {
                "at": a.at.isoformat(),
                "actor": a.actor,
                "from_status": a.from_status.value if a.from_status else None,
                "to_status": a.to_status.value if a.to_status else None,
                "note": a.note,
            }
            for a in trail
        ],
    }


async def mydata(
    uow: UnitOfWork,
    store: PrivacyStore,
    user_id: int,
    clock: Clock,
    every: timedelta = EXPORT_EVERY,
) -> dict[str, Any] | None:
    """The customer's own copy, at most once per `every`; None when asked again too soon."""
    if not await store.take_export(user_id, clock(), every):
        return None
    return await export(uow, store, user_id, clock)


async def next_export_at(
    store: PrivacyStore, user_id: int, every: timedelta = EXPORT_EVERY
) -> datetime | None:
    """When /mydata may be asked again; None when it may be now."""
    last = await store.last_export(user_id)
    return None if last is None else last + every
