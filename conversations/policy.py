"""The refund rules of POLICY-RULES.md: a claim and the ledger's facts in, a decision out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from conversations import i18n, policy_numbers
from conversations.catalog import policy_text as text
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

REFUND_WINDOW = timedelta(days=2)
REPORT_WINDOW = timedelta(hours=24)


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

    def run() -> Decision:
        decision = _decide(request, purchase, campaign, incidents, home_country, history, campaigns)
        return _filed_again(decision, history)

    # The same decision in every customer language: English is the record (staff, CLI); the
    # customer reads theirs, now or later in /status.
    with i18n.use(i18n.ENGLISH):
        decision = run()
    for language in i18n.LANGUAGES:
        if language != i18n.ENGLISH:
            with i18n.use(language):
                decision = _with_translation(decision, language, run())
    return decision


def _with_translation(decision: Decision, language: str, translated: Decision) -> Decision:
    clauses = tuple(
        replace(c, translations=(*c.translations, (language, t.explanation)))
        for c, t in zip(decision.clauses, translated.clauses, strict=True)
    )
    return replace(decision, clauses=clauses)


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
        return _ineligible(
            [ClauseResult(C_NOT_BENEFICIAL, False, i18n._(text.NOT_BENEFICIAL_FAILED))]
        )

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


def what_next(decision: Decision) -> str:
    """What the customer can still do after an ineligible decision; empty otherwise."""
    failed = decision.failed_clause
    if decision.outcome is not Outcome.INELIGIBLE or failed is None:
        return ""
    return i18n._(text.WHAT_NEXT.get(failed.id, text.WHAT_NEXT_DEFAULT))


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
    flag = ClauseResult(C_HISTORY, False, text.filed_again(refused[-1]))
    return replace(decision, outcome=Outcome.REVIEW, clauses=(*decision.clauses, flag))


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
    window = policy_numbers.current().refund_window  # REFUND_WINDOW_HOURS
    deadline = purchase.purchased_at + window
    if age <= window:
        return ClauseResult(
            C_WINDOW, True, text.window_passed(age, purchase.purchased_at, deadline)
        )
    return ClauseResult(C_WINDOW, False, text.window_failed(age, purchase.purchased_at, deadline))


def _subscription(purchase: Purchase) -> ClauseResult:
    if purchase.kind is Kind.SUBSCRIPTION:
        return ClauseResult(C_SUBSCRIPTION, False, i18n._(text.SUBSCRIPTION_FAILED))
    return ClauseResult(C_SUBSCRIPTION, True, text.subscription_passed(purchase.credits))


def _campaign(request: ClaimRequest, purchase: Purchase, campaign: Campaign | None) -> ClauseResult:
    if campaign is not None and campaign.transaction_id == purchase.transaction_id:
        return ClauseResult(C_CAMPAIGN, True, text.campaign_passed(campaign.campaign_id))
    # Never name the other transaction: it may be someone else's purchase.
    campaign_id = request.campaign_id or (campaign.campaign_id if campaign else None)
    if campaign_id is None:
        return ClauseResult(C_CAMPAIGN, False, i18n._(text.CAMPAIGN_MISSING))
    return ClauseResult(C_CAMPAIGN, False, text.campaign_not_found(campaign_id))


def _once(purchase: Purchase, paid: Paid, campaign: Campaign | None) -> ClauseResult:
    """C-ONCE: a campaign is paid once, and never more credits than the purchase bought."""
    if campaign is not None and campaign.campaign_id in paid.campaigns:
        claim_id = paid.campaigns[campaign.campaign_id]
        return ClauseResult(C_ONCE, False, text.once_campaign_paid(campaign.campaign_id, claim_id))
    left = purchase.credits - paid.credits
    if left <= 0:
        return ClauseResult(C_ONCE, False, text.once_nothing_left(purchase.credits, paid.claim_ids))
    return ClauseResult(C_ONCE, True, text.once_passed(left, purchase.credits, paid.claim_ids))


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
        clauses.append(ClauseResult(C_REPORT_24H, False, text.report_failed(age, campaign.sent_at)))
        return _ineligible(clauses)
    clauses.append(ClauseResult(C_REPORT_24H, True, text.report_passed(age, campaign.sent_at)))

    once = _once(purchase, paid, campaign)
    clauses.append(once)
    if not once.passed:
        return _ineligible(clauses)

    # C-INCIDENT-LINK: an outage's claims can be seen and approved together.
    during = _incident_during(campaign, counted, home_country)
    incident_id = during.incident_id if during is not None else None
    if campaign.failed_platform > 0:
        credits = min(campaign.failed_platform, purchase.credits - paid.credits)
        explanation = text.cause_passed(campaign.failed_platform, campaign.messages_sent, credits)
        clauses.append(ClauseResult(C_CAUSE, True, explanation))
        return Decision(
            Outcome.ELIGIBLE,
            credits,
            tuple(clauses),
            incident_id=incident_id,
            campaign_ids=(campaign.campaign_id,),
        )
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
        return replace(_ineligible(clauses), incident_id=incident_id)
    explanation = text.no_failure_failed(campaign.messages_sent, campaign.delivered)
    clauses.append(ClauseResult(C_NO_FAILURE, False, explanation))
    return replace(_ineligible(clauses), incident_id=incident_id)


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
    left = purchase.credits - paid.credits
    ours = [c for c in campaigns if c.transaction_id == purchase.transaction_id]
    # (a) Campaigns that failed on our side during a counted incident: refund those failures.
    hit: list[tuple[Campaign, Incident]] = []
    for campaign in sorted(ours, key=lambda c: (c.sent_at, c.campaign_id)):
        if campaign.failed_platform <= 0 or campaign.campaign_id in paid.campaigns:
            continue
        incident = _incident_during(campaign, counted, home_country)
        if incident is not None:
            hit.append((campaign, incident))
    if hit:
        failed = sum(c.failed_platform for c, _ in hit)
        credits = min(failed, left)
        incident = hit[0][1]
        explanation = text.incident_campaigns(
            incident.description,
            incident.started_at,
            incident.ended_at,
            [c.campaign_id for c, _ in hit],
            failed,
            credits,
        )
        clauses.append(ClauseResult(C_INCIDENT, True, explanation))
        return Decision(
            Outcome.ELIGIBLE,
            credits,
            tuple(clauses),
            incident_id=incident.incident_id,
            campaign_ids=tuple(c.campaign_id for c, _ in hit),
        )

    # (b) An outage covering the purchase but no failed campaign: the customer could not send.
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
    if covering is not None and unused > 0:
        explanation = text.incident_unused(
            covering.description,
            covering.scope,
            covering.started_at,
            covering.ended_at,
            unused,
            purchase.credits,
        )
        clauses.append(ClauseResult(C_INCIDENT, False, explanation))
        return Decision(Outcome.REVIEW, unused, tuple(clauses), incident_id=covering.incident_id)

    # (c) Nothing on record to refund: refused when the records account for every message.
    if ours and all(_accounted_for(c) for c in ours):
        sent = sum(c.messages_sent for c in ours)
        delivered = sum(c.delivered for c in ours)
        explanation = text.incident_all_delivered(sent, delivered, sent - delivered)
        clauses.append(ClauseResult(C_INCIDENT, False, explanation))
        return _ineligible(clauses)
    narrower = counted[0] if counted else None
    if narrower is None:
        clauses.append(ClauseResult(C_INCIDENT, False, i18n._(text.INCIDENT_NONE)))
        return Decision(Outcome.REVIEW, 0, tuple(clauses))
    explanation = text.incident_narrower(
        narrower.description, narrower.scope, narrower.started_at, narrower.ended_at
    )
    clauses.append(ClauseResult(C_INCIDENT, False, explanation))
    return Decision(Outcome.REVIEW, 0, tuple(clauses), incident_id=narrower.incident_id)


def _accounted_for(campaign: Campaign) -> bool:
    """Every message delivered or failed at a carrier: nothing failed on our side."""
    return (
        campaign.failed_platform == 0
        and campaign.delivered + campaign.failed_carrier == campaign.messages_sent
    )
