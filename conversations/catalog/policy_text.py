"""What the bot says about the refund rules: clause titles, explanations and what-next advice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from conversations.countries import country_name

CLAUSE_TITLES: dict[str, str] = {
    "C-OWNER": "Proof the purchase is yours",
    "C-DUPLICATE": "One claim per purchase",
    "C-WINDOW": "2-day window",
    "C-SUBSCRIPTION": "No refunds for subscriptions",
    "C-CAMPAIGN": "Campaign of this purchase",
    "C-REPORT-24H": "Report within 24 hours",
    "C-CAUSE": "Failure on our platform",
    "C-INTL-CARRIER": "Carrier failure abroad",
    "C-SERVICE-FAILURE": "Failure outside our service",
    "C-NO-FAILURE": "Nothing failed",
    "C-INCIDENT": "Service outage",
    "C-INCIDENT-LINK": "Failed during an outage",
    "C-ONCE": "Credits are refunded once",
    "C-HISTORY": "Earlier claims on this purchase",
    "C-NOT-BENEFICIAL": "Not what you needed",
    "C-FINAL": "Staff have the final word",
    "C-PROCESSING": "Paid in 5 to 7 business days",
    "C-PK-SUSPENSION": "Pakistan suspension",
}

_UNITS: tuple[tuple[str, int], ...] = (
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
    ("second", 1),
)


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def format_age(delta: timedelta) -> str:
    """A duration in its two largest units: "3 days", "2 days 1 second", "over 1 day 4 hours"."""
    micros = max(delta, timedelta(0)) // timedelta(microseconds=1)
    seconds, below_a_second = divmod(micros, 1_000_000)
    parts: list[tuple[int, str]] = []
    for rank, (unit, size) in enumerate(_UNITS):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append((rank, _plural(count, unit)))
    if not parts:
        return "less than a second" if below_a_second else "0 seconds"
    # Never round: "2 days" must mean exactly 2 days, since the limits are inclusive.
    exact = len(parts) <= 2 and not below_a_second
    if exact:
        return " ".join(words for _, words in parts)
    # "over 5 hours 4 seconds" reads oddly: a far smaller second unit adds nothing.
    adjacent = len(parts) > 1 and parts[1][0] == parts[0][0] + 1
    shown = parts[:2] if adjacent else parts[:1]
    return "over " + " ".join(words for _, words in shown)


def format_when(dt: datetime) -> str:
    """A moment in UTC, e.g. "25 Nov 2026, 14:00 UTC"."""
    utc = dt.astimezone(UTC)
    return f"{utc.day} {utc:%b %Y, %H:%M} UTC"


def format_date(d: date) -> str:
    """A calendar day, e.g. "Tue 1 Dec 2026"."""
    return f"{d:%a} {d.day} {d:%b %Y}"


def after_claim(what: str, at: datetime) -> str:
    return (
        f"Our records show this {what} at {format_when(at)}, after the time of this claim. "
        "Our staff will check the records."
    )


# C-WINDOW
def window_passed(age: timedelta, purchased_at: datetime, deadline: datetime) -> str:
    return (
        f"You bought these credits {format_age(age)} ago ({format_when(purchased_at)}); "
        f"refunds can be requested within 2 days, so until {format_when(deadline)}."
    )


def window_failed(age: timedelta, purchased_at: datetime, deadline: datetime) -> str:
    return (
        f"You bought these credits {format_age(age)} ago ({format_when(purchased_at)}); "
        f"refunds must be requested within 2 days. That time ended {format_when(deadline)}."
    )


# C-SUBSCRIPTION
def subscription_passed(credits: int) -> str:
    return f"This is a one-off package of {credits:,} credits, not a subscription."


SUBSCRIPTION_FAILED = (
    "This purchase is a recurring subscription, and the policy gives no refunds for subscriptions."
)


# C-CAMPAIGN
def campaign_passed(campaign_id: str) -> str:
    return f"Campaign {campaign_id} was sent with the credits of this purchase."


def campaign_not_found(campaign_id: str) -> str:
    return (
        f"We couldn't find campaign {campaign_id} among the campaigns of this purchase. "
        "Our staff will check which campaign you mean."
    )


CAMPAIGN_MISSING = (
    "We don't know which campaign of this purchase went wrong. Our staff will check it with you."
)


# C-REPORT-24H
def report_passed(age: timedelta, sent_at: datetime) -> str:
    return (
        f"The campaign was sent {format_age(age)} ago ({format_when(sent_at)}); "
        "undelivered messages can be reported within 24 hours, so you are in time."
    )


def report_failed(age: timedelta, sent_at: datetime) -> str:
    return (
        f"The campaign was sent {format_age(age)} ago ({format_when(sent_at)}); "
        "undelivered messages must be reported within 24 hours of the campaign."
    )


# C-ONCE
def _claims(claim_ids: tuple[int, ...]) -> str:
    return ", ".join(f"#{n}" for n in claim_ids)


def once_campaign_paid(campaign_id: str, claim_id: int) -> str:
    return (
        f"The failed messages of campaign {campaign_id} were already refunded in claim "
        f"#{claim_id}. Credits are refunded once."
    )


def once_nothing_left(credits: int, claim_ids: tuple[int, ...]) -> str:
    return (
        f"All {credits:,} credits of this purchase were already refunded "
        f"(claim {_claims(claim_ids)}). Credits are refunded once."
    )


def once_passed(left: int, credits: int, claim_ids: tuple[int, ...]) -> str:
    if not claim_ids:
        return "No credits of this purchase have been refunded before."
    return (
        f"{credits - left:,} of this purchase's {credits:,} credits were already refunded "
        f"(claim {_claims(claim_ids)}); up to {left:,} are left."
    )


# C-HISTORY
def filed_again(claim_id: int) -> str:
    return (
        f"Filed again after claim #{claim_id} on this purchase was found not eligible. "
        "A person will check it before anything is paid."
    )


# C-CAUSE and its ineligible variants
def cause_passed(failed_platform: int, messages_sent: int, credits: int) -> str:
    capped = (
        ""
        if credits == failed_platform
        else f" Only {_plural(credits, 'credit')} of this purchase are left to refund."
    )
    return (
        f"{failed_platform:,} of {messages_sent:,} messages failed on our platform. "
        f"The policy refunds those: {_plural(failed_platform, 'credit')}.{capped}"
    )


def intl_carrier_failed(failed_carrier: int, messages_sent: int, country: str) -> str:
    return (
        f"None of the {messages_sent:,} messages failed on our platform; "
        f"{failed_carrier:,} failed at a carrier or network in {country_name(country)}, "
        "outside our control. "
        "The policy gives no refund for carrier or network failures abroad."
    )


def service_failure_failed(failed_carrier: int, messages_sent: int) -> str:
    return (
        f"None of the {messages_sent:,} messages failed on our platform; "
        f"{failed_carrier:,} failed at the mobile carrier, outside our service. "
        "The policy refunds only failures on our end."
    )


def no_failure_failed(messages_sent: int, delivered: int) -> str:
    return (
        f"Of {messages_sent:,} messages, {delivered:,} were delivered, "
        "none failed on our platform and none failed at a carrier. "
        "The policy refunds only failures on our end."
    )


# C-INCIDENT
def _period(started_at: datetime, ended_at: datetime | None) -> str:
    if ended_at is None:
        return f"since {format_when(started_at)}, still ongoing"
    return f"from {format_when(started_at)} to {format_when(ended_at)}"


def incident_campaigns(
    description: str,
    started_at: datetime,
    ended_at: datetime | None,
    campaign_ids: list[str],
    failed: int,
    credits: int,
) -> str:
    names = ", ".join(campaign_ids)
    capped = "" if credits == failed else f" Only {_plural(credits, 'credit')} are left to refund."
    return (
        f"Our service had an outage {_period(started_at, ended_at)} ({description}). "
        f"{failed:,} messages of campaign {names} failed on our platform during it; "
        f"the policy refunds those.{capped}"
    )


def incident_unused(
    description: str,
    scope: str,
    started_at: datetime,
    ended_at: datetime | None,
    unused: int,
    credits: int,
) -> str:
    return (
        f"Our service had a problem with {_scope_label(scope)} {_period(started_at, ended_at)} "
        f"({description}), while this purchase could be used. {unused:,} of its {credits:,} "
        "credits are unused. Our staff will check whether the outage stopped you sending."
    )


def incident_all_delivered(sent: int, delivered: int, carrier: int) -> str:
    failed = f" and {carrier:,} failed at the mobile carrier" if carrier else ""
    return (
        f"We have no outage on record while this purchase could be used, and our records "
        f"account for every message: of {sent:,} sent, {delivered:,} were delivered{failed}, "
        "none failed on our platform."
    )


def _scope_label(scope: str) -> str:
    if scope.lower() == "all":
        return "all messages"
    if scope.lower() == "international":
        return "international messages"
    return f"messages to {country_name(scope)}"


def incident_narrower(
    description: str, scope: str, started_at: datetime, ended_at: datetime | None
) -> str:
    return (
        f"Since your purchase we had a problem with {_scope_label(scope)} "
        f"{_period(started_at, ended_at)} ({description}), but no outage for everyone. "
        "Our staff will check whether it affected your account."
    )


INCIDENT_NONE = (
    "We have no outage on record since your purchase. "
    "Our staff will check what happened on your account."
)

# C-NOT-BENEFICIAL
NOT_BENEFICIAL_FAILED = (
    "The policy gives no refunds when the service turns out not to suit your needs."
)

# What the customer can still do after an ineligible decision, by failing clause.
WHAT_NEXT: dict[str, str] = {
    "C-WINDOW": (
        "This purchase can no longer be refunded. "
        "If you think the purchase time is wrong, type /human and our team will look."
    ),
    "C-SUBSCRIPTION": (
        "To stop the subscription renewing, or if you think it isn't one, type /human."
    ),
    "C-REPORT-24H": (
        "Next time, report undelivered messages within 24 hours of sending the campaign."
    ),
    "C-INTL-CARRIER": (
        "Check that the numbers are right and reachable, or ask the carrier. "
        "If you think the failure was on our side, type /human."
    ),
    "C-SERVICE-FAILURE": (
        "Check that the numbers are right and the phones switched on. "
        "If you think the failure was on our side, type /human."
    ),
    "C-NO-FAILURE": (
        "If people say they didn't get messages shown as delivered, type /human "
        "and our team will look into it."
    ),
    "C-ONCE": "If you think a refund is missing, type /human and our team will look.",
    "C-INCIDENT": (
        "If people say they didn't get messages shown as delivered, type /human "
        "and our team will look into it."
    ),
    "C-NOT-BENEFICIAL": (
        "Next time, try our service with a smaller package or a trial before buying more."
    ),
}
WHAT_NEXT_DEFAULT = "If you think we got this wrong, type /human to reach our team."


# C-PROCESSING
def processing(first: date, last: date) -> str:
    return (
        f"Approved refunds are paid within 5 to 7 business days: "
        f"between {format_date(first)} and {format_date(last)}. "
        "Your bank or payment provider may take a few days more."
    )
