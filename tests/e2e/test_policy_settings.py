"""The policy's numbers are settings: a 72-hour refund window changes decisions and answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from conversations import i18n, policy_numbers
from conversations.catalog.policy_text import reword
from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.services.staff import staff_act
from storage.database import Database
from storage.ledger_import import import_rows
from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    FakeClock,
    Running,
    file_claim,
    start_bot,
    stop_bot,
    wait_for_card,
)
from tests.e2e.test_urdu import urdu_customer
from tests.fake_telegram import FakeTelegram

WHEN_ELIGIBLE = "when can I ask for a refund?"


async def _bot(fake: FakeTelegram, db: Database, clock: FakeClock, **settings: object) -> Running:
    fake.group(STAFF_CHAT_ID, "Refund staff")
    cells = {
        "transaction_id": "TX-60H",
        "account_id": "ACC-60",
        "account_phone": "0300 6060060",
        "account_email": "",
        "purchased_at": (clock() - timedelta(hours=60)).isoformat(),
        "kind": "package",
        "credits": "1000",
        "credits_used": "100",
        "amount": "500",
        "currency": "PKR",
    }
    await import_rows(db, "purchases", [(2, cells)])
    sent = {
        "campaign_id": "CMP-60H",
        "transaction_id": "TX-60H",
        "sent_at": (clock() - timedelta(hours=1)).isoformat(),
        "destination_country": "PK",
        "messages_sent": "100",
        "delivered": "80",
        "failed_platform": "20",
        "failed_carrier": "0",
    }
    await import_rows(db, "campaigns", [(2, sent)])
    return await start_bot(fake, db, clock, **settings)


@pytest.fixture
async def wide(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock
) -> AsyncIterator[Running]:
    running = await _bot(fake_telegram, db, clock, refund_window_hours=72, processing_days="3-4")
    try:
        yield running
    finally:
        await stop_bot(running)
        policy_numbers.configure(policy_numbers.PUBLISHED)


@pytest.fixture
async def published(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock
) -> AsyncIterator[Running]:
    running = await _bot(fake_telegram, db, clock)
    try:
        yield running
    finally:
        await stop_bot(running)


async def test_by_default_a_purchase_60_hours_old_is_too_late(published: Running) -> None:
    kim = Customer(published.fake, 921, "Kim")
    await kim.says("/claim")
    await kim.says("TX-60H")
    decision = await kim.says("0300 6060060")
    assert "can't be refunded any more" in decision.text
    assert "within 2 days" in decision.text
    answer = await kim.says(WHEN_ELIGIBLE)
    assert "2 days (48 hours)" in answer.text


async def test_a_72_hour_window_takes_a_purchase_60_hours_old_and_says_so(wide: Running) -> None:
    kim = Customer(wide.fake, 922, "Kim")
    decision = await file_claim(kim, "TX-60H", "0300 6060060", "not delivered", campaign="CMP")
    assert "qualifies for a refund of 20 credits" in decision.text
    card = await wait_for_card(wide.fake, 1)
    assert "within the refund window of 3 days" in card.text  # the words follow the setting
    async with wide.db.uow() as uow:
        approved = await staff_act(
            uow, 1, Transition.APPROVE, Actor("Sara", 9001), wide.clock(), wide.desk.config
        )
        assert approved.ok
        await uow.commit()
    wide.services.dispatcher.wake()
    told = await kim.next("is approved")
    # PROCESSING_DAYS=3-4: approved on Fri 14 Aug (a holiday), due Wed 19 to Thu 20 Aug.
    assert "(3–4 business days)" in told.text and "5–7" not in told.text
    assert "between Wed 19 Aug 2026 and Thu 20 Aug 2026" in told.text

    lee = Customer(wide.fake, 924, "Lee")
    answer = await lee.says(WHEN_ELIGIBLE)
    assert "3 days (72 hours)" in answer.text and "48" not in answer.text

    # The same answer in Urdu says 72 hours too.
    amna = urdu_customer(wide, 923, "Amna")
    in_urdu = await amna.says(WHEN_ELIGIBLE)
    assert i18n.written_in_urdu(in_urdu.text)
    assert "72 گھنٹے" in in_urdu.text and "48" not in in_urdu.text


def test_rewording_touches_only_the_policy_numbers() -> None:
    numbers = policy_numbers.PolicyNumbers(24, 12, 3, 4)
    text = "Ask within 2 days (48 hours). Report within 24 hours. Paid in 5 to 7 business days."
    with i18n.use(i18n.ENGLISH):
        said = reword(text, numbers)
    # One pass: the new 24 of the refund window is not read as the report window's.
    assert (
        said == "Ask within 1 day (24 hours). Report within 12 hours. Paid in 3 to 4 business days."
    )
    with i18n.use(i18n.URDU):
        urdu = reword("خریداری کے 2 دن (48 گھنٹے) کے اندر دیں۔ 5 سے 7", numbers)
    assert "(24 گھنٹے)" in urdu and "3 سے 4" in urdu
    assert reword(text, policy_numbers.PUBLISHED) == text
