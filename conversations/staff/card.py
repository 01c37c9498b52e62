"""The claim card staff see: the claim, the bot's decision, the evidence and the buttons."""

from __future__ import annotations

from datetime import datetime

from conversations.business_days import refund_window
from conversations.catalog import customer as ct
from conversations.catalog import staff as s
from conversations.catalog.policy_text import format_age, format_date, format_when
from conversations.config import DeskConfig
from conversations.domain import Button, Claim, ClaimStatus, Outcome, OutgoingMessage
from conversations.ports import UnitOfWork

Keyboard = tuple[tuple[Button, ...], ...]
# The audit note of a customer's answer to a staff question starts with this.
ANSWER = "answer: "


def card_ref(claim_id: int) -> str:
    return f"card:{claim_id}"


def buttons_for(claim: Claim) -> Keyboard:
    """The actions a claim's status allows."""
    cid = claim.id
    status = claim.status
    rows: list[tuple[Button, ...]] = []
    if status is ClaimStatus.ESCALATED:
        rows.append((Button(s.BTN_TAKE, f"st:take:{cid}"),))
    if status in (ClaimStatus.ESCALATED, ClaimStatus.IN_REVIEW):
        rows.append(
            (Button(s.BTN_APPROVE, f"st:approve:{cid}"), Button(s.BTN_REJECT, f"st:reject:{cid}"))
        )
        rows.append((Button(s.BTN_ASK, f"st:ask:{cid}"),))
    if status is ClaimStatus.INFO_REQUESTED:
        rows.append(
            (Button(s.BTN_APPROVE, f"st:approve:{cid}"), Button(s.BTN_REJECT, f"st:reject:{cid}"))
        )
    if status is ClaimStatus.APPROVED:
        rows.append((Button(s.BTN_REFUNDED, f"st:refunded:{cid}"),))
    return tuple(rows)


async def render(uow: UnitOfWork, claim: Claim, now: datetime, config: DeskConfig) -> str:
    """The card's text, with the evidence read fresh from the ledger."""
    assert claim.id is not None
    lines = [
        s.CARD_TITLE.format(claim_id=claim.id, status=s.STATUS_LABELS[claim.status.value]),
        s.CARD_AGE.format(
            when=format_when(claim.created_at), age=format_age(now - claim.created_at)
        ),
        s.CARD_CUSTOMER.format(
            name=claim.customer_name or "?",
            username=f" (@{claim.customer_username})" if claim.customer_username else "",
            user_id=claim.telegram_user_id,
        ),
        s.CARD_CLAIM.format(tx=claim.transaction_id, reason=ct.REASON_SHORT[claim.reason.value]),
    ]
    if claim.description:
        lines.append(s.CARD_DESCRIPTION.format(description=claim.description))
    lines.append("")
    lines.append(
        s.CARD_DECISION.format(
            outcome=s.OUTCOME_LABELS[claim.outcome.value],
            unverified=s.CARD_UNVERIFIED if claim.outcome is Outcome.REVIEW else "",
        )
    )
    for clause in claim.clauses:
        lines.append(
            s.CARD_CLAUSE.format(
                mark="✅" if clause.passed else "⚠️",
                clause=clause.id,
                explanation=clause.explanation,
            )
        )
    lines.append("")
    lines.append(s.CARD_EVIDENCE)
    lines.extend(await _evidence(uow, claim))
    lines.append("")
    lines.append(s.CARD_REFUNDABLE.format(credits=claim.refundable_credits))
    if claim.status is ClaimStatus.APPROVED and claim.decided_at is not None:
        start, end = refund_window(claim.decided_at, config.home_country)
        lines.append(s.CARD_REFUND_WINDOW.format(start=format_date(start), end=format_date(end)))
    if claim.reject_reason:
        lines.append(s.CARD_REJECT_REASON.format(reason=claim.reject_reason))
    trail = await uow.claims.audit(claim.id)
    if claim.pending_question:
        lines.append(s.CARD_QUESTION.format(question=claim.pending_question))
    else:
        answers = [a.note for a in trail if a.actor == "customer" and a.note.startswith(ANSWER)]
        if answers:
            lines.append(s.CARD_ANSWER.format(answer=answers[-1].removeprefix(ANSWER)))
    lines.append(
        s.CARD_OWNER.format(owner=claim.assigned_to) if claim.assigned_to else s.CARD_NOBODY
    )
    changes = [a for a in trail if a.to_status is not None and a.actor != "bot"]
    if changes:
        last = changes[-1]
        what = s.STATUS_LABELS[last.to_status.value] if last.to_status else "?"
        who = s.BY_CUSTOMER if last.actor == "customer" else last.actor
        lines.append(s.CARD_LAST.format(what=what, who=who, when=format_when(last.at)))
    return "\n".join(lines)


async def _evidence(uow: UnitOfWork, claim: Claim) -> list[str]:
    lines: list[str] = []
    purchase = await uow.ledger.purchase(claim.transaction_id)
    if purchase is not None:
        lines.append(
            s.CARD_PURCHASE.format(
                when=format_when(purchase.purchased_at),
                kind=purchase.kind.value,
                credits=purchase.credits,
                used=purchase.credits_used,
                amount=f"{purchase.amount:,.2f}",
                currency=purchase.currency,
            )
        )
    campaign = await uow.ledger.campaign(claim.campaign_id) if claim.campaign_id else None
    if campaign is not None:
        lines.append(
            s.CARD_CAMPAIGN.format(
                campaign_id=campaign.campaign_id,
                country=campaign.destination_country,
                when=format_when(campaign.sent_at),
                sent=campaign.messages_sent,
                delivered=campaign.delivered,
                failed_platform=campaign.failed_platform,
                failed_carrier=campaign.failed_carrier,
            )
        )
    elif claim.reason.value == "undelivered":
        lines.append(s.CARD_NO_CAMPAIGN)
    if claim.incident_id and purchase is not None:
        incidents = await uow.ledger.incidents_between(purchase.purchased_at, claim.created_at)
        for incident in incidents:
            if incident.incident_id == claim.incident_id:
                lines.append(
                    s.CARD_INCIDENT.format(
                        incident_id=incident.incident_id,
                        scope=incident.scope,
                        description=incident.description,
                        start=format_when(incident.started_at),
                        end=format_when(incident.ended_at)
                        if incident.ended_at
                        else s.CARD_INCIDENT_ONGOING,
                    )
                )
    return lines


async def card_message(
    uow: UnitOfWork, claim: Claim, now: datetime, config: DeskConfig, *, edit: bool
) -> OutgoingMessage:
    """The card as a new message, or as an edit of the card already posted."""
    assert claim.id is not None and config.staff_chat_id is not None
    text = await render(uow, claim, now, config)
    ref = card_ref(claim.id)
    return OutgoingMessage(
        chat_id=config.staff_chat_id,
        text=text,
        buttons=buttons_for(claim),
        ref=ref,
        # An edit of a card not yet posted (or lost) is posted anew by the dispatcher.
        edit_ref=ref if edit else None,
    )
