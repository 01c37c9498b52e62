"""The refund rules: each clause, each boundary, and the words the customer reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from conversations import i18n
from conversations.catalog import policy_text
from conversations.catalog.policy_text import (
    explain,
    format_age,
    format_date,
    format_when,
    what_next,
)
from conversations.domain import (
    Campaign,
    Claim,
    ClaimRequest,
    ClaimStatus,
    Decision,
    Incident,
    Kind,
    Outcome,
    Purchase,
    Reason,
)
from conversations.policy import decide

BOUGHT = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
SENT = BOUGHT + timedelta(hours=2)

PURCHASE = Purchase(
    transaction_id="TX-1",
    account_id="ACC-1",
    account_phone="+923001234567",
    account_email="ali@example.com",
    purchased_at=BOUGHT,
    kind=Kind.PACKAGE,
    credits=10_000,
    credits_used=2_500,
    amount=Decimal("50.00"),
    currency="USD",
)
CAMPAIGN = Campaign(
    campaign_id="CMP-7",
    transaction_id="TX-1",
    sent_at=SENT,
    destination_country="AE",
    messages_sent=1_000,
    delivered=900,
    failed_platform=60,
    failed_carrier=40,
)


def incident(
    scope: str,
    started: datetime,
    ended: datetime | None,
    incident_id: str = "INC-1",
) -> Incident:
    return Incident(incident_id, started, ended, scope, "SMS gateway down")


def claim(reason: Reason, now: datetime, campaign_id: str | None = None) -> ClaimRequest:
    return ClaimRequest("TX-1", reason, now, campaign_id=campaign_id)


def ids(decision: Decision) -> list[tuple[str, bool]]:
    return [(c.id, c.passed) for c in decision.clauses]


def undelivered(
    now: datetime = SENT + timedelta(hours=1),
    campaign: Campaign | None = CAMPAIGN,
    purchase: Purchase = PURCHASE,
    home_country: str = "PK",
) -> Decision:
    request = claim(Reason.UNDELIVERED, now, campaign.campaign_id if campaign else "CMP-404")
    return decide(request, purchase, campaign, [], home_country)


def outage(
    incidents: list[Incident],
    now: datetime = BOUGHT + timedelta(days=1),
    campaigns: tuple[Campaign, ...] = (),
    purchase: Purchase = PURCHASE,
    history: tuple[Claim, ...] = (),
) -> Decision:
    request = claim(Reason.OUTAGE, now)
    return decide(request, purchase, None, incidents, "PK", history, campaigns)


def earlier(
    claim_id: int,
    status: ClaimStatus,
    outcome: Outcome,
    credits: int = 0,
    reason: Reason = Reason.UNDELIVERED,
    campaign_id: str | None = "CMP-7",
) -> Claim:
    """A claim filed before on TX-1 (C-ONCE, C-HISTORY)."""
    return Claim(
        id=claim_id,
        status=status,
        outcome=outcome,
        reason=reason,
        transaction_id="TX-1",
        telegram_user_id=1,
        chat_id=1,
        refundable_credits=credits,
        clauses=[],
        created_at=SENT,
        updated_at=SENT,
        campaign_id=campaign_id,
    )


# C-WINDOW: 48 hours, inclusive, for every reason that checks it.
@pytest.mark.parametrize("reason", [Reason.UNDELIVERED, Reason.OUTAGE, Reason.OTHER])
@pytest.mark.parametrize(
    ("age", "passed", "words"),
    [
        (timedelta(hours=48), True, "2 days ago"),
        (timedelta(hours=48, seconds=1), False, "2 days 1 second ago"),
        (timedelta(days=3), False, "3 days ago"),
        (timedelta(hours=1), True, "1 hour ago"),
    ],
)
def test_window_is_two_days_inclusive(
    reason: Reason, age: timedelta, passed: bool, words: str
) -> None:
    campaign = replace(CAMPAIGN, sent_at=BOUGHT + age - timedelta(hours=1))
    decision = decide(claim(reason, BOUGHT + age, "CMP-7"), PURCHASE, campaign, [])

    window = decision.clauses[0]
    assert window.id == "C-WINDOW"
    assert window.passed is passed
    assert words in explain(window)
    assert "25 Nov 2026, 14:00 UTC" in explain(window)
    if not passed:
        assert decision.outcome is Outcome.INELIGIBLE
        assert decision.refundable_credits == 0
        assert ids(decision) == [("C-WINDOW", False)]
        assert "27 Nov 2026, 14:00 UTC" in explain(window)


def test_late_claim_reads_like_the_policy() -> None:
    decision = decide(claim(Reason.OTHER, BOUGHT + timedelta(days=3)), PURCHASE, None, [])

    assert explain(decision.clauses[0]).startswith(
        "You bought these credits 3 days ago (25 Nov 2026, 14:00 UTC); "
        "refunds must be requested within 2 days."
    )
    assert "/human" in what_next(decision)


@pytest.mark.parametrize("reason", [Reason.UNDELIVERED, Reason.OUTAGE, Reason.OTHER])
def test_subscriptions_are_never_refunded(reason: Reason) -> None:
    subscription = replace(PURCHASE, kind=Kind.SUBSCRIPTION)
    decision = decide(claim(reason, SENT, "CMP-7"), subscription, CAMPAIGN, [])

    assert decision.outcome is Outcome.INELIGIBLE
    assert decision.refundable_credits == 0
    assert ids(decision) == [("C-WINDOW", True), ("C-SUBSCRIPTION", False)]
    assert "subscription" in explain(decision.clauses[1])
    assert "subscription" in what_next(decision)


def test_package_passes_subscription_clause_quoting_its_size() -> None:
    decision = decide(claim(Reason.OTHER, SENT), PURCHASE, None, [])

    assert ids(decision) == [("C-WINDOW", True), ("C-SUBSCRIPTION", True)]
    assert "10,000 credits" in explain(decision.clauses[1])


# C-CAMPAIGN: unknown or someone else's campaign goes to staff.
@pytest.mark.parametrize(
    ("campaign", "named"),
    [
        (None, "CMP-404"),
        (replace(CAMPAIGN, transaction_id="TX-OTHER"), "CMP-7"),
    ],
)
def test_campaign_not_of_this_purchase_goes_to_review(
    campaign: Campaign | None, named: str
) -> None:
    decision = undelivered(campaign=campaign)

    assert decision.outcome is Outcome.REVIEW
    assert decision.refundable_credits == 0
    assert ids(decision) == [("C-WINDOW", True), ("C-SUBSCRIPTION", True), ("C-CAMPAIGN", False)]
    assert named in explain(decision.clauses[-1])
    assert "TX-OTHER" not in explain(decision.clauses[-1])
    assert what_next(decision) == ""


def test_no_campaign_named_at_all_goes_to_review() -> None:
    decision = decide(claim(Reason.UNDELIVERED, SENT), PURCHASE, None, [])

    assert decision.outcome is Outcome.REVIEW
    assert decision.failed_clause is not None
    assert decision.failed_clause.id == "C-CAMPAIGN"


# C-REPORT-24H: 24 hours after the campaign, inclusive.
@pytest.mark.parametrize(
    ("after_send", "outcome", "words"),
    [
        (timedelta(hours=24), Outcome.ELIGIBLE, "1 day ago"),
        (timedelta(hours=24, seconds=1), Outcome.INELIGIBLE, "1 day 1 second ago"),
        (timedelta(hours=23, minutes=30), Outcome.ELIGIBLE, "23 hours 30 minutes ago"),
    ],
)
def test_undelivered_messages_reported_within_24_hours(
    after_send: timedelta, outcome: Outcome, words: str
) -> None:
    decision = undelivered(now=SENT + after_send)

    report = decision.clauses[3]
    assert report.id == "C-REPORT-24H"
    assert report.passed is (outcome is Outcome.ELIGIBLE)
    assert decision.outcome is outcome
    assert words in explain(report)
    assert "25 Nov 2026, 16:00 UTC" in explain(report)
    if outcome is Outcome.INELIGIBLE:
        assert decision.refundable_credits == 0
        assert len(decision.clauses) == 4
        assert "24 hours" in what_next(decision)


# C-CAUSE and its ineligible sub-clauses.
@pytest.mark.parametrize(
    ("failed_platform", "failed_carrier", "country", "outcome", "last_id", "credits", "facts"),
    [
        (60, 40, "AE", Outcome.ELIGIBLE, "C-CAUSE", 60, ["60 of 1,000", "60 credits"]),
        (1, 0, "PK", Outcome.ELIGIBLE, "C-CAUSE", 1, ["1 of 1,000", "1 credit."]),
        (
            0,
            40,
            "AE",
            Outcome.INELIGIBLE,
            "C-INTL-CARRIER",
            0,
            ["40 failed", "United Arab Emirates"],
        ),
        (0, 40, "pk", Outcome.INELIGIBLE, "C-SERVICE-FAILURE", 0, ["40 failed", "carrier"]),
        (0, 40, "PK", Outcome.INELIGIBLE, "C-SERVICE-FAILURE", 0, ["40 failed"]),
        (0, 0, "AE", Outcome.INELIGIBLE, "C-NO-FAILURE", 0, ["Of 1,000 messages, 900"]),
    ],
)
def test_refund_depends_on_where_messages_failed(
    failed_platform: int,
    failed_carrier: int,
    country: str,
    outcome: Outcome,
    last_id: str,
    credits: int,
    facts: list[str],
) -> None:
    campaign = replace(
        CAMPAIGN,
        failed_platform=failed_platform,
        failed_carrier=failed_carrier,
        destination_country=country,
    )
    decision = undelivered(campaign=campaign)

    assert decision.outcome is outcome
    assert decision.refundable_credits == credits
    assert [c.id for c in decision.clauses] == [
        "C-WINDOW",
        "C-SUBSCRIPTION",
        "C-CAMPAIGN",
        "C-REPORT-24H",
        "C-ONCE",
        last_id,
    ]
    assert decision.clauses[-1].passed is (outcome is Outcome.ELIGIBLE)
    for fact in facts:
        assert fact in explain(decision.clauses[-1])
    assert (what_next(decision) != "") is (outcome is Outcome.INELIGIBLE)


def test_home_country_is_a_setting() -> None:
    campaign = replace(CAMPAIGN, failed_platform=0, destination_country="AE")

    assert undelivered(campaign=campaign, home_country="ae").clauses[-1].id == "C-SERVICE-FAILURE"
    assert undelivered(campaign=campaign, home_country="PK").clauses[-1].id == "C-INTL-CARRIER"


# C-INCIDENT: strict boundaries, cases (a), (b) and (c).
HOME = replace(CAMPAIGN, campaign_id="CMP-PK", destination_country="PK")
DELIVERED = replace(
    CAMPAIGN, campaign_id="CMP-OK", failed_platform=0, failed_carrier=0, delivered=1000
)


@pytest.mark.parametrize(
    ("incidents", "campaigns", "outcome", "credits", "incident_id", "facts"),
    [
        (
            # (a) a campaign failed on our side during the outage: those failures are refunded.
            [incident("all", SENT - timedelta(hours=1), SENT + timedelta(hours=1))],
            (CAMPAIGN,),
            Outcome.ELIGIBLE,
            60,
            "INC-1",
            ["60 messages of campaign CMP-7", "17:00 UTC"],
        ),
        (
            # (a) two campaigns during one ongoing outage: the sum.
            [incident("all", SENT, None)],
            (CAMPAIGN, HOME),
            Outcome.ELIGIBLE,
            120,
            "INC-1",
            ["120 messages of campaign CMP-7, CMP-PK", "still ongoing"],
        ),
        (
            # (a) a country incident counts for a campaign to that country only.
            [incident("PK", SENT - timedelta(hours=1), None, "INC-PK")],
            (CAMPAIGN, HOME),
            Outcome.ELIGIBLE,
            60,
            "INC-PK",
            ["campaign CMP-PK"],
        ),
        (
            [incident("international", SENT - timedelta(hours=1), None, "INC-INTL")],
            (CAMPAIGN,),
            Outcome.ELIGIBLE,
            60,
            "INC-INTL",
            ["campaign CMP-7"],
        ),
        (
            # (b) the outage covers the purchase but nothing failed: unused credits, for review.
            [incident("all", BOUGHT + timedelta(hours=3), BOUGHT + timedelta(hours=5))],
            (),
            Outcome.REVIEW,
            7_500,
            "INC-1",
            ["7,500 of its 10,000 credits are unused", "17:00 UTC to 25 Nov 2026, 19:00 UTC"],
        ),
        (
            # Ended one second after the purchase: it counts.
            [incident("all", BOUGHT - timedelta(hours=5), BOUGHT + timedelta(seconds=1))],
            (),
            Outcome.REVIEW,
            7_500,
            "INC-1",
            ["unused"],
        ),
        (
            # Ended exactly at the purchase: strictly before its life, so it does not count.
            [incident("all", BOUGHT - timedelta(hours=5), BOUGHT)],
            (),
            Outcome.REVIEW,
            0,
            None,
            ["no outage on record"],
        ),
        (
            # (c) no counted outage, and the records account for every message: refused.
            [incident("all", BOUGHT - timedelta(hours=5), BOUGHT)],
            (DELIVERED,),
            Outcome.INELIGIBLE,
            0,
            None,
            ["of 1,000 sent, 1,000 were delivered", "none failed on our platform"],
        ),
        (
            # A country incident elsewhere: for a person to check, not a payout.
            [incident("PK", BOUGHT + timedelta(hours=3), None, "INC-PK")],
            (),
            Outcome.REVIEW,
            0,
            "INC-PK",
            ["messages to Pakistan", "staff"],
        ),
        (
            # Starts after the claim was made: not yet relevant.
            [incident("all", BOUGHT + timedelta(days=1, seconds=1), None)],
            (),
            Outcome.REVIEW,
            0,
            None,
            ["no outage on record"],
        ),
    ],
)
def test_outage_claims_rest_on_incidents(
    incidents: list[Incident],
    campaigns: tuple[Campaign, ...],
    outcome: Outcome,
    credits: int,
    incident_id: str | None,
    facts: list[str],
) -> None:
    decision = outage(incidents, campaigns=campaigns)

    assert decision.outcome is outcome
    assert decision.refundable_credits == credits
    assert decision.incident_id == incident_id
    assert ids(decision) == [
        ("C-WINDOW", True),
        ("C-SUBSCRIPTION", True),
        ("C-ONCE", True),
        ("C-INCIDENT", outcome is Outcome.ELIGIBLE),
    ]
    for fact in facts:
        assert fact in explain(decision.clauses[-1])
    assert (what_next(decision) != "") is (outcome is Outcome.INELIGIBLE)


def test_a_fully_used_package_is_never_eligible_for_zero_credits() -> None:
    used_up = replace(PURCHASE, credits_used=PURCHASE.credits)
    decision = outage([incident("all", BOUGHT, None)], purchase=used_up, campaigns=(DELIVERED,))

    assert decision.outcome is Outcome.INELIGIBLE
    assert decision.refundable_credits == 0
    with pytest.raises(ValueError, match="at least one credit"):
        Decision(Outcome.ELIGIBLE, 0, ())


def test_a_delivered_purchase_refused_as_undelivered_is_refused_as_an_outage_too() -> None:
    """The demo's TX-1004 case: changing the reason does not turn a refusal into a payout."""
    ended_at_purchase = [incident("all", BOUGHT - timedelta(hours=2), BOUGHT)]
    carrier_only = replace(CAMPAIGN, failed_platform=0, delivered=960)
    used_up = replace(PURCHASE, credits_used=PURCHASE.credits)

    as_undelivered = undelivered(campaign=carrier_only, purchase=used_up)
    as_outage = outage(ended_at_purchase, purchase=used_up, campaigns=(carrier_only,))

    assert as_undelivered.outcome is Outcome.INELIGIBLE
    assert as_outage.outcome is Outcome.INELIGIBLE
    assert "40 failed at the mobile carrier" in explain(as_outage.clauses[-1])


def test_an_undelivered_campaign_sent_during_an_outage_is_linked_to_it() -> None:
    during = incident("all", SENT - timedelta(minutes=5), SENT + timedelta(minutes=5), "INC-9")
    request = claim(Reason.UNDELIVERED, SENT + timedelta(hours=1), "CMP-7")

    decision = decide(request, PURCHASE, CAMPAIGN, [during])
    elsewhere = decide(request, PURCHASE, CAMPAIGN, [replace(during, scope="PK")])

    assert (decision.outcome, decision.incident_id) == (Outcome.ELIGIBLE, "INC-9")
    assert decision.campaign_ids == ("CMP-7",)
    assert elsewhere.incident_id is None


# C-ONCE
def test_a_campaign_already_refunded_is_not_refunded_again() -> None:
    paid = earlier(1, ClaimStatus.REFUNDED, Outcome.ELIGIBLE, credits=60)
    request = claim(Reason.UNDELIVERED, SENT + timedelta(hours=1), "CMP-7")

    decision = decide(request, PURCHASE, CAMPAIGN, [], "PK", [paid])

    assert decision.outcome is Outcome.INELIGIBLE
    assert ids(decision)[-1] == ("C-ONCE", False)
    assert "already refunded in claim #1" in explain(decision.clauses[-1])


@pytest.mark.parametrize(
    ("approved", "outcome", "credits"),
    [(0, Outcome.ELIGIBLE, 60), (9_950, Outcome.ELIGIBLE, 50), (10_000, Outcome.INELIGIBLE, 0)],
)
def test_refundable_credits_are_capped_at_what_the_purchase_has_left(
    approved: int, outcome: Outcome, credits: int
) -> None:
    history = (
        [earlier(1, ClaimStatus.APPROVED, Outcome.REVIEW, approved, Reason.OTHER, None)]
        if approved
        else []
    )
    request = claim(Reason.UNDELIVERED, SENT + timedelta(hours=1), "CMP-7")

    decision = decide(request, PURCHASE, CAMPAIGN, [], "PK", history)

    assert (decision.outcome, decision.refundable_credits) == (outcome, credits)
    once = next(c for c in decision.clauses if c.id == "C-ONCE")
    assert once.passed is (outcome is Outcome.ELIGIBLE)


def test_rejected_and_ineligible_claims_leave_the_credits_alone() -> None:
    history = [
        earlier(1, ClaimStatus.REJECTED, Outcome.ELIGIBLE, 60),
        earlier(2, ClaimStatus.INELIGIBLE, Outcome.INELIGIBLE, 0, Reason.NOT_BENEFICIAL, None),
    ]
    decision = outage([], campaigns=(), history=tuple(history))

    assert ("C-ONCE", True) in ids(decision)


# C-HISTORY
def test_a_claim_filed_again_after_a_refusal_goes_to_review_flagged() -> None:
    refused = earlier(3, ClaimStatus.INELIGIBLE, Outcome.INELIGIBLE)
    request = claim(Reason.OUTAGE, SENT + timedelta(hours=1))
    during = incident("all", SENT - timedelta(hours=1), None)

    decision = decide(request, PURCHASE, None, [during], "PK", [refused], [CAMPAIGN])

    assert decision.outcome is Outcome.REVIEW
    assert decision.refundable_credits == 60  # the suggestion staff see
    assert ids(decision)[-1] == ("C-HISTORY", False)
    assert "after claim #3" in explain(decision.clauses[-1])


def test_a_refusal_filed_again_stays_a_refusal() -> None:
    refused = earlier(3, ClaimStatus.INELIGIBLE, Outcome.INELIGIBLE)
    request = claim(Reason.NOT_BENEFICIAL, SENT)

    decision = decide(request, PURCHASE, None, [], "PK", [refused])

    assert decision.outcome is Outcome.INELIGIBLE
    assert "C-HISTORY" not in [c.id for c in decision.clauses]


def test_not_beneficial_is_ineligible_whenever_asked() -> None:
    decision = decide(
        claim(Reason.NOT_BENEFICIAL, BOUGHT + timedelta(minutes=5)), PURCHASE, None, []
    )

    assert decision.outcome is Outcome.INELIGIBLE
    assert decision.refundable_credits == 0
    assert ids(decision) == [("C-NOT-BENEFICIAL", False)]
    assert "smaller package or a trial" in what_next(decision)


def test_other_goes_to_review_after_window_and_subscription() -> None:
    request = ClaimRequest("TX-1", Reason.OTHER, SENT, description="Wrong sender name")
    decision = decide(request, PURCHASE, None, [])

    assert decision.outcome is Outcome.REVIEW
    assert decision.refundable_credits == 0
    assert ids(decision) == [("C-WINDOW", True), ("C-SUBSCRIPTION", True)]
    assert what_next(decision) == ""


# Every duration people read (card ages, queue, reminders, medians, clause explanations, the
# idle notice) goes through policy_text.age: (delta, English, Urdu).
DURATIONS = [
    (timedelta(days=3), "3 days", "3 دن"),
    (timedelta(days=1, hours=4), "1 day 4 hours", "1 دن 4 گھنٹے"),
    (timedelta(hours=47), "1 day 23 hours", "1 دن 23 گھنٹے"),
    (timedelta(hours=47, minutes=59), "over 1 day 23 hours", "1 دن 23 گھنٹے سے زیادہ"),
    (timedelta(hours=48, seconds=1), "2 days 1 second", "2 دن 1 سیکنڈ"),
    (timedelta(days=3, hours=2, minutes=13, seconds=47), "over 3 days", "3 دن سے زیادہ"),
    (timedelta(days=645, hours=8, minutes=3), "over 645 days", "645 دن سے زیادہ"),
    (timedelta(days=1200, hours=1, minutes=1), "over 1,200 days", "1,200 دن سے زیادہ"),
    (timedelta(hours=5, seconds=4, milliseconds=5), "over 5 hours", "5 گھنٹے سے زیادہ"),
    (timedelta(hours=13, minutes=20, seconds=9), "over 13 hours 20 minutes", None),
    (timedelta(days=2, seconds=1, milliseconds=5), "over 2 days", "2 دن سے زیادہ"),
    (timedelta(minutes=1, seconds=53, milliseconds=400), "about 2 minutes", None),
    (timedelta(minutes=1, seconds=53), "1 minute 53 seconds", None),
    (timedelta(minutes=12, seconds=7, milliseconds=1), "about 12 minutes", None),
    (timedelta(minutes=59, seconds=40, milliseconds=1), "about 1 hour", None),
    (timedelta(minutes=1), "1 minute", "1 منٹ"),
    (timedelta(seconds=59, milliseconds=900), "59 seconds", "59 سیکنڈ"),
    (timedelta(milliseconds=10), "less than a second", "ایک سیکنڈ سے کم"),
    (timedelta(0), "0 seconds", None),
    (timedelta(hours=-1), "0 seconds", None),
]


@pytest.mark.parametrize(("delta", "words", "urdu"), DURATIONS)
def test_every_duration_shown_is_one_or_two_units_in_both_languages(
    delta: timedelta, words: str, urdu: str | None
) -> None:
    assert format_age(delta) == words
    with i18n.use(i18n.URDU):
        said = policy_text.age(delta)
    if urdu is not None:
        assert said == urdu
    assert i18n.written_in_urdu(said)
    assert len([w for w in words.split() if w[0].isdigit()]) <= 2


def test_dates_are_written_the_same_way_everywhere() -> None:
    assert format_when(datetime(2026, 11, 25, 14, 0, 59, tzinfo=UTC)) == "25 Nov 2026, 14:00 UTC"
    assert format_date(date(2026, 12, 1)) == "Tue 1 Dec 2026"


def test_purchase_recorded_after_the_claim_goes_to_review_not_a_pass() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    purchase = Purchase(
        "TX-F",
        "A",
        "+923001234567",
        "a@example.com",
        now + timedelta(hours=2),
        Kind.PACKAGE,
        100,
        0,
        10.0,
        "PKR",
    )
    decision = decide(ClaimRequest("TX-F", Reason.OUTAGE, now), purchase, None, [])
    assert decision.outcome is Outcome.REVIEW
    assert decision.refundable_credits == 0
    assert "after the time of this claim" in explain(decision.clauses[0])


def test_campaign_recorded_after_the_claim_goes_to_review() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    purchase = Purchase(
        "TX-G",
        "A",
        "+923001234567",
        "a@example.com",
        now - timedelta(hours=2),
        Kind.PACKAGE,
        100,
        0,
        10.0,
        "PKR",
    )
    campaign = Campaign("C-G", "TX-G", now + timedelta(minutes=5), "PK", 10, 0, 10, 0)
    request = ClaimRequest("TX-G", Reason.UNDELIVERED, now, campaign_id="C-G")
    decision = decide(request, purchase, campaign, [])
    assert decision.outcome is Outcome.REVIEW
    assert decision.clauses[0].id == "C-REPORT-24H" and not decision.clauses[0].passed
