"""Submitting a claim: decide it, store it, tell the customer and, if worth it, the staff."""

from __future__ import annotations

from conversations import policy
from conversations.catalog import customer as t
from conversations.dialogue import keyboards as kb
from conversations.dialogue.turn import Turn
from conversations.domain import (
    AuditEntry,
    Claim,
    ClaimRequest,
    ClaimStatus,
    Decision,
    Outcome,
    Reason,
)
from conversations.staff import notify


async def submit(turn: Turn) -> None:
    """Decide the claim in the conversation's slots and file it."""
    slots = turn.state.slots
    tx = str(slots["tx"])
    purchase = await turn.uow.ledger.purchase(tx)
    if purchase is None:
        turn.reset()
        turn.say(t.UNKNOWN_TRANSACTION_GIVE_UP, kb.human_only())
        return
    reason = Reason(str(slots["reason"]))
    campaign_id = slots.get("campaign")
    campaign = await turn.uow.ledger.campaign(str(campaign_id)) if campaign_id else None
    incidents = await turn.uow.ledger.incidents_between(purchase.purchased_at, turn.now)
    request = ClaimRequest(
        transaction_id=tx,
        reason=reason,
        now=turn.now,
        campaign_id=str(campaign_id) if campaign_id else None,
        description=slots.get("description"),
    )
    decision = policy.decide(request, purchase, campaign, incidents, turn.config.home_country)
    escalate = decision.outcome is not Outcome.INELIGIBLE
    sender = turn.event.sender
    claim = await turn.uow.claims.add(
        Claim(
            id=None,
            status=ClaimStatus.ESCALATED if escalate else ClaimStatus.INELIGIBLE,
            outcome=decision.outcome,
            reason=reason,
            transaction_id=tx,
            telegram_user_id=sender.user_id,
            chat_id=turn.chat_id,
            refundable_credits=decision.refundable_credits,
            clauses=list(decision.clauses),
            created_at=turn.now,
            updated_at=turn.now,
            campaign_id=request.campaign_id,
            description=request.description,
            incident_id=decision.incident_id,
            customer_name=sender.first_name,
            customer_username=sender.username,
            escalated_at=turn.now if escalate else None,
        )
    )
    assert claim.id is not None
    await turn.uow.claims.add_audit(
        AuditEntry(
            claim_id=claim.id,
            at=turn.now,
            actor="bot",
            actor_id=None,
            from_status=None,
            to_status=claim.status,
            note=f"outcome {decision.outcome.value}",
        )
    )
    turn.reset()
    turn.say(_decision_text(claim.id, decision), kb.main_menu())
    if escalate:
        for message in await notify.claim_escalated(turn.uow, claim, turn.now, turn.config):
            turn.send_to(message)


def _decision_text(claim_id: int, decision: Decision) -> str:
    if decision.outcome is Outcome.ELIGIBLE:
        return t.DECISION_ELIGIBLE.format(
            claim_id=claim_id, credits=f"{decision.refundable_credits:,}"
        )
    failed = decision.failed_clause
    if decision.outcome is Outcome.REVIEW:
        why = failed.explanation if failed else t.REVIEW_DESCRIPTION
        return t.DECISION_REVIEW.format(claim_id=claim_id, why=why)
    assert failed is not None
    return t.DECISION_INELIGIBLE.format(
        why=failed.explanation,
        next=policy.what_next(decision),
        clause=failed.id,
        claim_id=claim_id,
    )
