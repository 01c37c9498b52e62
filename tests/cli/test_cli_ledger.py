"""`db upgrade` and `import`: the ledger goes in row by row, bad rows are named by line."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.cli_process import LEDGER, Cli, Result, assert_one_clear_line

_KINDS = ("purchases", "campaigns", "incidents")
SUMMARY = re.compile(r"(\d+) added, (\d+) updated, (\d+) unchanged, (\d+) rejected")


def summary(result: Result) -> tuple[int, int, int, int]:
    found = SUMMARY.search(result.out)
    assert found, result.out
    added, updated, unchanged, rejected = (int(n) for n in found.groups())
    return added, updated, unchanged, rejected


def test_db_upgrade_creates_a_fresh_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "refundbot.db"
    cli = Cli(f"sqlite+aiosqlite:///{path}", tmp_path)

    result = cli("db", "upgrade", "--create")

    assert result.code == 0, result.err
    assert path.is_file() and path.stat().st_size > 0
    assert result.out.splitlines()[0] == f"Database: SQLite file {path}"
    assert "Up to date" in result.out
    assert cli("db", "upgrade").code == 0, "upgrading twice is harmless"


def test_good_files_load_and_loading_them_again_changes_nothing(cli: Cli) -> None:
    first = [cli("import", kind, str(LEDGER / f"{kind}.csv")) for kind in _KINDS]
    again = [cli("import", kind, str(LEDGER / f"{kind}.csv")) for kind in _KINDS]

    for result in first:
        assert result.code == 0, result.err
        assert result.err == ""
        assert summary(result) == (3, 0, 0, 0)
    for result in again:
        assert result.code == 0, result.err
        assert summary(result) == (0, 0, 3, 0)


def test_a_changed_row_is_updated(cli: Cli, tmp_path: Path) -> None:
    original = (LEDGER / "purchases.csv").read_text()
    changed = tmp_path / "purchases.csv"
    changed.write_text(original.replace("5000,1200,2500.00", "5000,1300,2500.00"))
    assert cli("import", "purchases", str(LEDGER / "purchases.csv")).code == 0

    result = cli("import", "purchases", str(changed))

    assert result.code == 0, result.err
    assert summary(result) == (0, 1, 2, 0)


def test_bad_rows_are_listed_by_line_and_the_good_ones_still_load(cli: Cli) -> None:
    bad = str(LEDGER / "purchases_bad.csv")

    result = cli("import", "purchases", bad)

    assert result.code == 1
    added, _, _, rejected = summary(result)
    assert added >= 1 and rejected >= 3
    assert len(result.err_lines) == rejected
    assert "Traceback" not in result.err
    by_line = dict(re.findall(r"purchases_bad\.csv:(\d+): rejected: (.*)", result.err))
    assert "01/03/2025" in by_line["3"]  # a date that is not ISO 8601
    assert "negative" in by_line["4"]
    assert "bundle" in by_line["5"]  # an unknown kind
    listed = cli("check", "TX-3001", "--reason", "not_beneficial", "--json")
    assert listed.code == 0, "the good row of a file with bad rows is loaded"


def test_a_campaign_whose_purchase_is_not_loaded_is_rejected_not_a_crash(cli: Cli) -> None:
    assert cli("import", "purchases", str(LEDGER / "purchases.csv")).code == 0

    result = cli("import", "campaigns", str(LEDGER / "campaigns_bad.csv"))

    assert result.code == 1
    assert re.search(r"campaigns_bad\.csv:3: rejected: .*TX-9999", result.err), result.err
    assert "Traceback" not in result.err


def test_bad_incidents_are_rejected_with_their_line(cli: Cli) -> None:
    result = cli("import", "incidents", str(LEDGER / "incidents_bad.csv"))

    assert result.code == 1
    assert re.search(r"incidents_bad\.csv:2: rejected: .*europe", result.err), result.err
    assert re.search(r"incidents_bad\.csv:3: rejected: .*before", result.err), result.err


def test_a_missing_column_is_one_clear_line(cli: Cli) -> None:
    result = cli("import", "purchases", str(LEDGER / "purchases_missing_column.csv"))

    assert result.code == 1
    line = assert_one_clear_line(result, "purchases_missing_column.csv", "column kind")
    assert line.count("purchases_missing_column.csv") == 1


def test_a_missing_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", "purchases", str(tmp_path / "nowhere.csv"))

    assert result.code == 2
    assert_one_clear_line(result, "nowhere.csv")


def test_an_unknown_kind_exits_2_and_lists_the_kinds(cli: Cli) -> None:
    result = cli("import", "refunds", str(LEDGER / "purchases.csv"))

    assert result.code == 2
    assert_one_clear_line(result, "refunds", "purchases", "campaigns", "incidents")
