"""Incidents declared in the staff chat, and decisions that new facts make stale."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.api import api_for
from bot.web import WebServer
from conversations.catalog.staff import STATUS_LABELS
from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.domain import AuditKind
from conversations.services.staff import staff_act
from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    Running,
    StaffMember,
    callback_answers,
    file_claim,
    make_settings,
    wait_for_card,
)
from tests.e2e.processes import free_port
from tests.e2e.test_ledger_api import TOKEN, Api, purchase

OUTAGE = "Couldn't send"


@pytest.fixture
async def api(bot: Running) -> AsyncIterator[Api]:
    settings = make_settings(bot.fake, bot.db.url, api_tokens=TOKEN)
    ledger_api = api_for(settings, bot.services)
    assert ledger_api is not None
    server = WebServer(bot.db, bot.services.metrics, bot.clock, api=ledger_api)
    port = free_port()
    await server.start("127.0.0.1", port)
    try:
        yield Api(f"http://127.0.0.1:{port}", ledger_api)
    finally:
        await server.stop()


def campaign(
    bot: Running, cmp: str, tx: str, minutes_ago: float, country: str = "PK", **counts: int
) -> dict[str, Any]:
    return {
        "campaign_id": cmp,
        "transaction_id": tx,
        "sent_at": (bot.clock() - timedelta(minutes=minutes_ago)).isoformat(),
        "destination_country": country,
        **counts,
    }


async def test_an_incident_started_in_the_staff_chat_makes_a_claim_in_its_window_eligible(
    bot: Running, api: Api
) -> None:
    sara = StaffMember(bot.fake, 9001, "Sara", db=bot.db)
    said = await sara.says("/incident start all SMS gateway down")
    assert said.text.startswith("🚨 Incident INC-20260814-0930 recorded by Sara: all")
    assert "SMS gateway down" in said.text

    queue = await sara.says("/queue")
    assert "Ongoing incidents" in queue.text and "INC-20260814-0930 (all)" in queue.text
    await sara.send("/report")
    chart = await bot.fake.wait_for_message(
        STAFF_CHAT_ID, lambda m: m.method == "sendPhoto", timeout=30
    )
    assert "INC-20260814-0930 (all, ongoing))" in chart.text  # beside the demo ledger's
    await sara.next("refunds to pay")

    await bot.jump(minutes=30)
    await api.post("/api/v1/purchases", [purchase("TX-INC-1", 1, bot)])
    counts = {"messages_sent": 400, "delivered": 360, "failed_platform": 40, "failed_carrier": 0}
    await api.post("/api/v1/campaigns", [campaign(bot, "CMP-INC-1", "TX-INC-1", 10, **counts)])

    ali = Customer(bot.fake, 711, "Ali")
    decision = await file_claim(ali, "TX-INC-1", "0300 7770077", OUTAGE)
    assert "qualifies for a refund of 40 credits" in decision.text
    card = await wait_for_card(bot.fake, 1)
    assert "C-INCIDENT" in card.text and "INC-20260814-0930" in card.text

    ended = await sara.says("/incident end INC-20260814-0930")
    assert ended.text.startswith("✅ Incident INC-20260814-0930 ended by Sara")
    again = await sara.says("/incident end INC-20260814-0930")
    assert again.text == "There is no ongoing incident INC-20260814-0930."
    async with bot.db.reader() as uow:
        who = await uow.incidents.who("INC-20260814-0930")
    assert [(action, actor) for action, actor, _ in who] == [("start", "Sara"), ("end", "Sara")]


async def test_an_incident_recorded_after_a_refusal_lists_the_stale_decision_for_staff(
    bot: Running, api: Api
) -> None:
    await api.post("/api/v1/purchases", [purchase("TX-INC-2", 3, bot, credits_used=2000)])
    counts = {"messages_sent": 500, "delivered": 450, "failed_platform": 50, "failed_carrier": 0}
    # Sent abroad: the demo ledger's incident at that time is PK's only.
    sent = campaign(bot, "CMP-INC-2", "TX-INC-2", 120, "AE", **counts)
    await api.post("/api/v1/campaigns", [sent])
    hina = Customer(bot.fake, 712, "Hina")
    decision = await file_claim(hina, "TX-INC-2", "0300 7770077", OUTAGE)
    assert "qualifies" not in decision.text  # no outage on record: a person looks
    # Staff find no outage either, and refuse it.
    async with bot.db.uow() as uow:
        refused = await staff_act(
            uow,
            1,
            Transition.REJECT,
            Actor("Sara", 9001),
            bot.clock(),
            bot.desk.config,
            text="We have no outage on record for that time.",
        )
        assert refused.ok
        await uow.commit()
    bot.services.dispatcher.wake()
    await hina.next("no outage on record")
    await hina.next("how did we handle claim #1")
    await bot.fake.settle()
    told_before = len(hina.texts())

    incident = {
        "incident_id": "INC-LATE",
        "started_at": (bot.clock() - timedelta(minutes=150)).isoformat(),
        "ended_at": (bot.clock() - timedelta(minutes=90)).isoformat(),
        "scope": "all",
        "description": "Platform outage",
    }
    status, body = await api.post("/api/v1/incidents", [incident])
    assert (status, body["added"]) == (200, 1)

    stale = await bot.fake.wait_for_message(
        STAFF_CHAT_ID, lambda m: (m.text or "").startswith("🔁 New facts")
    )
    assert "incident INC-LATE" in stale.text and "1 claim." in stale.text
    assert "#1 · rejected · bot said needs review, would now say eligible (50 credits)" in (
        stale.text
    )
    sara = StaffMember(bot.fake, 9001, "Sara", db=bot.db)
    await bot.fake.settle()
    await sara.press(stale, "Re-open")
    await sara.next("1 claim back in the queue for review: #1")
    card = await wait_for_card(bot.fake, 1)
    await bot.fake.settle()
    # The claim's card shows it back in the queue, with the new decision.
    current = bot.fake.message(STAFF_CHAT_ID, card.message_id).text
    assert current.startswith(f"🧾 Claim #1 · {STATUS_LABELS['escalated']}")
    assert "C-INCIDENT" in current and "INC-LATE" in current
    # A second press (a colleague's) re-opens nothing twice.
    await sara.press(stale, "Re-open")
    answers = await callback_answers(bot.fake, "st:reopen:1", count=2)
    assert answers[-1].text == "Nothing left to re-open: those claims were decided since."
    async with bot.db.reader() as uow:
        claim = await uow.claims.get(1)
        trail = await uow.claims.audit(1)
    assert claim is not None and claim.status.value == "escalated"
    assert claim.refundable_credits == 50
    assert trail[-1].actor == "Sara" and trail[-1].kind is AuditKind.REOPENED
    await bot.fake.settle()
    assert len(hina.texts()) == told_before, "the customer hears nothing until staff decide"

    # The same incident again changes nothing: no second list.
    await api.post("/api/v1/incidents", [incident])
    await bot.fake.settle()
    sent = [str(c.params.get("text", "")) for c in bot.fake.calls("sendMessage")]
    lists = [text for text in sent if text.startswith("🔁 New facts")]
    assert len(lists) == 1


async def test_new_campaign_counts_flag_a_refused_claim_for_staff(bot: Running, api: Api) -> None:
    await api.post("/api/v1/purchases", [purchase("TX-CNT-1", 3, bot)])
    delivered = {"messages_sent": 300, "delivered": 300, "failed_platform": 0, "failed_carrier": 0}
    await api.post("/api/v1/campaigns", [campaign(bot, "CMP-CNT-1", "TX-CNT-1", 60, **delivered)])
    ravi = Customer(bot.fake, 713, "Ravi")
    decision = await file_claim(ravi, "TX-CNT-1", "0300 7770077", "not delivered", campaign="CMP")
    assert "qualifies" not in decision.text
    await bot.fake.settle()
    told_before = len(ravi.texts())

    # The platform's final counts: 30 of them failed on our side after all.
    failed = {"messages_sent": 300, "delivered": 270, "failed_platform": 30, "failed_carrier": 0}
    status, body = await api.post(
        "/api/v1/campaigns", [campaign(bot, "CMP-CNT-1", "TX-CNT-1", 60, **failed)]
    )
    assert (status, body["updated"]) == (200, 1)
    stale = await bot.fake.wait_for_message(
        STAFF_CHAT_ID, lambda m: (m.text or "").startswith("🔁 New facts")
    )
    assert "campaign counts of CMP-CNT-1" in stale.text
    assert "would now say eligible (30 credits)" in stale.text
    await bot.fake.settle()
    assert len(ravi.texts()) == told_before
    async with bot.db.reader() as uow:
        claim = await uow.claims.get(1)
    assert claim is not None and claim.status.value == "ineligible"  # nothing moves by itself
