"""Demo data: a ledger a new user can try every rule on, loadable any number of times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import Database, load_demo_data

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


async def test_demo_data_loads_twice_cleanly(db: Database) -> None:
    first = await load_demo_data(db, NOW)
    second = await load_demo_data(db, NOW + timedelta(days=1))

    async with db.uow() as uow:
        purchase = await uow.ledger.purchase("TX-1001")

    assert first == second
    assert [c.transaction_id for c in first] == [f"TX-{1000 + n}" for n in range(1, 11)]
    assert purchase is not None
    # Loading again refreshes the times, so the demo works on any day.
    assert purchase.purchased_at == NOW + timedelta(days=1) - timedelta(hours=5)


async def test_every_demo_case_can_be_looked_up_with_its_phone_and_email(db: Database) -> None:
    cases = await load_demo_data(db, NOW)

    async with db.uow() as uow:
        for case in cases:
            purchase = await uow.ledger.purchase(case.transaction_id)
            assert purchase is not None
            assert (purchase.account_phone, purchase.account_email) == (case.phone, case.email)
            if case.campaign_id is not None:
                campaign = await uow.ledger.campaign(case.campaign_id)
                assert campaign is not None and campaign.transaction_id == case.transaction_id


async def test_demo_cases_cover_the_rules(db: Database) -> None:
    cases = {c.transaction_id: c for c in await load_demo_data(db, NOW, home_country="PK")}

    async with db.uow() as uow:
        eligible = await uow.ledger.campaign("CMP-1001")
        abroad = await uow.ledger.campaign("CMP-1004")
        late = await uow.ledger.campaign("CMP-1007")
        old = await uow.ledger.purchase("TX-1002")
        outage = await uow.ledger.purchase("TX-1008")
        review = await uow.ledger.purchase("TX-1009")
        assert outage is not None and review is not None
        on_outage = await uow.ledger.incidents_between(outage.purchased_at, NOW)
        on_review = await uow.ledger.incidents_between(review.purchased_at, NOW)

    assert eligible is not None and eligible.failed_platform > 0
    assert eligible.destination_country == "PK"
    assert NOW - eligible.sent_at == timedelta(hours=2)
    assert abroad is not None and abroad.destination_country == "GB"
    assert (abroad.failed_platform, abroad.failed_carrier > 0) == (0, True)
    assert late is not None and NOW - late.sent_at == timedelta(hours=30)
    assert old is not None and NOW - old.purchased_at == timedelta(days=3)
    assert "all" in {i.scope for i in on_outage}
    assert {i.scope for i in on_review} == {"PK"}
    assert all(case.shows for case in cases.values())
