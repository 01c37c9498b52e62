"""Search every text and JSON column of the live database for a person's data (issue 20)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.sql import sqltypes

from storage.database import Database


def _text_columns(connection: Any) -> list[tuple[str, str]]:
    inspector = inspect(connection)
    found = []
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            if isinstance(column["type"], sqltypes.String | sqltypes.JSON):
                found.append((table, column["name"]))
    return found


async def traces(
    db: Database,
    needles: Iterable[str],
    skip: dict[str, tuple[str, Collection[str]]] | None = None,
) -> list[str]:
    """`table.column: value` for every stored value that contains one of the needles.

    `skip` leaves rows out by table: {"purchases": ("transaction_id", ["TX-9"])}.
    """
    wanted = [n.lower() for n in needles if n]
    hits: list[str] = []
    async with db.engine.connect() as connection:
        columns = await connection.run_sync(_text_columns)
        assert len(columns) > 30, columns  # the schema was read, not an empty list
        for table, column in columns:
            query = f'SELECT CAST("{column}" AS TEXT) FROM "{table}"'  # noqa: S608 - schema names
            params: dict[str, Any] = {}
            if skip and table in skip and skip[table][1]:
                key, values = skip[table]
                names = [f":s{i}" for i in range(len(values))]
                query += f' WHERE "{key}" NOT IN ({", ".join(names)})'
                params = {f"s{i}": v for i, v in enumerate(values)}
            rows = await connection.execute(text(query), params)
            for (value,) in rows:
                low = (value or "").lower()
                for needle in wanted:
                    if needle in low:
                        hits.append(f"{table}.{column} has {needle!r}: {value[:160]!r}")
    return hits
