"""Run `refundbot` as an operator would and read what it did: in this process, or as a process.

`Cli` runs `bot.cli.main()` in this process, which is fast. `ProcessCli` runs `python -m bot`
as a real process; the smoke tests marked `real_process` use it, where the process boundary is
what is tested (the interpreter's exit, `python -m bot`, the bot's own event loop and signals).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

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
    """`cli("claims", "list")` runs `refundbot claims list` in this process; see `run_main`."""

    def __init__(self, database_url: str, cwd: Path) -> None:
        self.database_url = database_url
        self.cwd = cwd

    def __call__(self, *args: str, env: dict[str, str] | None = None, input: str = "") -> Result:
        environ = clean_env(self.database_url, **(env or {}))
        # Commands call asyncio.run, which refuses to start inside the test's running loop.
        with ThreadPoolExecutor(1, thread_name_prefix="refundbot-cli") as worker:
            return worker.submit(run_main, args, environ, self.cwd, input).result()

    def many(self, *commands: Sequence[str]) -> list[Result]:
        """Run independent read-only commands; results in the order given."""
        return [self(*args) for args in commands]


_one_at_a_time = threading.Lock()


def run_main(args: Sequence[str], environ: dict[str, str], cwd: Path, input: str) -> Result:
    """`refundbot *args` through `bot.cli.main()`, as a fresh process would run it.

    The command sees only `environ`, runs in `cwd`, reads `input` on stdin and writes to
    captured streams; argv, the environment, the directory, logging and the CLI module's own
    state are put back afterwards. All of that is global, so calls run one at a time.
    """
    with (
        _one_at_a_time,
        _argv(args),
        _environ(environ),
        contextlib.chdir(cwd),
        _logging_restored(),
        CliRunner().isolation(input=input) as (out, err, _),
    ):
        try:
            _fresh_cli_module().main()
            code = 0
        except SystemExit as exit_:
            code = _exit_code(exit_.code)
        except Exception:  # what the interpreter does with an exception main() lets through
            sys.stderr.write(traceback.format_exc())
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return Result(code, out.getvalue().decode(), err.getvalue().decode())


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")  # sys.exit("message"), as the interpreter prints it
    return 1


def _fresh_cli_module() -> Any:
    # The CLI keeps what one run loaded at module level (the settings whose secrets its error
    # line must hide); a new process starts without it, and so does each call here.
    for name in [m for m in sys.modules if m == "bot.cli" or m.startswith("bot.cli.")]:
        del sys.modules[name]
    return importlib.import_module("bot.cli")


@contextlib.contextmanager
def _argv(args: Sequence[str]) -> Iterator[None]:
    saved = sys.argv
    sys.argv = ["refundbot", *args]
    try:
        yield
    finally:
        sys.argv = saved


@contextlib.contextmanager
def _environ(environ: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _logging_restored() -> Iterator[None]:
    """Whatever handlers and levels the command set up (`run` does) end with the command."""
    manager = logging.Logger.manager
    loggers = [
        logging.root,
        *(x for x in manager.loggerDict.values() if isinstance(x, logging.Logger)),
    ]
    saved = [(x, x.level, x.handlers[:], x.filters[:], x.propagate, x.disabled) for x in loggers]
    disabled = manager.disable
    try:
        yield
    finally:
        known = {id(x) for x in loggers}
        added = [
            x
            for x in manager.loggerDict.values()
            if isinstance(x, logging.Logger) and id(x) not in known
        ]
        for logger in added:
            saved.append((logger, logging.NOTSET, [], [], True, False))
        kept = {id(h) for _, _, handlers, _, _, _ in saved for h in handlers}
        for logger, level, handlers, filters, propagate, off in saved:
            for handler in logger.handlers:
                if id(handler) not in kept:
                    handler.close()
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.filters[:] = filters
            logger.propagate = propagate
            logger.disabled = off
        manager.disable = disabled


class ProcessCli:
    """`cli("claims", "list")` runs `python -m bot claims list` as a real process."""

    def __init__(self, database_url: str, cwd: Path) -> None:
        self.database_url = database_url
        self.cwd = cwd

    def __call__(self, *args: str, env: dict[str, str] | None = None, input: str = "") -> Result:
        process = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=self.cwd,
            env=clean_env(self.database_url, **(env or {})),
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=TIMEOUT_S,
        )
        return Result(process.returncode, process.stdout, process.stderr)


def assert_one_clear_line(result: Result, *words: str) -> str:
    """The failure was told in one line on stderr, with no traceback, naming `words`."""
    assert "Traceback" not in result.err and "─" not in result.err, result.err
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    for word in words:
        assert word.lower() in line.lower(), line
    return line
