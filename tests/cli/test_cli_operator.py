"""Operator basics: --version, read-only commands never migrate or create a database, and
`refundbot import` shows a progress bar on large files."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy.engine import Connection

from storage.database import Database, alembic_config, head_revision
from tests.cli.cli_process import Cli


def test_version_names_the_release_and_the_migration_it_needs(offline_cli: Cli) -> None:
    result = offline_cli("--version")
    assert result.code == 0
    assert result.out.startswith(f"refundbot 0.1.0 (database migration {head_revision()})")


def test_a_read_only_command_on_a_missing_database_says_to_upgrade_and_creates_nothing(
    tmp_path: Path,
) -> None:
    typo = tmp_path / "refundbto.db"
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    cli = Cli(f"sqlite+aiosqlite:///{typo}", workdir)

    for args in (
        ["claims", "list"],
        ["claims", "show", "1"],
        ["check", "TX-1", "--reason", "other"],
    ):
        result = cli(*args)
        assert result.code == 1, result
        assert "refundbot db upgrade" in result.err
        assert "No claims" not in result.out
    assert not typo.exists()

    assert cli("db", "upgrade", "--create").code == 0
    assert cli("claims", "list").out.strip() == "No claims."


async def test_a_database_behind_this_version_is_refused_until_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(f"sqlite+aiosqlite:///{path}")

    def to_0002(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")

    try:
        async with old.engine.begin() as connection:
            await connection.run_sync(to_0002)
    finally:
        await old.dispose()
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    cli = Cli(f"sqlite+aiosqlite:///{path}", workdir)

    result = cli("claims", "list")
    assert result.code == 1
    assert f"at migration 0002, this version needs {head_revision()}" in result.err
    assert "refundbot db upgrade" in result.err

    assert cli("db", "upgrade").code == 0
    assert cli("claims", "list").code == 0


def _purchases(path: Path, rows: int) -> Path:
    lines = [
        "transaction_id,account_id,account_phone,account_email,purchased_at,kind,credits,"
        "credits_used,amount,currency"
    ]
    lines += [
        f"TX-P{n},ACC-{n},+92300{n:07d},p{n}@example.com,2025-03-01T10:00:00Z,package,"
        "1000,10,500,PKR"
        for n in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_large_import_shows_a_progress_bar_on_a_terminal(cli: Cli, tmp_path: Path) -> None:
    terminal = {"TTY_COMPATIBLE": "1"}  # rich draws as on a terminal; the pipe is not one
    big = cli("import", "purchases", str(_purchases(tmp_path / "big.csv", 3000)), env=terminal)
    assert big.code == 0, big.err
    assert big.out.startswith("Database: ")
    assert "3000/3000" in big.err
    assert big.out.splitlines()[-1] == "purchases: 3000 added, 0 updated, 0 unchanged, 0 rejected"

    small = cli("import", "purchases", str(_purchases(tmp_path / "small.csv", 50)), env=terminal)
    assert small.code == 0
    assert "Importing" not in small.err
