"""The policy's findings as staff read them: third person, short facts, English.

The customer reads policy_text's sentences ("You bought these credits…"); the card, /card N
and `refundbot claims show` read these instead, from the same facts. Staff text is English
and is not in the gettext catalog (babel.cfg).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from conversations import policy_numbers
from conversations.catalog.policy_text import format_age, format_when
from conversations.countries import country_name_in
from conversations.domain import ClauseResult

AFTER_CLAIM = "The ledger shows the {what} at {at}, after the claim was filed: check the records."
WHAT = {"purchase": "purchase", "campaign": "campaign"}
WINDOW_PASSED = "Bought {age} ago ({at}); within the refund window of {window} (until {deadline})."
WINDOW_FAILED = "Bought {age} ago ({at}); the refund window of {window} ended {deadline}."
SUBSCRIPTION_PASSED = "One-off package of {credits} credits, not a subscription."
SUBSCRIPTION_FAILED = "Recurring subscription: the policy refunds no subscriptions."
CAMPAIGN_PASSED = "Campaign {campaign} was sent with this purchase's credits."
CAMPAIGN_NOT_FOUND = (
    "Campaign {campaign} is not among this purchase's campaigns: "
    "check which one the customer means."
)
CAMPAIGN_MISSING = "The customer named no campaign: ask which one went wrong."
REPORT_PASSED = "Campaign sent {age} ago ({at}); reported within {hours} hours."
REPORT_FAILED = "Campaign sent {age} ago ({at}); reported after the {hours}-hour limit."
ONCE_CAMPAIGN_PAID = (
    "Campaign {campaign}'s failed messages were already refunded in claim #{claim_id}."
)
ONCE_NOTHING_LEFT = "All {credits} credits of the purchase were already refunded (claim {claims})."
ONCE_NONE = "No earlier refunds on this purchase."
ONCE_PASSED = "{refunded} of {credits} credits already refunded (claim {claims}); {left} left."
FILED_AGAIN = (
    "Filed again after claim #{claim_id} on this purchase was found not eligible: "
    "a person decides before anything is paid."
)
CAUSE_PASSED = "{failed} of {sent} messages failed on our platform: {failed} credits refundable."
CAPPED = " Only {credits} credits of the purchase are left to refund."
INTL_CARRIER = (
    "0 of {sent} messages failed on our platform; {failed} failed at a carrier or network "
    "in {country}: no refund for carrier failures abroad."
)
SERVICE_FAILURE = (
    "0 of {sent} messages failed on our platform; {failed} failed at the mobile carrier: "
    "not our failure."
)
NO_FAILURE = (
    "{delivered} of {sent} messages delivered; none failed on our platform or at a carrier."
)
PERIOD_ONGOING = "since {start}, still ongoing"
PERIOD = "from {start} to {end}"
INCIDENT_CAMPAIGNS = (
    "Outage {period} ({description}): {failed} messages of campaign {campaigns} failed on "
    "our platform during it; refundable."
)
INCIDENT_UNUSED = (
    "Problem with {scope} {period} ({description}) while the purchase was usable; "
    "{unused} of {credits} credits unused. Check whether it stopped the customer sending."
)
INCIDENT_ALL_DELIVERED = (
    "No outage while the purchase was usable; of {sent} messages {delivered} delivered, "
    "none failed on our platform."
)
INCIDENT_ALL_DELIVERED_CARRIER = (
    "No outage while the purchase was usable; of {sent} messages {delivered} delivered, "
    "{carrier} failed at the carrier, none on our platform."
)
INCIDENT_NARROWER = (
    "Problem with {scope} {period} ({description}) since the purchase, but no outage for "
    "everyone: check whether it affected this account."
)
INCIDENT_NONE = "No outage on record since the purchase: check what happened on the account."
NOT_BENEFICIAL = "The service not suiting the customer's needs is no ground for a refund."
SCOPE_ALL = "all messages"
SCOPE_INTERNATIONAL = "international messages"
SCOPE_COUNTRY = "messages to {country}"

# Findings that refuse the claim (❌ on the card); other failed clauses ask for a check (⚠️).
REFUSALS = frozenset(
    {
        "window_failed",
        "subscription_failed",
        "report_failed",
        "once_campaign_paid",
        "once_nothing_left",
        "intl_carrier_failed",
        "service_failure_failed",
        "no_failure_failed",
        "incident_all_delivered",
        "not_beneficial_failed",
    }
)


def _n(n: int) -> str:
    return f"{n:,}"


def _claims(claim_ids: Sequence[int]) -> str:
    return ", ".join(f"#{n}" for n in claim_ids)


def _period(started_at: datetime, ended_at: datetime | None) -> str:
    if ended_at is None:
        return PERIOD_ONGOING.format(start=format_when(started_at))
    return PERIOD.format(start=format_when(started_at), end=format_when(ended_at))


def _scope(scope: str) -> str:
    if scope.lower() == "all":
        return SCOPE_ALL
    if scope.lower() == "international":
        return SCOPE_INTERNATIONAL
    return SCOPE_COUNTRY.format(country=country_name_in(scope))


def _capped(credits: int, failed: int) -> str:
    return "" if credits == failed else CAPPED.format(credits=_n(credits))


def after_claim(what: str, at: datetime) -> str:
    return AFTER_CLAIM.format(what=WHAT.get(what, what), at=format_when(at))


def window(passed: bool) -> Callable[..., str]:
    def said(age_: timedelta, purchased_at: datetime, deadline: datetime) -> str:
        template = WINDOW_PASSED if passed else WINDOW_FAILED
        return template.format(
            age=format_age(age_),
            at=format_when(purchased_at),
            deadline=format_when(deadline),
            window=format_age(policy_numbers.current().refund_window),  # REFUND_WINDOW_HOURS
        )

    return said


def report(passed: bool) -> Callable[..., str]:
    def said(age_: timedelta, sent_at: datetime) -> str:
        template = REPORT_PASSED if passed else REPORT_FAILED
        hours = f"{policy_numbers.current().report_window_hours:,}"  # REPORT_WINDOW_HOURS
        return template.format(age=format_age(age_), at=format_when(sent_at), hours=hours)

    return said


def once_passed(left: int, credits: int, claim_ids: Sequence[int]) -> str:
    if not claim_ids:
        return ONCE_NONE
    return ONCE_PASSED.format(
        refunded=_n(credits - left), credits=_n(credits), claims=_claims(claim_ids), left=_n(left)
    )


def cause_passed(failed_platform: int, messages_sent: int, credits: int) -> str:
    said = CAUSE_PASSED.format(failed=_n(failed_platform), sent=_n(messages_sent))
    return said + _capped(credits, failed_platform)


def incident_campaigns(
    description: str,
    started_at: datetime,
    ended_at: datetime | None,
    campaign_ids: Sequence[str],
    failed: int,
    credits: int,
) -> str:
    said = INCIDENT_CAMPAIGNS.format(
        period=_period(started_at, ended_at),
        description=description,
        failed=_n(failed),
        campaigns=", ".join(campaign_ids),
    )
    return said + _capped(credits, failed)


def incident_unused(
    description: str,
    scope: str,
    started_at: datetime,
    ended_at: datetime | None,
    unused: int,
    credits: int,
) -> str:
    return INCIDENT_UNUSED.format(
        scope=_scope(scope),
        period=_period(started_at, ended_at),
        description=description,
        unused=_n(unused),
        credits=_n(credits),
    )


def incident_all_delivered(sent: int, delivered: int, carrier: int) -> str:
    template = INCIDENT_ALL_DELIVERED_CARRIER if carrier else INCIDENT_ALL_DELIVERED
    return template.format(sent=_n(sent), delivered=_n(delivered), carrier=_n(carrier))


def incident_narrower(
    description: str, scope: str, started_at: datetime, ended_at: datetime | None
) -> str:
    return INCIDENT_NARROWER.format(
        scope=_scope(scope), period=_period(started_at, ended_at), description=description
    )


def _fixed(text: str) -> Callable[..., str]:
    return lambda: text


_FINDINGS: dict[str, Callable[..., str]] = {
    "after_claim": after_claim,
    "window_passed": window(True),
    "window_failed": window(False),
    "subscription_passed": lambda credits: SUBSCRIPTION_PASSED.format(credits=_n(credits)),
    "subscription_failed": _fixed(SUBSCRIPTION_FAILED),
    "campaign_passed": lambda campaign_id: CAMPAIGN_PASSED.format(campaign=campaign_id),
    "campaign_not_found": lambda campaign_id: CAMPAIGN_NOT_FOUND.format(campaign=campaign_id),
    "campaign_missing": _fixed(CAMPAIGN_MISSING),
    "report_passed": report(True),
    "report_failed": report(False),
    "once_campaign_paid": lambda campaign_id, claim_id: ONCE_CAMPAIGN_PAID.format(
        campaign=campaign_id, claim_id=claim_id
    ),
    "once_nothing_left": lambda credits, claim_ids: ONCE_NOTHING_LEFT.format(
        credits=_n(credits), claims=_claims(claim_ids)
    ),
    "once_passed": once_passed,
    "filed_again": lambda claim_id: FILED_AGAIN.format(claim_id=claim_id),
    "cause_passed": cause_passed,
    "intl_carrier_failed": lambda failed_carrier, messages_sent, country: INTL_CARRIER.format(
        sent=_n(messages_sent), failed=_n(failed_carrier), country=country_name_in(country)
    ),
    "service_failure_failed": lambda failed_carrier, messages_sent: SERVICE_FAILURE.format(
        sent=_n(messages_sent), failed=_n(failed_carrier)
    ),
    "no_failure_failed": lambda messages_sent, delivered: NO_FAILURE.format(
        sent=_n(messages_sent), delivered=_n(delivered)
    ),
    "incident_campaigns": incident_campaigns,
    "incident_unused": incident_unused,
    "incident_all_delivered": incident_all_delivered,
    "incident_narrower": incident_narrower,
    "incident_none": _fixed(INCIDENT_NONE),
    "not_beneficial_failed": _fixed(NOT_BENEFICIAL),
}


def explain_staff(clause: ClauseResult) -> str:
    """A clause as staff read it; a claim decided before clauses were facts keeps its words."""
    if not clause.finding:
        recorded = dict(clause.recorded)
        return recorded.get("en", "")
    facts: dict[str, Any] = clause.facts
    return _FINDINGS[clause.finding](**facts)


def mark(clause: ClauseResult, ineligible: bool) -> str:
    """✅ passed, ❌ refused the claim, ⚠️ asks staff to check."""
    if clause.passed:
        return "✅"
    refused = clause.finding in REFUSALS if clause.finding else ineligible
    return "❌" if refused else "⚠️"
