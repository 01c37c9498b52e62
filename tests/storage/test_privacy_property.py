"""Property-based: whatever customers and staff did, /forget leaves nothing of the customer.

Each example runs a random sequence of filings, /human relays, questions, staff actions and
erases (through the real turn engine and claim services), then the customer says /forget. Then
every text and JSON column of the database is searched for their name, username, phone, e-mail
and words, and the money invariants are asked of the database. CI runs 15 examples per database.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from conversations.chat.events import Author, EventKind, Inbound
from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.config import DeskConfig
from conversations.dialogue import privacy as privacy_dialogue
from conversations.dialogue.engine import Desk
from conversations.domain import (
    LIVE_STATUSES,
    PAID_STATUSES,
    Campaign,
    ClaimRequest,
    Kind,
    Purchase,
    Reason,
)
from conversations.services.claims import Claimant, file_claim
from conversations.services.staff import staff_act
from storage.database import Database
from storage.tables import purchases, refunded_campaigns
from tests.privacy_scan import traces

settings.register_profile("privacy-ci", max_examples=15, deadline=None)
settings.register_profile("privacy-long", max_examples=300, deadline=None)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE_PRIVACY", "privacy-ci")

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CREDITS = 100
STAFF_CHAT = -100777
CONFIG = DeskConfig(home_country="PK", staff_chat_id=STAFF_CHAT, staff_user_ids=frozenset({1}))
_examples = itertools.count()


@dataclass(frozen=True)
class File:
    user: int
    tx: int
    reason: Reason


@dataclass(frozen=True)
class Act:
    claim: int  # an index into the claims filed so far
    transition: Transition
    credits: int | None


@dataclass(frozen=True)
class Relay:
    user: int


@dataclass(frozen=True)
class Ask:
    """The customer types at the menu: an FAQ question, or the answer to a staff question."""

    user: int


@dataclass(frozen=True)
class Forget:
    user: int


users = st.integers(0, 1)
steps = st.one_of(
    st.builds(File, users, st.integers(0, 1), st.sampled_from(list(Reason))),
    st.builds(
        Act,
        st.integers(0, 7),
        st.sampled_from(list(Transition)),
        st.one_of(st.none(), st.integers(1, CREDITS + 20)),
    ),
    st.builds(
        Act,
        st.integers(0, 7),
        st.sampled_from([Transition.APPROVE, Transition.ASK, Transition.REFUNDED]),
        st.none(),
    ),
    st.builds(Relay, users),
    st.builds(Ask, users),
    st.builds(Forget, users),
)
plans = st.lists(steps, min_size=2, max_size=14)


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    username: str
    phone: str
    email: str
    marker: str  # in everything they write

    @property
    def needles(self) -> list[str]:
        return [self.name, self.username, self.phone, self.phone[3:], self.email, self.marker]


def _people(tag: str, base: int) -> list[Person]:
    return [
        Person(
            base + u,
            f"Persona{u}{tag}",
            f"handle{u}{tag}",
            f"+92301{base % 100_000:05d}{u}",
            f"p{u}{tag}@mail.example",
            f"zq{u}{tag}",
        )
        for u in range(2)
    ]


def _ledger(prefix: str, people: list[Person]) -> tuple[list[Purchase], list[Campaign]]:
    bought = NOW - timedelta(hours=3)
    bought_ = [
        Purchase(
            f"{prefix}-{u}-{n}",
            f"ACC{u}",
            p.phone,
            p.email,
            bought,
            Kind.PACKAGE,
            CREDITS,
            20,
            Decimal("500.00"),
            "PKR",
        )
        for u, p in enumerate(people)
        for n in range(2)
    ]
    sent = bought + timedelta(hours=1)
    campaigns_ = [
        Campaign(f"{b.transaction_id}-C", b.transaction_id, sent, "PK", 100, 60, 40, 0)
        for b in bought_
    ]
    return bought_, campaigns_


async def _run(url: str, plan: list[File | Act | Relay | Ask | Forget]) -> None:
    n = next(_examples)
    tag = "".join(chr(ord("a") + int(d)) for d in f"{n}{os.getpid()}")
    prefix = f"Q{n}x{os.getpid()}"
    people = _people(tag, 30_000 + 10 * n)
    db = Database(url)
    clock_now = [NOW]
    desk = Desk(db.uow, lambda: clock_now[0], CONFIG)
    try:
        bought, campaigns = _ledger(prefix, people)
        async with db.uow() as uow:
            await uow.ledger.upsert_purchases(bought)
            await uow.ledger.upsert_campaigns(campaigns)
            await uow.commit()
        filed: list[tuple[int, int]] = []  # (claim id, user)
        claimed: set[str] = set()  # transactions person 0 has a claim on

        async def say(p: Person, text: str) -> None:
            sender = Author(p.user_id, p.name, p.username)
            await desk.handle(Inbound.text_or_command(p.user_id, sender, text))

        async def press(p: Person, data: str) -> None:
            sender = Author(p.user_id, p.name, p.username)
            await desk.handle(Inbound(p.user_id, sender, EventKind.BUTTON, data=data, message_id=1))

        for step, op in enumerate([*plan, Forget(0)]):
            clock_now[0] = NOW + timedelta(minutes=step)
            at = clock_now[0]
            if isinstance(op, File):
                p = people[op.user]
                tx = f"{prefix}-{op.user}-{op.tx}"
                campaign = f"{tx}-C" if op.reason is Reason.UNDELIVERED else None
                words = f"Nothing arrived, {p.marker}" if op.reason is Reason.OTHER else None
                async with db.uow() as uow:
                    result = await file_claim(
                        uow,
                        ClaimRequest(tx, op.reason, at, campaign, words),
                        Claimant(p.user_id, p.user_id, p.name, p.username),
                        CONFIG,
                    )
                    await uow.commit()
                if result is not None and result.claim is not None:
                    assert result.claim.id is not None
                    filed.append((result.claim.id, op.user))
                    if op.user == 0:
                        claimed.add(tx)
            elif isinstance(op, Act):
                if not filed:
                    continue
                claim_id, user = filed[op.claim % len(filed)]
                async with db.uow() as uow:
                    await staff_act(
                        uow,
                        claim_id,
                        op.transition,
                        Actor("staff", 1),
                        at,
                        CONFIG,
                        credits=op.credits,
                        # Staff may name the customer in what they write.
                        text=f"Dear {people[user].name}, because",
                    )
                    await uow.commit()
            elif isinstance(op, Relay):
                p = people[op.user]
                await say(p, "/human")
                await say(p, f"Please call me on {p.phone} or {p.email}, {p.marker}")
                await say(p, "/cancel")
            elif isinstance(op, Ask):
                p = people[op.user]
                await say(p, f"do pangolins get refunds {p.marker}")
            else:
                p = people[op.user]
                await say(p, "/forget")
                await press(p, privacy_dialogue.FORGET_YES)

        forgotten = people[0]
        # The ledger's rows of purchases the customer never claimed are the platform's own
        # records, which the desk never linked to this Telegram user: not theirs to erase here.
        never = [b.transaction_id for b in bought if b.transaction_id not in claimed]
        assert await traces(db, forgotten.needles, {"purchases": ("transaction_id", never)}) == []
        await _money_invariants(db, prefix)
    finally:
        await db.dispose()


async def _money_invariants(db: Database, prefix: str) -> None:
    async with db.uow() as uow:
        mine = [c for c in await uow.claims.list() if c.transaction_id.startswith(prefix + "-")]
        live = Counter(c.transaction_id for c in mine if c.status in LIVE_STATUSES)
        assert all(k <= 1 for k in live.values()), live
        for tx in {c.transaction_id for c in mine}:
            paid = sum(
                c.refundable_credits
                for c in mine
                if c.transaction_id == tx and c.status in PAID_STATUSES
            )
            booked = await uow.session.scalar(
                select(purchases.c.credits_approved).where(purchases.c.transaction_id == tx)
            )
            assert paid == booked <= CREDITS, (tx, paid, booked)
        paid_campaigns = [
            cid for c in mine if c.status in PAID_STATUSES for cid in c.paid_campaigns
        ]
        assert len(paid_campaigns) == len(set(paid_campaigns)), paid_campaigns
        rows = await uow.session.execute(
            select(refunded_campaigns.c.campaign_id).where(
                refunded_campaigns.c.transaction_id.like(prefix + "-%")
            )
        )
        assert sorted(r[0] for r in rows) == sorted(paid_campaigns)


@settings(
    settings.get_profile(PROFILE),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans)
# Found by this test in CI: staff marked refunded, with words naming the customer, a claim
# whose customer had already been forgotten; a later /forget could no longer find it.
@example(
    plan=[
        File(0, 0, Reason.UNDELIVERED),
        Act(0, Transition.APPROVE, None),
        Forget(0),
        Act(0, Transition.REFUNDED, None),
    ]
)
@example(plan=[File(0, 0, Reason.UNDELIVERED), Forget(0), Act(0, Transition.REJECT, None)])
def test_forget_leaves_no_personal_data_and_money_invariants_hold(
    database_url: str, plan: list[File | Act | Relay | Ask | Forget]
) -> None:
    asyncio.run(_prepare_and_run(database_url, plan))


async def _prepare_and_run(url: str, plan: list[File | Act | Relay | Ask | Forget]) -> None:
    database = Database(url)
    try:
        await database.upgrade()
    finally:
        await database.dispose()
    await _run(url, plan)
