"""The staff's view of the queue: /queue pages and /stats."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta

from conversations import i18n
from conversations.business_days import refund_window
from conversations.catalog import incidents as m
from conversations.catalog import staff as s
from conversations.catalog.policy_text import format_age, format_date, format_when
from conversations.config import DeskConfig
from conversations.domain import Button, Claim, ClaimStatus, Incident
from conversations.faq.topics import get_topic
from conversations.ports import UnitOfWork
from conversations.staff import callbacks

PAGE_SIZE = 8
Keyboard = tuple[tuple[Button, ...], ...]


async def page(uow: UnitOfWork, now: datetime, offset: int) -> tuple[str, Keyboard]:
    """One page of open claims, oldest first, with a button per claim and paging buttons."""
    offset = max(offset, 0)
    counts = await uow.claims.count_by_status()
    total = sum(counts.get(st.value, 0) for st in _OPEN)
    claims = await uow.claims.open_oldest_first(PAGE_SIZE, offset)
    ongoing = ongoing_lines(await uow.incidents.ongoing(now))
    if not claims:
        return "\n".join([*ongoing, s.QUEUE_EMPTY]), ()
    lines = [
        *ongoing,
        s.QUEUE_HEADER.format(start=offset + 1, end=offset + len(claims), total=total),
    ]
    for claim in claims:
        lines.append(
            s.QUEUE_LINE.format(
                claim_id=claim.id,
                status=s.STATUS_LABELS[claim.status.value],
                outcome=s.OUTCOME_LABELS[claim.outcome.value],
                credits=f"{claim.refundable_credits:,}",
                age=format_age(now - (claim.escalated_at or claim.created_at)),
                owner=claim.assigned_to or "—",
            )
        )
    nav: list[Button] = []
    if offset > 0:
        nav.append(
            Button(s.BTN_PREV, callbacks.must(callbacks.QUEUE_PAGE, max(offset - PAGE_SIZE, 0)))
        )
    if offset + len(claims) < total:
        nav.append(Button(s.BTN_NEXT, callbacks.must(callbacks.QUEUE_PAGE, offset + PAGE_SIZE)))
    return "\n".join(lines), (tuple(nav),) if nav else ()


def ongoing_lines(incidents: Sequence[Incident]) -> list[str]:
    """The incidents going on now, a line each, above the queue (staff declare them)."""
    if not incidents:
        return []
    lines = [m.INCIDENTS_ONGOING]
    for incident in incidents:
        lines.append(
            m.INCIDENT_LINE.format(
                incident_id=incident.incident_id,
                scope=incident.scope,
                when=format_when(incident.started_at),
                description=incident.description[:120],
            )
        )
    return [*lines, ""]


_OPEN = (ClaimStatus.ESCALATED, ClaimStatus.IN_REVIEW, ClaimStatus.INFO_REQUESTED)


def is_overdue(claim: Claim, now: datetime, country: str) -> bool:
    """Approved, unpaid, and past the last day of its 7-business-day window."""
    if claim.status is not ClaimStatus.APPROVED or claim.decided_at is None:
        return False
    _, end = refund_window(claim.decided_at, country)
    return now.date() > end


async def stats(uow: UnitOfWork, now: datetime, config: DeskConfig) -> str:
    """Counts by status, today's claims, median time to decision, refunds overdue."""
    counts = await uow.claims.count_by_status()
    # A status nobody is in is no news: only the counts there are, or a line saying none.
    by_status = (
        "\n".join(
            f"{s.STATUS_LABELS[st.value]}: {counts[st.value]:,}"
            for st in ClaimStatus
            if counts.get(st.value, 0)
        )
        or s.STATS_NO_CLAIMS
    )
    # Today is the home country's day, as staff there count it, not UTC's.
    with i18n.in_zone(config.time_zone):
        midnight = i18n.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
        zone = i18n.zone_label(now)
    everything = await uow.claims.list()
    today = sum(1 for c in everything if c.created_at >= midnight)
    waits = [
        (c.decided_at - c.escalated_at).total_seconds()
        for c in everything
        if c.decided_at is not None and c.escalated_at is not None
    ]
    median = format_age(timedelta(seconds=statistics.median(waits))) if waits else s.STATS_NO_MEDIAN
    approved = [c for c in everything if c.status is ClaimStatus.APPROVED]
    overdue = sum(1 for c in approved if is_overdue(c, now, config.home_country))
    text = s.STATS.format(
        by_status=by_status,
        day=format_date(midnight.date()),
        zone=zone,
        today=f"{today:,}",
        median=median,
        overdue=f"{overdue:,}",
    )
    text += await _customer_ratings(uow)
    ratings = await uow.faq.ratings()
    if not ratings:
        return text
    helpful = sum(yes for yes, _ in ratings.values())
    not_helpful = sum(no for _, no in ratings.values())
    worst_id, (_yes, worst_no) = max(ratings.items(), key=lambda r: (r[1][1], r[0]))
    faq = s.STATS_FAQ.format(helpful=f"{helpful:,}", not_helpful=f"{not_helpful:,}")
    if worst_no:
        # The topic as staff know it from the FAQ menu, not its key.
        topic = get_topic(worst_id)
        faq += s.STATS_FAQ_WORST.format(topic=topic.title if topic else worst_id, count=worst_no)
    return text + "\n\n" + faq + s.STATS_FAQ_MISSES


COMMENTS_SHOWN = 5
COMMENT_CHARS = 200


async def _customer_ratings(uow: UnitOfWork) -> str:
    """The average of customers' 1-5 ratings of closed claims, and the latest comments."""
    count, average = await uow.ratings.summary()
    if not count or average is None:
        return ""
    lines = ["", "", s.STATS_RATINGS.format(average=f"{average:.1f}", count=count)]
    comments = await uow.ratings.latest_comments(COMMENTS_SHOWN)
    if comments:
        lines.append(s.STATS_COMMENTS)
    for rating in comments:
        words = rating.comment or ""
        if len(words) > COMMENT_CHARS:
            words = words[: COMMENT_CHARS - 1].rstrip() + "…"
        lines.append(
            s.STATS_COMMENT.format(
                claim_id=rating.claim_id,
                stars=rating.stars,
                when=format_when(rating.rated_at),
                comment=words,
            )
        )
    return "\n".join(lines)
