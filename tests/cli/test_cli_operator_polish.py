"""What an operator types wrong gets a plain answer: settings, files, help, statuses, replies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.cli_process import LEDGER, Cli, assert_one_clear_line


def test_a_database_url_password_is_masked_in_the_invalid_setting_line(offline_cli: Cli) -> None:
    result = offline_cli(
        "claims", "list", env={"DATABASE_URL": "postgres://u:S3cretPass@localhost/db"}
    )

    assert result.code == 2
    line = assert_one_clear_line(result, "DATABASE_URL", "postgresql+asyncpg://")
    assert "S3cretPass" not in result.out + result.err
    assert "u:***@localhost" in line


def test_a_staff_chat_id_that_is_not_a_number_is_one_plain_line(offline_cli: Cli) -> None:
    result = offline_cli("claims", "list", env={"STAFF_CHAT_ID": "abc"})

    assert result.code == 2
    line = assert_one_clear_line(result, "STAFF_CHAT_ID", "-100", "'abc'")
    assert "Input should be" not in line and "parse" not in line, "no pydantic wording"


@pytest.mark.parametrize("secret", ["with space", "semi;colon", "é", "x" * 257])
def test_a_webhook_secret_telegram_would_refuse_is_refused_at_start(
    offline_cli: Cli, secret: str
) -> None:
    result = offline_cli("claims", "list", env={"WEBHOOK_SECRET": secret})

    assert result.code == 2
    line = assert_one_clear_line(result, "WEBHOOK_SECRET", "A-Z, a-z, 0-9, _ or -")
    assert secret not in line, "a secret is never echoed"


def test_a_webhook_secret_of_allowed_characters_is_accepted(offline_cli: Cli) -> None:
    result = offline_cli("db", "upgrade", "--create", env={"WEBHOOK_SECRET": "Ab9_-" * 51 + "x"})

    assert result.code == 0, result.err


def test_importing_a_directory_says_it_is_a_directory(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", "purchases", str(tmp_path))

    assert result.code == 2
    assert_one_clear_line(result, "is a directory", str(tmp_path))


def test_a_semicolon_separated_csv_gets_a_delimiter_hint(cli: Cli, tmp_path: Path) -> None:
    comma = (LEDGER / "purchases.csv").read_text(encoding="utf-8")
    semicolon = tmp_path / "purchases.csv"
    semicolon.write_text(comma.replace(",", ";"), encoding="utf-8")

    result = cli("import", "purchases", str(semicolon), "--create")

    assert result.code == 1
    assert_one_clear_line(result, str(semicolon), "';'", "commas")


@pytest.mark.parametrize(
    "command",
    [(), ("check",), ("claims", "approve"), ("import",), ("demo-data",), ("faq", "ask")],
    ids=lambda c: "-".join(c) or "top",
)
def test_help_shows_no_type_on_flags_and_no_braces(offline_cli: Cli, command: tuple[str]) -> None:
    result = offline_cli(*command, "--help")

    assert result.code == 0, result.err
    assert "<bool>" not in result.out
    assert "{" not in result.out and "}" not in result.out


def test_help_names_required_arguments_in_capitals(offline_cli: Cli) -> None:
    result = offline_cli("check", "--help")

    assert "refundbot check [OPTIONS] TRANSACTION_ID" in result.out


@pytest.fixture
def filed(cli: Cli) -> Cli:
    """A database with the demo loaded and one new claim filed through the chat."""
    assert cli("demo-data", "--create").code == 0
    chat = cli(
        "chat",
        input="\n".join(["/claim", "TX-1009", "demo9@example.com", "2", "1", "/quit"]) + "\n",
    )
    assert chat.code == 0, chat.err
    return cli


@pytest.mark.parametrize(
    ("word", "stored"),
    [
        ("new", "escalated"),
        ("escalated", "escalated"),
        ("in review", "in_review"),
        ("in_review", "in_review"),
        ("waiting for customer", "info_requested"),
        ("info_requested", "info_requested"),
        ("withdrawn", "cancelled"),
        ("cancelled", "cancelled"),
        ("Not eligible", "ineligible"),
    ],
)
def test_claims_list_status_takes_the_words_people_read_and_the_old_ones(
    filed: Cli, word: str, stored: str
) -> None:
    everything = filed("claims", "list", "--json").json()
    result = filed("claims", "list", "--status", word, "--json")

    assert result.code == 0, result.err
    rows = result.json()
    assert rows == [row for row in everything if row["status"] == stored]


def test_json_keeps_the_stored_status_values(filed: Cli) -> None:
    rows = filed("claims", "list", "--status", "new", "--json").json()

    assert rows and {row["status"] for row in rows} == {"escalated"}
    assert json.dumps(rows)  # plain JSON values, unchanged


def test_an_unknown_status_lists_the_words(offline_cli: Cli) -> None:
    result = offline_cli("claims", "list", "--status", "pending")

    assert result.code == 2
    assert_one_clear_line(result, "'pending'", "new", "in review", "waiting for customer")


def test_replies_set_adds_to_the_built_in_ones_and_remove_hides_one(cli: Cli) -> None:
    assert cli("db", "upgrade", "--create").code == 0
    before = cli("replies", "list", "reject").out.splitlines()

    saved = cli("replies", "set", "reject", "dup", "You already have a claim on this purchase.")
    changed = cli("replies", "set", "reject", "window", "Too late: after 2 days.")
    hidden = cli("replies", "remove", "reject", "no_failure")
    hidden_again = cli("replies", "remove", "reject", "no_failure")
    after = cli("replies", "list", "reject").out.splitlines()

    assert all(line.endswith("[built-in]") for line in before) and len(before) >= 3
    assert saved.code == 0 and changed.code == 0 and hidden.code == 0
    assert "Hid built-in reject reply 'no_failure'" in hidden.out
    assert hidden_again.code == 1 and "hidden already" in hidden_again.err
    assert "window: Too late: after 2 days.  [built-in, changed]" in after
    assert after[-2] == "dup: You already have a claim on this purchase."
    assert after[-1].startswith("Hidden built-in: no_failure")
    kept = [line for line in before if not line.startswith(("window:", "no_failure:"))]
    assert set(kept) <= set(after), "the other built-in reasons are still offered"

    removed = cli("replies", "remove", "reject", "dup")
    shown_again = cli("replies", "set", "reject", "no_failure", "Every message was delivered.")
    final = cli("replies", "list", "reject").out

    assert removed.code == 0 and "Removed reject reply 'dup'" in removed.out
    assert shown_again.code == 0
    assert "dup:" not in final and "Hidden built-in" not in final
    assert "no_failure: Every message was delivered.  [built-in, changed]" in final


def test_a_database_url_with_an_unencoded_slash_in_its_password_is_refused(
    offline_cli: Cli,
) -> None:
    url = "postgresql+asyncpg://refundbot:ab/c+d@db:5432/refundbot"

    result = offline_cli("claims", "list", env={"DATABASE_URL": url})

    assert result.code == 2
    assert_one_clear_line(result, "DATABASE_URL", "%2F", "DATABASE_PASSWORD")
    assert "ab/c" not in result.err
