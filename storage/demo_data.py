"""A small sample ledger, relative to now, with one purchase for each refund rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from conversations.domain import Campaign, Incident, Kind, Purchase
from storage.database import Database


@dataclass(frozen=True)
class DemoCase:
    transaction_id: str
    phone: str
    email: str
    campaign_id: str | None
    shows: str  # what trying a claim on it demonstrates, for the operator


@dataclass(frozen=True)
class _Case:
    n: int
    purchased_h_ago: float
    kind: Kind
    shows: str
    # (hours ago, destination, sent, delivered, failed_platform, failed_carrier)
    campaign: tuple[float, str, int, int, int, int] | None = None


def _cases(home: str, abroad: str) -> list[_Case]:
    package, subscription = Kind.PACKAGE, Kind.SUBSCRIPTION
    return [
        _Case(
            1,
            5,
            package,
            "undelivered: eligible, platform failures refunded (C-CAUSE)",
            (2, home, 1000, 870, 120, 10),
        ),
        _Case(
            2,
            72,
            package,
            "any reason: too late, bought 3 days ago (C-WINDOW)",
            (70, home, 500, 400, 100, 0),
        ),
        _Case(
            3,
            5,
            subscription,
            "any reason: subscriptions are not refunded (C-SUBSCRIPTION)",
            (2, home, 800, 700, 100, 0),
        ),
        _Case(
            4,
            6,
            package,
            f"undelivered: carrier failures abroad in {abroad} (C-INTL-CARRIER)",
            (3, abroad, 600, 540, 0, 60),
        ),
        _Case(
            5,
            6,
            package,
            f"undelivered: carrier failures at home in {home} (C-SERVICE-FAILURE)",
            (3, home, 600, 560, 0, 40),
        ),
        _Case(
            6,
            6,
            package,
            "undelivered: everything was delivered (C-NO-FAILURE)",
            (3, home, 400, 400, 0, 0),
        ),
        _Case(
            7,
            40,
            package,
            "undelivered: campaign sent 30 h ago, reported too late (C-REPORT-24H)",
            (30, home, 900, 800, 100, 0),
        ),
        _Case(8, 10, package, "outage: a platform-wide incident, eligible (C-INCIDENT)"),
        _Case(
            9, 3, package, f"outage: only a {home} incident on record, goes to review (C-INCIDENT)"
        ),
    ]


async def load_demo_data(db: Database, now: datetime, home_country: str = "PK") -> list[DemoCase]:
    """Upsert the sample ledger; loading it again refreshes its times relative to `now`."""
    home = home_country.upper()
    abroad = "GB" if home != "GB" else "US"
    purchases: list[Purchase] = []
    campaigns: list[Campaign] = []
    shown: list[DemoCase] = []
    for case in _cases(home, abroad):
        transaction_id = f"TX-100{case.n}"
        phone, email = f"+92300111000{case.n}", f"demo{case.n}@example.com"
        purchases.append(
            Purchase(
                transaction_id=transaction_id,
                account_id=f"ACC-DEMO-{case.n}",
                account_phone=phone,
                account_email=email,
                purchased_at=now - timedelta(hours=case.purchased_h_ago),
                kind=case.kind,
                credits=5000,
                credits_used=3000,
                amount=2500.0,
                currency="PKR",
            )
        )
        campaign_id = None
        if case.campaign is not None:
            hours_ago, destination, sent, delivered, failed_platform, failed_carrier = case.campaign
            campaign_id = f"CMP-100{case.n}"
            campaigns.append(
                Campaign(
                    campaign_id=campaign_id,
                    transaction_id=transaction_id,
                    sent_at=now - timedelta(hours=hours_ago),
                    destination_country=destination,
                    messages_sent=sent,
                    delivered=delivered,
                    failed_platform=failed_platform,
                    failed_carrier=failed_carrier,
                )
            )
        shown.append(DemoCase(transaction_id, phone, email, campaign_id, case.shows))
    # TX-1009 is bought after the platform-wide incident ended, so only the country one overlaps.
    incidents = [
        Incident(
            incident_id="INC-DEMO-ALL",
            started_at=now - timedelta(hours=8),
            ended_at=now - timedelta(hours=6),
            scope="all",
            description="Demo: sending failed for all accounts",
        ),
        Incident(
            incident_id=f"INC-DEMO-{home}",
            started_at=now - timedelta(hours=2),
            ended_at=now - timedelta(hours=1),
            scope=home,
            description=f"Demo: delays on one route in {home}",
        ),
    ]
    async with db.uow() as uow:
        await uow.ledger.upsert_purchases(purchases)
        await uow.ledger.upsert_campaigns(campaigns)
        await uow.ledger.upsert_incidents(incidents)
        await uow.commit()
    return shown
