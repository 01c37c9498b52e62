"""A bad setting stops the program at start with one clear line naming it, never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.cli.cli_process import Cli, ProcessCli, assert_one_clear_line

FAKE_TOKEN = "123456789:AAFakeTokenForTests_abcdefghijklmnop"


@pytest.fixture
def offline_cli(tmp_path: Path) -> Cli:
    """Settings are checked before any database is opened; a SQLite file keeps it simple."""
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    return Cli(f"sqlite+aiosqlite:///{tmp_path / 'refundbot.db'}", workdir)


@pytest.fixture
def offline_process(tmp_path: Path) -> ProcessCli:
    """The same, started as a real process."""
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    return ProcessCli(f"sqlite+aiosqlite:///{tmp_path / 'refundbot.db'}", workdir)


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("STAFF_USER_IDS", "abc", ("STAFF_USER_IDS", "abc")),
        ("STAFF_USER_IDS", "12,x3", ("STAFF_USER_IDS", "x3")),
        ("STAFF_CHAT_ID", "staff", ("STAFF_CHAT_ID",)),
        ("HOME_COUNTRY", "XX", ("HOME_COUNTRY", "XX")),
        ("HOME_COUNTRY", "Pakistan", ("HOME_COUNTRY", "alpha-2")),
        ("DATABASE_URL", "mysql://root@localhost/refunds", ("DATABASE_URL", "sqlite+aiosqlite")),
        ("WEBHOOK_PORT", "0", ("WEBHOOK_PORT",)),
        ("WEBHOOK_URL", "http://example.com/hook", ("WEBHOOK_URL", "https")),
        ("PK_SUSPENSION_NOTICE", "maybe", ("PK_SUSPENSION_NOTICE",)),
        ("SUPPORT_HOURS", "Mon-Fry 09:00-18:00", ("SUPPORT_HOURS", "unknown day")),
        ("SEND_RATE_PER_SECOND", "5000", ("SEND_RATE_PER_SECOND", "1000")),
        ("SEND_RATE_PER_SECOND", "-1", ("SEND_RATE_PER_SECOND",)),
        ("REDIS_URL", "localhost:6379", ("REDIS_URL", "redis://")),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(
    offline_cli: Cli, name: str, value: str, words: tuple[str, ...]
) -> None:
    result = offline_cli("claims", "list", env={name: value})

    assert result.code == 2
    line = assert_one_clear_line(result, *words)
    assert line.count(repr(value)) <= 1, "the bad value is quoted once"


def test_a_typo_in_dotenv_says_which_setting_was_meant(offline_cli: Cli) -> None:
    (offline_cli.cwd / ".env").write_text("STAF_CHAT_ID=1\n")

    result = offline_cli("claims", "list")

    assert result.code == 2
    assert_one_clear_line(result, "STAF_CHAT_ID", "did you mean STAFF_CHAT_ID")


def test_the_old_name_of_the_send_rate_points_to_the_new_one(offline_cli: Cli) -> None:
    (offline_cli.cwd / ".env").write_text("TELEGRAM_SENDS_PER_SECOND=10\n")

    result = offline_cli("claims", "list")

    assert result.code == 2
    assert_one_clear_line(result, "TELEGRAM_SENDS_PER_SECOND", "SEND_RATE_PER_SECOND")


def test_a_redis_password_is_never_echoed(offline_cli: Cli) -> None:
    result = offline_cli("claims", "list", env={"REDIS_URL": "redis:/:hunter2@cache:6379"})

    assert result.code == 2
    assert "REDIS_URL" in result.err
    assert "hunter2" not in result.out + result.err


def test_a_typo_without_our_prefix_in_dotenv_is_caught_too(offline_cli: Cli) -> None:
    (offline_cli.cwd / ".env").write_text("DATABSE_URL=sqlite+aiosqlite:///x.db\n")

    result = offline_cli("claims", "list")

    assert result.code == 2
    assert_one_clear_line(result, "did you mean DATABASE_URL")


def test_other_programs_names_in_a_shared_dotenv_are_left_alone(offline_cli: Cli) -> None:
    assert offline_cli("db", "upgrade", "--create").code == 0
    (offline_cli.cwd / ".env").write_text("POSTGRES_PASSWORD=secret\nSTAFF_USER_IDS=42, 43\n")

    result = offline_cli("claims", "list")

    assert result.code == 0, result.err
    assert result.err == ""
    assert "No claims" in result.out


@pytest.mark.real_process  # a real start: .env from the working directory, exit status 2
def test_settings_in_dotenv_are_read_and_checked(offline_process: ProcessCli) -> None:
    (offline_process.cwd / ".env").write_text("HOME_COUNTRY=XX\n")

    result = offline_process("claims", "list")

    assert result.code == 2
    assert_one_clear_line(result, "HOME_COUNTRY")


def test_a_dotenv_that_is_not_utf8_is_one_line(offline_cli: Cli) -> None:
    (offline_cli.cwd / ".env").write_bytes(b"STAFF_CHAT_ID=\xff\xfe\n")

    result = offline_cli("claims", "list")

    assert result.code == 2
    assert_one_clear_line(result, ".env", "UTF-8")


def test_a_typo_in_the_environment_is_a_warning_and_the_command_still_runs(
    offline_cli: Cli,
) -> None:
    assert offline_cli("db", "upgrade", "--create").code == 0
    result = offline_cli("claims", "list", env={"STAF_CHAT_ID": "1"})

    assert result.code == 0
    assert_one_clear_line(result, "STAF_CHAT_ID", "did you mean STAFF_CHAT_ID")


def test_run_without_a_token_says_how_to_get_one(offline_cli: Cli) -> None:
    result = offline_cli("run")

    assert result.code == 2
    assert_one_clear_line(result, "TELEGRAM_BOT_TOKEN", "@BotFather")


def test_a_webhook_without_a_secret_is_refused(offline_cli: Cli) -> None:
    result = offline_cli(
        "run",
        env={"TELEGRAM_BOT_TOKEN": FAKE_TOKEN, "WEBHOOK_URL": "https://bot.example.com/hook"},
    )

    assert result.code == 2
    assert_one_clear_line(result, "WEBHOOK_SECRET")


def test_a_bad_token_is_never_echoed(offline_cli: Cli) -> None:
    result = offline_cli("run", env={"TELEGRAM_BOT_TOKEN": FAKE_TOKEN, "WEBHOOK_PORT": "x"})

    assert result.code == 2
    assert FAKE_TOKEN not in result.err + result.out


# The bot's own event loop, signal handlers and log handler want a process of their own.
@pytest.mark.real_process
def test_run_when_telegram_cannot_be_reached_ends_with_one_line_and_no_traceback(
    offline_process: ProcessCli,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = offline_process(
        "run",
        env={
            "TELEGRAM_BOT_TOKEN": FAKE_TOKEN,
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        },
    )

    assert result.code == 1
    assert "Traceback" not in result.err
    assert FAKE_TOKEN not in result.err + result.out
    assert "cannot reach the Telegram Bot API" in result.err_lines[-1]
    assert f"127.0.0.1:{port}" in result.err_lines[-1]
