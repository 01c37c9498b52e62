"""The database handle: engine, SQLite tuning, migrations and units of work."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any, TextIO

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from storage.uow import READ_ONLY, SqlUnitOfWork

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30
# A file to append one line per database round trip to (bench/latency.py counts them per turn).
STATEMENT_LOG_ENV = "REFUNDBOT_STATEMENT_LOG"
PG_KEEPALIVES = (
    ("tcp_keepalives_idle", "10"),
    ("tcp_keepalives_interval", "5"),
    ("tcp_keepalives_count", "3"),
)
# Any constant works; it only has to be the same in every process running migrations.
_PG_MIGRATION_LOCK = 72_270_001


class SchemaNotReady(Exception):
    """The database is missing or not migrated to this version; one line for the operator."""


class Database:
    """One engine per process; hands out units of work."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        parsed = make_url(url)
        self._is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {}
        if self._is_sqlite:
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
            database = parsed.database or ""
            if database in ("", ":memory:") or database.startswith("file::memory:"):
                # Every new connection to :memory: would be a different, empty database.
                kwargs["poolclass"] = StaticPool
            elif not create and not Path(database).expanduser().is_file():
                # Connecting would create an empty file: a typo'd path must not look empty.
                raise SchemaNotReady(f"there is no database file {database}")
            else:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        else:
            # A worker has up to 16 chats in flight, each holding its chat's lock on one
            # connection and at most one more for its turn or its replies' record, and the
            # dispatcher up to 8 chats; beyond 40 a caller waits for a connection rather than
            # fail. Two workers (80) stay under PostgreSQL's default max_connections of 100.
            # The pool keeps 32 of them: a smaller pool closed a connection a few turns after
            # opening it at ordinary load (about one new connection per 5 turns with 10 at
            # once), and each new one costs a connect, an authentication and every statement
            # prepared again. LIFO hands out the connection used last, whose prepared
            # statements are warm.
            kwargs.update(pool_size=32, max_overflow=8, pool_use_lifo=True)
            # A worker whose machine dies without closing its sockets (power, a network cut)
            # still holds its chats' locks in PostgreSQL until the server notices it is gone:
            # by the system's keepalive defaults, two hours. These settings ask the server to
            # probe an idle client after 10 s and drop it after three missed probes.
            kwargs["connect_args"] = {"server_settings": dict(PG_KEEPALIVES)}
        self._engine: AsyncEngine = create_async_engine(parsed, **kwargs)
        if self._is_sqlite:
            _tune_sqlite(self._engine)
        if os.environ.get(STATEMENT_LOG_ENV):
            _log_round_trips(self._engine, os.environ[STATEMENT_LOG_ENV])
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        # PostgreSQL: a statement outside a transaction commits by itself, which saves the
        # BEGIN and COMMIT (or ROLLBACK) round trips; each of those costs a turn as much CPU
        # as the statement. SQLite is in-process, where they cost next to nothing.
        self._statements = (
            self._sessions
            if self._is_sqlite
            else async_sessionmaker(
                self._engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
            )
        )

    @property
    def url(self) -> str:
        """The URL with any password masked, safe for logs."""
        return self._engine.url.render_as_string(hide_password=True)

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions)

    def reader(self) -> SqlUnitOfWork:
        """A unit of work for reads: on SQLite it does not wait for, or hold, the write lock.

        On PostgreSQL its statements run outside a transaction, each seeing what was committed
        when it started: what READ COMMITTED gives each statement inside one anyway.
        """
        return SqlUnitOfWork(self._statements, read_only=True)

    def single(self) -> SqlUnitOfWork:
        """A unit of work whose statements each commit by themselves on PostgreSQL.

        Only for writes that each stand alone: two statements here are two commits. On SQLite
        it is an ordinary unit of work (commit it).
        """
        return SqlUnitOfWork(self._statements)

    async def upgrade(self) -> None:
        """Apply every migration up to the newest (alembic upgrade head)."""
        async with self._engine.begin() as connection:
            if self._engine.dialect.name == "postgresql":
                # Two processes starting at once must not both create the tables.
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
            await connection.run_sync(_upgrade_head)

    async def revision(self) -> str | None:
        """The migration the database is at (None: never migrated)."""
        async with self._engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )

    async def require_current(self) -> None:
        """Raise SchemaNotReady unless every migration of this version has been applied."""
        current, head = await self.revision(), head_revision()
        if current is None:
            raise SchemaNotReady("the database has no tables yet")
        if current != head:
            raise SchemaNotReady(
                f"the database is at migration {current}, this version needs {head}"
            )

    async def dispose(self) -> None:
        await self._engine.dispose()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _upgrade_head(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            # WAL: readers see the last commit and never block, or are blocked by, the writer.
            connection.exec_driver_sql("BEGIN")
            return
        # Take the write lock up front: two turns then queue on busy_timeout instead of both
        # reading, then one failing with "database is locked" when it tries to write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _log_round_trips(engine: AsyncEngine, path: str) -> None:
    """Append "monotonic-time kind task" for each statement, BEGIN and COMMIT/ROLLBACK.

    Statement preparations (asyncpg) are not seen here; the count is of statements and
    transaction boundaries.
    """
    out: TextIO = open(path, "a", buffering=1)  # noqa: SIM115 - lives as long as the engine
    sqlite = engine.dialect.name == "sqlite"

    def counted(connection: Connection) -> bool:
        # AUTOCOMMIT sends no BEGIN or COMMIT.
        return connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT"

    def write(kind: str, statement: str = "") -> None:
        try:
            task = asyncio.current_task()
        except RuntimeError:
            task = None
        what = " ".join(statement.split())[:100]
        out.write(f"{time.monotonic():.6f} {kind} {task.get_name() if task else '-'} {what}\n")

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        write("statement", statement)

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Connection) -> None:
        # SQLite's BEGIN is a statement of its own (seen above).
        if not sqlite and counted(connection):
            write("begin")

    @event.listens_for(engine.sync_engine, "commit")
    def _commit(connection: Connection) -> None:
        if counted(connection):
            write("commit")

    @event.listens_for(engine.sync_engine, "rollback")
    def _rollback(connection: Connection) -> None:
        if counted(connection):
            write("rollback")


async def open_database(url: str, upgrade: bool = True) -> Database:
    """A ready Database; applies migrations first, or (upgrade=False) insists they were.

    Without upgrade nothing is created: a missing or behind database raises SchemaNotReady.
    """
    database = Database(url, create=upgrade)
    try:
        if upgrade:
            await database.upgrade()
        else:
            await database.require_current()
    except BaseException:
        await database.dispose()
        raise
    return database
