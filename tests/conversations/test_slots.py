"""Conversation slots: rows written by earlier versions still read, and round-trip unchanged."""

from __future__ import annotations

from datetime import UTC, datetime

from conversations.chat.events import FileRef
from conversations.chat.slots import PendingFile, Slots
from conversations.chat.steps import Step
from conversations.domain import Reason

# A row as the untyped slots wrote it, mid-claim, after a lock on another transaction (locks
# now live in the database, per user and per transaction: the chat's own are dropped).
OLD_ROW = {
    "tx": "TX-1001",
    "owner_ok": True,
    "reason": "undelivered",
    "campaign": None,
    "campaign_misses": 3,
    "owner_fails": {"TX-1001": 0, "TX-1002": 1},
    "locks": {"TX-1003": "2026-03-02T10:00:00+00:00"},
}


def test_a_row_written_by_the_untyped_slots_reads_as_it_meant() -> None:
    slots = Slots.from_json(OLD_ROW)
    assert slots.tx == "TX-1001"
    assert slots.reason is Reason.UNDELIVERED
    assert slots.campaign is None
    assert slots.campaign_misses == 3
    assert slots.questions_seen is None


def test_slots_written_back_read_the_same_and_drop_what_nothing_reads() -> None:
    slots = Slots.from_json(OLD_ROW)
    stored = slots.to_json()
    assert "owner_ok" not in stored and "locks" not in stored and "owner_fails" not in stored
    assert Slots.from_json(stored) == slots


def test_reset_keeps_the_flood_count_and_questions_seen_and_forgets_the_claim() -> None:
    slots = Slots.from_json(OLD_ROW)
    slots.questions_seen = [4]
    slots.flood_at, slots.flood_turns = datetime(2026, 3, 2, 10, tzinfo=UTC), 12
    assert Slots.from_json(slots.to_json()) == slots
    assert slots.kept() == Slots(
        questions_seen=[4], flood_at=datetime(2026, 3, 2, 10, tzinfo=UTC), flood_turns=12
    )


def test_a_step_this_code_does_not_know_starts_over_at_the_menu() -> None:
    assert Step.parse("claim_owner") is Step.OWNER
    assert Step.parse("claim_pick_colour") is Step.MENU


def test_files_sent_while_filing_round_trip_and_go_with_the_claim() -> None:
    at = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)
    slots = Slots(tx="TX-1001", reason=Reason.OTHER, rating_claim=7, info_files=2)
    slots.files.append(PendingFile(FileRef("photo", "f1", "u1", size=900), "the screen", at))
    slots.files.append(
        PendingFile(FileRef("document", "f2", "u2", "report.pdf", "application/pdf"), "", at)
    )
    assert Slots.from_json(slots.to_json()) == slots
    slots.forget_claim()
    assert slots.files == []
