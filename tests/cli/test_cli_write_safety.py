"""Commands that write name their database first, and never damage or invent one by mistake."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from conversations.domain import Kind, Purchase
from storage.database import Database
from tests.cli.cli_process import LEDGER, Cli, ProcessCli, assert_one_clear_line

REAL = Purchase(
    transaction_id="TX-1001",
    account_id="ACC-REAL-7",
    account_phone="+923009998877",
    account_email="owner@example.com",
    purchased_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
    kind=Kind.PACKAGE,
    credits=20_000,
    credits_used=1_000,
    amount=Decimal("10000.00"),
    currency="PKR",
)


def _named(url: str) -> str:
    """How the CLI names this database: a SQLite file's path, or the URL without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(Path(parsed.database or "").absolute())
    return parsed.render_as_string(hide_password=True)


async def test_demo_data_refuses_a_database_with_real_rows_and_changes_nothing(
    cli: Cli, db: Database
) -> None:
    async with db.uow() as uow:
        await uow.ledger.upsert_purchases([REAL])
        await uow.commit()

    refused = cli("demo-data")

    assert refused.code == 1
    line = assert_one_clear_line(refused, "not loading demo data", "1 purchases", "--force")
    assert _named(cli.database_url) in line
    async with db.uow() as uow:
        kept = await uow.ledger.purchase("TX-1001")
        incidents = await uow.ledger.incidents_between(
            datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        )
    assert kept == REAL, "the real purchase is untouched"
    assert incidents == [], "no demo outage was added"


async def test_demo_data_with_force_loads_and_names_the_database(cli: Cli, db: Database) -> None:
    async with db.uow() as uow:
        await uow.ledger.upsert_purchases([REAL])
        await uow.commit()

    forced = cli("demo-data", "--force")

    assert forced.code == 0, forced.err
    lines = forced.out.splitlines()
    assert lines[0].startswith("Database: ") and _named(cli.database_url) in lines[0]
    assert lines[-1].startswith("Written to ") and _named(cli.database_url) in lines[-1]


def test_demo_data_again_on_demo_rows_needs_no_force(cli: Cli) -> None:
    first = cli("demo-data", "--create")
    again = cli("demo-data")

    assert first.code == 0, first.err
    assert again.code == 0, again.err


def test_demo_data_sends_nothing_to_pakistan_while_it_is_suspended(cli: Cli) -> None:
    suspended = cli("demo-data", "--create")
    lifted = cli("demo-data", env={"PK_SUSPENSION_NOTICE": "false"})

    assert suspended.code == 0 and lifted.code == 0, suspended.err + lifted.err
    assert " in PK " not in suspended.out and "PK incident" not in suspended.out
    assert "TX-1005" not in suspended.out, "carrier failures at home need a campaign to PK"
    assert "carrier failures at home in PK" in lifted.out


@pytest.mark.parametrize(
    "command",
    [
        ("db", "upgrade"),
        ("import", "purchases", str(LEDGER / "purchases.csv")),
        ("demo-data",),
        ("replies", "set", "ask", "screenshot", "Please send a screenshot."),
        ("outbox", "retry", "--all"),
    ],
    ids=lambda c: "-".join(c[:2]),
)
def test_every_write_command_names_its_database_in_its_first_line(
    cli: Cli, command: tuple[str, ...]
) -> None:
    cli("db", "upgrade", "--create")

    result = cli(*command)

    assert result.code == 0, result.err
    first = result.out.splitlines()[0]
    assert (
        first
        == f"Database: {'SQLite file ' if 'sqlite' in cli.database_url else 'PostgreSQL '}"
        + (_named(cli.database_url))
    )


def test_the_plain_chat_names_its_database_first(cli: Cli) -> None:
    result = cli("chat", "--create", input="/quit\n")

    assert result.code == 0, result.err
    assert result.out.splitlines()[0].startswith("Database: ")


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_a_postgresql_password_is_never_printed(cli: Cli) -> None:
    # The test server trusts local connections, so any password opens it.
    url = make_url(cli.database_url).set(password="S3cret/Pass")
    with_password = url.render_as_string(hide_password=False)

    results = [
        cli("db", "upgrade", env={"DATABASE_URL": with_password}),
        cli("demo-data", env={"DATABASE_URL": with_password}),
        cli("claims", "list", env={"DATABASE_URL": with_password}),
        # As docker compose passes it: apart from the URL, with characters a URL would mangle.
        cli("replies", "list", "ask", env={"DATABASE_PASSWORD": "S3cret/+@x"}),
    ]

    for result in results:
        assert result.code == 0, result.err
        assert "S3cret" not in result.out + result.err
    assert "***" in results[0].out.splitlines()[0]


@pytest.mark.parametrize(
    "command",
    [
        ("db", "upgrade"),
        ("import", "purchases", str(LEDGER / "purchases.csv")),
        ("demo-data",),
        ("chat",),
        ("replies", "set", "ask", "screenshot", "Please send a screenshot."),
    ],
    ids=lambda c: "-".join(c[:2]),
)
def test_a_write_to_a_mistyped_sqlite_path_is_refused_and_creates_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    typo = tmp_path / "refundbto.db"
    cli = Cli(f"sqlite+aiosqlite:///{typo}", tmp_path)

    result = cli(*command, input="/quit\n")

    assert result.code == 1
    assert_one_clear_line(result, "no database file", str(typo), "--create")
    assert not typo.exists()


def test_create_makes_the_new_file_on_purpose(tmp_path: Path) -> None:
    new = tmp_path / "data" / "refundbot.db"
    cli = Cli(f"sqlite+aiosqlite:///{new}", tmp_path)

    result = cli("db", "upgrade", "--create")

    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f"Database: SQLite file {new}",
        f"Up to date: migration {_head()}.",
    ]
    assert new.is_file()


def test_the_default_path_is_created_without_create(tmp_path: Path) -> None:
    cli = Cli("sqlite+aiosqlite:///./refundbot.db", tmp_path)

    result = cli("db", "upgrade")

    assert result.code == 0, result.err
    assert (tmp_path / "refundbot.db").is_file()


def _head() -> str:
    from storage.database import head_revision

    return head_revision()


@pytest.mark.real_process
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_run_never_logs_the_database_password(cli: Cli) -> None:
    with socket.socket() as probe:  # a port nobody listens on: run starts, logs, gives up
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = make_url(cli.database_url).set(password="S3cretRunPass")

    result = ProcessCli(url.render_as_string(hide_password=False), cli.cwd)(
        "run",
        env={
            "TELEGRAM_BOT_TOKEN": "123456789:AAFakeTokenForTests_abcdefghijklmnop",
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
            "LOG_LEVEL": "DEBUG",
        },
    )

    assert "starting; database" in result.err + result.out, result.err
    assert "S3cretRunPass" not in result.err + result.out
