"""The settings of the ledger API, events and the policy's numbers: bad values are one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.cli_process import Cli, assert_one_clear_line


@pytest.fixture
def offline_cli(tmp_path: Path) -> Cli:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    return Cli(f"sqlite+aiosqlite:///{tmp_path / 'refundbot.db'}", workdir)


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("API_TOKENS", "short", ("API_TOKENS", "16 characters")),
        ("API_PORT", "70000", ("API_PORT",)),
        ("EVENTS_URL", "billing.example.com/hook", ("EVENTS_URL", "http")),
        ("REFUND_WINDOW_HOURS", "0", ("REFUND_WINDOW_HOURS",)),
        ("REPORT_WINDOW_HOURS", "soon", ("REPORT_WINDOW_HOURS",)),
        ("PROCESSING_DAYS", "7-5", ("PROCESSING_DAYS", "first <= last")),
        ("PROCESSING_DAYS", "a week", ("PROCESSING_DAYS", "5-7")),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(
    offline_cli: Cli, name: str, value: str, words: tuple[str, ...]
) -> None:
    result = offline_cli("claims", "list", env={name: value})
    assert result.code == 2
    line = assert_one_clear_line(result, *words)
    if name == "API_TOKENS":
        assert value not in line, "a token is never shown"


def test_a_misspelt_api_setting_is_caught(offline_cli: Cli) -> None:
    (offline_cli.cwd / ".env").write_text("API_TOKEN=abcdefabcdefabcdef\n")
    result = offline_cli("claims", "list")
    assert result.code == 2
    assert_one_clear_line(result, "API_TOKEN", "API_TOKENS")
