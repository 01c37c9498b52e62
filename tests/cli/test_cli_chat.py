"""`chat --demo`: the customer conversation in a terminal, buttons picked by number."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.catalog.console import CONSOLE_BYE, CONSOLE_PICK_RANGE
from tests.cli.cli_process import Cli, Result


@pytest.fixture
def chat_cli(tmp_path: Path) -> Cli:
    # --demo uses a temporary database of its own; DATABASE_URL only has to be valid.
    return Cli(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}", tmp_path)


def chat(cli: Cli, *lines: str) -> Result:
    return cli("chat", "--demo", input="".join(f"{line}\n" for line in lines))


def test_a_claim_from_menu_to_decision(chat_cli: Cli) -> None:
    result = chat(
        chat_cli,
        "1",  # the first menu button: refund questions
        "/claim",
        "TX-1001",
        "+923001110001",
        "1",  # messages not delivered
        "1",  # the campaign CMP-1001
        "1",  # send
        "/status",
    )

    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    transcript = result.out
    assert "TX-1001" in transcript and "C-CAUSE" in transcript, "the demo cases are listed"
    assert "Pick a question" in transcript
    assert "qualifies for a refund of 120 credits" in transcript
    assert "claim #1" in transcript
    assert transcript.rstrip().endswith(CONSOLE_BYE)


def test_an_ineligible_claim_explains_itself_in_the_policys_words(chat_cli: Cli) -> None:
    result = chat(chat_cli, "/claim", "TX-1004", "demo4@example.com", "1", "CMP-1004", "1")

    assert result.code == 0, result.err
    assert "can't be refunded" in result.out
    assert "failed at a carrier or network in the United Kingdom" in result.out


def test_a_number_out_of_range_asks_again_and_a_long_number_is_a_message(chat_cli: Cli) -> None:
    result = chat(chat_cli, "9", "03001110001")

    assert result.code == 0, result.err
    assert CONSOLE_PICK_RANGE.format(n=4) in result.out
    assert result.out.count(CONSOLE_PICK_RANGE.format(n=4)) == 1


def test_it_ends_cleanly_at_once_on_empty_input(chat_cli: Cli) -> None:
    result = chat(chat_cli)

    assert result.code == 0, result.err
    assert result.err == ""
    assert result.out.rstrip().endswith(CONSOLE_BYE)


def test_quit_leaves_the_chat(chat_cli: Cli) -> None:
    result = chat(chat_cli, "/quit", "/claim")

    assert result.code == 0, result.err
    assert "transaction ID" not in result.out


def test_the_demo_shows_the_staff_side_and_staff_mode_works_the_claim(chat_cli: Cli) -> None:
    result = chat(
        chat_cli,
        "/claim",
        "TX-1001",
        "+923001110001",
        "1",  # messages not delivered
        "1",  # CMP-1001
        "1",  # send: the card reaches the staff chat, with its buttons numbered from 5
        "/staff",
        "5",  # take
        "1",  # approve
        "1",  # approve 120 credits
    )

    assert result.code == 0, result.err
    out = result.out
    assert "🧑‍💼 [staff chat] 🧾 Claim #1 · new" in out
    assert "You are staff now." in out
    assert "📨 👋 A member of our team is now looking at your claim #1." in out
    assert "📨 ✅ Your claim #1 is approved: 120 credits will be refunded." in out
