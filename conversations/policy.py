"""The refund rules of POLICY-RULES.md: a claim and the ledger's facts in, a decision out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from conversations.catalog import policy_text as text
from conversations.domain import (
    Campaign,
    ClaimRequest,
    ClauseResult,
    Decision,
    Incident,
    Kind,
    Outcome,
    Purchase,
    Reason,
)

C_WINDOW = "C-WINDOW"
C_SUBSCRIPTION = "C-SUBSCRIPTION"
C_CAMPAIGN = "C-CAMPAIGN"
C_REPORT_24H = "C-REPORT-24H"
C_CAUSE = "C-CAUSE"
C_INTL_CARRIER = "C-INTL-CARRIER"
C_SERVICE_FAILURE = "C-SERVICE-FAILURE"
C_NO_FAILURE = "C-NO-FAILURE"
C_INCIDENT = "C-INCIDENT"
C_NOT_BENEFICIAL = "C-NOT-BENEFICIAL"

REFUND_WINDOW = timedelta(days=2)
REPORT_WINDOW = timedelta(hours=24)


def decide(
    request: ClaimRequest,
    purchase: Purchase,
    campaign: Campaign | None,
    incidents: Sequence[Incident],
    home_country: str = "PK",
) -> Decision:
    """Apply the checks for the claim's reason in order, stopping at the first that fails."""
    if request.reason is Reason.NOT_BENEFICIAL:
        return _ineligible([ClauseResult(C_NOT_BENEFICIAL, False, text.NOT_BENEFICIAL_FAILED)])

    future = _from_the_future(request.now, purchase, campaign)
    if future is not None:
        # The ledger says it happened after the claim: a records problem for a person to check.
        return Decision(Outcome.REVIEW, 0, (future,))

    clauses: list[ClauseResult] = []
    for clause in _gates(request, purchase, campaign):
        clauses.append(clause)
        if not clause.passed:
            # A campaign we cannot match is a question for staff, not a refusal.
            if clause.id == C_CAMPAIGN:
                return Decision(Outcome.REVIEW, 0, tuple(clauses))
            return _ineligible(clauses)

    if request.reason is Reason.OUTAGE:
        return _outage(request.now, purchase, incidents, clauses)
    if request.reason is Reason.UNDELIVERED and campaign is not None:
        return _undelivered(request.now, campaign, home_country, clauses)
    return Decision(Outcome.REVIEW, 0, tuple(clauses))


def what_next(decision: Decision) -> str:
    """What the customer can still do after an ineligible decision; empty otherwise."""
    failed = decision.failed_clause
    if decision.outcome is not Outcome.INELIGIBLE or failed is None:
        return ""
    return text.WHAT_NEXT.get(failed.id, text.WHAT_NEXT_DEFAULT)


def _gates(
    request: ClaimRequest, purchase: Purchase, campaign: Campaign | None
) -> Iterator[ClauseResult]:
    """The checks before the reason-specific one; lazy, so none runs after a failure."""
    yield _window(purchase, request.now)
    yield _subscription(purchase)
    if request.reason is Reason.UNDELIVERED:
        yield _campaign(request, purchase, campaign)


def _from_the_future(
    now: datetime, purchase: Purchase, campaign: Campaign | None
) -> ClauseResult | None:
    if purchase.purchased_at > now:
        return ClauseResult(C_WINDOW, False, text.after_claim("purchase", purchase.purchased_at))
    ours = campaign is not None and campaign.transaction_id == purchase.transaction_id
    if ours and campaign is not None and campaign.sent_at > now:
        return ClauseResult(C_REPORT_24H, False, text.after_claim("campaign", campaign.sent_at))
    return None


def _ineligible(clauses: list[ClauseResult]) -> Decision:
    return Decision(Outcome.INELIGIBLE, 0, tuple(clauses))


def _window(purchase: Purchase, now: datetime) -> ClauseResult:
    age = now - purchase.purchased_at
    deadline = purchase.purchased_at + REFUND_WINDOW
    if age <= REFUND_WINDOW:
        return ClauseResult(
            C_WINDOW, True, text.window_passed(age, purchase.purchased_at, deadline)
        )
    return ClauseResult(C_WINDOW, False, text.window_failed(age, purchase.purchased_at, deadline))


def _subscription(purchase: Purchase) -> ClauseResult:
    if purchase.kind is Kind.SUBSCRIPTION:
        return ClauseResult(C_SUBSCRIPTION, False, text.SUBSCRIPTION_FAILED)
    return ClauseResult(C_SUBSCRIPTION, True, text.subscription_passed(purchase.credits))


def _campaign(request: ClaimRequest, purchase: Purchase, campaign: Campaign | None) -> ClauseResult:
    if campaign is not None and campaign.transaction_id == purchase.transaction_id:
        return ClauseResult(C_CAMPAIGN, True, text.campaign_passed(campaign.campaign_id))
    # Never name the other transaction: it may be someone else's purchase.
    campaign_id = request.campaign_id or (campaign.campaign_id if campaign else None)
    if campaign_id is None:
        return ClauseResult(C_CAMPAIGN, False, text.CAMPAIGN_MISSING)
    return ClauseResult(C_CAMPAIGN, False, text.campaign_not_found(campaign_id))


def _undelivered(
    now: datetime, campaign: Campaign, home_country: str, clauses: list[ClauseResult]
) -> Decision:
    age = now - campaign.sent_at
    if age > REPORT_WINDOW:
        clauses.append(ClauseResult(C_REPORT_24H, False, text.report_failed(age, campaign.sent_at)))
        return _ineligible(clauses)
    clauses.append(ClauseResult(C_REPORT_24H, True, text.report_passed(age, campaign.sent_at)))

    if campaign.failed_platform > 0:
        explanation = text.cause_passed(campaign.failed_platform, campaign.messages_sent)
        clauses.append(ClauseResult(C_CAUSE, True, explanation))
        return Decision(Outcome.ELIGIBLE, campaign.failed_platform, tuple(clauses))
    if campaign.failed_carrier > 0:
        if campaign.destination_country.upper() != home_country.upper():
            explanation = text.intl_carrier_failed(
                campaign.failed_carrier,
                campaign.messages_sent,
                campaign.destination_country.upper(),
            )
            clauses.append(ClauseResult(C_INTL_CARRIER, False, explanation))
        else:
            explanation = text.service_failure_failed(
                campaign.failed_carrier, campaign.messages_sent
            )
            clauses.append(ClauseResult(C_SERVICE_FAILURE, False, explanation))
        return _ineligible(clauses)
    explanation = text.no_failure_failed(campaign.messages_sent, campaign.delivered)
    clauses.append(ClauseResult(C_NO_FAILURE, False, explanation))
    return _ineligible(clauses)


def _overlaps(incident: Incident, start: datetime, end: datetime) -> bool:
    return incident.started_at <= end and (incident.ended_at is None or incident.ended_at >= start)


def _outage(
    now: datetime, purchase: Purchase, incidents: Sequence[Incident], clauses: list[ClauseResult]
) -> Decision:
    relevant = sorted(
        (i for i in incidents if _overlaps(i, purchase.purchased_at, now)),
        key=lambda i: (i.started_at, i.incident_id),
    )
    outage = next((i for i in relevant if i.scope.lower() == "all"), None)
    if outage is not None:
        unused = max(purchase.credits - purchase.credits_used, 0)
        explanation = text.incident_passed(
            outage.description, outage.started_at, outage.ended_at, unused, purchase.credits
        )
        clauses.append(ClauseResult(C_INCIDENT, True, explanation))
        return Decision(Outcome.ELIGIBLE, unused, tuple(clauses), incident_id=outage.incident_id)

    narrower = relevant[0] if relevant else None
    if narrower is None:
        clauses.append(ClauseResult(C_INCIDENT, False, text.INCIDENT_NONE))
        return Decision(Outcome.REVIEW, 0, tuple(clauses))
    explanation = text.incident_narrower(
        narrower.description, narrower.scope, narrower.started_at, narrower.ended_at
    )
    clauses.append(ClauseResult(C_INCIDENT, False, explanation))
    return Decision(Outcome.REVIEW, 0, tuple(clauses), incident_id=narrower.incident_id)
