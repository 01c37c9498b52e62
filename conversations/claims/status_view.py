"""The customer's /status: their own claims, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from conversations.business_days import refund_window
from conversations.catalog import customer as t
from conversations.catalog.policy_text import format_date, format_when
from conversations.domain import Claim, ClaimStatus

MAX_SHOWN = 10


def render(claims: Sequence[Claim], home_country: str) -> str:
    """List the claims with status and, once approved, the refund date range."""
    if not claims:
        return t.STATUS_NONE
    newest = sorted(claims, key=lambda c: c.created_at, reverse=True)[:MAX_SHOWN]
    lines = [t.STATUS_HEADER]
    for claim in newest:
        lines.append(
            t.STATUS_LINE.format(
                claim_id=claim.id,
                tx=claim.transaction_id,
                status=t.STATUS_LABELS[claim.status.value],
                when=format_when(claim.created_at),
            )
        )
        if claim.status is ClaimStatus.APPROVED and claim.decided_at is not None:
            start, end = refund_window(claim.decided_at, home_country)
            lines.append(
                t.STATUS_APPROVED_LINE.format(
                    credits=f"{claim.refundable_credits:,}",
                    start=format_date(start),
                    end=format_date(end),
                )
            )
        elif claim.status is ClaimStatus.REJECTED and claim.reject_reason:
            lines.append(t.STATUS_REJECTED_LINE.format(reason=claim.reject_reason))
        elif claim.status is ClaimStatus.INFO_REQUESTED and claim.pending_question:
            lines.append(t.STATUS_QUESTION_LINE.format(question=claim.pending_question))
    return "\n".join(lines)
