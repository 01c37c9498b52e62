"""Migrations: a fresh database gets every table; the schema matches what the code expects."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage import Database, open_database
from storage.tables import metadata

TABLES = {
    "purchases",
    "campaigns",
    "incidents",
    "claims",
    "claim_audit",
    "conversations",
    "outbox",
    "message_refs",
    "inbox",
    "faq_feedback",
    "faq_misses",
    "alembic_version",
}


async def test_upgrade_on_a_fresh_sqlite_file_creates_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "refundbot.db"
    db = await open_database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.upgrade()  # a second upgrade is a no-op
        async with db.engine.connect() as connection:
            names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await db.dispose()

    assert path.exists()
    assert names >= TABLES


async def test_the_migrated_schema_matches_the_tables_the_code_uses(db: Database) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with db.engine.connect() as connection:
        diff = await connection.run_sync(differences)

    assert diff == []


async def test_the_url_shown_in_logs_hides_the_password() -> None:
    db = Database("postgresql+asyncpg://bot:s3cret@db.example:5432/refunds")
    try:
        assert db.url == "postgresql+asyncpg://bot:***@db.example:5432/refunds"
    finally:
        await db.dispose()
