"""Whatever goes wrong, an operator reads one line, not a traceback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import Database
from tests.cli.cli_process import Cli, ProcessCli, assert_one_clear_line


async def _file_a_claim_from_the_future(url: str) -> None:
    # As if a newer version had stored a status this one does not know.
    db = Database(url)
    try:
        await db.upgrade()
        async with db.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO claims (status, outcome, reason, transaction_id, "
                    "telegram_user_id, chat_id, refundable_credits, clauses, created_at, "
                    "updated_at, customer_name) VALUES ('archived', 'eligible', 'outage', "
                    "'TX-1', 1, 1, 0, '[]', '2025-03-01 12:00:00', '2025-03-01 12:00:00', '')"
                )
            )
    finally:
        await db.dispose()


# In this process, and once as a real process: main() catching what escapes is the point here.
@pytest.mark.parametrize(
    "runner", [Cli, pytest.param(ProcessCli, marks=pytest.mark.real_process, id="process")]
)
def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(
    tmp_path: Path, runner: type[Cli | ProcessCli]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'refundbot.db'}"
    asyncio.run(_file_a_claim_from_the_future(url))
    cli = runner(url, tmp_path)

    plain = cli("claims", "list")
    debug = cli("claims", "list", env={"LOG_LEVEL": "DEBUG"})

    assert plain.code == 1
    assert_one_clear_line(plain, "unexpected error", "archived", "LOG_LEVEL=DEBUG")
    assert debug.code == 1
    assert "Traceback" in debug.err


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    cli = Cli("postgresql+asyncpg://refundbot:hunter2@127.0.0.1:1/refundbot", tmp_path)

    result = cli("claims", "list")

    assert result.code == 1
    assert_one_clear_line(result, "cannot open the database")
    assert "hunter2" not in result.err


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    cli = Cli(f"sqlite+aiosqlite:///{path}", tmp_path)

    result = cli("claims", "list")

    assert result.code == 1
    assert_one_clear_line(result, "cannot open the database")


def test_chat_on_a_database_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    cli = Cli(f"sqlite+aiosqlite:///{path}", tmp_path)

    result = cli("chat")

    assert result.code == 1
    assert_one_clear_line(result, "cannot open the database")
