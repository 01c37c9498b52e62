"""services.changes.change_claim, the one door for every change to a claim, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from conversations.claims.lifecycle import Actor, Refusal
from conversations.claims.transitions import Transition
from conversations.config import DeskConfig
from conversations.domain import AuditKind, ClaimStatus, Kind, Outcome, Purchase
from conversations.services.changes import CardUpdate, change_claim
from storage import Database
from tests.storage.test_claims_repository import a_claim, add

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
STAFF_CHAT = -100_555
DESK = DeskConfig(home_country="PK", staff_chat_id=STAFF_CHAT)
SARA = Actor("Sara (@sara)", 9001)


async def _ledger(db: Database) -> None:
    purchase = Purchase(
        "TX-1", "ACC", "+923001234567", "", NOW - timedelta(hours=5), Kind.PACKAGE, 200, 20,
        Decimal("500.00"), "PKR",
    )  # fmt: skip
    async with db.uow() as uow:
        await uow.ledger.upsert_purchases([purchase])
        await uow.commit()


async def test_approving_a_refused_claim_is_an_overrule_only_when_the_door_says_so(
    db: Database,
) -> None:
    await _ledger(db)
    [claim] = await add(
        db, a_claim(status=ClaimStatus.INELIGIBLE, outcome=Outcome.INELIGIBLE, refundable_credits=0)
    )
    assert claim.id is not None

    async with db.uow() as uow:
        plain = await change_claim(uow, claim.id, Transition.APPROVE, SARA, NOW, DESK, credits=50)
        unexplained = await change_claim(
            uow, claim.id, Transition.APPROVE, SARA, NOW, DESK, credits=50, overrule_refused=True
        )
        overruled = await change_claim(
            uow,
            claim.id,
            Transition.APPROVE,
            SARA,
            NOW,
            DESK,
            credits=50,
            text="the route was ours",
            overrule_refused=True,
        )
        await uow.commit()
        trail = await uow.claims.audit(claim.id)

    assert (plain.refusal, plain.transition) == (Refusal.STATUS, Transition.APPROVE)
    assert (unexplained.refusal, unexplained.transition) == (
        Refusal.NEEDS_REASON,
        Transition.OVERRULE,
    )
    assert plain.messages == () and unexplained.messages == ()
    assert overruled.ok and overruled.transition is Transition.OVERRULE
    assert overruled.claim is not None and overruled.claim.status is ClaimStatus.APPROVED
    # The customer's message, then the staff card brought up to date.
    customer, card = overruled.messages
    assert "looked at your claim #1 again" in customer.text and "50 credits" in customer.text
    assert card.chat_id == STAFF_CHAT and card.edit_ref is not None
    assert "Overruled by Sara (@sara): “the route was ours”" in card.text
    overrule = trail[-1]
    assert (overrule.kind, overrule.text) == (AuditKind.OVERRULED, "the route was ours")
    assert (overrule.credits_before, overrule.credits_after) == (0, 50)


async def test_a_bulk_approval_updates_only_cards_already_posted(db: Database) -> None:
    await _ledger(db)
    [claim] = await add(db, a_claim())
    assert claim.id is not None

    async with db.uow() as uow:
        change = await change_claim(
            uow,
            claim.id,
            Transition.APPROVE,
            SARA,
            NOW,
            DESK,
            card_update=CardUpdate.IF_POSTED,
        )
        await uow.commit()

    assert change.ok
    [customer] = change.messages  # no card: none was posted for this claim
    assert customer.chat_id == claim.chat_id and "is approved: 120 credits" in customer.text
