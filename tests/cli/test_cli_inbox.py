"""`refundbot inbox failed|retry` as a process, on a database with nothing failed."""

from __future__ import annotations

from pathlib import Path

from tests.cli.cli_process import ProcessCli, assert_one_clear_line


def test_inbox_commands_on_a_quiet_database(database_url: str, tmp_path: Path) -> None:
    cli = ProcessCli(database_url, tmp_path)
    assert cli("db", "upgrade", "--create").code == 0
    listed = cli("inbox", "failed")
    assert (listed.code, listed.out.strip()) == (0, "No failed updates.")
    assert cli("inbox", "failed", "--json").json() == []
    retried = cli("inbox", "retry", "4242")
    assert retried.code == 1
    assert_one_clear_line(retried, "no failed update 4242", "refundbot inbox failed")


def test_inbox_failed_never_creates_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = ProcessCli(f"sqlite+aiosqlite:///{missing}", tmp_path)("inbox", "failed")
    assert result.code == 1
    assert_one_clear_line(result, "refundbot db upgrade")
    assert not missing.exists()
