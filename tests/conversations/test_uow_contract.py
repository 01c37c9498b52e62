"""The in-memory unit of work behaves as the SQL one: the same checks run on both, so the fake
the dialogue's unit tests stand on cannot drift from what production stores."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.inbox import store_updates
from conversations.domain import (
    Approval,
    CannedReply,
    Claim,
    ClaimStatus,
    ConversationState,
    LanguageChoice,
    LiveClaimExists,
    Outcome,
    OutgoingMessage,
    Rating,
    Reason,
    ReplyKind,
)
from conversations.ownership import Attempts
from conversations.ports import UnitOfWork
from storage.database import Database
from storage.demo_data import demo_ledger
from storage.repositories.outbox import _item
from storage.tables import outbox
from tests.conversations.chat_driver import (
    STAFF_CHAT_ID,
    Clock,
    Person,
    Staff,
    World,
    card_of,
    file_claim,
)
from tests.memory_uow import MemoryStore

NOW = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)


@dataclass
class Backend:
    name: str
    uow: Callable[[], UnitOfWork]
    db: Database | None = None
    store: MemoryStore | None = None

    async def receive(self, *update_ids: int) -> None:
        """Updates stored in the inbox, waiting."""
        if self.store is not None:
            for update_id in update_ids:
                self.store.receive(update_id)
        else:
            assert self.db is not None
            await store_updates(self.db, [(u, 1, {"update_id": u}) for u in update_ids], NOW)

    async def queued(self) -> list[OutgoingMessage]:
        if self.store is not None:
            return self.store.outbox()
        assert self.db is not None
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(select(outbox).order_by(outbox.c.id))
            return [_item(row).message for row in rows]


@pytest.fixture(params=["memory", "sql"])
async def backend(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Backend]:
    ledger = demo_ledger(NOW)
    if request.param == "memory":
        store = MemoryStore()
        store.load_ledger(ledger.purchases, ledger.campaigns, ledger.incidents)
        yield Backend("memory", store.uow, store=store)
        return
    db = Database(database_url)
    try:
        await db.upgrade()
        async with db.uow() as uow:
            await uow.ledger.upsert_purchases(ledger.purchases)
            await uow.ledger.upsert_campaigns(ledger.campaigns)
            await uow.ledger.upsert_incidents(ledger.incidents)
            await uow.commit()
        yield Backend("sql", db.uow, db=db)
    finally:
        await db.dispose()


def _claim(tx: str = "TX-1001", status: ClaimStatus = ClaimStatus.ESCALATED, **kw: object) -> Claim:
    values: dict[str, object] = {
        "id": None,
        "status": status,
        "outcome": Outcome.ELIGIBLE,
        "reason": Reason.UNDELIVERED,
        "transaction_id": tx,
        "telegram_user_id": 7,
        "chat_id": 7,
        "refundable_credits": 100,
        "clauses": [],
        "created_at": NOW,
        "updated_at": NOW,
        "escalated_at": NOW,
    }
    values.update(kw)
    return Claim(**values)  # type: ignore[arg-type]


async def test_conversation_state_is_saved_only_over_the_version_it_was_read_at(
    backend: Backend,
) -> None:
    async with backend.uow() as uow:
        fresh = await uow.conversations.load(5)
        assert (fresh.step, fresh.version) == ("menu", 0)
        fresh.step, fresh.slots, fresh.updated_at = "tx", {"a": 1}, NOW
        assert await uow.conversations.save(fresh)
        await uow.commit()
    async with backend.uow() as uow:
        stale = ConversationState(chat_id=5, step="owner", version=0, updated_at=NOW)
        assert not await uow.conversations.save(stale)
        now = await uow.conversations.load(5)
        assert (now.step, now.slots, now.version) == ("tx", {"a": 1}, 1)


async def test_work_left_without_commit_is_lost(backend: Backend) -> None:
    async with backend.uow() as uow:
        await uow.conversations.save(ConversationState(chat_id=6, step="tx", updated_at=NOW))
        await uow.languages.set(6, _language("ur"), NOW)
    async with backend.uow() as uow:
        assert (await uow.conversations.load(6)).version == 0
        assert await uow.languages.get(6) is None


async def test_a_turn_reads_its_state_language_and_waiting_questions_at_once(
    backend: Backend,
) -> None:
    async with backend.uow() as uow:
        fresh = await uow.conversations.load_turn(7, 7)
        assert (fresh.state.step, fresh.state.version, fresh.language, fresh.questions) == (
            "menu",
            0,
            None,
            (),
        )
        await uow.conversations.save(ConversationState(chat_id=7, step="tx", updated_at=NOW))
        await uow.languages.set(7, _language("ur"), NOW)
        older = await uow.claims.add(_claim("TX-1001", ClaimStatus.INFO_REQUESTED))
        newer = await uow.claims.add(
            _claim("TX-1002", ClaimStatus.INFO_REQUESTED, created_at=NOW + timedelta(minutes=1))
        )
        # Not waiting in this chat: another status, another chat, another customer.
        await uow.claims.add(_claim("TX-1003", ClaimStatus.ESCALATED))
        await uow.claims.add(_claim("TX-1004", ClaimStatus.INFO_REQUESTED, chat_id=70))
        await uow.claims.add(_claim("TX-1005", ClaimStatus.INFO_REQUESTED, telegram_user_id=8))
        await uow.commit()
    async with backend.uow() as uow:
        snapshot = await uow.conversations.load_turn(7, 7)
    assert (snapshot.state.step, snapshot.state.version) == ("tx", 1)
    assert snapshot.language == _language("ur")
    assert [q.claim_id for q in snapshot.questions] == [newer.id, older.id]
    assert all(q.asked_at == NOW for q in snapshot.questions)


def _language(code: str) -> LanguageChoice:
    return LanguageChoice(code, chosen=True)


async def test_an_update_is_claimed_once_and_only_when_stored(backend: Backend) -> None:
    await backend.receive(1, 2)
    async with backend.uow() as uow:
        assert await uow.inbox.claim(1, NOW)
        await uow.rollback()
    async with backend.uow() as uow:
        assert await uow.inbox.claim(1, NOW)
        assert not await uow.inbox.claim(1, NOW)
        assert not await uow.inbox.claim(3, NOW)  # never stored
        await uow.commit()
    async with backend.uow() as uow:
        assert not await uow.inbox.claim(1, NOW)
        assert await uow.inbox.claim(2, NOW)


async def test_one_live_claim_per_transaction_and_numbers_from_one(backend: Backend) -> None:
    async with backend.uow() as uow:
        first = await uow.claims.add(_claim())
        ineligible = await uow.claims.add(
            _claim(status=ClaimStatus.INELIGIBLE, outcome=Outcome.INELIGIBLE, escalated_at=None)
        )
        with pytest.raises(LiveClaimExists) as refused:
            await uow.claims.add(_claim())
        await uow.commit()
    assert (first.id, ineligible.id) == (1, 2)
    assert refused.value.existing is not None and refused.value.existing.id == 1
    async with backend.uow() as uow:
        assert [c.id for c in await uow.claims.for_transaction("TX-1001")] == [1, 2]
        assert [c.id for c in await uow.claims.open_oldest_first(10)] == [1]
        live = await uow.claims.live_for_transaction("TX-1001")
        assert live is not None and live.id == 1
        assert await uow.claims.count_by_status() == {"escalated": 1, "ineligible": 1}


async def test_a_transition_happens_only_from_the_allowed_statuses(backend: Backend) -> None:
    async with backend.uow() as uow:
        claim = await uow.claims.add(_claim())
        assert claim.id is not None
        taken = replace(claim, status=ClaimStatus.IN_REVIEW, assigned_to="Sam")
        assert not await uow.claims.transition(claim.id, frozenset({ClaimStatus.APPROVED}), taken)
        assert await uow.claims.transition(claim.id, frozenset({ClaimStatus.ESCALATED}), taken)
        await uow.commit()
    async with backend.uow() as uow:
        stored = await uow.claims.get(1)
        assert stored is not None and stored.status is ClaimStatus.IN_REVIEW
        assert stored.assigned_to == "Sam" and stored.created_at == NOW


async def test_approvals_book_credits_up_to_the_purchase_and_pay_a_campaign_once(
    backend: Backend,
) -> None:
    from_review = frozenset({ClaimStatus.ESCALATED})
    async with backend.uow() as uow:
        big = await uow.claims.add(_claim("TX-1001", refundable_credits=4000))
        assert big.id is not None
        approved = replace(big, status=ClaimStatus.APPROVED, campaign_ids=["CMP-1001"])
        assert await uow.claims.approve(big.id, from_review, approved) is Approval.DONE
        assert await uow.claims.approve(big.id, from_review, approved) is Approval.STALE
        # While it is live, no other claim on the purchase can be approved.
        other = await uow.claims.add(
            _claim(status=ClaimStatus.INELIGIBLE, created_at=NOW + timedelta(seconds=1))
        )
        assert other.id is not None
        again = replace(other, status=ClaimStatus.APPROVED)
        allowed = frozenset({ClaimStatus.INELIGIBLE})
        assert await uow.claims.approve(other.id, allowed, again) is Approval.LIVE_EXISTS
        refunded = replace(approved, status=ClaimStatus.REFUNDED, refunded_at=NOW)
        assert await uow.claims.transition(big.id, frozenset({ClaimStatus.APPROVED}), refunded)
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.claims.credits_approved("TX-1001") == 4000
        later = NOW + timedelta(seconds=2)
        second = await uow.claims.add(_claim(refundable_credits=2000, created_at=later))
        assert second.id is not None
        # 4,000 booked of 5,000: 2,000 more is over the cap.
        over = replace(second, status=ClaimStatus.APPROVED)
        assert await uow.claims.approve(second.id, from_review, over) is Approval.OVER_CAP
        paid = replace(second, status=ClaimStatus.APPROVED, refundable_credits=10)
        paid.campaign_ids = ["CMP-1001"]
        assert await uow.claims.approve(second.id, from_review, paid) is Approval.CAMPAIGN_PAID
        assert await uow.claims.credits_approved("TX-1001") == 4000


async def test_replies_ratings_attempts_refs_and_faq_log(backend: Backend) -> None:
    async with backend.uow() as uow:
        await uow.replies.set(CannedReply(ReplyKind.REJECT, "late", "Too late"))
        await uow.replies.set(CannedReply(ReplyKind.REJECT, "dup", "Duplicate"))
        await uow.replies.set(CannedReply(ReplyKind.REJECT, "late", "Asked too late"))
        await uow.claims.add(_claim(status=ClaimStatus.REFUNDED))  # ratings are of a claim
        assert await uow.ratings.rate(Rating(1, 7, 4, NOW))
        assert not await uow.ratings.rate(Rating(1, 7, 5, NOW))
        assert await uow.ratings.comment(1, "quick")
        assert not await uow.ratings.comment(1, "again")
        await uow.attempts.put("user:1", Attempts(2, NOW, NOW + timedelta(minutes=1)))
        await uow.attempts.put("tx:TX-1", Attempts(3, NOW, NOW + timedelta(hours=1)))
        await uow.attempts.put("user:2", Attempts(1, NOW, None))
        await uow.messages.remember("card:1", -100, 10)
        await uow.messages.remember("card:1", -100, 11, 5)
        # A message remembered again keeps its place: the newest message under a ref wins.
        await uow.messages.remember("card:1", -100, 10)
        await uow.messages.remember("relay:7", -100, 12)
        await uow.messages.remember("prompt:ask:1", -100, 12)
        for text in ("b", "a", "b"):
            await uow.faq.miss(text, NOW)
        await uow.faq.rate("refund-policy", True, NOW)
        await uow.faq.rate("refund-policy", False, NOW)
        await uow.commit()
    async with backend.uow() as uow:
        replies = await uow.replies.list(ReplyKind.REJECT)
        assert [(r.key, r.text) for r in replies] == [
            ("late", "Asked too late"),
            ("dup", "Duplicate"),
        ]
        assert await uow.replies.remove(ReplyKind.REJECT, "dup")
        assert not await uow.replies.remove(ReplyKind.REJECT, "dup")
        rating = await uow.ratings.get(1)
        assert rating is not None and (rating.stars, rating.comment) == (4, "quick")
        assert await uow.ratings.summary() == (1, 4.0)
        blocked = await uow.attempts.blocked(NOW)
        assert [subject for subject, _ in blocked] == ["tx:TX-1", "user:1"]
        assert await uow.attempts.lift("user:1") and not await uow.attempts.lift("user:9")
        assert await uow.messages.lookup("card:1") == (-100, 11, 5)
        assert await uow.messages.find_ref(-100, 10) == "card:1"
        assert await uow.messages.find_ref(-100, 12) == "prompt:ask:1"
        assert await uow.messages.lookup("relay:7") is None
        assert await uow.faq.top_misses(5) == [("b", 2), ("a", 1)]
        assert await uow.faq.ratings() == {"refund-policy": (1, 1)}


async def _transcript(world: World) -> list[str]:
    alice = Person(world, 502, "Alice")
    await alice.says("/start")
    await alice.says("/claim")
    await alice.says("TX-1001")
    reasons = await alice.says("demo1@example.com")
    await alice.press(reasons, "not delivered")
    await alice.press(alice.next("which campaign"), "CMP")
    await alice.press(alice.next("check your claim"), "Send")
    decision = alice.next("claim #")
    assert "qualifies for a refund of 120 credits" in decision.text
    await alice.says("/status")
    await alice.says("how long does a refund take?")
    return alice.texts() + [m.text for m in world.messages(STAFF_CHAT_ID)]


async def _sql_world(db: Database) -> World:
    """The same desk and demo ledger on the SQL unit of work."""
    sql = Backend("sql", db.uow, db=db)
    ledger = demo_ledger(NOW)
    async with db.uow() as uow:
        await uow.ledger.upsert_purchases(ledger.purchases)
        await uow.ledger.upsert_campaigns(ledger.campaigns)
        await uow.ledger.upsert_incidents(ledger.incidents)
        await uow.commit()
    return World(clock=Clock(NOW), uow=db.uow, queued=sql.queued)


async def test_the_same_dialogue_says_the_same_on_both(db: Database) -> None:
    memory = World(clock=Clock(NOW))
    on_sql = await _sql_world(db)
    said = await _transcript(memory)
    assert len(said) > 8
    assert said == await _transcript(on_sql)


async def _staff_transcript(world: World) -> list[str]:
    alice = Person(world, 502, "Alice", username="alice")
    await file_claim(alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP")
    sara = Staff(world, 9001, "Sara", "sara")
    card = card_of(world, 1)
    toasts = [await sara.press(card, "Take"), await sara.press(card, "Ask customer")]
    await sara.reply(sara.next("your question"), "Which sender ID?")
    await alice.says("ACME")
    await sara.press(card, "Approve")
    toasts.append(await sara.press(sara.next("Approve claim #1"), "Approve 120"))
    toasts.append(await sara.press(card, "Mark refunded"))
    await sara.says("/note 1 paid by hand")
    await sara.says("/card 1")
    await sara.says("/find @alice")
    chats = alice.texts() + sara.texts()
    return chats + [t or "" for t in toasts] + [m.text for m in world.messages(STAFF_CHAT_ID)]


async def test_the_same_staff_turns_say_the_same_on_both(db: Database) -> None:
    memory = World(clock=Clock(NOW))
    on_sql = await _sql_world(db)
    said = await _staff_transcript(memory)
    assert "💸 Your refund for claim #1 (120 credits) has been paid." in said
    assert said == await _staff_transcript(on_sql)
