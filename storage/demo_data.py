"""A small sample ledger, relative to now, with one purchase for each refund rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from conversations.domain import Campaign, Incident, Kind, Purchase
from storage.database import Database
from storage.tables import campaigns as campaigns_table
from storage.tables import claims as claims_table
from storage.tables import incidents as incidents_table
from storage.tables import purchases as purchases_table

DEMO_ACCOUNTS = "ACC-DEMO-%"
DEMO_INCIDENTS = "INC-DEMO-%"
# While Pakistan is suspended, the demo's campaigns "at home" go to a neighbouring route
# instead: a campaign sent to Pakistan today beside the suspension notice would contradict it.
SUSPENDED_HOME_ROUTE = "AE"


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
    # A package the campaign used up: no unused credits an outage could have stranded.
    used_up: bool = False


def _cases(home: str, abroad: str, suspended: bool) -> list[_Case]:
    """The cases; `home` is where "home" campaigns go (another route while PK is suspended)."""
    package, subscription = Kind.PACKAGE, Kind.SUBSCRIPTION
    cases = [
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
            used_up=True,
        ),
        _Case(
            5,
            6,
            package,
            f"undelivered: carrier failures at home in {home} (C-SERVICE-FAILURE)",
            (3, home, 600, 560, 0, 40),
            used_up=True,
        ),
        _Case(
            6,
            6,
            package,
            "undelivered: everything was delivered (C-NO-FAILURE)",
            (3, home, 400, 400, 0, 0),
            used_up=True,
        ),
        _Case(
            7,
            40,
            package,
            "undelivered: campaign sent 30 h ago, reported too late (C-REPORT-24H)",
            (30, home, 900, 800, 100, 0),
        ),
        _Case(
            8,
            10,
            package,
            "outage: a campaign failed during a platform-wide incident, eligible (C-INCIDENT a)",
            (7, home, 800, 500, 300, 0),
        ),
        _Case(
            9, 3, package, f"outage: only a {home} incident on record, goes to review (C-INCIDENT)"
        ),
        _Case(
            10,
            10,
            package,
            "outage: couldn't send during a platform-wide incident, review (C-INCIDENT b)",
        ),
    ]
    # Carrier failures at home need a campaign sent home, which the suspension rules out.
    return [case for case in cases if not (suspended and case.n == 5)]


@dataclass(frozen=True)
class DemoLedger:
    """The sample ledger's rows, and what each case shows."""

    purchases: list[Purchase]
    campaigns: list[Campaign]
    incidents: list[Incident]
    cases: list[DemoCase]


async def foreign_rows(db: Database) -> dict[str, int]:
    """How many ledger and claim rows are not the demo's, by table (only tables with some).

    Demo purchases belong to ACC-DEMO-… accounts; a campaign or claim is the demo's when its
    purchase is; demo incidents are INC-DEMO-….
    """
    demo_purchases = select(purchases_table.c.transaction_id).where(
        purchases_table.c.account_id.like(DEMO_ACCOUNTS)
    )
    queries = {
        "purchases": select(func.count()).where(~purchases_table.c.account_id.like(DEMO_ACCOUNTS)),
        "campaigns": select(func.count()).where(
            campaigns_table.c.transaction_id.not_in(demo_purchases)
        ),
        "incidents": select(func.count()).where(
            ~incidents_table.c.incident_id.like(DEMO_INCIDENTS)
        ),
        "claims": select(func.count()).where(claims_table.c.transaction_id.not_in(demo_purchases)),
    }
    found: dict[str, int] = {}
    async with db.engine.connect() as connection:
        for table, query in queries.items():
            count = int(await connection.scalar(query) or 0)
            if count:
                found[table] = count
    return found


async def load_demo_data(
    db: Database, now: datetime, home_country: str = "PK", pk_suspended: bool = False
) -> list[DemoCase]:
    """Upsert the sample ledger; loading it again refreshes its times relative to `now`."""
    ledger = demo_ledger(now, home_country, pk_suspended)
    async with db.uow() as uow:
        await uow.ledger.upsert_purchases(ledger.purchases)
        await uow.ledger.upsert_campaigns(ledger.campaigns)
        await uow.ledger.upsert_incidents(ledger.incidents)
        await uow.commit()
    return ledger.cases


def demo_ledger(now: datetime, home_country: str = "PK", pk_suspended: bool = False) -> DemoLedger:
    """The sample ledger, its times relative to `now`.

    pk_suspended (the Pakistan suspension notice is on, at home in PK): no campaign goes to
    Pakistan, and the case that needs one (carrier failures at home) is left out.
    """
    suspended = pk_suspended and home_country.upper() == "PK"
    home = SUSPENDED_HOME_ROUTE if suspended else home_country.upper()
    abroad = "GB" if home != "GB" else "US"
    purchases: list[Purchase] = []
    campaigns: list[Campaign] = []
    shown: list[DemoCase] = []
    for case in _cases(home, abroad, suspended):
        transaction_id = f"TX-{1000 + case.n}"
        phone, email = f"+923001110{case.n:03d}", f"demo{case.n}@example.com"
        sent = case.campaign[2] if case.campaign is not None else 0
        purchases.append(
            Purchase(
                transaction_id=transaction_id,
                account_id=f"ACC-DEMO-{case.n}",
                account_phone=phone,
                account_email=email,
                purchased_at=now - timedelta(hours=case.purchased_h_ago),
                kind=case.kind,
                credits=sent if case.used_up else 5000,
                credits_used=sent if case.used_up else 3000,
                amount=Decimal(sent) / 2 if case.used_up else Decimal("2500.00"),
                currency="PKR",
            )
        )
        campaign_id = None
        if case.campaign is not None:
            hours_ago, destination, sent, delivered, failed_platform, failed_carrier = case.campaign
            campaign_id = f"CMP-{1000 + case.n}"
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
    # TX-1004 to TX-1006 are bought the moment the platform-wide incident ends, so it does not
    # count for them (C-INCIDENT's strict boundary); TX-1009 is bought after it ended.
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
    return DemoLedger(purchases, campaigns, incidents, shown)
