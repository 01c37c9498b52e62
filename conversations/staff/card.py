"""The claim card staff see: the claim, the bot's decision, the evidence and the buttons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from conversations import i18n, refs
from conversations.business_days import refund_window
from conversations.catalog import customer as ct
from conversations.catalog import staff as s
from conversations.catalog.policy_text import format_age, format_date, format_when
from conversations.catalog.staff_clauses import explain_staff, mark
from conversations.claims.transitions import ALLOWED_FROM, CUSTOMER, Transition
from conversations.config import DeskConfig
from conversations.countries import country_name_in
from conversations.domain import (
    Attachment,
    AttachmentKind,
    AuditEntry,
    AuditKind,
    Button,
    Claim,
    ClaimStatus,
    Evidence,
    Outcome,
    OutgoingMessage,
)
from conversations.ports import UnitOfWork
from conversations.staff import callbacks

Keyboard = tuple[tuple[Button, ...], ...]
NOTES_SHOWN = 3  # the newest internal notes on the card; `claims show` has them all
# The card's button rows; each button shows only when the claim's status allows it.
_ROWS: tuple[tuple[Transition, ...], ...] = (
    (Transition.TAKE,),
    (Transition.APPROVE, Transition.REJECT),
    (Transition.ASK,),
    (Transition.REFUNDED,),
    (Transition.OVERRULE,),
)


def card_ref(claim_id: int) -> str:
    return refs.card(claim_id)


def buttons_for(claim: Claim) -> Keyboard:
    """The actions a claim's status allows, from the transition table."""
    rows = (
        tuple(
            Button(s.BUTTONS[t.value], callbacks.must(t.value, claim.id or 0))
            for t in row
            if claim.status in ALLOWED_FROM[t]
        )
        for row in _ROWS
    )
    return tuple(row for row in rows if row)


async def render(uow: UnitOfWork, claim: Claim, now: datetime, config: DeskConfig) -> str:
    """The card's text, with the evidence read fresh from the ledger; its moments in the
    deployment's zone (a card is re-rendered from customer turns, staff turns and the CLI)."""
    assert claim.id is not None
    trail = await uow.claims.audit(claim.id)
    with i18n.in_zone(config.time_zone):
        lines = [
            *_head_lines(claim, now),
            "",
            *_decision_lines(claim),
            "",
            s.CARD_EVIDENCE,
            *await _evidence(uow, claim),
            *await history_lines(uow, claim),
            "",
            *_money_lines(claim, config),
            *_trail_lines(claim, trail),
            s.CARD_OWNER.format(owner=claim.assigned_to) if claim.assigned_to else s.CARD_NOBODY,
            *_last_change(trail),
        ]
    return "\n".join(lines)


def _head_lines(claim: Claim, now: datetime) -> list[str]:
    """Who filed what, when, and in their words."""
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
    return lines


def _decision_lines(claim: Claim) -> list[str]:
    """The bot's decision and each clause, worded in English for staff."""
    lines = [
        s.CARD_DECISION.format(
            outcome=s.OUTCOME_LABELS[claim.outcome.value],
            unverified=s.CARD_UNVERIFIED if claim.outcome is Outcome.REVIEW else "",
        )
    ]
    ineligible = claim.outcome is Outcome.INELIGIBLE
    for clause in claim.clauses:
        lines.append(
            s.CARD_CLAUSE.format(
                mark=mark(clause, ineligible), clause=clause.id, explanation=explain_staff(clause)
            )
        )
    return lines


def _money_lines(claim: Claim, config: DeskConfig) -> list[str]:
    """The refundable credits, the refund window once approved, or the rejection's reason."""
    lines = [s.CARD_REFUNDABLE.format(credits=f"{claim.refundable_credits:,}")]
    if claim.status is ClaimStatus.APPROVED and claim.decided_at is not None:
        start, end = refund_window(claim.decided_at, config.home_country)
        lines.append(s.CARD_REFUND_WINDOW.format(start=format_date(start), end=format_date(end)))
    if claim.reject_reason:
        lines.append(s.CARD_REJECT_REASON.format(reason=claim.reject_reason))
    return lines


def _last_change(trail: Sequence[AuditEntry]) -> list[str]:
    """Who changed the status last, and when (the bot's filing does not count)."""
    changes = [a for a in trail if a.to_status is not None and a.actor != "bot"]
    if not changes:
        return []
    last = changes[-1]
    what = s.STATUS_LABELS[last.to_status.value] if last.to_status else "?"
    who = s.BY_CUSTOMER if last.actor == CUSTOMER else last.actor
    return [s.CARD_LAST.format(what=what, who=who, when=format_when(last.at))]


def _trail_lines(claim: Claim, trail: Sequence[AuditEntry]) -> list[str]:
    """The question or its answer, what the customer added, the newest internal notes, and the
    last overrule's reason."""
    lines: list[str] = []
    if claim.pending_question:
        lines.append(s.CARD_QUESTION.format(question=claim.pending_question))
    else:
        answers = [a.text for a in trail if a.kind is AuditKind.ANSWERED]
        if answers:
            lines.append(s.CARD_ANSWER.format(answer=answers[-1]))
    added = [a for a in trail if a.kind is AuditKind.ADDED]
    for entry in added[-NOTES_SHOWN:]:
        lines.append(s.CARD_ADDED.format(when=format_when(entry.at), text=entry.text))
    # Staff's notes, and the customer's request to be forgotten, which explains the "erased #N".
    notes = [a for a in trail if a.kind in (AuditKind.NOTE, AuditKind.ERASED)]
    for note in notes[-NOTES_SHOWN:]:
        lines.append(s.CARD_NOTE.format(who=note.actor, when=format_when(note.at), note=note.text))
    overrules = [a for a in trail if a.kind is AuditKind.OVERRULED]
    if overrules:
        lines.append(s.CARD_OVERRULED.format(who=overrules[-1].actor, reason=overrules[-1].text))
    return lines


async def history_lines(uow: UnitOfWork, claim: Claim) -> list[str]:
    """C-HISTORY: the other claims on the same transaction, oldest first."""
    others = [c for c in await uow.claims.for_transaction(claim.transaction_id) if c.id != claim.id]
    if not others and not claim.filed_again:
        return []
    lines = [""]
    if claim.filed_again:
        lines.append(s.CARD_FILED_AGAIN)
    if others:
        lines.append(s.CARD_HISTORY)
    for other in others:
        lines.append(
            s.CARD_HISTORY_LINE.format(
                claim_id=other.id,
                when=format_when(other.created_at),
                reason=ct.REASON_SHORT[other.reason.value],
                outcome=s.OUTCOME_LABELS[other.outcome.value],
                status=s.STATUS_LABELS[other.status.value],
                credits=f"{other.refundable_credits:,}",
            )
        )
    return lines


async def _evidence(uow: UnitOfWork, claim: Claim) -> list[str]:
    lines: list[str] = []
    purchase = await uow.ledger.purchase(claim.transaction_id)
    if purchase is not None:
        lines.append(
            s.CARD_PURCHASE.format(
                when=format_when(purchase.purchased_at),
                kind=purchase.kind.value,
                credits=f"{purchase.credits:,}",
                used=f"{purchase.credits_used:,}",
                amount=f"{purchase.amount:,.2f}",
                currency=purchase.currency,
            )
        )
    campaign = await uow.ledger.campaign(claim.campaign_id) if claim.campaign_id else None
    if campaign is not None:
        lines.append(
            s.CARD_CAMPAIGN.format(
                campaign_id=campaign.campaign_id,
                country=country_name_in(campaign.destination_country),
                when=format_when(campaign.sent_at),
                sent=f"{campaign.messages_sent:,}",
                delivered=f"{campaign.delivered:,}",
                failed_platform=f"{campaign.failed_platform:,}",
                failed_carrier=f"{campaign.failed_carrier:,}",
            )
        )
    elif claim.reason.value == "undelivered":
        lines.append(s.CARD_NO_CAMPAIGN)
    assert claim.id is not None
    files = await uow.evidence.for_claim(claim.id)
    if files:
        lines.append(files_line(files))
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


def files_line(files: Sequence[Evidence]) -> str:
    """The card's line of files, e.g. "📎 2 attachments: photo, delivery-report.pdf"."""
    noun = s.CARD_FILES_NOUN[0] if len(files) == 1 else s.CARD_FILES_NOUN[1]
    names = ", ".join(f.label for f in files)
    return s.CARD_FILES.format(count=len(files), noun=noun, names=names)


def evidence_attachment(item: Evidence) -> Attachment:
    """The customer's file, to be sent on by its Telegram file id."""
    photo = item.kind == "photo"
    kind = AttachmentKind.EVIDENCE_PHOTO if photo else AttachmentKind.EVIDENCE_DOCUMENT
    return Attachment(kind, item.file_name or "photo.jpg", {"file_id": item.file_id})


def evidence_message(
    item: Evidence, claim_id: int, name: str, staff_chat_id: int
) -> OutgoingMessage:
    """A copy of a claim's file for the staff chat, under the claim's card (in its topic)."""
    caption = s.EVIDENCE_CAPTION.format(caption=item.caption[:600]) if item.caption else ""
    return OutgoingMessage(
        chat_id=staff_chat_id,
        text=s.EVIDENCE_COPY.format(
            claim_id=claim_id, what=item.label, name=name or "?", caption=caption
        ),
        reply_ref=card_ref(claim_id),
        attachment=evidence_attachment(item),
    )
