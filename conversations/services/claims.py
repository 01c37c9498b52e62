"""Application services for claims: what every entry point (chat, CLI) asks of the core."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from conversations import policy
from conversations.claims import lifecycle
from conversations.config import DeskConfig
from conversations.domain import (
    LIVE_STATUSES,
    Claim,
    ClaimRequest,
    ClaimStatus,
    Decision,
    LiveClaimExists,
    Outcome,
    Purchase,
    Reason,
)
from conversations.ports import UnitOfWork


@dataclass(frozen=True)
class Decided:
    purchase: Purchase
    decision: Decision


async def decide_claim(
    uow: UnitOfWork,
    request: ClaimRequest,
    home_country: str,
    history: Sequence[Claim] | None = None,
) -> Decided | None:
    """The rules applied to the ledger's facts and the transaction's earlier claims.

    None when the transaction is not in the ledger. Files nothing. `history`: the
    transaction's claims, oldest first, when the caller has read them already.
    """
    purchase = await uow.ledger.purchase(request.transaction_id)
    if purchase is None:
        return None
    campaign = await uow.ledger.campaign(request.campaign_id) if request.campaign_id else None
    campaigns = (
        await uow.ledger.campaigns_for(purchase.transaction_id)
        if request.reason is Reason.OUTAGE
        else ()
    )
    incidents = await uow.ledger.incidents_between(purchase.purchased_at, request.now)
    if history is None:
        history = await uow.claims.for_transaction(purchase.transaction_id)
    decision = policy.decide(
        request, purchase, campaign, incidents, home_country, history, campaigns
    )
    return Decided(purchase, decision)


@dataclass(frozen=True)
class Claimant:
    """Who files: the Telegram user and chat the decision goes back to."""

    user_id: int
    chat_id: int
    name: str = ""
    username: str | None = None


@dataclass(frozen=True)
class Filed:
    """A filed claim and its decision; or, when refused by C-DUPLICATE, the live claim."""

    claim: Claim | None
    decision: Decision | None
    existing: Claim | None = None
    purchase: Purchase | None = None


async def file_claim(
    uow: UnitOfWork, request: ClaimRequest, claimant: Claimant, config: DeskConfig
) -> Filed | None:
    """Decide a claim and store it, unless the transaction has a live claim (C-DUPLICATE).

    None when the transaction is not in the ledger. The caller commits.
    """
    # Checked again at the last moment: another chat may have filed since the summary. The
    # database's unique index settles the race that this check cannot see.
    history = await uow.claims.for_transaction(request.transaction_id)
    existing = next((c for c in reversed(history) if c.status in LIVE_STATUSES), None)
    if existing is not None:
        return Filed(None, None, existing)
    decided = await decide_claim(uow, request, config.home_country, history)
    if decided is None:
        return None
    decision = decided.decision
    escalate = decision.outcome is not Outcome.INELIGIBLE
    untaken = timedelta(minutes=config.untaken_reminder_minutes)
    try:
        claim = await lifecycle.file(
            uow,
            Claim(
                id=None,
                status=ClaimStatus.ESCALATED if escalate else ClaimStatus.INELIGIBLE,
                outcome=decision.outcome,
                reason=request.reason,
                transaction_id=decided.purchase.transaction_id,
                telegram_user_id=claimant.user_id,
                chat_id=claimant.chat_id,
                refundable_credits=decision.refundable_credits,
                clauses=list(decision.clauses),
                created_at=request.now,
                updated_at=request.now,
                campaign_id=request.campaign_id,
                description=request.description,
                incident_id=decision.incident_id,
                customer_name=claimant.name,
                customer_username=claimant.username,
                escalated_at=request.now if escalate else None,
                campaign_ids=list(decision.campaign_ids),
                remind_at=request.now + untaken if escalate else None,
            ),
        )
    except LiveClaimExists as race:
        return Filed(None, None, race.existing)
    return Filed(claim, decision, purchase=decided.purchase)
