"""Submitting a claim: decide it, store it, tell the customer and, if worth it, the staff."""

from __future__ import annotations

from conversations import i18n
from conversations.catalog import customer as t
from conversations.catalog import policy_text
from conversations.chat import keyboards as kb
from conversations.chat.turn import Turn
from conversations.dialogue import evidence
from conversations.domain import Claim, ClaimRequest, ClaimStatus, Decision, Outcome, Purchase
from conversations.i18n import _
from conversations.money import pro_rata
from conversations.services.claims import Claimant, file_claim
from conversations.staff import notify


async def submit(turn: Turn) -> None:
    """Decide the claim in the conversation's slots and file it."""
    slots = turn.slots
    assert slots.tx is not None and slots.reason is not None
    tx = slots.tx
    request = ClaimRequest(
        transaction_id=tx,
        reason=slots.reason,
        now=turn.now,
        campaign_id=slots.campaign or None,
        description=slots.description,
    )
    author = turn.event.author
    claimant = Claimant(author.user_id, turn.chat_id, author.first_name, author.username)
    filed = await file_claim(turn.uow, request, claimant, turn.config)
    if filed is None:
        turn.reset()
        turn.say(_(t.UNKNOWN_TRANSACTION_GIVE_UP), kb.human_only())
        return
    if filed.claim is None or filed.decision is None:
        _duplicate(turn, tx, filed.existing)
        return
    claim = filed.claim
    assert claim.id is not None
    # Stored before the card is drawn, so the card lists them.
    files = await evidence.attach_pending(turn, claim)
    turn.reset()
    turn.say(_decision_text(claim.id, filed.decision, filed.purchase), kb.main_menu())
    if claim.status is not ClaimStatus.INELIGIBLE:
        for message in await notify.claim_escalated(turn.uow, claim, turn.now, turn.config):
            turn.send_to(message)
        evidence.copies_for_staff(turn, claim, files)


def _duplicate(turn: Turn, tx: str, existing: Claim | None) -> None:
    turn.reset()
    if existing is None:  # it was decided between the refusal and our look
        turn.say(_(t.DUPLICATE_GONE).format(tx=tx), kb.main_menu())
        return
    turn.say(
        _(t.DUPLICATE).format(
            tx=tx, claim_id=existing.id, status=_(t.STATUS_LABELS[existing.status.value])
        ),
        kb.main_menu(),
    )


def _decision_text(claim_id: int, decision: Decision, purchase: Purchase | None) -> str:
    """The decision in the policy's own words; clause ids stay on the staff card."""
    if decision.outcome is Outcome.ELIGIBLE:
        deciding = policy_text.explain(decision.clauses[-1]) if decision.clauses else ""
        return _(t.DECISION_ELIGIBLE).format(
            claim_id=claim_id,
            credits=i18n.number(decision.refundable_credits),
            money=_money(decision.refundable_credits, purchase),
            why=deciding,
        )
    failed = decision.failed_clause
    if decision.outcome is Outcome.REVIEW:
        why = policy_text.explain(failed) if failed else _(t.REVIEW_DESCRIPTION)
        return _(t.DECISION_REVIEW).format(claim_id=claim_id, why=why)
    assert failed is not None
    return _(t.DECISION_INELIGIBLE).format(
        why=policy_text.explain(failed),
        next=policy_text.what_next(decision),
        claim_id=claim_id,
    )


def _money(credits: int, purchase: Purchase | None) -> str:
    """What the credits cost, when the ledger says what the purchase cost."""
    if purchase is None or purchase.amount <= 0 or purchase.credits <= 0:
        return ""
    amount = pro_rata(purchase.amount, credits, purchase.credits)
    return _(t.MONEY).format(amount=i18n.money(amount, purchase.currency))
