"""The refund rules of POLICY-RULES.md: a claim and the ledger's facts in, a decision out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from conversations import policy_numbers
from conversations.domain import (
    PAID_STATUSES,
    Campaign,
    Claim,
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
C_ONCE = "C-ONCE"
C_CAUSE = "C-CAUSE"
C_INTL_CARRIER = "C-INTL-CARRIER"
C_SERVICE_FAILURE = "C-SERVICE-FAILURE"
C_NO_FAILURE = "C-NO-FAILURE"
C_INCIDENT = "C-INCIDENT"
C_NOT_BENEFICIAL = "C-NOT-BENEFICIAL"
C_HISTORY = "C-HISTORY"


@dataclass(frozen=True)
class Paid:
    """What earlier claims of a purchase already approved or refunded (C-ONCE)."""

    credits: int
    claim_ids: tuple[int, ...]
    campaigns: dict[str, int]  # campaign id -> the claim that paid it

    @classmethod
    def of(cls, history: Sequence[Claim]) -> Paid:
        paid = [c for c in history if c.status in PAID_STATUSES and c.id is not None]
        campaigns = {cid: c.id for c in paid for cid in c.paid_campaigns if c.id is not None}
        return cls(
            credits=sum(c.refundable_credits for c in paid),
            claim_ids=tuple(c.id for c in paid if c.id is not None),
            campaigns=campaigns,
        )


def decide(
    request: ClaimRequest,
    purchase: Purchase,
    campaign: Campaign | None,
    incidents: Sequence[Incident],
    home_country: str = "PK",
    history: Sequence[Claim] = (),
    campaigns: Sequence[Campaign] = (),
) -> Decision:
    """Apply the checks for the claim's reason in order, stopping at the first that fails.

    `history` is the earlier claims of the transaction; `campaigns` all of its campaigns.
    """

    decision = _decide(request, purchase, campaign, incidents, home_country, history, campaigns)
    return _filed_again(decision, history)


def _decide(
    request: ClaimRequest,
    purchase: Purchase,
    campaign: Campaign | None,
    incidents: Sequence[Incident],
    home_country: str,
    history: Sequence[Claim],
    campaigns: Sequence[Campaign],
) -> Decision:
    if request.reason is Reason.NOT_BENEFICIAL:
        return _ineligible([ClauseResult.of(C_NOT_BENEFICIAL, False, "not_beneficial_failed")])

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

    counted = _counted(incidents, purchase, request.now)
    paid = Paid.of(history)
    if request.reason is Reason.OUTAGE:
        once = _once(purchase, paid, None)
        clauses.append(once)
        if not once.passed:
            return _ineligible(clauses)
        return _outage(purchase, campaigns, counted, paid, home_country, clauses)
    if request.reason is Reason.UNDELIVERED and campaign is not None:
        return _undelivered(request.now, purchase, campaign, counted, paid, home_country, clauses)
    return Decision(Outcome.REVIEW, 0, tuple(clauses))


def _gates(
    request: ClaimRequest, purchase: Purchase, campaign: Campaign | None
) -> Iterator[ClauseResult]:
    """The checks before the reason-specific one; lazy, so none runs after a failure."""
    yield _window(purchase, request.now)
    yield _subscription(purchase)
    if request.reason is Reason.UNDELIVERED:
        yield _campaign(request, purchase, campaign)


def _filed_again(decision: Decision, history: Sequence[Claim]) -> Decision:
    """C-HISTORY: after a refusal on the transaction, a person looks before anything is paid."""
    refused = [c.id for c in history if c.outcome is Outcome.INELIGIBLE and c.id is not None]
    if not refused or decision.outcome is Outcome.INELIGIBLE:
        return decision
    flag = ClauseResult.of(C_HISTORY, False, "filed_again", claim_id=refused[-1])
    return replace(decision, outcome=Outcome.REVIEW, clauses=(*decision.clauses, flag))


def _from_the_future(
    now: datetime, purchase: Purchase, campaign: Campaign | None
) -> ClauseResult | None:
    if purchase.purchased_at > now:
        return ClauseResult.of(
            C_WINDOW, False, "after_claim", what="purchase", at=purchase.purchased_at
        )
    ours = campaign is not None and campaign.transaction_id == purchase.transaction_id
    if ours and campaign is not None and campaign.sent_at > now:
        return ClauseResult.of(
            C_REPORT_24H, False, "after_claim", what="campaign", at=campaign.sent_at
        )
    return None


def _ineligible(clauses: list[ClauseResult]) -> Decision:
    return Decision(Outcome.INELIGIBLE, 0, tuple(clauses))


def _window(purchase: Purchase, now: datetime) -> ClauseResult:
    age = now - purchase.purchased_at
    window = policy_numbers.current().refund_window  # REFUND_WINDOW_HOURS
    deadline = purchase.purchased_at + window
    passed = age <= window
    return ClauseResult.of(
        C_WINDOW,
        passed,
        "window_passed" if passed else "window_failed",
        age_=age,
        purchased_at=purchase.purchased_at,
        deadline=deadline,
    )


def _subscription(purchase: Purchase) -> ClauseResult:
    if purchase.kind is Kind.SUBSCRIPTION:
        return ClauseResult.of(C_SUBSCRIPTION, False, "subscription_failed")
    return ClauseResult.of(C_SUBSCRIPTION, True, "subscription_passed", credits=purchase.credits)


def _campaign(request: ClaimRequest, purchase: Purchase, campaign: Campaign | None) -> ClauseResult:
    if campaign is not None and campaign.transaction_id == purchase.transaction_id:
        return ClauseResult.of(
            C_CAMPAIGN, True, "campaign_passed", campaign_id=campaign.campaign_id
        )
    # Never name the other transaction: it may be someone else's purchase.
    campaign_id = request.campaign_id or (campaign.campaign_id if campaign else None)
    if campaign_id is None:
        return ClauseResult.of(C_CAMPAIGN, False, "campaign_missing")
    return ClauseResult.of(C_CAMPAIGN, False, "campaign_not_found", campaign_id=campaign_id)


def _once(purchase: Purchase, paid: Paid, campaign: Campaign | None) -> ClauseResult:
    """C-ONCE: a campaign is paid once, and never more credits than the purchase bought."""
    if campaign is not None and campaign.campaign_id in paid.campaigns:
        claim_id = paid.campaigns[campaign.campaign_id]
        return ClauseResult.of(
            C_ONCE,
            False,
            "once_campaign_paid",
            campaign_id=campaign.campaign_id,
            claim_id=claim_id,
        )
    left = purchase.credits - paid.credits
    if left <= 0:
        return ClauseResult.of(
            C_ONCE,
            False,
            "once_nothing_left",
            credits=purchase.credits,
            claim_ids=paid.claim_ids,
        )
    return ClauseResult.of(
        C_ONCE,
        True,
        "once_passed",
        left=left,
        credits=purchase.credits,
        claim_ids=paid.claim_ids,
    )


def _undelivered(
    now: datetime,
    purchase: Purchase,
    campaign: Campaign,
    counted: Sequence[Incident],
    paid: Paid,
    home_country: str,
    clauses: list[ClauseResult],
) -> Decision:
    age = now - campaign.sent_at
    if age > policy_numbers.current().report_window:  # REPORT_WINDOW_HOURS
        clauses.append(
            ClauseResult.of(
                C_REPORT_24H, False, "report_failed", age_=age, sent_at=campaign.sent_at
            )
        )
        return _ineligible(clauses)
    clauses.append(
        ClauseResult.of(C_REPORT_24H, True, "report_passed", age_=age, sent_at=campaign.sent_at)
    )

    once = _once(purchase, paid, campaign)
    clauses.append(once)
    if not once.passed:
        return _ineligible(clauses)

    # C-INCIDENT-LINK: an outage's claims can be seen and approved together.
    during = _incident_during(campaign, counted, home_country)
    incident_id = during.incident_id if during is not None else None
    if campaign.failed_platform > 0:
        credits = min(campaign.failed_platform, purchase.credits - paid.credits)
        clauses.append(
            ClauseResult.of(
                C_CAUSE,
                True,
                "cause_passed",
                failed_platform=campaign.failed_platform,
                messages_sent=campaign.messages_sent,
                credits=credits,
            )
        )
        return Decision(
            Outcome.ELIGIBLE,
            credits,
            tuple(clauses),
            incident_id=incident_id,
            campaign_ids=(campaign.campaign_id,),
        )
    clauses.append(_not_ours(campaign, home_country))
    return replace(_ineligible(clauses), incident_id=incident_id)


def _not_ours(campaign: Campaign, home_country: str) -> ClauseResult:
    """Why nothing of a campaign is ours to refund: a carrier abroad or at home, or no failure."""
    if campaign.failed_carrier <= 0:
        return ClauseResult.of(
            C_NO_FAILURE,
            False,
            "no_failure_failed",
            messages_sent=campaign.messages_sent,
            delivered=campaign.delivered,
        )
    if campaign.destination_country.upper() != home_country.upper():
        return ClauseResult.of(
            C_INTL_CARRIER,
            False,
            "intl_carrier_failed",
            failed_carrier=campaign.failed_carrier,
            messages_sent=campaign.messages_sent,
            country=campaign.destination_country.upper(),
        )
    return ClauseResult.of(
        C_SERVICE_FAILURE,
        False,
        "service_failure_failed",
        failed_carrier=campaign.failed_carrier,
        messages_sent=campaign.messages_sent,
    )


def _counted(incidents: Sequence[Incident], purchase: Purchase, now: datetime) -> list[Incident]:
    """C-INCIDENT: incidents overlapping the purchase's life, boundaries strict."""
    return sorted(
        (
            i
            for i in incidents
            if i.started_at < now and (i.ended_at is None or i.ended_at > purchase.purchased_at)
        ),
        key=lambda i: (i.started_at, i.incident_id),
    )


def _covers(incident: Incident, destination: str | None, home_country: str) -> bool:
    """Whether an incident's scope covers messages to `destination` (None: any destination)."""
    scope = incident.scope.lower()
    if scope == "all":
        return True
    if destination is None:
        return False
    if scope == "international":
        return destination.upper() != home_country.upper()
    return destination.upper() == scope.upper()


def _incident_during(
    campaign: Campaign, counted: Sequence[Incident], home_country: str
) -> Incident | None:
    """The first counted incident covering the campaign while it was being sent."""
    for incident in counted:
        started = incident.started_at <= campaign.sent_at
        not_over = incident.ended_at is None or campaign.sent_at <= incident.ended_at
        if started and not_over and _covers(incident, campaign.destination_country, home_country):
            return incident
    return None


def _outage(
    purchase: Purchase,
    campaigns: Sequence[Campaign],
    counted: Sequence[Incident],
    paid: Paid,
    home_country: str,
    clauses: list[ClauseResult],
) -> Decision:
    """C-INCIDENT: failed campaigns during an outage, else unused credits, else nothing."""
    left = purchase.credits - paid.credits
    ours = [c for c in campaigns if c.transaction_id == purchase.transaction_id]
    return (
        _outage_failures(ours, counted, paid, home_country, left, clauses)
        or _outage_unused(purchase, ours, counted, home_country, left, clauses)
        or _outage_nothing(ours, counted, clauses)
    )


def _outage_failures(
    ours: Sequence[Campaign],
    counted: Sequence[Incident],
    paid: Paid,
    home_country: str,
    left: int,
    clauses: list[ClauseResult],
) -> Decision | None:
    """(a) Campaigns that failed on our side during a counted incident: refund those failures."""
    hit: list[tuple[Campaign, Incident]] = []
    for campaign in sorted(ours, key=lambda c: (c.sent_at, c.campaign_id)):
        if campaign.failed_platform <= 0 or campaign.campaign_id in paid.campaigns:
            continue
        incident = _incident_during(campaign, counted, home_country)
        if incident is not None:
            hit.append((campaign, incident))
    if not hit:
        return None
    failed = sum(c.failed_platform for c, _ in hit)
    credits = min(failed, left)
    incident = hit[0][1]
    clause = ClauseResult.of(
        C_INCIDENT,
        True,
        "incident_campaigns",
        description=incident.description,
        started_at=incident.started_at,
        ended_at=incident.ended_at,
        campaign_ids=tuple(c.campaign_id for c, _ in hit),
        failed=failed,
        credits=credits,
    )
    return Decision(
        Outcome.ELIGIBLE,
        credits,
        (*clauses, clause),
        incident_id=incident.incident_id,
        campaign_ids=tuple(c.campaign_id for c, _ in hit),
    )


def _outage_unused(
    purchase: Purchase,
    ours: Sequence[Campaign],
    counted: Sequence[Incident],
    home_country: str,
    left: int,
    clauses: list[ClauseResult],
) -> Decision | None:
    """(b) An outage covering the purchase but no failed campaign: the customer could not send."""
    destinations = {c.destination_country for c in ours}
    covering = next(
        (
            i
            for i in counted
            if _covers(i, None, home_country)
            or any(_covers(i, d, home_country) for d in destinations)
        ),
        None,
    )
    unused = min(max(purchase.credits - purchase.credits_used, 0), left)
    if covering is None or unused <= 0:
        return None
    clause = ClauseResult.of(
        C_INCIDENT,
        False,
        "incident_unused",
        description=covering.description,
        scope=covering.scope,
        started_at=covering.started_at,
        ended_at=covering.ended_at,
        unused=unused,
        credits=purchase.credits,
    )
    return Decision(Outcome.REVIEW, unused, (*clauses, clause), incident_id=covering.incident_id)


def _outage_nothing(
    ours: Sequence[Campaign], counted: Sequence[Incident], clauses: list[ClauseResult]
) -> Decision:
    """(c) Nothing on record to refund: refused when the records account for every message."""
    if ours and all(_accounted_for(c) for c in ours):
        sent = sum(c.messages_sent for c in ours)
        delivered = sum(c.delivered for c in ours)
        clause = ClauseResult.of(
            C_INCIDENT,
            False,
            "incident_all_delivered",
            sent=sent,
            delivered=delivered,
            carrier=sent - delivered,
        )
        return _ineligible([*clauses, clause])
    narrower = counted[0] if counted else None
    if narrower is None:
        clause = ClauseResult.of(C_INCIDENT, False, "incident_none")
        return Decision(Outcome.REVIEW, 0, (*clauses, clause))
    clause = ClauseResult.of(
        C_INCIDENT,
        False,
        "incident_narrower",
        description=narrower.description,
        scope=narrower.scope,
        started_at=narrower.started_at,
        ended_at=narrower.ended_at,
    )
    return Decision(Outcome.REVIEW, 0, (*clauses, clause), incident_id=narrower.incident_id)


def _accounted_for(campaign: Campaign) -> bool:
    """Every message delivered or failed at a carrier: nothing failed on our side."""
    return (
        campaign.failed_platform == 0
        and campaign.delivered + campaign.failed_carrier == campaign.messages_sent
    )
