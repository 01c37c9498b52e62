"""`demo-data` and `check`: the sample ledger shows every rule, and check explains each decision."""

from __future__ import annotations

import pytest

from tests.cli.cli_process import LEDGER, Cli, Result, assert_one_clear_line

# (transaction, reason, campaign) -> (outcome, refundable credits, the clause that decides)
DEMO_CASES = {
    ("TX-1001", "undelivered", "CMP-1001"): ("eligible", 120, "C-CAUSE"),
    ("TX-1002", "undelivered", "CMP-1002"): ("ineligible", 0, "C-WINDOW"),
    ("TX-1002", "outage", None): ("ineligible", 0, "C-WINDOW"),
    ("TX-1003", "other", None): ("ineligible", 0, "C-SUBSCRIPTION"),
    ("TX-1004", "undelivered", "CMP-1004"): ("ineligible", 0, "C-INTL-CARRIER"),
    ("TX-1005", "undelivered", "CMP-1005"): ("ineligible", 0, "C-SERVICE-FAILURE"),
    ("TX-1006", "undelivered", "CMP-1006"): ("ineligible", 0, "C-NO-FAILURE"),
    ("TX-1007", "undelivered", "CMP-1007"): ("ineligible", 0, "C-REPORT-24H"),
    ("TX-1008", "outage", None): ("eligible", 300, "C-INCIDENT"),
    ("TX-1009", "outage", None): ("review", 0, "C-INCIDENT"),
    ("TX-1010", "outage", None): ("review", 2000, "C-INCIDENT"),
    # The demo's refusals stay refusals when the reason is changed to an outage.
    ("TX-1004", "outage", None): ("ineligible", 0, "C-INCIDENT"),
    ("TX-1005", "outage", None): ("ineligible", 0, "C-INCIDENT"),
    ("TX-1006", "outage", None): ("ineligible", 0, "C-INCIDENT"),
    ("TX-1001", "not_beneficial", None): ("ineligible", 0, "C-NOT-BENEFICIAL"),
    ("TX-1001", "undelivered", "CMP-1004"): ("review", 0, "C-CAMPAIGN"),
}


# Every case, TX-1005's campaign to Pakistan included (left out while Pakistan is suspended).
UNSUSPENDED = {"PK_SUSPENSION_NOTICE": "false"}


@pytest.fixture(scope="module")
def demo(module_cli: Cli) -> Result:
    loaded = module_cli("demo-data", env=UNSUSPENDED)
    assert loaded.code == 0, loaded.err
    imported = module_cli("import", "purchases", str(LEDGER / "purchases.csv"))
    assert imported.code == 0, imported.err
    return loaded


# TX-2001 was bought 2025-03-01T10:00:00+05:00, i.e. 05:00 UTC; the window is 48 hours inclusive.
AT_CASES = {
    "2025-03-03T05:00:00Z": ("review", True),
    "2025-03-03T10:00:00+05:00": ("review", True),
    "2025-03-03T05:00:01Z": ("ineligible", False),
    "2025-03-03T05:00:01": ("ineligible", False),  # no offset: UTC
}


@pytest.fixture(scope="module")
def checked(module_cli: Cli, demo: Result) -> dict[tuple[str, ...], Result]:
    """Every check of this module, run once up front."""
    commands: dict[tuple[str, ...], list[str]] = {}
    for case in DEMO_CASES:
        transaction, reason, campaign = case
        args = ["check", transaction, "--reason", reason, "--json"]
        commands[_key(case)] = args + (["--campaign", campaign] if campaign else [])
    for at in AT_CASES:
        commands[("at", at)] = ["check", "TX-2001", "--reason", "other", "--at", at, "--json"]
    return dict(zip(commands, module_cli.many(*commands.values()), strict=True))


def _key(case: tuple[str, str, str | None]) -> tuple[str, ...]:
    return tuple(part for part in case if part)


def test_demo_data_lists_each_transaction_with_the_rule_it_shows(demo: Result) -> None:
    lines = demo.out.splitlines()
    for n in range(1, 10):
        at = next(i for i, line in enumerate(lines) if f"TX-100{n}" in line)
        shown = " ".join(lines[at : at + 2])
        assert f"+92300111000{n}" in shown
        assert "C-" in shown, f"TX-100{n} names the rule it shows: {shown}"
    for clause in ("C-WINDOW", "C-SUBSCRIPTION", "C-INTL-CARRIER", "C-REPORT-24H", "C-INCIDENT"):
        assert clause in demo.out


def test_loading_the_demo_again_is_harmless(module_cli: Cli, demo: Result) -> None:
    # --force: this module's database holds the purchases of tests/data/ledger too.
    again = module_cli("demo-data", "--force", env=UNSUSPENDED)

    assert again.code == 0, again.err
    assert again.out == demo.out


@pytest.mark.parametrize("case", list(DEMO_CASES), ids=lambda c: "-".join(filter(None, c)))
def test_check_json_gives_the_decision_and_its_clauses(
    checked: dict[tuple[str, ...], Result], case: tuple[str, str, str | None]
) -> None:
    outcome, credits, deciding = DEMO_CASES[case]
    result = checked[_key(case)]

    assert result.code == 0, result.err
    decision = result.json()
    assert set(decision) >= {"outcome", "refundable_credits", "clauses"}
    assert decision["outcome"] == outcome
    assert decision["refundable_credits"] == credits
    for clause in decision["clauses"]:
        assert set(clause) == {"id", "passed", "explanation"}
        assert isinstance(clause["passed"], bool)
        assert clause["explanation"].strip()
    ids = [c["id"] for c in decision["clauses"]]
    assert deciding in ids
    failed = [c["id"] for c in decision["clauses"] if not c["passed"]]
    if outcome == "eligible":
        assert failed == []
    else:
        assert failed[-1:] == [deciding]


def test_check_in_words_names_each_clause(module_cli: Cli, demo: Result) -> None:
    result = module_cli("check", "TX-1001", "--reason", "undelivered", "--campaign", "CMP-1001")

    assert result.code == 0, result.err
    assert "eligible" in result.out
    assert "120" in result.out
    for clause in ("C-WINDOW", "C-SUBSCRIPTION", "C-CAMPAIGN", "C-REPORT-24H", "C-CAUSE"):
        assert clause in result.out


@pytest.mark.parametrize("at", list(AT_CASES))
def test_at_judges_the_claim_as_of_that_moment(
    checked: dict[tuple[str, ...], Result], at: str
) -> None:
    outcome, window_passed = AT_CASES[at]
    result = checked[("at", at)]

    assert result.code == 0, result.err
    decision = result.json()
    assert decision["outcome"] == outcome
    window = next(c for c in decision["clauses"] if c["id"] == "C-WINDOW")
    assert window["passed"] is window_passed


def test_check_before_the_purchase_is_refused(module_cli: Cli, demo: Result) -> None:
    result = module_cli("check", "TX-2001", "--reason", "other", "--at", "2025-02-28T00:00Z")

    assert result.code == 2
    assert_one_clear_line(result, "TX-2001", "before")


def test_an_unknown_transaction_exits_2_with_a_clear_message(module_cli: Cli, demo: Result) -> None:
    result = module_cli("check", "TX-0000", "--reason", "undelivered", "--json")

    assert result.code == 2
    assert result.out == ""
    assert_one_clear_line(result, "unknown transaction", "TX-0000")


def test_a_bad_reason_exits_2_and_lists_the_reasons(module_cli: Cli, demo: Result) -> None:
    result = module_cli("check", "TX-1001", "--reason", "refund-please")

    assert result.code == 2
    assert_one_clear_line(result, "refund-please", "undelivered", "not_beneficial")


def test_a_bad_at_exits_2(module_cli: Cli, demo: Result) -> None:
    result = module_cli("check", "TX-1001", "--reason", "outage", "--at", "yesterday")

    assert result.code == 2
    assert_one_clear_line(result, "--at", "yesterday")
