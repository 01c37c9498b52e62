"""The audit trail's facts as typed columns: a kind, a person's words, credits before and after.

Until now each entry was one line of text ("overruled: WORDS; credits 120 -> 80") that the
staff card parsed back; staff words containing "; credits" broke it. The old rows are read
once, here, into the new columns; the note column stays as a readable summary.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 19:00:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CREDITS = re.compile(r"credits (\d+) -> (\d+)")
# An old note's prefix, and the kind it meant (the prefixes the code wrote until 0010).
_PREFIXES = (
    ("outcome ", "filed"),
    ("reason: ", "rejected"),
    ("question: ", "asked"),
    ("answer: ", "answered"),
    ("note: ", "note"),
    ("added: ", "added"),
)
_WHOLE = {
    "withdrawn by the customer": "withdrawn",
    "reminder: untaken": "reminded_untaken",
    "reminder: refund overdue": "reminded_overdue",
}
# A status change with no words: its kind follows from the status it led to.
_BY_STATUS = {"in_review": "taken", "approved": "approved", "refunded": "refunded"}

_audit = sa.table(
    "claim_audit",
    sa.column("id", sa.Integer),
    sa.column("to_status", sa.String),
    sa.column("note", sa.Text),
    sa.column("kind", sa.String),
    sa.column("text", sa.Text),
    sa.column("credits_before", sa.Integer),
    sa.column("credits_after", sa.Integer),
)


def legacy_fields(note: str, to_status: str | None) -> dict[str, object]:
    """The typed fields of an audit row written as text before this migration."""
    if note.startswith("overruled: "):
        # Written as f"overruled: {words}; credits {a} -> {b}": the last "; credits" is ours.
        words, _sep, credits = note.removeprefix("overruled: ").rpartition("; ")
        found = _CREDITS.fullmatch(credits)
        if found is not None:
            before, after = int(found[1]), int(found[2])
            return _fields("overruled", words, before, after)
        return _fields("overruled", note.removeprefix("overruled: "))
    for prefix, kind in _PREFIXES:
        if note.startswith(prefix):
            return _fields(kind, note.removeprefix(prefix))
    if note in _WHOLE:
        return _fields(_WHOLE[note])
    found = _CREDITS.fullmatch(note)
    if found is not None and to_status == "approved":
        return _fields("approved", "", int(found[1]), int(found[2]))
    if not note and to_status in _BY_STATUS:
        return _fields(_BY_STATUS[to_status])
    return _fields("other", note)


def _fields(
    kind: str, text: str = "", before: int | None = None, after: int | None = None
) -> dict[str, object]:
    return {"kind": kind, "text": text, "credits_before": before, "credits_after": after}


def upgrade() -> None:
    with op.batch_alter_table("claim_audit") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="other"))
        batch.add_column(sa.Column("text", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("credits_before", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("credits_after", sa.Integer(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_audit.c.id, _audit.c.note, _audit.c.to_status))
    for row_id, note, to_status in rows.all():
        fields = legacy_fields(note or "", to_status)
        connection.execute(_audit.update().where(_audit.c.id == row_id).values(**fields))


def downgrade() -> None:
    with op.batch_alter_table("claim_audit") as batch:
        batch.drop_column("credits_after")
        batch.drop_column("credits_before")
        batch.drop_column("text")
        batch.drop_column("kind")
