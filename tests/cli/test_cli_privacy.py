"""`refundbot privacy export|forget USER_ID`: an operator answering an e-mailed request."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.config import DeskConfig
from conversations.domain import ClaimRequest, Reason
from conversations.services.claims import Claimant, file_claim
from conversations.services.staff import staff_act
from storage import Database
from storage.demo_data import load_demo_data
from storage.tables import erasures, outbox
from tests.cli.cli_process import Cli
from tests.privacy_scan import traces

CONFIG = DeskConfig(staff_chat_id=-100200300)


async def _file(db: Database, tx: str, user_id: int, name: str, description: str) -> int:
    async with db.uow() as uow:
        filed = await file_claim(
            uow,
            ClaimRequest(tx, Reason.OTHER, datetime.now(UTC), description=description),
            Claimant(user_id, user_id, name, name.lower()),
            CONFIG,
        )
        assert filed is not None and filed.claim is not None and filed.claim.id is not None
        await uow.commit()
        return filed.claim.id


async def test_export_then_forget_from_the_cli(cli: Cli, db: Database) -> None:
    await load_demo_data(db, datetime.now(UTC))
    first = await _file(db, "TX-1008", 801, "Zainab", "Half my campaign vanished, quokka")
    second = await _file(db, "TX-1009", 801, "Zainab", "Another campaign failed, quokka")
    other = await _file(db, "TX-1001", 802, "Kamran", "Nothing arrived for my customers")
    async with db.uow() as uow:
        approved = await staff_act(
            uow,
            first,
            Transition.APPROVE,
            Actor("Sara", 9001),
            datetime.now(UTC),
            CONFIG,
            credits=100,
        )
        assert approved.ok
        await uow.commit()

    exported = cli("privacy", "export", "801")
    assert exported.code == 0, exported.err
    document = exported.json()
    assert sorted(c["id"] for c in document["claims"]) == [first, second]
    assert "Kamran" not in exported.out

    forgot = cli("privacy", "forget", "801", "--by", "Ana")
    assert forgot.code == 0, forgot.err
    first_line, said = forgot.out.split("\n", 1)
    assert first_line.startswith("Database: ")  # a write names its database first
    assert said.startswith("Erasure #1 of Telegram user 801: ")
    assert f"Withdrawn first: #{second}." in forgot.out
    needles = ["Zainab", "zainab", "quokka", "+923001110008", "demo9@example.com"]
    needles += ["demo8@example.com"]
    assert await traces(db, needles) == []

    async with db.uow() as uow:
        erasure = (await uow.session.execute(select(erasures))).one()
        told = (
            await uow.session.execute(select(outbox.c.text).where(outbox.c.chat_id == 801))
        ).scalars()
        assert any("our team erased your data" in t for t in told)
        kept = await uow.claims.get(other)
        assert kept is not None and kept.customer_name == "Kamran"
    assert erasure.by == "cli:Ana"
    assert erasure.claims == 2
    assert erasure.kinds["claims"] == 2

    finance = cli("claims", "export", "--json")
    assert [r["claim_id"] for r in finance.json()] == [first]
    show = cli("claims", "show", str(second), "--json").json()
    assert show["status"] == "cancelled"
    assert show["description"] is None
    assert show["telegram_user_id"] == -1

    again = cli("privacy", "forget", "801", "--by", "Ana")
    assert again.code == 0, again.err
    assert "Claims kept" not in again.out
    assert cli("privacy", "export", "801").json()["claims"] == []


async def test_forget_needs_a_name_for_the_audit(cli: Cli, db: Database) -> None:
    result = cli("privacy", "forget", "801", "--by", " ")
    assert result.code == 2
    assert "--by needs your name" in result.err


async def test_forget_refuses_what_is_not_a_telegram_user(cli: Cli, db: Database) -> None:
    # 0 stands for "no user" in an update, and -1 for an erased one: neither is a person.
    for user_id in ("0", "-1"):
        result = cli("privacy", "forget", "--by", "Ana", "--", user_id)
        assert result.code == 2, result
        assert "is not a Telegram user id" in result.err
