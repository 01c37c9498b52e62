"""`refundbot claims …`: the queue and history, staff decisions, and the finance export."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer

from bot.cli.common import (
    claims_app,
    cli_settings,
    home_time,
    with_db,
)

# claims ------------------------------------------------------------------------------------


@claims_app.command("list")
def claims_list(
    status: Annotated[
        str | None,
        typer.Option(help="only claims with this status: new, in review, waiting for customer, …"),
    ] = None,
    transaction: Annotated[
        str | None, typer.Option(help="only claims on this transaction id")
    ] = None,
    user: Annotated[
        int | None, typer.Option(help="only this customer's claims (Telegram user id)")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="filed at or after this ISO date or time (UTC if no offset)")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="filed before this ISO time; a date means up to its end")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON array")] = False,
) -> None:
    """List claims, newest first."""
    from conversations.catalog.policy_text import explain_en

    wanted = _status(status)
    start = _when("--since", since, end_of_day=False)
    end = _when("--until", until, end_of_day=True)
    settings = cli_settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            return list(await uow.claim_search.find(wanted, transaction, user, start, end))

    claims = with_db(settings, go, upgrade=False)
    if as_json:
        typer.echo(
            json.dumps([c.as_json(explain_en) for c in claims], ensure_ascii=False, indent=2)
        )
        return
    if not claims:
        filtered = any(v is not None for v in (transaction, user, start, end))
        if wanted is None and not filtered:
            typer.echo("No claims.")
        elif wanted is not None and not filtered:
            typer.echo(f"No claims with status {_said(wanted)}.")
        else:
            typer.echo("No claims match.")
        return
    typer.echo(
        f"{'id':>5}  {'status':<22}{'bot said':<14}{'reason':<15}{'transaction':<16}"
        f"{'credits':>8}  filed"
    )
    with home_time(settings):
        for c in claims:
            typer.echo(
                f"{c.id:>5}  {_said(c.status):<22}{_outcome(c.outcome):<14}{c.reason.value:<15}"
                f"{c.transaction_id:<16}{c.refundable_credits:>8,}  {_at(c.created_at)}"
            )


def _at(moment: datetime | str) -> str:
    """A moment (or its ISO text from the JSON document) as people read it, zone named."""
    from conversations.catalog.policy_text import format_when

    return format_when(datetime.fromisoformat(moment) if isinstance(moment, str) else moment)


def _said(status: Any) -> str:
    """A status in the words the chat and /stats use (the JSON keeps the stored value)."""
    from conversations.catalog.staff import STATUS_LABELS

    return STATUS_LABELS[status.value]


def _outcome(outcome: Any) -> str:
    from conversations.catalog.staff import OUTCOME_LABELS

    return OUTCOME_LABELS[outcome.value]


def _when(option: str, value: str | None, *, end_of_day: bool) -> datetime | None:
    """An ISO date or time as UTC; a bare date --until means the whole of that day."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        typer.echo(
            f"refundbot: {option} {value!r} is not an ISO date or time like 2026-11-27 "
            "or 2026-11-27T10:00Z",
            err=True,
        )
        raise typer.Exit(2) from None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    if end_of_day and len(value.strip()) == 10:
        when += timedelta(days=1)
    return when


def _status(value: str | None) -> Any:
    from bot.cli.common import claim_status

    return claim_status(value)


@claims_app.command("show")
def claims_show(
    claim_id: int,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """One claim with its decision, clauses and audit trail."""
    from conversations.catalog.policy_text import explain_en
    from conversations.catalog.staff_clauses import explain_staff

    settings = cli_settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            claim = await uow.claims.get(claim_id)
            if claim is None:
                return None
            others = await uow.claims.for_transaction(claim.transaction_id)
            return {
                "claim": claim,
                "audit": await uow.claims.audit(claim_id),
                "history": [c for c in others if c.id != claim.id],
                "files": await uow.evidence.for_claim(claim_id),
                "rating": await uow.ratings.get(claim_id),
            }

    found = with_db(settings, go, upgrade=False)
    if found is None:
        typer.echo(f"refundbot: no claim {claim_id}", err=True)
        raise typer.Exit(2)
    claim = found["claim"]
    document = {
        **claim.as_json(explain_en),
        "history": [_earlier_json(c) for c in found["history"]],
        "audit": [_audit_json(a) for a in found["audit"]],
        "attachments": [_attachment_json(f) for f in found["files"]],
        "rating": _rating_json(found["rating"]),
    }
    if as_json:
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    with home_time(settings):
        _echo_claim(claim)
        _echo_history(claim, document["history"])
        typer.echo("Clauses:")
        for clause in claim.clauses:
            said = explain_staff(clause)
            typer.echo(f"  [{'pass' if clause.passed else 'FAIL'}] {clause.id}: {said}")
        _echo_attachments(document["attachments"])
        _echo_audit(document["rating"], document["audit"])


def _audit_json(a: Any) -> dict[str, Any]:
    """An audit entry's typed fields, and its one-line summary."""
    return {
        "at": a.at.isoformat(),
        "actor": a.actor,
        "actor_id": a.actor_id,
        "from_status": a.from_status.value if a.from_status else None,
        "to_status": a.to_status.value if a.to_status else None,
        "kind": a.kind.value,
        "text": a.text,
        "credits_before": a.credits_before,
        "credits_after": a.credits_after,
        "note": a.note,
    }


def _earlier_json(c: Any) -> dict[str, Any]:
    return {
        "id": c.id,
        "reason": c.reason.value,
        "outcome": c.outcome.value,
        "status": c.status.value,
        "refundable_credits": c.refundable_credits,
        "created_at": c.created_at.isoformat(),
    }


def _attachment_json(f: Any) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "file_name": f.file_name or None,
        "mime_type": f.mime_type or None,
        "size": f.size,
        "caption": f.caption or None,
        "received_at": f.received_at.isoformat(),
        "telegram_file_id": f.file_id,
    }


def _rating_json(rating: Any) -> dict[str, Any] | None:
    if rating is None:
        return None
    when = rating.rated_at.isoformat()
    return {"stars": rating.stars, "comment": rating.comment, "rated_at": when}


def _echo_claim(claim: Any) -> None:
    typer.echo(f"Claim #{claim.id}: {_said(claim.status)} (bot said {_outcome(claim.outcome)})")
    if claim.filed_again:
        typer.echo("Filed again after a refusal on this transaction (C-HISTORY).")
    typer.echo(
        f"Transaction {claim.transaction_id}, reason {claim.reason.value}"
        + (f", campaign {claim.campaign_id}" if claim.campaign_id else "")
    )
    typer.echo(f"Filed: {_at(claim.created_at)}")
    typer.echo(f"Customer: {claim.customer_name} (Telegram id {claim.telegram_user_id})")
    typer.echo(f"Refundable credits: {claim.refundable_credits:,}")


def _label(value: str) -> str:
    """A stored status or outcome value in the words people read."""
    from conversations.catalog.staff import OUTCOME_LABELS, STATUS_LABELS

    return STATUS_LABELS.get(value) or OUTCOME_LABELS.get(value, value)


def _echo_history(claim: Any, earlier: list[dict[str, Any]]) -> None:
    if not earlier:
        return
    typer.echo(f"Other claims on {claim.transaction_id}:")
    for c in earlier:
        typer.echo(
            f"  #{c['id']}  {_at(c['created_at'])}  {c['reason']}, "
            f"bot said {_label(c['outcome'])}, now {_label(c['status'])}, "
            f"{c['refundable_credits']:,} credits"
        )


def _echo_attachments(attachments: list[dict[str, Any]]) -> None:
    if not attachments:
        return
    typer.echo(f"Attachments ({len(attachments)}):")
    for f in attachments:
        size = f" {f['size']:,} bytes" if f["size"] else ""
        caption = f" “{f['caption']}”" if f["caption"] else ""
        name = f["file_name"] or f["kind"]
        typer.echo(f"  {_at(f['received_at'])}  {name}{size}{caption}")


def _echo_audit(rated: dict[str, Any] | None, audit: list[dict[str, Any]]) -> None:
    if rated is not None:
        comment = f": “{rated['comment']}”" if rated["comment"] else ""
        typer.echo(f"Customer rating: {rated['stars']} of 5{comment}")
    typer.echo("Audit trail:")
    for a in audit:
        before = _label(a["from_status"]) if a["from_status"] else "filed"
        change = f"{before} -> {_label(a['to_status'])}" if a["to_status"] else "(no change)"
        typer.echo(f"  {_at(a['at'])}  {a['actor']}: {change} {a['note']}".rstrip())


async def _followed(uow: Any, config: Any) -> Any:
    """The desk's settings with the staff chat where Telegram has moved it since."""
    from dataclasses import replace

    from bot.chat_moves import resolve

    if config.staff_chat_id is None:
        return config
    chat_id = resolve(await uow.outbox.chat_moves(), config.staff_chat_id)
    return replace(config, staff_chat_id=chat_id)


def _staff_action(
    claim_id: int, action: str, by: str, credits: int | None, reason: str | None
) -> None:
    from conversations.claims.lifecycle import Actor
    from conversations.claims.transitions import Transition
    from conversations.services.staff import staff_act

    if not by.strip():
        typer.echo("refundbot: --by needs your name, for the audit trail.", err=True)
        raise typer.Exit(2)
    if reason is not None and not reason.strip():
        typer.echo("refundbot: --reason needs words, for the audit trail.", err=True)
        raise typer.Exit(2)
    settings = cli_settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            claim = await uow.claims.get(claim_id)
            # C-FINAL: approving what the bot refused is an overrule; the service decides.
            change = await staff_act(
                uow,
                claim_id,
                Transition(action),
                Actor(name=f"cli:{by.strip()}", user_id=None),
                datetime.now(UTC),
                await _followed(uow, settings.desk_config()),
                credits=credits,
                text=reason.strip() if reason else None,
                overrule_refused=True,
            )
            await uow.commit()
            return claim, change

    claim, change = with_db(settings, go)
    if claim is None:
        typer.echo(f"refundbot: no claim {claim_id}", err=True)
        raise typer.Exit(2)
    if not change.ok:
        message, code = _refused(claim, change, credits)
        typer.echo(f"refundbot: {message}", err=True)
        raise typer.Exit(code)
    typer.echo(
        f"Claim #{claim_id} is now {_said(change.claim.status)}. "
        "The customer's message is queued; the running bot sends it."
    )


def _refused(claim: Any, change: Any, credits: int | None) -> tuple[str, int]:
    """Why the service changed nothing, for the terminal, and the exit code."""
    from conversations.claims.lifecycle import Refusal
    from conversations.claims.transitions import Transition

    result = change.result
    if result.refusal is Refusal.NEEDS_REASON and change.transition is Transition.OVERRULE:
        return (
            f"claim {claim.id} was found not eligible. To overrule that, give "
            "--reason (why, for the audit trail) and --credits (how many to refund).",
            2,
        )
    if result.refusal is Refusal.CREDITS and credits is None and not claim.refundable_credits:
        # A claim the bot could not verify has no amount yet: a person names it.
        most = f" (up to {result.credit_limit:,})" if result.credit_limit else ""
        return (
            f"claim {claim.id} needs review and has no amount yet: "
            f"give --credits N, the credits to refund{most}. Nothing changed.",
            2,
        )
    if result.refusal is Refusal.CREDITS:
        limit = result.credit_limit or 0
        left = (
            f"at most {limit:,} credits are left to refund on purchase {claim.transaction_id}"
            if limit
            else f"every credit of purchase {claim.transaction_id} is already approved or refunded"
        )
        asked = (
            f"--credits {credits}" if credits is not None else f"{claim.refundable_credits} credits"
        )
        return f"{asked} is not possible: {left}; nothing changed.", 2
    if result.refusal is Refusal.CAMPAIGN_PAID:
        return (
            f"campaign {claim.campaign_id} of claim {claim.id} was already refunded "
            "in another claim; nothing changed.",
            1,
        )
    if result.refusal is Refusal.LIVE_EXISTS:
        return (
            f"another claim on {claim.transaction_id} is open or approved; "
            "decide that one first. Nothing changed.",
            1,
        )
    assert result.claim is not None
    who = f" (last changed by {result.last_actor})" if result.last_actor else ""
    transition = change.transition
    verb = {"refunded": "mark it refunded"}.get(transition.value, f"{transition.value} it")
    return f"claim {claim.id} is {_said(result.claim.status)}; cannot {verb}{who}.", 1


@claims_app.command("approve")
def claims_approve(
    claim_id: int,
    by: Annotated[str, typer.Option(help="your name, for the audit trail")],
    credits: Annotated[int | None, typer.Option(min=1, help="credits to refund")] = None,
    reason: Annotated[
        str | None, typer.Option(help="why, when overruling a 'not eligible' decision")
    ] = None,
) -> None:
    """Approve a claim, or overrule a refusal with --reason; the customer is told."""
    _staff_action(claim_id, "approve", by, credits, reason)


@claims_app.command("reject")
def claims_reject(
    claim_id: int,
    by: Annotated[str, typer.Option(help="your name, for the audit trail")],
    reason: Annotated[str, typer.Option(help="the reason the customer reads")],
) -> None:
    """Reject a claim with a reason; the customer is told."""
    _staff_action(claim_id, "reject", by, None, reason)


@claims_app.command("refund")
def claims_refund(
    claim_id: int,
    by: Annotated[str, typer.Option(help="your name, for the audit trail")],
) -> None:
    """Mark an approved claim as refunded; the customer is told."""
    _staff_action(claim_id, "refunded", by, None, None)


@claims_app.command("export")
def claims_export(
    status: Annotated[str, typer.Option(help="claims with this status")] = "approved",
    as_json: Annotated[
        bool, typer.Option("--json/--csv", help="a JSON array instead of CSV (the default)")
    ] = False,
) -> None:
    """Claims for finance: claim, transaction, account, credits, amount due, window."""
    from bot.spreadsheet import write_rows
    from conversations.claims.finance import COLUMNS, finance_rows

    wanted = _status(status)
    settings = cli_settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            return await finance_rows(uow, wanted, settings.home_country)

    found = with_db(settings, go, upgrade=False)
    if as_json:
        typer.echo(json.dumps([r.as_json() for r in found], ensure_ascii=False, indent=2))
        return
    write_rows(sys.stdout, COLUMNS, (r.cells() for r in found))
