"""`python -m bot`, the way an operator starts the program, really starts it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.cli_process import ProcessCli


@pytest.mark.real_process
def test_help_lists_the_commands(tmp_path: Path) -> None:
    cli = ProcessCli(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}", tmp_path)

    result = cli("--help")

    assert result.code == 0, result.err
    for command in ("run", "chat", "import", "demo-data", "check", "claims", "faq", "db"):
        # A row of the commands table: the name, then its description.
        assert re.search(rf"^\W*{command}  +\w", result.out, re.MULTILINE), command
