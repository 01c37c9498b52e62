"""/report: the numbers a team lead asks for, with a chart and the finance CSV, in the chat."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime, time, timedelta

from conversations import i18n
from conversations.business_days import overdue_from
from conversations.catalog import incidents as m
from conversations.catalog import staff as s
from conversations.catalog.policy_text import format_age, format_date
from conversations.claims.finance import finance_rows
from conversations.config import DeskConfig
from conversations.domain import (
    Attachment,
    AttachmentKind,
    Claim,
    ClaimStatus,
    Outcome,
    OutgoingMessage,
)
from conversations.ports import UnitOfWork

DAYS = 14


async def report(
    uow: UnitOfWork, chat_id: int, now: datetime, config: DeskConfig
) -> list[OutgoingMessage]:
    """The last two weeks as a chart with a summary, then the claims to pay as a CSV."""
    # Days as staff in the home country count them: from their midnight, not UTC's.
    with i18n.in_zone(config.time_zone):
        today = i18n.local(now).date()
        first_day = today - timedelta(days=DAYS - 1)
        start = datetime.combine(first_day, time(0), tzinfo=i18n.local(now).tzinfo)
        claims = list(await uow.claims.active_since(start))
        filed = [(i18n.local(c.created_at).date(), c) for c in claims if c.created_at >= start]
        zone = i18n.zone_label(now)
    per_day = {
        outcome.value: Counter(day for day, c in filed if c.outcome is outcome)
        for outcome in Outcome
    }
    summary = s.REPORT.format(
        **_since(claims, start, now, config),
        start=format_date(first_day),
        end=format_date(today),
        zone=zone,
        filed=len(filed),
        eligible=sum(per_day["eligible"].values()),
        review=sum(per_day["review"].values()),
        ineligible=sum(per_day["ineligible"].values()),
    )
    incidents = await uow.ledger.incidents_between(start, now)
    if incidents:
        ids = ", ".join(
            f"{i.incident_id} ({i.scope}{'' if i.ended_at else ', ongoing'})"
            for i in incidents[:10]
        )
        summary += "\n" + m.REPORT_INCIDENTS.format(count=len(incidents), ids=ids)
    rows = await finance_rows(uow, ClaimStatus.APPROVED, config.home_country)
    finance = Attachment(
        AttachmentKind.FINANCE_CSV,
        f"refunds-to-pay-{now:%Y%m%d}.csv",
        {"rows": [r.cells() for r in rows]},
    )
    return [
        OutgoingMessage(
            chat_id=chat_id, text=summary, attachment=_chart(first_day, today, per_day)
        ),
        OutgoingMessage(
            chat_id=chat_id,
            text=s.REPORT_FINANCE.format(count=len(rows)),
            attachment=finance,
        ),
    ]


def _since(
    claims: list[Claim], start: datetime, now: datetime, config: DeskConfig
) -> dict[str, str]:
    """What was refunded since `start`, how long decisions took, and which refunds are late."""
    refunded = [c for c in claims if c.refunded_at is not None and c.refunded_at >= start]
    waits = [
        (c.decided_at - (c.escalated_at or c.created_at)).total_seconds()
        for c in claims
        if c.decided_at is not None and c.decided_at >= start
    ]
    median = format_age(timedelta(seconds=statistics.median(waits))) if waits else s.STATS_NO_MEDIAN
    late = [c for c in claims if _missed(c, now, config.home_country)]
    return {
        "refunded": str(len(refunded)),
        "credits": f"{sum(c.refundable_credits for c in refunded):,}",
        "median": median,
        "late": str(len(late)),
        "late_ids": ", ".join(f"#{c.id}" for c in late[:10]) or s.REPORT_NONE,
    }


def _chart(first_day: date, last_day: date, per_day: dict[str, Counter[date]]) -> Attachment:
    """Claims filed per day, by the bot's outcome."""
    days = [first_day + timedelta(days=n) for n in range(DAYS)]
    return Attachment(
        AttachmentKind.CLAIMS_CHART,
        f"claims-{first_day:%Y%m%d}-{last_day:%Y%m%d}.png",
        {
            "title": s.REPORT_CHART_TITLE,
            "days": [d.isoformat() for d in days],
            "series": {s.OUTCOME_LABELS[o]: [per_day[o][d] for d in days] for o in per_day},
        },
    )


def _missed(claim: Claim, now: datetime, country: str) -> bool:
    """SLA: an approved refund not paid by the end of its 7-business-day window."""
    if claim.decided_at is None or claim.status not in (ClaimStatus.APPROVED, ClaimStatus.REFUNDED):
        return False
    due = overdue_from(claim.decided_at, country)
    paid = claim.refunded_at
    return (paid is None and now >= due) or (paid is not None and paid >= due)
