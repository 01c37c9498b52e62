"""Migration 0010: audit rows written as text before it are read into typed fields."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Connection

import storage
from conversations.domain import AuditKind, ClaimStatus
from storage import Database
from storage.database import alembic_config
from tests.storage.test_claims_repository import T0, a_claim, add

# claim_audit as it was at 0009, and rows as the code wrote them then.
OLD_AUDIT = sa.table(
    "claim_audit",
    sa.column("claim_id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String),
    sa.column("actor_id", sa.BigInteger),
    sa.column("from_status", sa.String),
    sa.column("to_status", sa.String),
    sa.column("note", sa.Text),
)
OLD_ROWS = (
    ("bot", None, "escalated", "outcome eligible"),
    ("Sara (@sara)", "escalated", "in_review", ""),
    ("Sara (@sara)", "in_review", "info_requested", "question: Which number?"),
    ("customer", "info_requested", "in_review", "answer: 0300 1234567"),
    ("customer", None, None, "added: 📎 photo"),
    ("Sara (@sara)", None, None, "note: Called her; credits look right"),
    ("bot", None, None, "reminder: untaken"),
    ("Sara (@sara)", None, None, "refused: not staff, pressed take"),
    ("Sara (@sara)", "in_review", "approved", "credits 120 -> 80"),
    ("cli:Bilal", "ineligible", "approved", "overruled: route down; credits too; credits 0 -> 50"),
    ("Sara (@sara)", "approved", "refunded", ""),
)


def _alembic(connection: Connection, verb: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, verb)(config, revision)


async def test_old_audit_rows_are_read_into_kinds_and_fields(db: Database) -> None:
    [claim] = await add(db, a_claim())
    async with db.engine.begin() as connection:
        await connection.run_sync(_alembic, "downgrade", "0009")
        await connection.execute(
            OLD_AUDIT.insert(),
            [
                {
                    "claim_id": claim.id,
                    "at": T0 + timedelta(minutes=i),
                    "actor": actor,
                    "actor_id": None,
                    "from_status": before,
                    "to_status": after,
                    "note": note,
                }
                for i, (actor, before, after, note) in enumerate(OLD_ROWS)
            ],
        )
    await db.upgrade()

    async with db.uow() as uow:
        trail = await uow.claims.audit(claim.id or 0)

    assert [(a.kind, a.text) for a in trail] == [
        (AuditKind.FILED, "eligible"),
        (AuditKind.TAKEN, ""),
        (AuditKind.ASKED, "Which number?"),
        (AuditKind.ANSWERED, "0300 1234567"),
        (AuditKind.ADDED, "📎 photo"),
        (AuditKind.NOTE, "Called her; credits look right"),
        (AuditKind.REMINDED_UNTAKEN, ""),
        (AuditKind.OTHER, "refused: not staff, pressed take"),
        (AuditKind.APPROVED, ""),
        (AuditKind.OVERRULED, "route down; credits too"),
        (AuditKind.REFUNDED, ""),
    ]
    assert [(a.credits_before, a.credits_after) for a in trail if a.credits_before] == [
        (120, 80),
    ]
    overrule = trail[9]
    assert (overrule.credits_before, overrule.credits_after) == (0, 50)
    assert overrule.to_status is ClaimStatus.APPROVED
    # The readable summary is what the old note said.
    assert [a.note for a in trail] == [note for *_, note in OLD_ROWS]


def _legacy_fields() -> Any:
    path = Path(storage.__file__).parent / "migrations" / "versions" / "0010_audit_kinds.py"
    spec = importlib.util.spec_from_file_location("audit_kinds_0010", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.legacy_fields


@settings(max_examples=200, deadline=None)
@given(words=st.text(min_size=1), before=st.integers(0, 10**6), after=st.integers(0, 10**6))
def test_any_overrule_reason_written_the_old_way_is_read_back_whole(
    words: str, before: int, after: int
) -> None:
    """Whatever staff typed (even "; credits 1 -> 2"), the old line gives back their words."""
    legacy_fields = _legacy_fields()
    fields = legacy_fields(f"overruled: {words}; credits {before} -> {after}", "approved")

    assert fields == {
        "kind": "overruled",
        "text": words,
        "credits_before": before,
        "credits_after": after,
    }
