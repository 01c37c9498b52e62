"""INSERT ... ON CONFLICT for whichever backend the session talks to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def upsert_insert(session: AsyncSession, table: Table) -> Any:
    """An INSERT that supports on_conflict_do_nothing / on_conflict_do_update (both dialects)."""
    name = session.bind.dialect.name if session.bind is not None else ""
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database backend: {name or 'unknown'}")


def rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
