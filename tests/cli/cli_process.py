"""Run `python -m bot` as a real process, as an operator would, and read what it did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.settings import Settings

REPO = Path(__file__).resolve().parents[2]
LEDGER = REPO / "tests" / "data" / "ledger"
# The developer's own settings must not leak into the program under test.
_OUR_PREFIXES = ("TELEGRAM_", "STAFF_", "WEBHOOK_", "DATABASE_", "HOME_", "PK_", "REFUNDBOT_")
TIMEOUT_S = 120


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def clean_env(database_url: str, **extra: str) -> dict[str, str]:
    known = {name.upper() for name in Settings.model_fields}
    env = {
        k: v
        for k, v in os.environ.items()
        if k.upper() not in known and not k.upper().startswith(_OUR_PREFIXES)
    }
    env.update(
        DATABASE_URL=database_url,
        PYTHONPATH=str(REPO),
        PYTHONIOENCODING="utf-8",
        COLUMNS="200",
        TERM="dumb",
    )
    env.update(extra)
    return env


class Cli:
    """`cli("claims", "list")` runs `python -m bot claims list` and returns what it did."""

    def __init__(self, database_url: str, cwd: Path) -> None:
        self.database_url = database_url
        self.cwd = cwd

    def _popen(self, args: Sequence[str], env: dict[str, str] | None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=self.cwd,
            env=clean_env(self.database_url, **(env or {})),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def __call__(self, *args: str, env: dict[str, str] | None = None, input: str = "") -> Result:
        process = self._popen(args, env)
        out, err = process.communicate(input, timeout=TIMEOUT_S)
        return Result(process.returncode, out, err)

    def many(self, *commands: Sequence[str]) -> list[Result]:
        """Run independent read-only commands side by side; results in the order given."""
        processes = [self._popen(args, None) for args in commands]
        results = []
        for process in processes:
            out, err = process.communicate("", timeout=TIMEOUT_S)
            results.append(Result(process.returncode, out, err))
        return results


def assert_one_clear_line(result: Result, *words: str) -> str:
    """The failure was told in one line on stderr, with no traceback, naming `words`."""
    assert "Traceback" not in result.err and "─" not in result.err, result.err
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    for word in words:
        assert word.lower() in line.lower(), line
    return line
