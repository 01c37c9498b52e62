"""Prometheus metrics and the health check, served by the webhook server or on METRICS_PORT."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import generate_latest as _generate

from storage.database import Database

log = logging.getLogger(__name__)

# An update waiting longer than this means no worker is taking the inbox.
HEALTHY_INBOX_AGE = timedelta(minutes=2)


class Metrics:
    """One registry per process (and per test application), so counters never clash."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates_received = Counter(
            "refundbot_updates_received", "Updates stored in the inbox (new ones)", registry=r
        )
        self.updates_redelivered = Counter(
            "refundbot_updates_redelivered",
            "Updates Telegram delivered again that the inbox already had",
            registry=r,
        )
        self.updates_processed = Counter(
            "refundbot_updates_processed",
            "Updates taken from the inbox and applied",
            ["result"],
            registry=r,
        )
        self.turn_seconds = Histogram(
            "refundbot_turn_seconds",
            "Time to apply one update: the turn and sending its replies",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.telegram_429 = Counter(
            "refundbot_telegram_429", "Bot API calls answered 429 Too Many Requests", registry=r
        )
        # kind: refused (given up), network (retried), migrated (followed), parked (for you)
        self.send_errors = Counter(
            "refundbot_send_errors",
            "Messages Telegram refused or could not take",
            ["kind"],
            registry=r,
        )
        self.outbox_failed = Gauge(
            "refundbot_outbox_failed",
            "Messages parked for an operator (refundbot outbox failed)",
            registry=r,
        )
        # kind: inbox_payloads, outbox_texts, faq_misses, closed_claims, files, ratings, outbox
        self.privacy_rows_purged = Counter(
            "refundbot_privacy_rows_purged",
            "Rows retention blanked or deleted (OUTBOX_TEXT_DAYS, FAQ_MISSES_DAYS, …)",
            ["kind"],
            registry=r,
        )
        self.staff_presses_refused = Counter(
            "refundbot_staff_presses_refused",
            "Staff buttons pressed by someone not in STAFF_USER_IDS (refused, not audited)",
            registry=r,
        )
        self.claims = Gauge(
            "refundbot_claims", "Claims filed, by the bot's outcome", ["outcome"], registry=r
        )
        self.inbox_depth = Gauge(
            "refundbot_inbox_depth", "Updates waiting to be applied", registry=r
        )
        self.inbox_oldest = Gauge(
            "refundbot_inbox_oldest_age_seconds", "Age of the oldest waiting update", registry=r
        )
        self.outbox_depth = Gauge(
            "refundbot_outbox_depth", "Messages waiting to be sent", registry=r
        )
        self.outbox_oldest = Gauge(
            "refundbot_outbox_oldest_age_seconds", "Age of the oldest unsent message", registry=r
        )

        self.events_queued = Gauge(
            "refundbot_events_queued", "Claim events billing has not taken yet", registry=r
        )
        self.events_failing = Gauge(
            "refundbot_events_failed",
            "Claim events billing refused or did not answer at least once (retried)",
            registry=r,
        )
        self.events_oldest = Gauge(
            "refundbot_events_oldest_age_seconds",
            "Age of the oldest claim event billing has not taken",
            registry=r,
        )

    async def render(self, db: Database, now: datetime) -> bytes:
        """The Prometheus text, with the database figures read now (the same for every worker)."""
        async with db.uow() as uow:
            queues = await uow.ops.queues()
            outcomes = await uow.ops.claims_by_outcome()
            parked = await uow.outbox.count_failed()
            events = await uow.events.stats()
        self.inbox_depth.set(queues.inbox_waiting)
        self.inbox_oldest.set(_age(queues.inbox_oldest, now))
        self.outbox_depth.set(queues.outbox_waiting)
        self.outbox_oldest.set(_age(queues.outbox_oldest, now))
        self.outbox_failed.set(parked)
        self.events_queued.set(events.queued)
        self.events_failing.set(events.failing)
        self.events_oldest.set(_age(events.oldest, now))
        for outcome, count in outcomes.items():
            self.claims.labels(outcome=outcome).set(count)
        return _generate(self.registry)

    content_type = CONTENT_TYPE_LATEST


@dataclass(frozen=True)
class Health:
    healthy: bool
    body: dict[str, object]


async def check_health(db: Database, now: datetime) -> Health:
    """Healthy: the database answers and no update has waited longer than HEALTHY_INBOX_AGE."""
    try:
        async with db.uow() as uow:
            queues = await uow.ops.queues()
    except Exception as exc:  # an unreachable database is exactly what this reports
        log.warning("health check: database unreachable: %s", type(exc).__name__)
        return Health(False, {"database": "unreachable", "error": type(exc).__name__})
    inbox_age = _age(queues.inbox_oldest, now)
    healthy = inbox_age <= HEALTHY_INBOX_AGE.total_seconds()
    return Health(
        healthy,
        {
            "database": "ok",
            "inbox_waiting": queues.inbox_waiting,
            "inbox_oldest_age_seconds": round(inbox_age, 3),
            "outbox_waiting": queues.outbox_waiting,
            "outbox_oldest_age_seconds": round(_age(queues.outbox_oldest, now), 3),
        },
    )


def _age(then: datetime | None, now: datetime) -> float:
    return 0.0 if then is None else max(0.0, (now - then).total_seconds())
