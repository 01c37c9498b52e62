"""The ledger API over real HTTP, beside the real bot polling the fake Telegram."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.api import LedgerApi, api_for, openapi_document
from bot.web import WebServer
from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.services.staff import staff_act
from tests.e2e.harness import Customer, Running, file_claim, make_settings
from tests.e2e.processes import free_port

TOKEN = "billing-token-0123456789"
OLD_TOKEN = "rotated-token-9876543210"
DOCS = Path(__file__).parents[2] / "docs" / "openapi.json"


class Api:
    def __init__(self, base: str, api: LedgerApi) -> None:
        self.base = base
        self.api = api

    async def post(
        self, path: str, body: Any = None, token: str | None = TOKEN, raw: bytes | None = None
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.base + path, data=data, headers=headers) as response,
        ):
            return response.status, await response.json()

    async def get(self, path: str) -> tuple[int, Any]:
        async with aiohttp.ClientSession() as http, http.get(self.base + path) as response:
            return response.status, await response.json()


@pytest.fixture
async def api(bot: Running) -> AsyncIterator[Api]:
    settings = make_settings(bot.fake, bot.db.url, api_tokens=f"{OLD_TOKEN}, {TOKEN}")
    ledger_api = api_for(settings, bot.services)
    assert ledger_api is not None
    server = WebServer(bot.db, bot.services.metrics, bot.clock, api=ledger_api)
    port = free_port()
    await server.start("127.0.0.1", port)
    try:
        yield Api(f"http://127.0.0.1:{port}", ledger_api)
    finally:
        await server.stop()


def purchase(tx: str, hours_ago: float, bot: Running, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "transaction_id": tx,
        "account_id": "ACC-77",
        "account_phone": "0300 7770077",
        "account_email": "",
        "purchased_at": (bot.clock() - timedelta(hours=hours_ago)).isoformat(),
        "kind": "package",
        "credits": 2000,
        "credits_used": 1000,
        "amount": 1000.50,
        "currency": "PKR",
    }
    row.update(changes)
    return row


def campaign(cmp: str, tx: str, hours_ago: float, bot: Running) -> dict[str, Any]:
    return {
        "campaign_id": cmp,
        "transaction_id": tx,
        "sent_at": (bot.clock() - timedelta(hours=hours_ago)).isoformat(),
        "destination_country": "PK",
        "messages_sent": 1000,
        "delivered": 900,
        "failed_platform": 80,
        "failed_carrier": 20,
    }


async def test_a_purchase_posted_can_be_claimed_at_once(bot: Running, api: Api) -> None:
    status, body = await api.post("/api/v1/purchases", [purchase("TX-API-1", 2, bot)])
    assert status == 200
    assert body["added"] == 1
    assert body["rows"] == [{"index": 0, "id": "TX-API-1", "result": "added", "reason": None}]
    status, body = await api.post("/api/v1/campaigns", [campaign("CMP-API-1", "TX-API-1", 1, bot)])
    assert (status, body["added"]) == (200, 1)

    zara = Customer(bot.fake, 701, "Zara")
    decision = await file_claim(zara, "TX-API-1", "0300 7770077", "not delivered", campaign="CMP")
    assert "qualifies for a refund of 80 credits" in decision.text

    # The same rows again change nothing, and say so.
    status, body = await api.post("/api/v1/purchases", [purchase("TX-API-1", 2, bot)])
    assert (body["added"], body["unchanged"]) == (0, 1)
    assert body["rows"][0]["result"] == "unchanged"


async def test_a_bad_or_missing_token_writes_nothing(bot: Running, api: Api) -> None:
    for token in ("not-a-token-at-all-xx", None, ""):
        status, body = await api.post(
            "/api/v1/purchases", [purchase("TX-API-2", 1, bot)], token=token
        )
        assert status == 401
        assert body["error"] == "missing or unknown bearer token"
    async with bot.db.reader() as uow:
        assert await uow.ledger.purchase("TX-API-2") is None
    # The older of two tokens still works while it is being rotated out.
    status, _ = await api.post("/api/v1/purchases", [purchase("TX-API-2", 1, bot)], token=OLD_TOKEN)
    assert status == 200


async def test_a_malformed_row_is_rejected_with_why_while_good_rows_land(
    bot: Running, api: Api
) -> None:
    rows: list[Any] = [
        purchase("TX-API-3", 1, bot),
        purchase("TX-API-4", 1, bot, credits_used=5000),
        purchase("TX-API-5", 1, bot, purchased_at="yesterday"),
        "TX-API-6",
        purchase("TX-API-3", 1, bot),
        purchase("TX-API-7", 1, bot, credits=True),
        purchase("TX-API-8", 1, bot, amount="12.345"),
    ]
    status, body = await api.post("/api/v1/purchases", rows)
    assert status == 200
    assert (body["added"], body["rejected"]) == (2, 5)
    assert [(r["index"], r["result"], r["reason"]) for r in body["rows"]] == [
        (0, "added", None),
        (1, "rejected", "credits_used (5000) is more than credits (2000)"),
        (
            2,
            "rejected",
            "purchased_at: bad date 'yesterday' "
            "(expected ISO 8601, e.g. 2025-03-01T14:30:00+05:00)",
        ),
        (3, "rejected", "not a JSON object"),
        (4, "rejected", "transaction_id TX-API-3 repeats item 0"),
        (5, "rejected", "credits: expected text or a number"),
        (6, "added", None),
    ]
    async with bot.db.reader() as uow:
        found = await uow.ledger.purchases_by_id(
            ["TX-API-3", "TX-API-4", "TX-API-5", "TX-API-7", "TX-API-8"]
        )
    assert sorted(found) == ["TX-API-3", "TX-API-8"]
    # JSON numbers are read as written: no float rounding on the way to Decimal.
    assert found["TX-API-3"].amount == Decimal("1000.5")


async def test_requests_that_are_not_rows_are_refused(bot: Running, api: Api) -> None:
    status, body = await api.post("/api/v1/purchases", raw=b"{not json")
    assert (status, body["error"]) == (400, "the body is not JSON")
    status, body = await api.post("/api/v1/purchases", raw=b'"a string"')
    assert status == 400
    status, body = await api.post("/api/v1/purchases", [{}] * 2001)
    assert status == 413 and "2,000 rows" in body["error"]
    status, _ = await api.post("/api/v1/purchases", raw=b"[" + b" " * (1024**2 + 10) + b"]")
    assert status == 413


async def test_billing_marks_a_claim_refunded_and_the_customer_is_told(
    bot: Running, api: Api
) -> None:
    omar = Customer(bot.fake, 702, "Omar")
    decision = await file_claim(omar, "TX-1001", "0300 1110001", "not delivered", campaign="CMP")
    assert "claim #1" in decision.text.lower()

    # Not approved yet: 409 with the state, nothing changes.
    status, body = await api.post("/api/v1/claims/1/refunded")
    assert (status, body["status"]) == (409, "escalated")

    async with bot.db.uow() as uow:
        approved = await staff_act(
            uow, 1, Transition.APPROVE, Actor("Sara", 9001), bot.clock(), bot.desk.config
        )
        assert approved.ok
        await uow.commit()
    bot.services.dispatcher.wake()
    await omar.next("is approved")

    status, body = await api.post("/api/v1/claims/1/refunded", {"by": "Finance run 42"})
    assert (status, body) == (200, {"claim_id": 1, "status": "refunded", "changed": True})
    paid = await omar.next("has been paid")
    assert "claim #1" in paid.text and "120 credits" in paid.text

    # Billing retries: harmless, and the customer is not told twice.
    status, body = await api.post("/api/v1/claims/1/refunded")
    assert (status, body["changed"]) == (200, False)
    await bot.fake.settle()
    assert sum("has been paid" in text for text in omar.texts()) == 1
    async with bot.db.reader() as uow:
        trail = await uow.claims.audit(1)
    refunded = [a for a in trail if a.to_status is not None and a.to_status.value == "refunded"]
    assert [a.actor for a in refunded] == ["billing (Finance run 42)"]

    status, body = await api.post("/api/v1/claims/999/refunded")
    assert (status, body["error"]) == (404, "no such claim")
    status, body = await api.post("/api/v1/claims/1/refunded", {"by": "x", "extra": 1})
    assert status == 400


async def test_the_openapi_document_is_served_and_kept_in_docs(api: Api) -> None:
    status, served = await api.get("/api/openapi.json")
    assert status == 200
    assert served == openapi_document()
    assert json.loads(DOCS.read_text()) == served, "run: python -m bot.api > docs/openapi.json"
    purchase_schema = served["components"]["schemas"]["PurchaseRow"]
    assert set(purchase_schema["properties"]) >= {"transaction_id", "purchased_at", "credits"}
    assert "/api/v1/claims/{claim_id}/refunded" in served["paths"]
