"""`refundbot outbox failed|retry|drop`: what an operator does with messages the bot parked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conversations.domain import OutgoingMessage
from storage.database import Database
from tests.cli.cli_process import Cli

NOW = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)


async def park(db: Database, chat_id: int, text: str, error: str) -> int:
    """A message the dispatcher parked after an error it could not place."""
    async with db.uow() as uow:
        outbox_id = await uow.outbox.put(OutgoingMessage(chat_id, text), NOW)
        await uow.outbox.park(outbox_id, error, NOW + timedelta(minutes=1))
        await uow.commit()
    return outbox_id


async def due(db: Database) -> list[int]:
    async with db.reader() as uow:
        return [item.id for item in await uow.outbox.pending(NOW + timedelta(hours=1))]


async def test_failed_lists_parked_messages_and_retry_makes_one_due_again(
    cli: Cli, db: Database
) -> None:
    assert cli("outbox", "failed").out.strip() == "No parked messages."
    first = await park(db, 1001, "Your claim #4 is approved: 120 credits", "Conflict: odd")
    second = await park(db, -100123, "🧾 Claim #5 · new\n" + "x" * 80, "ValueError: boom")
    async with db.uow() as uow:  # an ordinary queued message is no operator's business
        await uow.outbox.put(OutgoingMessage(1002, "hello"), NOW)
        await uow.commit()

    listed = cli("outbox", "failed")
    assert listed.code == 0, listed
    lines = listed.out.splitlines()
    assert lines[0].split() == ["id", "chat", "tries", "parked", "at", "error", "|", "text"]
    # Parked at 09:31 UTC: read in HOME_COUNTRY's time (PK by default), the zone named.
    assert lines[1].split()[:8] == [str(first), "1001", "1", "14", "Aug", "2026,", "14:31", "PKT"]
    assert lines[1].endswith("Conflict: odd | Your claim #4 is approved: 120 credits")
    assert lines[2].endswith("ValueError: boom | 🧾 Claim #5 · new " + "x" * 22 + "…")
    assert lines[3].startswith("2 parked.")
    as_json = cli("outbox", "failed", "--json").json()
    assert [(m["id"], m["chat_id"], m["attempts"]) for m in as_json] == [
        (first, 1001, 1),
        (second, -100123, 1),
    ]
    assert as_json[0]["failed_at"] == "2026-08-14T09:31:00+00:00"
    assert as_json[1]["error"] == "ValueError: boom"
    assert first not in await due(db)  # parked: the dispatcher leaves it alone

    retried = cli("outbox", "retry", str(first))
    assert retried.code == 0, retried
    assert retried.out.splitlines()[-1] == "Queued 1 message to be sent again."
    assert first in await due(db)
    assert [m["id"] for m in cli("outbox", "failed", "--json").json()] == [second]


async def test_retry_all_and_drop(cli: Cli, db: Database) -> None:
    ids = [await park(db, 1000 + n, f"message {n}", "ValueError") for n in range(3)]

    dropped = cli("outbox", "drop", str(ids[0]))
    assert dropped.code == 0, dropped
    assert dropped.out.splitlines()[-1] == f"Dropped message {ids[0]}; it will not be sent."
    async with db.reader() as uow:
        assert await uow.outbox.get(ids[0]) is None

    everything = cli("outbox", "retry", "--all")
    assert everything.out.splitlines()[-1] == "Queued 2 messages to be sent again."
    assert await due(db) == ids[1:]
    assert cli("outbox", "failed").out.strip() == "No parked messages."


async def test_wrong_ids_and_arguments_are_refused_in_one_line(cli: Cli, db: Database) -> None:
    queued = 0
    async with db.uow() as uow:  # queued, not parked: neither retry nor drop may touch it
        queued = await uow.outbox.put(OutgoingMessage(1001, "hello"), NOW)
        await uow.commit()
    for args in (("retry", str(queued)), ("drop", str(queued)), ("retry", "999")):
        result = cli("outbox", *args)
        assert result.code == 1, result
        assert result.err_lines == [f"refundbot: no parked message {args[1]}."]
    assert await due(db) == [queued]
    for args in (("retry",), ("retry", "1", "--all")):
        result = cli("outbox", *args)
        assert result.code == 2, result
        assert result.err_lines == ["refundbot: give a message id or --all (not both)."]
