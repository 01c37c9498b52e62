"""Property-based: random interleavings of customers filing and staff acting never break C-ONCE.

Each example loads two fresh purchases and runs a random sequence of batches; the operations of
a batch run at the same time, each in its own transaction (truly concurrent on PostgreSQL).
Afterwards the database itself is asked whether any money invariant broke. CI runs 25 examples
per database; for a longer search: HYPOTHESIS_PROFILE=long pytest tests/storage -k invariant
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from conversations.catalog.customer import RATE_ASK
from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.config import DeskConfig
from conversations.domain import (
    LIVE_STATUSES,
    PAID_STATUSES,
    Campaign,
    ClaimRequest,
    Incident,
    Kind,
    Purchase,
    Reason,
)
from conversations.services.claims import Claimant, file_claim
from conversations.services.staff import staff_act
from storage.database import Database
from storage.tables import claim_audit, outbox, purchases, refunded_campaigns

settings.register_profile("ci", max_examples=25, deadline=None)
settings.register_profile("long", max_examples=1_000, deadline=None)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CREDITS = 100
CONFIG = DeskConfig(home_country="PK")
_examples = itertools.count()


@dataclass(frozen=True)
class Filing:
    chat: int  # several chats per transaction
    tx: int
    reason: Reason
    campaign: int


@dataclass(frozen=True)
class StaffAct:
    claim: int  # an index into the claims filed so far
    transition: Transition
    credits: int | None


filings = st.builds(
    Filing,
    chat=st.integers(0, 2),
    tx=st.integers(0, 1),
    reason=st.sampled_from([Reason.UNDELIVERED, Reason.OUTAGE, Reason.OTHER]),
    campaign=st.integers(0, 1),
)
acts = st.builds(
    StaffAct,
    claim=st.integers(0, 7),
    transition=st.sampled_from(list(Transition)),
    credits=st.one_of(st.none(), st.integers(1, CREDITS + 20)),
)
# Staff acts outnumber filings, so claims get far along their lives.
steps = st.one_of(filings, acts, acts, acts)
batches = st.lists(st.lists(steps, min_size=1, max_size=2), min_size=3, max_size=20)


def _ledger(prefix: str) -> tuple[list[Purchase], list[Campaign], list[Incident]]:
    bought = NOW - timedelta(hours=3)
    purchases_ = [
        Purchase(
            f"{prefix}-{n}",
            "ACC",
            "+923001234567",
            "",
            bought,
            Kind.PACKAGE,
            CREDITS,
            20,
            Decimal("500.00"),
            "PKR",
        )
        for n in range(2)
    ]
    campaigns_ = [
        Campaign(
            f"{prefix}-{n}-C{k}",
            f"{prefix}-{n}",
            bought + timedelta(hours=1),
            "PK",
            100,
            100 - failed,
            failed,
            0,
        )
        for n in range(2)
        for k, failed in enumerate((40, 70))
    ]
    outage = Incident(f"{prefix}-INC", bought, None, "all", "gateway down")
    return purchases_, campaigns_, [outage]


async def _run(url: str, plan: list[list[Filing | StaffAct]]) -> None:
    prefix = f"P{next(_examples)}x{os.getpid()}"
    db = Database(url)
    try:
        purchases_, campaigns_, incidents_ = _ledger(prefix)
        async with db.uow() as uow:
            await uow.ledger.upsert_purchases(purchases_)
            await uow.ledger.upsert_campaigns(campaigns_)
            await uow.ledger.upsert_incidents(incidents_)
            await uow.commit()
        filed: list[int] = []
        changes: Counter[int] = Counter()  # successful staff transitions, by claim
        told: Counter[int] = Counter()  # customer messages those should have caused, by chat
        chat_of: dict[int, int] = {}

        async def one(op: Filing | StaffAct, at: datetime) -> None:
            async with db.uow() as uow:
                if isinstance(op, Filing):
                    tx = f"{prefix}-{op.tx}"
                    campaign = f"{tx}-C{op.campaign}" if op.reason is Reason.UNDELIVERED else None
                    description = "Nothing arrived at all" if op.reason is Reason.OTHER else None
                    request = ClaimRequest(tx, op.reason, at, campaign, description)
                    chat = 10_000 + op.chat
                    result = await file_claim(uow, request, Claimant(chat, chat), CONFIG)
                    await uow.commit()
                    if result is not None and result.claim is not None:
                        assert result.claim.id is not None
                        filed.append(result.claim.id)
                        chat_of[result.claim.id] = chat
                    return
                if not filed:
                    return
                claim_id = filed[op.claim % len(filed)]
                done = await staff_act(
                    uow,
                    claim_id,
                    op.transition,
                    Actor("staff", 1),
                    at,
                    CONFIG,
                    credits=op.credits,
                    text="because",
                )
                await uow.commit()
                if done.ok:
                    changes[claim_id] += 1
                    if op.transition not in (Transition.ANSWER, Transition.WITHDRAW):
                        told[chat_of[claim_id]] += 1

        for step, batch in enumerate(plan):
            at = NOW + timedelta(minutes=step)
            results = await asyncio.gather(*(one(op, at) for op in batch), return_exceptions=True)
            for result in results:
                # Two transactions may deadlock on PostgreSQL; one is rolled back, nothing kept.
                if isinstance(result, DBAPIError) and "deadlock" in str(result).lower():
                    continue
                if isinstance(result, BaseException):
                    raise result
        await _check(db, prefix, filed, changes, told)
    finally:
        await db.dispose()


async def _check(
    db: Database, prefix: str, filed: list[int], changes: Counter[int], told: Counter[int]
) -> None:
    async with db.uow() as uow:
        session = uow.session
        mine = [c for c in await uow.claims.list() if c.transaction_id.startswith(prefix + "-")]
        assert sorted(c.id for c in mine if c.id is not None) == sorted(filed)

        # C-DUPLICATE: at most one live claim per transaction.
        live = Counter(c.transaction_id for c in mine if c.status in LIVE_STATUSES)
        assert all(n <= 1 for n in live.values()), live

        # C-ONCE: never more credits than bought, and the ledger's booking agrees with the claims.
        for n in range(2):
            tx = f"{prefix}-{n}"
            paid = sum(
                c.refundable_credits
                for c in mine
                if c.transaction_id == tx and c.status in PAID_STATUSES
            )
            booked = await session.scalar(
                select(purchases.c.credits_approved).where(purchases.c.transaction_id == tx)
            )
            assert paid == booked <= CREDITS, (tx, paid, booked)

        # C-ONCE: a campaign is paid by one claim at most.
        paid_campaigns = [
            cid for c in mine if c.status in PAID_STATUSES for cid in c.paid_campaigns
        ]
        assert len(paid_campaigns) == len(set(paid_campaigns)), paid_campaigns
        rows = await session.execute(
            select(refunded_campaigns.c.campaign_id).where(
                refunded_campaigns.c.transaction_id.like(prefix + "-%")
            )
        )
        assert sorted(r[0] for r in rows) == sorted(paid_campaigns)

        # One audit row per transition: filing plus each staff change that took.
        for claim_id in filed:
            audited = await session.scalar(
                select(func.count())
                .select_from(claim_audit)
                .where(claim_audit.c.claim_id == claim_id, claim_audit.c.to_status.is_not(None))
            )
            assert audited == 1 + changes[claim_id], claim_id

        # One customer message per customer-visible change.
        for chat in {10_000 + n for n in range(3)}:
            mine_ids = {c.id for c in mine if c.chat_id == chat}
            sent_rows = await session.execute(select(outbox.c.text).where(outbox.c.chat_id == chat))
            about_mine = [
                t
                for (t,) in sent_rows
                if any(f"claim #{i}" in t for i in mine_ids) and not t.startswith(RATING_QUESTION)
            ]
            assert len(about_mine) == told[chat], (chat, about_mine)


# A closed claim's rating question follows its message; it is not a status message itself.
RATING_QUESTION = RATE_ASK.split("{", 1)[0]


@pytest.fixture
async def migrated(database_url: str) -> None:
    database = Database(database_url)
    try:
        await database.upgrade()
    finally:
        await database.dispose()


@settings(
    settings.get_profile(PROFILE),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=batches)
def test_money_invariant_hold_under_random_interleavings(
    database_url: str, migrated: None, plan: list[list[Filing | StaffAct]]
) -> None:
    asyncio.run(_run(database_url, plan))
