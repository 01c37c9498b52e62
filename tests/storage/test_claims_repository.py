"""Claims: stored, found, filtered and moved between statuses only from allowed ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from conversations import i18n
from conversations.catalog.policy_text import explain, explain_en
from conversations.domain import (
    OPEN_STATUSES,
    AuditEntry,
    AuditKind,
    Claim,
    ClaimStatus,
    ClauseResult,
    Outcome,
    Reason,
)
from storage import Database
from storage.tables import claims

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def a_claim(
    transaction_id: str = "TX-1",
    status: ClaimStatus = ClaimStatus.ESCALATED,
    at: datetime = T0,
    **changes: object,
) -> Claim:
    claim = Claim(
        id=None,
        status=status,
        outcome=Outcome.ELIGIBLE,
        reason=Reason.UNDELIVERED,
        transaction_id=transaction_id,
        telegram_user_id=5_000_000_001,
        chat_id=5_000_000_001,
        refundable_credits=120,
        clauses=[
            ClauseResult.of(
                "C-WINDOW",
                True,
                "window_passed",
                age_=timedelta(hours=5, microseconds=7),
                purchased_at=at - timedelta(hours=5),
                deadline=at + timedelta(days=2),
            ),
            ClauseResult.of(
                "C-CAUSE", True, "cause_passed", failed_platform=120, messages_sent=500, credits=120
            ),
            ClauseResult.of("C-ONCE", True, "once_passed", left=80, credits=200, claim_ids=(3, 4)),
        ],
        created_at=at,
        updated_at=at,
        campaign_id="CMP-1",
        escalated_at=at if status is not ClaimStatus.INELIGIBLE else None,
        customer_name="Ayesha",
    )
    return replace(claim, **changes)  # type: ignore[arg-type]


async def add(db: Database, *claims: Claim) -> list[Claim]:
    async with db.uow() as uow:
        added = [await uow.claims.add(c) for c in claims]
        await uow.commit()
    return added


async def test_a_claim_comes_back_as_it_was_stored_with_a_number(db: Database) -> None:
    [stored] = await add(db, a_claim(description="Nothing arrived", incident_id=None))

    async with db.uow() as uow:
        loaded = await uow.claims.get(stored.id or 0)

    assert stored.id is not None and stored.id >= 1
    assert loaded == stored
    assert loaded.created_at.tzinfo is not None and loaded.created_at == T0
    assert loaded.clauses == stored.clauses
    assert loaded.clauses[0].facts["age_"] == timedelta(hours=5, microseconds=7)
    assert loaded.clauses[2].facts["claim_ids"] == (3, 4)


async def test_claim_numbers_count_up_and_unknown_numbers_find_nothing(db: Database) -> None:
    first, second = await add(db, a_claim("TX-1"), a_claim("TX-2"))

    async with db.uow() as uow:
        missing = await uow.claims.get((second.id or 0) + 100)

    assert (second.id or 0) > (first.id or 0)
    assert missing is None


async def test_list_is_newest_first_and_filters_by_status(db: Database) -> None:
    await add(
        db,
        a_claim("TX-1", at=T0),
        a_claim("TX-2", ClaimStatus.INELIGIBLE, at=T0 + timedelta(minutes=1)),
        a_claim("TX-3", at=T0 + timedelta(minutes=2)),
    )

    async with db.uow() as uow:
        everything = await uow.claims.list()
        escalated = await uow.claims.list(ClaimStatus.ESCALATED)
        refunded = await uow.claims.list(ClaimStatus.REFUNDED)

    assert [c.transaction_id for c in everything] == ["TX-3", "TX-2", "TX-1"]
    assert [c.transaction_id for c in escalated] == ["TX-3", "TX-1"]
    assert refunded == []


async def test_the_live_claim_on_a_transaction_blocks_a_second_one(db: Database) -> None:
    await add(
        db,
        a_claim("TX-1", ClaimStatus.REJECTED),
        a_claim("TX-1", ClaimStatus.IN_REVIEW, at=T0 + timedelta(hours=1)),
        a_claim("TX-2", ClaimStatus.CANCELLED),
    )

    async with db.uow() as uow:
        live = await uow.claims.live_for_transaction("TX-1")
        none_live = await uow.claims.live_for_transaction("TX-2")

    assert live is not None and live.status is ClaimStatus.IN_REVIEW
    assert none_live is None


async def test_a_customer_sees_only_their_own_claims(db: Database) -> None:
    await add(db, a_claim("TX-1"), a_claim("TX-2", telegram_user_id=42, chat_id=42))

    async with db.uow() as uow:
        mine = await uow.claims.for_user(42)

    assert [c.transaction_id for c in mine] == ["TX-2"]


async def test_transition_applies_only_from_an_allowed_status(db: Database) -> None:
    [claim] = await add(db, a_claim())
    assert claim.id is not None
    taken = replace(
        claim,
        status=ClaimStatus.IN_REVIEW,
        assigned_to="Bilal",
        assigned_to_id=77,
        updated_at=T0 + timedelta(minutes=5),
    )

    async with db.uow() as uow:
        first = await uow.claims.transition(claim.id, frozenset({ClaimStatus.ESCALATED}), taken)
        await uow.commit()
    async with db.uow() as uow:
        # A second staff member pressing "take" on the same card a moment later.
        second = await uow.claims.transition(
            claim.id, frozenset({ClaimStatus.ESCALATED}), replace(taken, assigned_to="Sara")
        )
        await uow.commit()
    async with db.uow() as uow:
        stored = await uow.claims.get(claim.id)

    assert first is True
    assert second is False
    assert stored is not None
    assert stored.status is ClaimStatus.IN_REVIEW and stored.assigned_to == "Bilal"
    assert stored.updated_at == T0 + timedelta(minutes=5)


async def test_a_transition_not_committed_changes_nothing(db: Database) -> None:
    [claim] = await add(db, a_claim())
    assert claim.id is not None

    async with db.uow() as uow:
        await uow.claims.transition(
            claim.id, OPEN_STATUSES, replace(claim, status=ClaimStatus.APPROVED)
        )
    async with db.uow() as uow:
        stored = await uow.claims.get(claim.id)

    assert stored is not None and stored.status is ClaimStatus.ESCALATED


async def test_the_audit_trail_keeps_every_step_in_order(db: Database) -> None:
    [claim] = await add(db, a_claim())
    assert claim.id is not None
    entries = [
        AuditEntry(
            claim.id, T0, "bot", None, None, ClaimStatus.ESCALATED, AuditKind.FILED, "eligible"
        ),
        AuditEntry(
            claim.id,
            T0 + timedelta(minutes=3),
            "Bilal",
            77,
            ClaimStatus.ESCALATED,
            ClaimStatus.IN_REVIEW,
            AuditKind.TAKEN,
        ),
        AuditEntry(
            claim.id,
            T0 + timedelta(minutes=4),
            "Sara",
            78,
            ClaimStatus.INELIGIBLE,
            ClaimStatus.APPROVED,
            AuditKind.OVERRULED,
            "the route failed; credits 5 -> 6",  # staff words that look like the summary
            credits_before=100,
            credits_after=80,
        ),
    ]

    async with db.uow() as uow:
        for entry in reversed(entries):
            await uow.claims.add_audit(entry)
        await uow.commit()
    async with db.uow() as uow:
        trail = await uow.claims.audit(claim.id)

    assert list(trail) == entries
    assert trail[2].text == "the route failed; credits 5 -> 6"
    assert trail[2].note == "overruled: the route failed; credits 5 -> 6; credits 100 -> 80"


async def test_queue_counts_reports_and_incident_lookups(db: Database) -> None:
    await add(
        db,
        a_claim("TX-1", ClaimStatus.IN_REVIEW, at=T0 + timedelta(hours=2)),
        a_claim("TX-2", ClaimStatus.ESCALATED, at=T0),
        a_claim("TX-3", ClaimStatus.INELIGIBLE, at=T0),
        a_claim("TX-4", ClaimStatus.INFO_REQUESTED, at=T0 + timedelta(hours=1)),
        a_claim("TX-5", ClaimStatus.APPROVED, at=T0, incident_id="INC-1", reason=Reason.OUTAGE),
        a_claim(
            "TX-6",
            ClaimStatus.ESCALATED,
            at=T0 + timedelta(hours=3),
            incident_id="INC-1",
            outcome=Outcome.REVIEW,
        ),
    )

    async with db.uow() as uow:
        queue = await uow.claims.open_oldest_first(limit=10)
        second_page = await uow.claims.open_oldest_first(limit=2, offset=2)
        counts = await uow.claims.count_by_status()
        escalated = await uow.claims.escalated_between(
            T0 + timedelta(hours=1), T0 + timedelta(hours=3)
        )
        escalated_count = await uow.claims.count_escalated_between(
            T0 + timedelta(hours=1), T0 + timedelta(hours=3)
        )
        on_incident = await uow.claims.for_incident("INC-1")
        to_review = await uow.claims.for_incident("INC-1", ClaimStatus.ESCALATED, Outcome.REVIEW)

    assert [c.transaction_id for c in queue] == ["TX-2", "TX-4", "TX-1", "TX-6"]
    assert [c.transaction_id for c in second_page] == ["TX-1", "TX-6"]
    assert escalated_count == len(escalated)
    assert counts == {
        "in_review": 1,
        "escalated": 2,
        "ineligible": 1,
        "info_requested": 1,
        "approved": 1,
    }
    assert [c.transaction_id for c in escalated] == ["TX-4", "TX-1"]
    assert [c.transaction_id for c in on_incident] == ["TX-5", "TX-6"]
    assert [c.transaction_id for c in to_review] == ["TX-6"]


async def test_a_claim_decided_before_clauses_were_facts_keeps_its_words(db: Database) -> None:
    """Clauses stored as text (before 0010) come back as recorded words, in each language."""
    [claim] = await add(db, a_claim())
    old = [{"id": "C-WINDOW", "passed": False, "explanation": "Too late.", "in": {"ur": "دیر"}}]
    async with db.uow() as uow:
        await uow.session.execute(
            claims.update().where(claims.c.id == claim.id).values(clauses=old)
        )
        await uow.commit()
    async with db.uow() as uow:
        loaded = await uow.claims.get(claim.id or 0)

    assert loaded is not None
    [clause] = loaded.clauses
    assert (clause.id, clause.passed, clause.finding) == ("C-WINDOW", False, "")
    assert explain_en(clause) == "Too late."
    with i18n.use("ur"):
        assert explain(clause) == "دیر"
