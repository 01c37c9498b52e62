"""`claims list/show/approve/reject/refund/export` on claims filed through the repositories."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from conversations.domain import (
    Claim,
    ClaimStatus,
    ClauseResult,
    Evidence,
    Outcome,
    OutgoingMessage,
    Rating,
    Reason,
)
from storage import Database
from storage.demo_data import load_demo_data
from tests.cli.cli_process import Cli, assert_one_clear_line

CUSTOMER_CHAT = 5_000_000_001


@dataclass(frozen=True)
class Filed:
    eligible: int  # escalated, TX-1001, 120 credits recommended
    outage: int  # escalated, TX-1008
    ineligible: int  # decided by the bot, TX-1002


def _claim(
    transaction_id: str,
    status: ClaimStatus,
    outcome: Outcome,
    reason: Reason,
    credits: int,
    at: datetime,
    campaign_id: str | None = None,
) -> Claim:
    passed = outcome is not Outcome.INELIGIBLE
    return Claim(
        id=None,
        status=status,
        outcome=outcome,
        reason=reason,
        transaction_id=transaction_id,
        telegram_user_id=CUSTOMER_CHAT,
        chat_id=CUSTOMER_CHAT,
        refundable_credits=credits,
        clauses=[
            ClauseResult.of(
                "C-WINDOW",
                passed,
                "window_passed" if passed else "window_failed",
                age_=timedelta(hours=3),
                purchased_at=at - timedelta(hours=3),
                deadline=at + timedelta(days=2),
            ),
            ClauseResult.of("C-SUBSCRIPTION", True, "subscription_passed", credits=1000),
        ],
        created_at=at,
        updated_at=at,
        campaign_id=campaign_id,
        escalated_at=at if status is ClaimStatus.ESCALATED else None,
        customer_name="Ayesha",
    )


@pytest.fixture
async def filed(db: Database) -> Filed:
    now = datetime.now(UTC)
    await load_demo_data(db, now)
    async with db.uow() as uow:
        eligible = await uow.claims.add(
            _claim(
                "TX-1001",
                ClaimStatus.ESCALATED,
                Outcome.ELIGIBLE,
                Reason.UNDELIVERED,
                120,
                now - timedelta(minutes=30),
                "CMP-1001",
            )
        )
        outage = await uow.claims.add(
            _claim(
                "TX-1008",
                ClaimStatus.ESCALATED,
                Outcome.REVIEW,
                Reason.OUTAGE,
                0,
                now - timedelta(minutes=20),
            )
        )
        ineligible = await uow.claims.add(
            _claim(
                "TX-1002",
                ClaimStatus.INELIGIBLE,
                Outcome.INELIGIBLE,
                Reason.OTHER,
                0,
                now - timedelta(minutes=10),
            )
        )
        await uow.commit()
    assert eligible.id and outage.id and ineligible.id
    return Filed(eligible.id, outage.id, ineligible.id)


async def pending_messages(db: Database) -> list[OutgoingMessage]:
    async with db.uow() as uow:
        items = await uow.outbox.pending(datetime.now(UTC) + timedelta(days=1))
    return [item.message for item in items]


async def test_list_json_has_every_claim_with_the_documented_fields(cli: Cli, filed: Filed) -> None:
    result = cli("claims", "list", "--json")

    assert result.code == 0, result.err
    claims = result.json()
    assert isinstance(claims, list)
    assert [c["id"] for c in claims] == [filed.ineligible, filed.outage, filed.eligible]
    for claim in claims:
        assert set(claim) >= {
            "id",
            "status",
            "outcome",
            "reason",
            "transaction_id",
            "campaign_id",
            "telegram_user_id",
            "chat_id",
            "refundable_credits",
            "clauses",
            "created_at",
            "updated_at",
        }
        assert claim["clauses"] == ["C-WINDOW", "C-SUBSCRIPTION"]
        assert datetime.fromisoformat(claim["created_at"]).tzinfo is not None
    first = next(c for c in claims if c["id"] == filed.eligible)
    assert first["status"] == "escalated"
    assert first["outcome"] == "eligible"
    assert first["reason"] == "undelivered"
    assert first["transaction_id"] == "TX-1001"
    assert first["campaign_id"] == "CMP-1001"
    assert first["telegram_user_id"] == CUSTOMER_CHAT
    assert first["chat_id"] == CUSTOMER_CHAT
    assert first["refundable_credits"] == 120


async def test_list_filters_by_status(cli: Cli, filed: Filed) -> None:
    escalated, ineligible, refunded = cli.many(
        ["claims", "list", "--status", "escalated", "--json"],
        ["claims", "list", "--status", "ineligible", "--json"],
        ["claims", "list", "--status", "refunded"],
    )

    assert {c["id"] for c in escalated.json()} == {filed.eligible, filed.outage}
    assert [c["id"] for c in ineligible.json()] == [filed.ineligible]
    assert refunded.code == 0
    assert "No claims with status refunded" in refunded.out


async def test_list_filters_by_transaction_customer_and_time(cli: Cli, filed: Filed) -> None:
    # Filed 30, 20 and 10 minutes ago (eligible, outage, ineligible).
    since = (datetime.now(UTC) - timedelta(minutes=25)).isoformat()
    until = (datetime.now(UTC) - timedelta(minutes=15)).isoformat()
    today = datetime.now(UTC).date().isoformat()
    by_tx, by_user, nobody, window, whole_day, combined = cli.many(
        ["claims", "list", "--transaction", "TX-1008", "--json"],
        ["claims", "list", "--user", str(CUSTOMER_CHAT), "--json"],
        ["claims", "list", "--user", "42"],
        ["claims", "list", "--since", since, "--until", until, "--json"],
        ["claims", "list", "--until", today, "--json"],
        ["claims", "list", "--status", "escalated", "--since", since, "--json"],
    )

    assert [c["id"] for c in by_tx.json()] == [filed.outage]
    assert [c["id"] for c in by_user.json()] == [filed.ineligible, filed.outage, filed.eligible]
    assert (nobody.code, nobody.out.strip()) == (0, "No claims match.")
    assert [c["id"] for c in window.json()] == [filed.outage]
    # A bare date for --until means up to the end of that day.
    assert len(whole_day.json()) == 3
    assert [c["id"] for c in combined.json()] == [filed.outage]


async def test_a_bad_date_filter_exits_2_with_an_example(cli: Cli, db: Database) -> None:
    result = cli("claims", "list", "--since", "yesterday")

    assert result.code == 2
    assert_one_clear_line(result, "--since", "'yesterday'", "2026-11-27")


async def test_list_in_words_shows_one_line_per_claim(cli: Cli, filed: Filed) -> None:
    result = cli("claims", "list")

    assert result.code == 0, result.err
    rows = [line for line in result.out.splitlines() if "TX-" in line]
    assert len(rows) == 3
    assert any("TX-1001" in row and "new" in row and "120" in row for row in rows)


async def test_an_unknown_status_exits_2_and_lists_the_statuses(cli: Cli, filed: Filed) -> None:
    result = cli("claims", "list", "--status", "open")

    assert result.code == 2
    assert_one_clear_line(result, "'open'", "escalated", "in_review", "refunded")


async def test_an_empty_queue_says_so(cli: Cli, db: Database) -> None:
    as_json, in_words = cli.many(["claims", "list", "--json"], ["claims", "list"])

    assert as_json.json() == []
    assert "No claims." in in_words.out


async def test_approve_changes_the_claim_audits_it_and_queues_the_customers_message(
    cli: Cli, db: Database, filed: Filed
) -> None:
    result = cli("claims", "approve", str(filed.eligible), "--by", "Bilal", "--credits", "100")

    assert result.code == 0, result.err
    assert "approved" in result.out
    shown = cli("claims", "show", str(filed.eligible), "--json").json()
    assert shown["status"] == "approved"
    assert shown["refundable_credits"] == 100
    assert shown["decided_at"] is not None
    [entry] = shown["audit"]
    assert entry["from_status"] == "escalated"
    assert entry["to_status"] == "approved"
    assert "Bilal" in entry["actor"]
    assert "120" in entry["note"] and "100" in entry["note"]
    [message] = await pending_messages(db)
    assert message.chat_id == CUSTOMER_CHAT
    assert f"#{filed.eligible}" in message.text and "100 credits" in message.text


async def test_with_a_staff_chat_the_staff_card_is_updated_too(
    cli: Cli, db: Database, filed: Filed
) -> None:
    result = cli(
        "claims", "approve", str(filed.eligible), "--by", "Bilal", env={"STAFF_CHAT_ID": "-100500"}
    )

    assert result.code == 0, result.err
    chats = sorted(m.chat_id for m in await pending_messages(db))
    assert chats == [-100500, CUSTOMER_CHAT]


async def test_reject_tells_the_customer_the_reason(cli: Cli, db: Database, filed: Filed) -> None:
    result = cli(
        "claims", "reject", str(filed.outage), "--by", "Bilal", "--reason", "No outage that day."
    )

    assert result.code == 0, result.err
    shown = cli("claims", "show", str(filed.outage), "--json").json()
    assert shown["status"] == "rejected"
    assert shown["reject_reason"] == "No outage that day."
    assert shown["audit"][-1]["to_status"] == "rejected"
    message, rating = await pending_messages(db)
    assert message.chat_id == CUSTOMER_CHAT
    assert "No outage that day." in message.text
    # The claim is closed: the customer is asked how it was handled.
    assert rating.chat_id == CUSTOMER_CHAT and "Tap 1 (poor) to 5 (great)" in rating.text


async def test_a_rejected_claim_cannot_be_approved(cli: Cli, db: Database, filed: Filed) -> None:
    rejected = cli("claims", "reject", str(filed.outage), "--by", "Bilal", "--reason", "No.")
    assert rejected.code == 0, rejected.err

    result = cli("claims", "approve", str(filed.outage), "--by", "Sana")

    assert result.code == 1
    assert_one_clear_line(result, f"claim {filed.outage}", "rejected", "cannot approve", "Bilal")
    shown = cli("claims", "show", str(filed.outage), "--json").json()
    assert shown["status"] == "rejected"
    # Only the rejection and its rating question were queued.
    assert len(await pending_messages(db)) == 2


async def test_refund_marks_an_approved_claim_paid_and_only_an_approved_one(
    cli: Cli, db: Database, filed: Filed
) -> None:
    too_early = cli("claims", "refund", str(filed.eligible), "--by", "Finance")
    approved = cli("claims", "approve", str(filed.eligible), "--by", "Bilal")
    refunded = cli("claims", "refund", str(filed.eligible), "--by", "Finance")

    assert too_early.code == 1
    assert_one_clear_line(too_early, "is new", "cannot mark it refunded")
    assert approved.code == 0 and refunded.code == 0, approved.err + refunded.err
    shown = cli("claims", "show", str(filed.eligible), "--json").json()
    assert shown["status"] == "refunded"
    assert [(a["from_status"], a["to_status"]) for a in shown["audit"]] == [
        ("escalated", "approved"),
        ("approved", "refunded"),
    ]
    texts = [m.text for m in await pending_messages(db)]
    assert len(texts) == 3 and "paid" in texts[1] and "Tap 1 (poor)" in texts[2]


async def test_approving_more_credits_than_were_bought_is_refused(
    cli: Cli, db: Database, filed: Filed
) -> None:
    result = cli("claims", "approve", str(filed.eligible), "--by", "Bilal", "--credits", "50000")

    assert result.code == 2
    assert_one_clear_line(result, "50000", "5000", "TX-1001")
    shown = cli("claims", "show", str(filed.eligible), "--json").json()
    assert shown["status"] == "escalated" and shown["refundable_credits"] == 120
    assert await pending_messages(db) == []


async def test_a_blank_name_or_reason_is_refused(cli: Cli, db: Database, filed: Filed) -> None:
    no_name, no_reason = cli.many(
        ["claims", "approve", str(filed.eligible), "--by", " "],
        ["claims", "reject", str(filed.outage), "--by", "Bilal", "--reason", ""],
    )

    assert no_name.code == 2 and no_reason.code == 2
    assert_one_clear_line(no_name, "--by")
    assert_one_clear_line(no_reason, "--reason")
    assert await pending_messages(db) == []


async def test_an_unknown_claim_exits_2(cli: Cli, filed: Filed) -> None:
    missing = str(filed.ineligible + 100)
    show, approve = cli.many(
        ["claims", "show", missing, "--json"], ["claims", "approve", missing, "--by", "Bilal"]
    )

    for result in (show, approve):
        assert result.code == 2
        assert_one_clear_line(result, f"no claim {missing}")


async def test_show_in_words_has_the_clauses_and_the_trail(cli: Cli, filed: Filed) -> None:
    assert cli("claims", "approve", str(filed.eligible), "--by", "Bilal").code == 0

    result = cli("claims", "show", str(filed.eligible))

    assert result.code == 0, result.err
    assert "TX-1001" in result.out and "CMP-1001" in result.out
    assert "C-WINDOW" in result.out
    assert "new -> approved" in result.out
    assert "None" not in result.out


async def test_export_gives_finance_the_amount_due_pro_rata(cli: Cli, filed: Filed) -> None:
    approve = cli("claims", "approve", str(filed.eligible), "--by", "Bilal", "--credits", "100")
    assert approve.code == 0, approve.err

    result = cli("claims", "export", "--status", "approved", "--csv")

    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert list(rows[0]) == [
        "claim_id",
        "transaction_id",
        "account_id",
        "credits",
        "amount_due",
        "currency",
        "approved_at",
        "refund_from",
        "refund_by",
    ]
    [row] = rows
    assert row["claim_id"] == str(filed.eligible)
    assert row["transaction_id"] == "TX-1001"
    assert row["account_id"] == "ACC-DEMO-1"
    assert row["credits"] == "100"
    assert row["amount_due"] == "50.00"  # 2,500 PKR for 5,000 credits; 100 refunded
    assert row["currency"] == "PKR"
    assert row["refund_from"] <= row["refund_by"]


async def test_export_of_nothing_is_just_the_header(cli: Cli, filed: Filed) -> None:
    result = cli("claims", "export", "--status", "refunded", "--csv")

    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "claim_id,transaction_id,account_id,credits,amount_due,currency,approved_at,"
        "refund_from,refund_by"
    ]


async def test_show_lists_the_customers_files_and_rating(
    cli: Cli, db: Database, filed: Filed
) -> None:
    at = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)
    async with db.uow() as uow:
        for kind, name, size, caption in (
            ("photo", "", 51_234, "the delivery screen"),
            ("document", "delivery-report.pdf", 80_000, ""),
        ):
            await uow.evidence.add(
                Evidence(
                    claim_id=filed.outage,
                    chat_id=CUSTOMER_CHAT,
                    telegram_user_id=CUSTOMER_CHAT,
                    kind=kind,
                    file_id=f"file-{kind}",
                    unique_id=f"u-{kind}",
                    received_at=at,
                    file_name=name,
                    size=size,
                    caption=caption,
                )
            )
        await uow.ratings.rate(Rating(filed.outage, CUSTOMER_CHAT, 3, at, "Slow, but fair."))
        await uow.commit()

    shown = cli("claims", "show", str(filed.outage))
    assert shown.code == 0, shown.err
    assert "Attachments (2):" in shown.out
    assert "photo 51,234 bytes “the delivery screen”" in shown.out
    assert "delivery-report.pdf 80,000 bytes" in shown.out
    assert "Customer rating: 3 of 5: “Slow, but fair.”" in shown.out
    document = cli("claims", "show", str(filed.outage), "--json").json()
    assert [a["file_name"] or a["kind"] for a in document["attachments"]] == [
        "photo",
        "delivery-report.pdf",
    ]
    assert document["rating"]["stars"] == 3
    assert cli("claims", "show", str(filed.eligible), "--json").json()["rating"] is None


async def test_approving_a_review_claim_without_credits_asks_for_them(
    cli: Cli, filed: Filed
) -> None:
    result = cli("claims", "approve", str(filed.outage), "--by", "Bilal")

    assert result.code == 2
    line = assert_one_clear_line(result, "needs review", "give --credits N", "nothing changed")
    assert "0 credits" not in line
    listed = cli("claims", "list", "--status", "new", "--transaction", "TX-1008", "--json")
    assert [c["status"] for c in listed.json()] == ["escalated"]


async def test_tables_say_the_chat_words_for_statuses_and_json_keeps_the_stored_values(
    cli: Cli, filed: Filed
) -> None:
    table, as_json, shown, shown_json = cli.many(
        ["claims", "list"],
        ["claims", "list", "--json"],
        ["claims", "show", str(filed.outage)],
        ["claims", "show", str(filed.outage), "--json"],
    )

    rows = {line.split()[0]: line for line in table.out.splitlines()[1:]}
    assert " new " in rows[str(filed.outage)] and "needs review" in rows[str(filed.outage)]
    assert "not eligible" in rows[str(filed.ineligible)]
    assert "escalated" not in table.out and "ineligible" not in table.out
    assert {c["status"] for c in as_json.json()} == {"escalated", "ineligible"}
    assert shown.out.startswith(f"Claim #{filed.outage}: new (bot said needs review)")
    # Clauses in the staff's words: facts, not the customer's sentences.
    assert "C-WINDOW: Bought 3 hours ago" in shown.out
    assert "You bought" not in shown.out
    assert "One-off package of 1,000 credits" in shown.out
    document = shown_json.json()
    assert document["status"] == "escalated" and document["outcome"] == "review"


async def test_show_and_list_say_times_in_the_home_zone_and_json_stays_utc(
    cli: Cli, db: Database
) -> None:
    at = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)
    async with db.uow() as uow:
        claim = await uow.claims.add(
            _claim("TX-1001", ClaimStatus.ESCALATED, Outcome.ELIGIBLE, Reason.OTHER, 120, at)
        )
        await uow.commit()
    assert claim.id is not None

    # People read HOME_COUNTRY's clock (PK by default: UTC+5), the zone named.
    shown = cli("claims", "show", str(claim.id))
    assert shown.code == 0, shown.err
    assert "Filed: 14 Aug 2026, 14:30 PKT" in shown.out.splitlines()
    # The clause's purchase time (06:30 UTC) too, and the audit trail's filing.
    assert "14 Aug 2026, 11:30 PKT" in shown.out
    assert "UTC" not in shown.out
    listed = [line for line in cli("claims", "list").out.splitlines() if "TX-1001" in line]
    assert listed[0].endswith("  14 Aug 2026, 14:30 PKT")

    # Scripts read --json: UTC ISO-8601, whatever HOME_COUNTRY is.
    document = cli("claims", "show", str(claim.id), "--json").json()
    assert document["created_at"] == "2026-08-14T09:30:00+00:00"
    assert "PKT" not in str(document)
    assert cli("claims", "list", "--json").json()[0]["created_at"] == "2026-08-14T09:30:00+00:00"

    # Another home country, another clock: summer time in the United Kingdom.
    british = cli("claims", "show", str(claim.id), env={"HOME_COUNTRY": "GB"})
    assert "Filed: 14 Aug 2026, 10:30 BST" in british.out.splitlines()
