"""Staff read text written for staff (third person, facts); numbers people read are grouped."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from conversations import i18n
from conversations.catalog import staff_clauses
from conversations.catalog.policy_text import explain
from conversations.catalog.staff_clauses import explain_staff, mark
from conversations.domain import ClauseResult
from conversations.i18n_extract import constants

CATALOG = Path(staff_clauses.__file__).parent
AT = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
LATER = AT + timedelta(hours=5)
# The customer's sentences that must never reach a staff card (issue 23).
SECOND_PERSON = re.compile(
    r"\byou (bought|answered|sent|paid|are|can|think|mean)\b|\byour (claim|purchase|account|"
    r"messages|credits)\b|\bour staff will\b|\bsorry\b",
    re.IGNORECASE,
)

# Each finding of the policy with facts whose numbers are all 1,000 or more.
FINDINGS: dict[str, dict[str, Any]] = {
    "after_claim": {"what": "purchase", "at": LATER},
    "window_passed": {"age_": timedelta(hours=5), "purchased_at": AT, "deadline": LATER},
    "window_failed": {"age_": timedelta(days=645, hours=8), "purchased_at": AT, "deadline": LATER},
    "subscription_passed": {"credits": 5000},
    "subscription_failed": {},
    "campaign_passed": {"campaign_id": "CMP-1"},
    "campaign_not_found": {"campaign_id": "CMP-1"},
    "campaign_missing": {},
    "report_passed": {"age_": timedelta(hours=3), "sent_at": AT},
    "report_failed": {"age_": timedelta(days=3), "sent_at": AT},
    "once_campaign_paid": {"campaign_id": "CMP-1", "claim_id": 3},
    "once_nothing_left": {"credits": 5000, "claim_ids": (1, 2)},
    "once_passed": {"left": 3000, "credits": 5000, "claim_ids": (1,)},
    "filed_again": {"claim_id": 3},
    "cause_passed": {"failed_platform": 1200, "messages_sent": 4000, "credits": 1100},
    "intl_carrier_failed": {"failed_carrier": 1200, "messages_sent": 4000, "country": "GB"},
    "service_failure_failed": {"failed_carrier": 1200, "messages_sent": 4000},
    "no_failure_failed": {"messages_sent": 4000, "delivered": 3900},
    "incident_campaigns": {
        "description": "route down",
        "started_at": AT,
        "ended_at": LATER,
        "campaign_ids": ("CMP-1",),
        "failed": 1200,
        "credits": 1100,
    },
    "incident_unused": {
        "description": "route down",
        "scope": "GB",
        "started_at": AT,
        "ended_at": None,
        "unused": 2000,
        "credits": 5000,
    },
    "incident_all_delivered": {"sent": 4000, "delivered": 3900, "carrier": 1000},
    "incident_narrower": {
        "description": "route down",
        "scope": "international",
        "started_at": AT,
        "ended_at": LATER,
    },
    "incident_none": {},
    "not_beneficial_failed": {},
}


def _clause(finding: str, passed: bool = False) -> ClauseResult:
    return ClauseResult.of("C-X", passed, finding, **FINDINGS[finding])


def _without_dates(text: str) -> str:
    """The text less its dates and times, whose years are not amounts."""
    return re.sub(r"\b\d{1,2} \w{3} \d{4}, \d{2}:\d{2} [A-Z]+", "", text)


# The findings whose staff line says a moment (AT is 14:00 UTC, LATER 19:00 UTC).
DATED = sorted(
    f for f, facts in FINDINGS.items() if any(isinstance(v, datetime) for v in facts.values())
)


@pytest.mark.parametrize("finding", DATED)
def test_staff_clause_lines_say_moments_on_the_home_clock_named(finding: str) -> None:
    with i18n.in_zone("Asia/Karachi"):
        said = explain_staff(_clause(finding))
    # 14:00 UTC is 19:00 in Pakistan; 19:00 UTC is midnight, the next day there.
    assert "25 Nov 2026, 19:00 PKT" in said or "26 Nov 2026, 00:00 PKT" in said, said
    assert "UTC" not in said, said


def test_every_finding_has_staff_words() -> None:
    assert set(FINDINGS) == set(staff_clauses._FINDINGS)


@pytest.mark.parametrize("finding", sorted(FINDINGS))
def test_staff_clause_lines_are_third_person_with_grouped_numbers(finding: str) -> None:
    said = explain_staff(_clause(finding))
    assert said and not SECOND_PERSON.search(said), said
    assert not re.search(r"\d{4,}", _without_dates(said)), said


@pytest.mark.parametrize("finding", sorted(FINDINGS))
@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_customer_clause_sentences_group_their_numbers(finding: str, language: str) -> None:
    with i18n.use(language):
        said = explain(_clause(finding))
    dates = re.sub(r"\d{4}،", "", _without_dates(said))  # Urdu dates: "25 نومبر 2026، 14:00"
    assert not re.search(r"\d{4,}", dates), said


def test_every_staff_catalog_sentence_is_written_for_staff() -> None:
    """No constant of the staff catalogs speaks as to the customer."""
    found = [
        text
        for module in ("staff.py", "staff_clauses.py")
        for _line, text in constants((CATALOG / module).read_text())
        if SECOND_PERSON.search(text)
    ]
    assert found == []


def test_a_country_after_a_preposition_has_its_article() -> None:
    assert "in the United Kingdom" in explain_staff(_clause("intl_carrier_failed"))
    assert "in the United Kingdom" in explain(_clause("intl_carrier_failed"))
    with i18n.use(i18n.URDU):
        assert "the " not in explain(_clause("intl_carrier_failed"))


def test_refusals_are_marked_apart_from_what_needs_a_check() -> None:
    assert mark(_clause("window_failed"), ineligible=True) == "❌"
    assert mark(_clause("report_failed"), ineligible=False) == "❌"
    assert mark(_clause("incident_none"), ineligible=False) == "⚠️"
    assert mark(_clause("campaign_missing"), ineligible=False) == "⚠️"
    assert mark(_clause("campaign_passed", passed=True), ineligible=False) == "✅"
    legacy = ClauseResult("C-WINDOW", False, recorded=(("en", "Too late."),))
    assert mark(legacy, ineligible=True) == "❌" and explain_staff(legacy) == "Too late."


def test_customers_and_staff_read_moments_in_the_home_zone_named() -> None:
    from conversations.catalog.policy_text import format_when

    moment = datetime(2026, 8, 14, 9, 15, tzinfo=UTC)
    with i18n.in_zone("Asia/Karachi"):
        assert i18n.when(moment) == "14 Aug 2026, 14:15 PKT"
        with i18n.use(i18n.URDU):
            assert i18n.when(moment) == "14 اگست 2026، 14:15 PKT"
            # Staff text is English whatever the customer's language, in the same zone.
            assert format_when(moment) == "14 Aug 2026, 14:15 PKT"
    # Outside any entry point's zone (a script's JSON, a log) a moment is UTC, and says so.
    assert i18n.when(moment) == format_when(moment) == "14 Aug 2026, 09:15 UTC"
