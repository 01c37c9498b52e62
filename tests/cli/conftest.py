"""Fixtures for the CLI tests: the program on this test's database, or on one per module.

The program runs in this process (`Cli`); the few tests marked `real_process` start it as a
process (`ProcessCli`) because the process boundary is what they test.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.tables import metadata
from tests.cli.cli_process import Cli


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_process: runs `python -m bot` as a process (a slow smoke test)"
    )


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    """The CLI on this test's own database, run from an empty directory (no stray .env).

    A SQLite file is there already (empty), as an operator's is: write commands refuse to
    create a missing one without --create.
    """
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    _touch_sqlite(database_url)
    return Cli(database_url, workdir)


def _touch_sqlite(url: str) -> None:
    if url.startswith("sqlite") and "/" in url:
        Path(url.split(":///", 1)[1]).touch()


@pytest.fixture
def offline_cli(tmp_path: Path) -> Cli:
    """The CLI on a SQLite file that may not exist yet (settings are checked before it opens)."""
    workdir = tmp_path / "cwd"
    workdir.mkdir(exist_ok=True)
    return Cli(f"sqlite+aiosqlite:///{tmp_path / 'refundbot.db'}", workdir)


@pytest.fixture(scope="module")
def module_cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """The CLI on a database shared by the tests of one module (loaded once, then read)."""
    workdir = tmp_path_factory.mktemp("cli")
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        asyncio.run(_drop_everything(url))
    else:
        url = f"sqlite+aiosqlite:///{workdir / 'refundbot.db'}"
        _touch_sqlite(url)
    yield Cli(url, workdir)


async def _drop_everything(url: str) -> None:
    # The CLI migrates on open; the function-scoped fixture notices the missing schema and
    # rebuilds it for the next test that needs it.
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        await engine.dispose()
