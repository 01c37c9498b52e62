"""Decisions gone stale: new facts (an incident, a campaign's counts) would change them.

When an incident is recorded or changed, from any door, or a campaign's counts change, the
rules are run again for the claims those facts touch that are still open or were refused in
the last 48 hours, as of the moment each was filed. Where the decision would now differ,
staff get one message listing them, with a button to re-open them for review. Nothing is
paid, and the customer is told nothing, until staff act.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from conversations import policy
from conversations.catalog import incidents as m
from conversations.catalog import staff as s
from conversations.config import DeskConfig
from conversations.domain import (
    Button,
    Campaign,
    Claim,
    ClaimRequest,
    ClaimStatus,
    Decision,
    Incident,
    OutgoingMessage,
    Reason,
)
from conversations.ports import UnitOfWork
from conversations.staff import callbacks

REOPEN = "reopen"
RECENT = timedelta(hours=48)
REFUSED: frozenset[ClaimStatus] = frozenset({ClaimStatus.INELIGIBLE, ClaimStatus.REJECTED})
LISTED_AT_MOST = 20
OPEN_AT_MOST = 2_000
REOPENED_NOTE = "new facts change the bot's decision ({before} -> {after})"


@dataclass(frozen=True)
class Stale:
    claim: Claim
    decision: Decision


async def after_incidents(
    uow: UnitOfWork, incidents: Sequence[Incident], now: datetime, config: DeskConfig
) -> OutgoingMessage | None:
    """The staff message about claims an incident's (new) facts change; None if none."""
    if not incidents:
        return None
    why = m.STALE_WHY_INCIDENT.format(incident_id=", ".join(i.incident_id for i in incidents))
    return await _message(uow, await _candidates(uow, now, None), now, config, why)


async def after_campaigns(
    uow: UnitOfWork, campaigns: Sequence[Campaign], now: datetime, config: DeskConfig
) -> OutgoingMessage | None:
    """The staff message about claims whose campaigns' new counts change them; None if none."""
    if not campaigns:
        return None
    transactions = {c.transaction_id for c in campaigns}
    names = ", ".join(sorted(c.campaign_id for c in campaigns)[:5])
    why = m.STALE_WHY_CAMPAIGNS.format(campaigns=names + (" …" if len(campaigns) > 5 else ""))
    return await _message(uow, await _candidates(uow, now, transactions), now, config, why)


async def _candidates(uow: UnitOfWork, now: datetime, transactions: set[str] | None) -> list[Claim]:
    """Open claims, and those refused in the last 48 hours (of these transactions, if given)."""
    found = {c.id: c for c in await uow.claims.open_oldest_first(OPEN_AT_MOST)}
    for claim in await uow.claims.active_since(now - RECENT):
        if claim.status in REFUSED and claim.id not in found:
            found[claim.id] = claim
    return [c for c in found.values() if transactions is None or c.transaction_id in transactions]


async def redecide(uow: UnitOfWork, claim: Claim, config: DeskConfig) -> Decision | None:
    """The rules on today's facts, as of the moment the claim was filed; None without a purchase."""
    purchase = await uow.ledger.purchase(claim.transaction_id)
    if purchase is None:
        return None
    campaign = await uow.ledger.campaign(claim.campaign_id) if claim.campaign_id else None
    campaigns = (
        await uow.ledger.campaigns_for(claim.transaction_id)
        if claim.reason is Reason.OUTAGE
        else ()
    )
    incidents = await uow.ledger.incidents_between(purchase.purchased_at, claim.created_at)
    earlier = [
        c
        for c in await uow.claims.for_transaction(claim.transaction_id)
        if c.id != claim.id and (c.created_at, c.id or 0) < (claim.created_at, claim.id or 0)
    ]
    request = ClaimRequest(
        claim.transaction_id,
        claim.reason,
        claim.created_at,
        campaign_id=claim.campaign_id,
        description=claim.description,
    )
    return policy.decide(
        request, purchase, campaign, incidents, config.home_country, earlier, campaigns
    )


def reopened(claim: Claim, decision: Decision, now: datetime, config: DeskConfig) -> Claim:
    """The claim with its new decision: a refused one back in the queue as new."""
    refused = claim.status in REFUSED
    return replace(
        claim,
        status=ClaimStatus.ESCALATED if refused else claim.status,
        outcome=decision.outcome,
        refundable_credits=decision.refundable_credits,
        clauses=list(decision.clauses),
        incident_id=decision.incident_id,
        campaign_ids=list(decision.campaign_ids),
        updated_at=now,
        escalated_at=now if refused else claim.escalated_at,
        decided_at=None if refused else claim.decided_at,
        reject_reason=None if refused else claim.reject_reason,
        remind_at=(
            now + timedelta(minutes=config.untaken_reminder_minutes) if refused else claim.remind_at
        ),
    )


def differs(claim: Claim, decision: Decision) -> bool:
    return (decision.outcome, decision.refundable_credits) != (
        claim.outcome,
        claim.refundable_credits,
    )


async def find_stale(
    uow: UnitOfWork, candidates: Sequence[Claim], config: DeskConfig
) -> list[Stale]:
    stale: list[Stale] = []
    for claim in candidates:
        decision = await redecide(uow, claim, config)
        if decision is not None and differs(claim, decision):
            stale.append(Stale(claim, decision))
    return sorted(stale, key=lambda x: x.claim.id or 0)


async def _message(
    uow: UnitOfWork, candidates: list[Claim], now: datetime, config: DeskConfig, why: str
) -> OutgoingMessage | None:
    if config.staff_chat_id is None:
        return None
    stale = await find_stale(uow, candidates, config)
    if not stale:
        return None
    lines = [
        m.STALE_HEADER.format(
            why=why, count=len(stale), noun=m.STALE_NOUN[0 if len(stale) == 1 else 1]
        )
    ]
    for item in stale[:LISTED_AT_MOST]:
        decision = item.decision
        lines.append(
            m.STALE_LINE.format(
                claim_id=item.claim.id,
                status=s.STATUS_LABELS[item.claim.status.value],
                before=s.OUTCOME_LABELS[item.claim.outcome.value],
                after=s.OUTCOME_LABELS[decision.outcome.value],
                credits=(
                    m.STALE_CREDITS.format(credits=f"{decision.refundable_credits:,}")
                    if decision.refundable_credits
                    else ""
                ),
            )
        )
    button = _reopen_button([i.claim.id for i in stale if i.claim.id is not None])
    return OutgoingMessage(
        chat_id=config.staff_chat_id,
        text="\n".join(lines),
        buttons=((button,),) if button is not None else (),
    )


def _reopen_button(claim_ids: list[int]) -> Button | None:
    """One button for as many of the claims as fit in Telegram's 64 bytes of callback data."""
    target = ""
    for claim_id in claim_ids:
        wider = f"{target}.{claim_id}" if target else str(claim_id)
        if callbacks.encode(REOPEN, wider) is None:
            break
        target = wider
    return Button(m.BTN_REOPEN, callbacks.must(REOPEN, target)) if target else None


def claim_ids(target: str) -> list[int]:
    return [int(part) for part in target.split(".") if part.isdigit()]
