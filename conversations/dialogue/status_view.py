"""The customer's /status: their own claims, newest first, and one claim in detail."""

from __future__ import annotations

from collections.abc import Sequence

from conversations import i18n
from conversations.business_days import refund_window
from conversations.catalog import customer as t
from conversations.catalog import policy_text
from conversations.catalog.policy_text import reword
from conversations.claims.transitions import CUSTOMER
from conversations.domain import OPEN_STATUSES, AuditEntry, AuditKind, Claim, ClaimStatus
from conversations.i18n import _

MAX_SHOWN = 10


def render(claims: Sequence[Claim], home_country: str) -> str:
    """List the claims with status and, once approved, the refund date range."""
    if not claims:
        return _(t.STATUS_NONE)
    newest = sorted(claims, key=lambda c: c.created_at, reverse=True)[:MAX_SHOWN]
    lines = [_(t.STATUS_HEADER)]
    for claim in newest:
        lines.append(
            _(t.STATUS_LINE).format(
                claim_id=claim.id,
                tx=claim.transaction_id,
                status=_(t.STATUS_LABELS[claim.status.value]),
                when=i18n.when(claim.created_at),
            )
        )
        if claim.status is ClaimStatus.APPROVED and claim.decided_at is not None:
            start, end = refund_window(claim.decided_at, home_country)
            lines.append(
                _(t.STATUS_APPROVED_LINE).format(
                    credits=i18n.number(claim.refundable_credits),
                    start=i18n.day(start),
                    end=i18n.day(end),
                )
            )
        elif claim.status is ClaimStatus.REJECTED and claim.reject_reason:
            lines.append(_(t.STATUS_REJECTED_LINE).format(reason=claim.reject_reason))
        elif claim.status is ClaimStatus.INFO_REQUESTED and claim.pending_question:
            lines.append(_(t.STATUS_QUESTION_LINE).format(question=claim.pending_question))
    return "\n".join(lines)


def detail(claim: Claim, trail: Sequence[AuditEntry], home_country: str) -> str:
    """One claim for its customer: what happened when, and what happens next."""
    assert claim.id is not None
    lines = [
        _(t.DETAIL_TITLE).format(
            claim_id=claim.id,
            tx=claim.transaction_id,
            status=_(t.STATUS_LABELS[claim.status.value]),
        ),
        "",
        _(t.DETAIL_TIMELINE),
    ]
    for entry in trail:
        what = _timeline(entry)
        if what is not None:
            lines.append(_(t.DETAIL_EVENT).format(when=i18n.when(entry.at), what=what))
    lines += ["", _(t.DETAIL_NEXT).format(next=_next(claim, home_country))]
    return "\n".join(lines)


def _timeline(entry: AuditEntry) -> str | None:
    """What the customer may see of an audit row; staff notes and reminders stay inside."""
    if entry.to_status is not None:
        if entry.actor == CUSTOMER and entry.to_status is ClaimStatus.IN_REVIEW:
            return _(t.TIMELINE_ANSWERED)
        return _(t.TIMELINE[entry.to_status.value])
    if entry.kind is AuditKind.ADDED:
        return _(t.TIMELINE_ADDED)
    return None


def _next(claim: Claim, home_country: str) -> str:
    status = claim.status
    if status is ClaimStatus.INFO_REQUESTED and claim.pending_question:
        return _(t.NEXT_QUESTION).format(question=claim.pending_question)
    if status in OPEN_STATUSES:
        return _(t.NEXT_OPEN)
    if status is ClaimStatus.APPROVED and claim.decided_at is not None:
        start, end = refund_window(claim.decided_at, home_country)
        return reword(_(t.NEXT_APPROVED)).format(
            credits=i18n.number(claim.refundable_credits), start=i18n.day(start), end=i18n.day(end)
        )
    if status is ClaimStatus.REFUNDED and claim.refunded_at is not None:
        return _(t.NEXT_REFUNDED).format(
            credits=i18n.number(claim.refundable_credits), when=i18n.when(claim.refunded_at)
        )
    if status is ClaimStatus.REJECTED:
        return _(t.NEXT_REJECTED).format(reason=claim.reject_reason or "")
    if status is ClaimStatus.INELIGIBLE:
        failed = next((c for c in claim.clauses if not c.passed), None)
        return _(t.NEXT_INELIGIBLE).format(why=policy_text.explain(failed) if failed else "")
    return _(t.NEXT_CANCELLED)
