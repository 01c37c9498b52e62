"""What the bot says about the refund rules: clause explanations and what-next advice.

The policy returns facts (ClauseResult: a finding and its parameters); `explain` words them
in the current language (conversations.i18n) when they are shown. `format_when`,
`format_date` and `format_age` are the English forms the staff side uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from conversations import i18n
from conversations.countries import country_name_in
from conversations.domain import ClauseResult, Decision, Outcome
from conversations.i18n import _, ngettext
from conversations.policy_numbers import PUBLISHED, PolicyNumbers, current

_UNITS: tuple[tuple[str, int], ...] = (
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
    ("second", 1),
)


def _count(n: int, unit: str) -> str:
    """ "1 day", "3 hours", "1,200 days", in the current language."""
    if unit == "day":
        words = ngettext("{n} day", "{n} days", n)
    elif unit == "hour":
        words = ngettext("{n} hour", "{n} hours", n)
    elif unit == "minute":
        words = ngettext("{n} minute", "{n} minutes", n)
    else:
        words = ngettext("{n} second", "{n} seconds", n)
    return words.format(n=i18n.number(n))


def _plural(n: int, unit: str) -> str:
    if unit == "credit":
        return ngettext("{n} credit", "{n} credits", n).format(n=i18n.number(n))
    return _count(n, unit)


def _words(parts: Sequence[tuple[int, str]]) -> str:
    return " ".join(_count(count, unit) for count, unit in parts if count)


def age(delta: timedelta) -> str:
    """A duration as people say it, in one or two units.

    Exact when two units say it ("2 days", "2 days 1 second": the limits are inclusive,
    so "2 days" must mean exactly 2 days); else under a minute in seconds, under an hour
    "about N minutes", under 3 days "over 1 day 4 hours" (cut down, never up, since limits
    are measured against it), and from 3 days on "over 645 days".
    """
    micros = max(delta, timedelta(0)) // timedelta(microseconds=1)
    seconds, below_a_second = divmod(micros, 1_000_000)
    counts: list[tuple[int, str]] = []
    rest = seconds
    for unit, size in _UNITS:
        count, rest = divmod(rest, size)
        counts.append((count, unit))
    nonzero = [i for i, (count, _u) in enumerate(counts) if count]
    if not nonzero:
        return _("less than a second") if below_a_second else _count(0, "second")
    first = nonzero[0]
    if seconds < 60:
        return _count(seconds, "second")  # a fraction of a second is no news to anyone
    if not below_a_second and len(nonzero) <= 2:
        return _words(counts)
    if seconds < 3600:
        minutes = (seconds + 30) // 60
        shown = _count(1, "hour") if minutes == 60 else _count(minutes, "minute")
        return _("about {duration}").format(duration=shown)
    if seconds < 3 * 86400:
        return _("over {duration}").format(duration=_words(counts[first : first + 2]))
    return _("over {duration}").format(duration=_count(seconds // 86400, "day"))


def format_age(delta: timedelta) -> str:
    """`age` in English, for the staff side."""
    with i18n.use(i18n.ENGLISH):
        return age(delta)


def format_when(dt: datetime) -> str:
    """A moment in English in the reader's zone, named, e.g. "25 Nov 2026, 19:00 PKT" (the
    staff side; its entry points open `i18n.in_zone` with the deployment's home zone)."""
    with i18n.use(i18n.ENGLISH):
        return i18n.when(dt)


def format_date(d: date) -> str:
    """A calendar day in English, e.g. "Tue 1 Dec 2026" (the staff side)."""
    with i18n.use(i18n.ENGLISH):
        return i18n.day(d)


_n = i18n.number
_when = i18n.when


def after_claim(what: str, at: datetime) -> str:
    if what == "purchase":
        template = _(
            "Our records show this purchase at {at}, after the time of this claim. "
            "Our staff will check the records."
        )
    else:
        template = _(
            "Our records show this campaign at {at}, after the time of this claim. "
            "Our staff will check the records."
        )
    return template.format(at=_when(at))


# C-WINDOW
def window_passed(age_: timedelta, purchased_at: datetime, deadline: datetime) -> str:
    return reword(
        _(
            "You bought these credits {age} ago ({at}); "
            "refunds can be requested within 2 days, so until {deadline}."
        )
    ).format(age=age(age_), at=_when(purchased_at), deadline=_when(deadline))


def window_failed(age_: timedelta, purchased_at: datetime, deadline: datetime) -> str:
    return reword(
        _(
            "You bought these credits {age} ago ({at}); "
            "refunds must be requested within 2 days. That time ended {deadline}."
        )
    ).format(age=age(age_), at=_when(purchased_at), deadline=_when(deadline))


# C-SUBSCRIPTION
def subscription_passed(credits: int) -> str:
    return _("This is a one-off package of {credits} credits, not a subscription.").format(
        credits=_n(credits)
    )


SUBSCRIPTION_FAILED = (
    "This purchase is a recurring subscription, and the policy gives no refunds for subscriptions."
)


# C-CAMPAIGN
def campaign_passed(campaign_id: str) -> str:
    return _("Campaign {campaign} was sent with the credits of this purchase.").format(
        campaign=campaign_id
    )


def campaign_not_found(campaign_id: str) -> str:
    return _(
        "We couldn't find campaign {campaign} among the campaigns of this purchase. "
        "Our staff will check which campaign you mean."
    ).format(campaign=campaign_id)


CAMPAIGN_MISSING = (
    "We don't know which campaign of this purchase went wrong. Our staff will check it with you."
)


# C-REPORT-24H
def report_passed(age_: timedelta, sent_at: datetime) -> str:
    return reword(
        _(
            "The campaign was sent {age} ago ({at}); "
            "undelivered messages can be reported within 24 hours, so you are in time."
        )
    ).format(age=age(age_), at=_when(sent_at))


def report_failed(age_: timedelta, sent_at: datetime) -> str:
    return reword(
        _(
            "The campaign was sent {age} ago ({at}); "
            "undelivered messages must be reported within 24 hours of the campaign."
        )
    ).format(age=age(age_), at=_when(sent_at))


# C-ONCE
def _claims(claim_ids: tuple[int, ...]) -> str:
    return ", ".join(f"#{n}" for n in claim_ids)


def once_campaign_paid(campaign_id: str, claim_id: int) -> str:
    return _(
        "The failed messages of campaign {campaign} were already refunded in claim "
        "#{claim_id}. Credits are refunded once."
    ).format(campaign=campaign_id, claim_id=claim_id)


def once_nothing_left(credits: int, claim_ids: tuple[int, ...]) -> str:
    return _(
        "All {credits} credits of this purchase were already refunded "
        "(claim {claims}). Credits are refunded once."
    ).format(credits=_n(credits), claims=_claims(claim_ids))


def once_passed(left: int, credits: int, claim_ids: tuple[int, ...]) -> str:
    if not claim_ids:
        return _("No credits of this purchase have been refunded before.")
    return _(
        "{refunded} of this purchase's {credits} credits were already refunded "
        "(claim {claims}); up to {left} are left."
    ).format(
        refunded=_n(credits - left), credits=_n(credits), claims=_claims(claim_ids), left=_n(left)
    )


# C-HISTORY
def filed_again(claim_id: int) -> str:
    return _(
        "Filed again after claim #{claim_id} on this purchase was found not eligible. "
        "A person will check it before anything is paid."
    ).format(claim_id=claim_id)


# C-CAUSE and its ineligible variants
def cause_passed(failed_platform: int, messages_sent: int, credits: int) -> str:
    capped = (
        ""
        if credits == failed_platform
        else " "
        + _("Only {credits} of this purchase are left to refund.").format(
            credits=_plural(credits, "credit")
        )
    )
    return (
        _(
            "{failed} of {sent} messages failed on our platform. "
            "The policy refunds those: {refund}."
        ).format(
            failed=_n(failed_platform),
            sent=_n(messages_sent),
            refund=_plural(failed_platform, "credit"),
        )
        + capped
    )


def intl_carrier_failed(failed_carrier: int, messages_sent: int, country: str) -> str:
    return _(
        "None of the {sent} messages failed on our platform; "
        "{failed} failed at a carrier or network in {country}, outside our control. "
        "The policy gives no refund for carrier or network failures abroad."
    ).format(
        sent=_n(messages_sent),
        failed=_n(failed_carrier),
        country=country_name_in(country, i18n.current()),
    )


def service_failure_failed(failed_carrier: int, messages_sent: int) -> str:
    return _(
        "None of the {sent} messages failed on our platform; "
        "{failed} failed at the mobile carrier, outside our service. "
        "The policy refunds only failures on our end."
    ).format(sent=_n(messages_sent), failed=_n(failed_carrier))


def no_failure_failed(messages_sent: int, delivered: int) -> str:
    return _(
        "Of {sent} messages, {delivered} were delivered, "
        "none failed on our platform and none failed at a carrier. "
        "The policy refunds only failures on our end."
    ).format(sent=_n(messages_sent), delivered=_n(delivered))


# C-INCIDENT
def _period(started_at: datetime, ended_at: datetime | None) -> str:
    if ended_at is None:
        return _("since {start}, still ongoing").format(start=_when(started_at))
    return _("from {start} to {end}").format(start=_when(started_at), end=_when(ended_at))


def incident_campaigns(
    description: str,
    started_at: datetime,
    ended_at: datetime | None,
    campaign_ids: Sequence[str],
    failed: int,
    credits: int,
) -> str:
    names = ", ".join(campaign_ids)
    capped = (
        ""
        if credits == failed
        else " "
        + _("Only {credits} are left to refund.").format(credits=_plural(credits, "credit"))
    )
    return (
        _(
            "Our service had an outage {period} ({description}). "
            "{failed} messages of campaign {campaigns} failed on our platform during it; "
            "the policy refunds those."
        ).format(
            period=_period(started_at, ended_at),
            description=description,
            failed=_n(failed),
            campaigns=names,
        )
        + capped
    )


def incident_unused(
    description: str,
    scope: str,
    started_at: datetime,
    ended_at: datetime | None,
    unused: int,
    credits: int,
) -> str:
    return _(
        "Our service had a problem with {scope} {period} ({description}), while this purchase "
        "could be used. {unused} of its {credits} credits are unused. "
        "Our staff will check whether the outage stopped you sending."
    ).format(
        scope=_scope_label(scope),
        period=_period(started_at, ended_at),
        description=description,
        unused=_n(unused),
        credits=_n(credits),
    )


def incident_all_delivered(sent: int, delivered: int, carrier: int) -> str:
    if carrier:
        template = _(
            "We have no outage on record while this purchase could be used, and our records "
            "account for every message: of {sent} sent, {delivered} were delivered and "
            "{carrier} failed at the mobile carrier, none failed on our platform."
        )
    else:
        template = _(
            "We have no outage on record while this purchase could be used, and our records "
            "account for every message: of {sent} sent, {delivered} were delivered, "
            "none failed on our platform."
        )
    return template.format(sent=_n(sent), delivered=_n(delivered), carrier=_n(carrier))


def _scope_label(scope: str) -> str:
    if scope.lower() == "all":
        return _("all messages")
    if scope.lower() == "international":
        return _("international messages")
    return _("messages to {country}").format(country=country_name_in(scope, i18n.current()))


def incident_narrower(
    description: str, scope: str, started_at: datetime, ended_at: datetime | None
) -> str:
    return _(
        "Since your purchase we had a problem with {scope} {period} ({description}), "
        "but no outage for everyone. Our staff will check whether it affected your account."
    ).format(
        scope=_scope_label(scope), period=_period(started_at, ended_at), description=description
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
    "C-WINDOW": "If you think the purchase time is wrong, type /human and our team will look.",
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


def _said(constant: str) -> Callable[[], str]:
    return lambda: _(constant)


# Each finding of the policy and the words for it.
_FINDINGS: dict[str, Callable[..., str]] = {
    "after_claim": after_claim,
    "window_passed": window_passed,
    "window_failed": window_failed,
    "subscription_passed": subscription_passed,
    "subscription_failed": _said(SUBSCRIPTION_FAILED),
    "campaign_passed": campaign_passed,
    "campaign_not_found": campaign_not_found,
    "campaign_missing": _said(CAMPAIGN_MISSING),
    "report_passed": report_passed,
    "report_failed": report_failed,
    "once_campaign_paid": once_campaign_paid,
    "once_nothing_left": once_nothing_left,
    "once_passed": once_passed,
    "filed_again": filed_again,
    "cause_passed": cause_passed,
    "intl_carrier_failed": intl_carrier_failed,
    "service_failure_failed": service_failure_failed,
    "no_failure_failed": no_failure_failed,
    "incident_campaigns": incident_campaigns,
    "incident_unused": incident_unused,
    "incident_all_delivered": incident_all_delivered,
    "incident_narrower": incident_narrower,
    "incident_none": _said(INCIDENT_NONE),
    "not_beneficial_failed": _said(NOT_BENEFICIAL_FAILED),
}


def explain(clause: ClauseResult) -> str:
    """A clause's explanation in the current language, from the facts it found."""
    if not clause.finding:
        # Decided before clauses were facts: the words stored then, in this language if kept.
        recorded = dict(clause.recorded)
        return recorded.get(i18n.current()) or recorded.get(i18n.ENGLISH, "")
    facts: dict[str, Any] = clause.facts
    return _FINDINGS[clause.finding](**facts)


def explain_en(clause: ClauseResult) -> str:
    """`explain` in English: the staff card, the CLI and the records."""
    with i18n.use(i18n.ENGLISH):
        return explain(clause)


def what_next(decision: Decision) -> str:
    """What the customer can still do after an ineligible decision; empty otherwise."""
    failed = decision.failed_clause
    if decision.outcome is not Outcome.INELIGIBLE or failed is None:
        return ""
    return _(WHAT_NEXT.get(failed.id, WHAT_NEXT_DEFAULT))


# Rewording to the deployment's numbers (REFUND_WINDOW_HOURS and the rest) ---------------

# The published numbers as the texts say them, per language (Urdu keeps ASCII digits).
_PHRASES = {
    i18n.ENGLISH: {
        "2 days (48 hours)": "{days} ({hours} hours)",
        "2 days": "{days}",
        "48 hours": "{hours} hours",
        "24 hours": "{report} hours",
        "5 to 7 business days": "{first} to {last} business days",
        "5–7 business days": "{first}–{last} business days",
    },
    "ur": {
        "2 دن (48 گھنٹے)": "{days} ({hours} گھنٹے)",
        "2 دن": "{days}",
        "48 گھنٹ": "{hours} گھنٹ",
        "24 گھنٹ": "{report} گھنٹ",
        "5 سے 7": "{first} سے {last}",
        "5–7": "{first}–{last}",
    },
}


@cache
def _pattern(language: str) -> re.Pattern[str]:
    phrases = sorted(_PHRASES.get(language, {}), key=len, reverse=True)
    return re.compile("|".join(rf"(?<![\d.]){re.escape(p)}" for p in phrases))


def reword(text: str, numbers: PolicyNumbers | None = None) -> str:
    """`text` with the published numbers replaced by the deployment's, in the current language."""
    numbers = numbers or current()
    if numbers == PUBLISHED:
        return text
    language = i18n.current()
    phrases = _PHRASES.get(language) or _PHRASES[i18n.ENGLISH]
    values = {
        "days": age(numbers.refund_window),
        "hours": f"{numbers.refund_window_hours:,}",
        "report": f"{numbers.report_window_hours:,}",
        "first": str(numbers.first_payment_day),
        "last": str(numbers.last_payment_day),
    }
    pattern = _pattern(language if language in _PHRASES else i18n.ENGLISH)
    # One pass: a replaced number is never replaced again (a 24-hour refund window).
    return pattern.sub(lambda found: phrases[found.group(0)].format(**values), text)
