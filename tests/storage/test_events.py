"""The event outbox: events are written with the claim's change, and only with it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.metrics import Metrics
from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.config import DeskConfig
from conversations.domain import ClaimRequest, Reason
from conversations.services.claims import Claimant, file_claim
from conversations.services.privacy import forget
from conversations.services.staff import staff_act
from storage.database import Database
from storage.demo_data import load_demo_data

NOW = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)
CONFIG = DeskConfig()


async def _file(db: Database, *, commit: bool) -> None:
    async with db.uow() as uow:
        request = ClaimRequest("TX-1001", Reason.UNDELIVERED, NOW, campaign_id="CMP-1001")
        filed = await file_claim(uow, request, Claimant(801, 801, "Noor"), CONFIG)
        assert filed is not None and filed.claim is not None
        if commit:
            await uow.commit()


async def test_a_rolled_back_claim_leaves_no_event_and_a_committed_one_its_events(
    db: Database,
) -> None:
    await load_demo_data(db, NOW, "PK")
    await _file(db, commit=False)
    async with db.reader() as uow:
        assert (await uow.events.stats()).queued == 0

    await _file(db, commit=True)
    async with db.uow() as uow:
        claim = (await uow.claims.for_transaction("TX-1001"))[0]
        assert claim.id is not None
        result = await staff_act(
            uow, claim.id, Transition.APPROVE, Actor("Sara", 9001), NOW, CONFIG
        )
        assert result.ok
        await uow.commit()
    async with db.reader() as uow:
        types = await uow.events.types_for(claim.id)
        due = await uow.events.take_due(NOW, NOW, 10)
    assert list(types) == ["filed", "escalated", "approved"]
    approved = json.loads(due[-1].body)
    assert approved["type"] == "claim.approved"
    assert approved["claim"]["credits"] == 120
    assert approved["claim"]["currency"] == "PKR"
    assert "chat_id" not in approved["claim"] and "telegram_user_id" not in approved["claim"]

    text = (await Metrics().render(db, NOW)).decode()
    assert "refundbot_events_queued 3.0" in text
    assert "refundbot_events_failed 0.0" in text


async def test_forgetting_a_customer_tells_billing_their_claims_were_erased(db: Database) -> None:
    await load_demo_data(db, NOW, "PK")
    await _file(db, commit=True)
    async with db.uow() as uow:
        forgotten = await forget(
            uow, uow.privacy, 801, by="cli:Ana", clock=lambda: NOW, config=CONFIG
        )
        await uow.commit()
    [claim_id] = forgotten.claims
    async with db.reader() as uow:
        types = await uow.events.types_for(claim_id)
        due = await uow.events.take_due(NOW, NOW, 10)
    assert list(types) == ["filed", "escalated", "withdrawn", "erased"]
    erased = json.loads(due[-1].body)
    assert erased["type"] == "claim.erased" and "Noor" not in due[-1].body
