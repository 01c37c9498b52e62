"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import os

# Opt in to PTB 22's timedelta retry_after now, as the bot does (silences its deprecation).
os.environ.setdefault("PTB_TIMEDELTA", "1")
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from storage.database import Database, alembic_config
from storage.tables import metadata

pytest_plugins = ["tests.fake_telegram.fixtures"]

DATA = Path(__file__).parent / "data"

_postgres_reset_this_session = False


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A database for this test alone: empty tables (PostgreSQL) or a new SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite+aiosqlite:///{tmp_path / 'refundbot.db'}"
        return
    await _clean_postgres(url)
    yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """An upgraded Database, disposed after the test."""
    database = Database(database_url)
    try:
        await database.upgrade()
        yield database
    finally:
        await database.dispose()


async def _clean_postgres(url: str) -> None:
    # Rebuilding the schema per test costs more than emptying it, so rebuild once per session
    # (the schema may be stale from an older run) and only empty the tables after that.
    global _postgres_reset_this_session
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            if _postgres_reset_this_session and await _at_head(connection):
                # DELETE beats TRUNCATE by far on tables this small.
                for table in reversed(metadata.sorted_tables):
                    await connection.execute(table.delete())
                    if "id" in table.c:
                        await connection.execute(
                            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), 1, false)"),
                            {"t": table.name},
                        )
                return
            # Every table there, not only today's: a table a later migration dropped would
            # stop the rebuild (it is created again by an earlier one).
            names = await connection.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            )
            for name in list(names):
                await connection.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
    finally:
        await engine.dispose()
    database = Database(url)
    try:
        await database.upgrade()
    finally:
        await database.dispose()
    _postgres_reset_this_session = True


async def _at_head(connection: AsyncConnection) -> bool:
    exists = await connection.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
    if not exists:
        return False
    current = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    return bool(current == ScriptDirectory.from_config(alembic_config()).get_current_head())
