"""Money safety from the command line: overrule with a reason, a safe export, clean ids."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conversations.domain import Claim, ClaimStatus, ClauseResult, Outcome, Reason
from storage import Database
from storage.demo_data import load_demo_data
from tests.cli.cli_process import Cli, assert_one_clear_line

HEADER = (
    "transaction_id,account_id,account_phone,account_email,purchased_at,kind,credits,"
    "credits_used,amount,currency\n"
)
FORMULA = '=HYPERLINK("http://evil.example","open me")'


async def _store_claim(
    db: Database,
    tx: str,
    status: ClaimStatus,
    outcome: Outcome,
    reason: Reason,
    clauses: list[ClauseResult] | None = None,
    campaign_id: str | None = None,
) -> int:
    """A claim as if a customer had filed it five minutes ago; returns its number."""
    at = datetime.now(UTC) - timedelta(minutes=5)
    async with db.uow() as uow:
        claim = await uow.claims.add(
            Claim(
                id=None,
                status=status,
                outcome=outcome,
                reason=reason,
                transaction_id=tx,
                telegram_user_id=555,
                chat_id=555,
                refundable_credits=0,
                clauses=clauses or [],
                created_at=at,
                updated_at=at,
                campaign_id=campaign_id,
            )
        )
        await uow.commit()
    assert claim.id is not None
    return claim.id


async def _refused_claim(db: Database) -> int:
    await load_demo_data(db, datetime.now(UTC))
    return await _store_claim(
        db,
        "TX-1005",
        ClaimStatus.INELIGIBLE,
        Outcome.INELIGIBLE,
        Reason.UNDELIVERED,
        clauses=[
            ClauseResult.of(
                "C-SERVICE-FAILURE",
                False,
                "service_failure_failed",
                failed_carrier=40,
                messages_sent=100,
            )
        ],
        campaign_id="CMP-1005",
    )


async def test_a_refusal_is_overruled_only_with_a_reason_and_is_audited(
    cli: Cli, db: Database
) -> None:
    claim_id = str(await _refused_claim(db))

    bare = cli("claims", "approve", claim_id, "--by", "Sana", "--credits", "40")
    overruled = cli(
        "claims",
        "approve",
        claim_id,
        "--by",
        "Sana",
        "--credits",
        "40",
        "--reason",
        "The Jazz route failure was ours",
    )

    assert bare.code == 2
    assert_one_clear_line(bare, "not eligible", "--reason")
    assert overruled.code == 0, overruled.err
    shown = cli("claims", "show", claim_id, "--json").json()
    assert (shown["status"], shown["refundable_credits"]) == ("approved", 40)
    assert [(a["actor"], a["note"]) for a in shown["audit"] if a["to_status"] == "approved"] == [
        ("cli:Sana", "overruled: The Jazz route failure was ours; credits 0 -> 40")
    ]
    # The campaign is now paid: the same purchase cannot pay for it again.
    again = cli("check", "TX-1005", "--reason", "undelivered", "--campaign", "CMP-1005", "--json")
    assert again.json()["outcome"] == "ineligible"
    assert "already refunded in claim" in again.json()["clauses"][-1]["explanation"]


async def test_the_finance_export_is_safe_to_open_in_a_spreadsheet(
    cli: Cli, db: Database, tmp_path: Path
) -> None:
    ledger = tmp_path / "purchases.csv"
    bought = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    ledger.write_text(
        HEADER + f'TX-9001,"{FORMULA.replace(chr(34), chr(34) * 2)}",+923001234567,,{bought},'
        "package,100,0,500.00,PKR\n"
    )
    assert cli("import", "purchases", str(ledger)).code == 0
    claim_id = await _store_claim(
        db, "TX-9001", ClaimStatus.ESCALATED, Outcome.REVIEW, Reason.OTHER
    )
    approved = cli("claims", "approve", str(claim_id), "--by", "Sana", "--credits", "33")
    assert approved.code == 0, approved.err

    exported = cli("claims", "export", "--status", "approved", "--csv")

    [row] = list(csv.DictReader(io.StringIO(exported.out)))
    assert row["account_id"] == "'" + FORMULA
    assert row["amount_due"] == "165.00"  # 500.00 for 100 credits; 33 refunded, exactly
    [as_json] = cli("claims", "export", "--status", "approved", "--json").json()
    assert (as_json["account_id"], as_json["amount_due"]) == (FORMULA, "165.00")


async def test_import_rejects_ids_a_person_could_not_read_and_says_where(
    cli: Cli, tmp_path: Path
) -> None:
    ledger = tmp_path / "purchases.csv"
    at = "2026-11-01T10:00:00+05:00"
    ledger.write_text(
        HEADER
        + f"TX-OK,ACC-1,+923001234567,,{at},package,100,0,50,PKR\n"
        + f"TX-MAIL,ACC-2,,mail@example.com,{at},package,100,0,50,PKR\n"
        + f"TX-{'9' * 70},ACC-3,+923001234567,,{at},package,100,0,50,PKR\n"
        + f"TX-NUL,ACC\x004,+923001234567,,{at},package,100,0,50,PKR\n"
        + f"TX-NONE,ACC-5,,,{at},package,100,0,50,PKR\n"
        + f"TX-CENTS,ACC-6,+923001234567,,{at},package,100,0,50.123456,PKR\n"
    )

    result = cli("import", "purchases", str(ledger))

    assert result.code == 1
    # A phone alone, or an e-mail alone, is enough to prove ownership.
    assert "purchases: 2 added, 0 updated, 0 unchanged, 4 rejected" in result.out
    reasons = {
        int(line.split(":")[1]): line.split("rejected: ", 1)[1]
        for line in result.err_lines
        if "rejected: " in line
    }
    assert "longer than 64 characters" in reasons[4]
    assert "NUL byte" in reasons[5]
    assert "account_phone and account_email are both empty" in reasons[6]
    assert "decimal places" in reasons[7]


async def test_canned_replies_staff_set_are_added_to_the_built_in_ones(
    cli: Cli, db: Database
) -> None:
    built_in = cli("replies", "list", "reject")
    saved = cli("replies", "set", "reject", "no-report", "We need the delivery report first.")
    bad_key = cli("replies", "set", "ask", "Bad Key!", "Anything?")
    empty = cli("replies", "set", "ask", "blank", "   ")
    own = cli("replies", "list", "reject")
    removed = cli("replies", "remove", "reject", "no-report")
    missing = cli("replies", "remove", "reject", "no-report")

    assert built_in.code == 0 and "window: The claim came more than 2 days" in built_in.out
    assert saved.code == 0, saved.err
    assert own.out.splitlines()[-1] == "no-report: We need the delivery report first."
    assert "window: The claim came more than 2 days" in own.out, "added to the built-in ones"
    assert bad_key.code == 2 and "lower-case letters" in bad_key.err
    assert empty.code == 2 and "empty" in empty.err
    assert removed.code == 0 and missing.code == 1
    assert "window:" in cli("replies", "list", "reject").out


async def test_faq_misses_lists_the_questions_asked_most(cli: Cli, db: Database) -> None:
    now = datetime.now(UTC)
    async with db.uow() as uow:
        for text in ("do you sell whatsapp api", "do you sell whatsapp api", "cricket score"):
            await uow.faq.miss(text, now)
        await uow.faq.rate("processing-time", False, now)
        await uow.commit()

    result = cli("faq", "misses", "--limit", "5")

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    asked = [line for line in lines if "whatsapp" in line or "cricket" in line]
    assert [line.split()[0] for line in asked] == ["2", "1"]  # most asked first
    assert asked[0].endswith("do you sell whatsapp api") and asked[1].endswith("cricket score")
    assert "  processing-time: 0 / 1" in lines
