"""The `refundbot` command line: run the bot, chat in a terminal, load and inspect the ledger."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from bot.settings import Settings, SettingsError, load_settings, typo_warnings

T = TypeVar("T")

# An operator reads one line, not a screenful of frames (whose locals could hold the token);
# main() catches what escapes, and LOG_LEVEL=DEBUG brings the full traceback back.
app = typer.Typer(
    help="Refund desk: a Telegram bot for a bulk-SMS provider's refund questions and claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
claims_app = typer.Typer(help="The claims queue and history.", no_args_is_help=True)
faq_app = typer.Typer(help="What the bot answers to refund questions.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(claims_app, name="claims")
app.add_typer(faq_app, name="faq")
replies_app = typer.Typer(
    help="Canned replies staff pick to reject a claim or ask the customer.", no_args_is_help=True
)
app.add_typer(replies_app, name="replies")


_loaded: list[Settings] = []


def _show_version(value: bool) -> None:
    if not value:
        return
    from importlib.metadata import version

    from storage.database import head_revision

    typer.echo(f"refundbot {version('refundbot')} (database migration {head_revision()})")
    raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Refund desk: a Telegram bot for a bulk-SMS provider's refund questions and claims."""


def _settings() -> Settings:
    """Settings, or one clear line and exit 2."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        typer.echo(f"refundbot: {exc}", err=True)
        raise typer.Exit(2) from None
    for warning in typo_warnings():
        typer.echo(f"refundbot: {warning}", err=True)
    _loaded.append(settings)
    return settings


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def _with_db(settings: Settings, work: Callable[[Any], Awaitable[T]], *, upgrade: bool = True) -> T:
    """Open the database, run one piece of work, and close it.

    upgrade=False (read-only commands): no migration, and a missing or behind database is
    refused with the command that fixes it, never created.
    """

    async def go() -> T:
        db = await _open_url(settings.database_url, upgrade)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return _run(go())


async def _open_url(url: str, upgrade: bool = True) -> Any:
    from bot.logging_setup import redact
    from storage.database import SchemaNotReady, open_database

    try:
        return await open_database(url, upgrade)
    except SchemaNotReady as exc:
        typer.echo(
            f"refundbot: {exc}. Check DATABASE_URL, then run `refundbot db upgrade`.", err=True
        )
        raise typer.Exit(1) from None
    except Exception as exc:  # an unreachable or broken database: one line, not a traceback
        # Driver messages can quote the URL, password included.
        reason = redact(_first_line(exc), (_url_password(url),))
        typer.echo(f"refundbot: cannot open the database: {type(exc).__name__}: {reason}", err=True)
        raise typer.Exit(1) from None


def _first_line(exc: BaseException) -> str:
    """The message without SQLAlchemy's "(Background on this error at ...)" and the like."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _url_password(url: str) -> str:
    """The password in a database URL, or '' (so it can be kept out of messages)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).password or ""
    except Exception:  # an unparsable URL has no password we could find either
        return ""


# run, chat ---------------------------------------------------------------------------------


@app.command()
def run() -> None:
    """Run the bot: long polling, or a webhook server when WEBHOOK_URL is set."""
    from bot.logging_setup import setup_logging
    from bot.runner import run_bot

    settings = _settings()
    secrets = tuple(
        s.get_secret_value()
        for s in (settings.telegram_bot_token, settings.webhook_secret)
        if s is not None
    )
    setup_logging(settings.log_level, secrets, settings.log_format)
    if settings.telegram_bot_token is None:
        typer.echo(
            "refundbot: TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather in Telegram "
            "(/newbot), then put TELEGRAM_BOT_TOKEN=... in the environment or in .env. "
            "To try the bot without a token: refundbot chat --demo",
            err=True,
        )
        raise typer.Exit(2)
    if settings.webhook_url and settings.webhook_secret is None:
        typer.echo("refundbot: WEBHOOK_URL is set, so WEBHOOK_SECRET must be set too.", err=True)
        raise typer.Exit(2)
    from telegram.error import InvalidToken, NetworkError

    from bot.logging_setup import redact

    try:
        run_bot(settings)
    except InvalidToken:
        typer.echo(
            "refundbot: Telegram rejected TELEGRAM_BOT_TOKEN. Copy it again from @BotFather "
            "(/mybots, API Token) into the environment or .env.",
            err=True,
        )
        raise typer.Exit(2) from None
    except NetworkError as exc:
        where = settings.telegram_api_base_url.split("/bot")[0]
        typer.echo(
            f"refundbot: cannot reach the Telegram Bot API at {where}: "
            f"{redact(str(exc), secrets)}. Check the network (or TELEGRAM_API_BASE_URL) "
            "and start again.",
            err=True,
        )
        raise typer.Exit(1) from None


@app.command()
def chat(
    demo: Annotated[
        bool, typer.Option("--demo", help="Use a temporary database loaded with demo data.")
    ] = False,
) -> None:
    """Talk to the bot in this terminal; buttons are numbered choices."""
    from bot.console_chat import run_console

    settings = _settings()
    _run(run_console(settings, demo=demo, open_db=_open_url))


# db ----------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    settings = _settings()

    async def go(db: Any) -> str:
        return str(db.url)

    typer.echo(f"Database is up to date: {_with_db(settings, go)}")


# import, demo-data ---------------------------------------------------------------------------


@app.command("import")
def import_ledger(
    kind: Annotated[str, typer.Argument(help="purchases, campaigns or incidents")],
    file: Annotated[Path, typer.Argument(help="CSV file with a header row")],
) -> None:
    """Load ledger rows from a CSV file; bad rows are listed and skipped."""
    from storage.ledger_import import LedgerFileError, import_csv

    if kind not in ("purchases", "campaigns", "incidents"):
        typer.echo(
            f"refundbot: unknown kind {kind!r}; use purchases, campaigns or incidents.", err=True
        )
        raise typer.Exit(2)
    if not file.is_file():
        typer.echo(f"refundbot: no such file: {file}", err=True)
        raise typer.Exit(2)
    settings = _settings()
    progress = _ProgressBar()

    async def go(db: Any) -> Any:
        return await import_csv(db, kind, file, progress=progress)  # type: ignore[arg-type]

    try:
        report = _with_db(settings, go)
    except LedgerFileError as exc:
        # The message names the file already.
        typer.echo(f"refundbot: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        progress.close()
    for rejection in report.rejected:
        typer.echo(f"{file}:{rejection.line}: rejected: {rejection.reason}", err=True)
    typer.echo(
        f"{kind}: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.rejected)} rejected"
    )
    if report.rejected:
        raise typer.Exit(1)


# Smaller files load in a moment; a bar would only flicker.
PROGRESS_MIN_ROWS = 2000


class _ProgressBar:
    """A rich progress bar on stderr, for files over PROGRESS_MIN_ROWS rows on a terminal."""

    def __init__(self) -> None:
        from rich.console import Console

        self._console = Console(stderr=True)
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_MIN_ROWS or not self._console.is_terminal:
            return
        if self._progress is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self._progress = Progress(
                "Importing",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=self._console,
            )
            self._progress.start()
            self._task = self._progress.add_task("rows", total=total)
        self._progress.update(self._task, completed=done)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


@app.command("demo-data")
def demo_data() -> None:
    """Load a small sample ledger, relative to now, that shows every refund rule."""
    from storage.demo_data import load_demo_data

    settings = _settings()

    async def go(db: Any) -> Any:
        return await load_demo_data(db, datetime.now(UTC), settings.home_country)

    cases = _with_db(settings, go)
    typer.echo(_demo_table(cases))


def _demo_table(cases: Any) -> str:
    lines = ["Loaded demo ledger (prove ownership with the phone or e-mail shown):", ""]
    for case in cases:
        campaign = f" campaign {case.campaign_id}" if case.campaign_id else ""
        lines.append(f"  {case.transaction_id}  {case.phone}  {case.email}{campaign}")
        lines.append(f"      shows: {case.shows}")
    return "\n".join(lines)


# check ---------------------------------------------------------------------------------------


@app.command()
def check(
    transaction_id: str,
    reason: Annotated[str, typer.Option(help="undelivered, outage, not_beneficial or other")],
    campaign: Annotated[str | None, typer.Option(help="campaign id (for undelivered)")] = None,
    at: Annotated[
        str | None, typer.Option(help="judge as of this ISO time; UTC if no offset (default: now)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Show the decision the bot would make for a claim, filing nothing."""
    from conversations.domain import ClaimRequest, Purchase, Reason
    from conversations.services.claims import decide_claim

    try:
        why = Reason(reason)
    except ValueError:
        typer.echo(
            f"refundbot: unknown reason {reason!r}; use undelivered, outage, "
            "not_beneficial or other.",
            err=True,
        )
        raise typer.Exit(2) from None
    now = datetime.now(UTC)
    if at is not None:
        try:
            now = datetime.fromisoformat(at)
        except ValueError:
            typer.echo(
                f"refundbot: --at {at!r} is not an ISO time like 2026-11-27T10:00Z", err=True
            )
            raise typer.Exit(2) from None
        now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    settings = _settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            purchase = await uow.ledger.purchase(transaction_id)
            if purchase is None or now < purchase.purchased_at:
                return purchase
            request = ClaimRequest(transaction_id, why, now, campaign_id=campaign)
            decided = await decide_claim(uow, request, settings.home_country)
        return decided.decision if decided else None

    decision = _with_db(settings, go, upgrade=False)
    if decision is None:
        typer.echo(f"refundbot: unknown transaction {transaction_id}", err=True)
        raise typer.Exit(2)
    if isinstance(decision, Purchase):
        # No claim can be made before the purchase; the rules would read a negative age as 0.
        typer.echo(
            f"refundbot: --at {now.isoformat()} is before {transaction_id} was bought "
            f"({decision.purchased_at.isoformat()}).",
            err=True,
        )
        raise typer.Exit(2)
    if as_json:
        typer.echo(json.dumps(decision.as_json(), ensure_ascii=False))
        return
    typer.echo(f"Outcome: {decision.outcome.value}")
    typer.echo(f"Refundable credits: {decision.refundable_credits}")
    for clause in decision.clauses:
        typer.echo(f"  [{'pass' if clause.passed else 'FAIL'}] {clause.id}: {clause.explanation}")


# faq ---------------------------------------------------------------------------------------


@faq_app.command("ask")
def faq_ask(
    question: Annotated[str | None, typer.Argument(help="the question; omit to read stdin")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="print JSON (JSON Lines for stdin)")
    ] = False,
) -> None:
    """Show what the bot would answer to a question."""
    from conversations.faq import default_matcher

    matcher = default_matcher()

    def answer(q: str) -> str:
        match = matcher.match(q)
        if as_json:
            return json.dumps(
                {
                    "topic": match.topic.id if match.topic else None,
                    "score": round(match.score, 3),
                    "answer": match.topic.answer if match.topic else None,
                    "alternatives": [t.id for t in match.alternatives],
                },
                ensure_ascii=False,
            )
        if match.topic is not None:
            return f"[{match.topic.id}] {match.topic.answer}".replace("\n", " ")
        if match.alternatives:
            return "[unsure] maybe: " + ", ".join(t.id for t in match.alternatives)
        return "[off-topic]"

    if question is not None:
        typer.echo(answer(question))
        return
    # One answer line per input line, blank ones included, so a script can pair them up.
    for line in sys.stdin:
        typer.echo(answer(line.strip()))
        sys.stdout.flush()


# claims ------------------------------------------------------------------------------------


@claims_app.command("list")
def claims_list(
    status: Annotated[str | None, typer.Option(help="only claims with this status")] = None,
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
    wanted = _status(status)
    start = _when("--since", since, end_of_day=False)
    end = _when("--until", until, end_of_day=True)
    settings = _settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            return list(await uow.claim_search.find(wanted, transaction, user, start, end))

    claims = _with_db(settings, go, upgrade=False)
    if as_json:
        typer.echo(json.dumps([c.as_json() for c in claims], ensure_ascii=False, indent=2))
        return
    if not claims:
        filtered = any(v is not None for v in (transaction, user, start, end))
        if wanted is None and not filtered:
            typer.echo("No claims.")
        elif wanted is not None and not filtered:
            typer.echo(f"No claims with status {wanted.value}.")
        else:
            typer.echo("No claims match.")
        return
    typer.echo(
        f"{'id':>5}  {'status':<15}{'outcome':<11}{'reason':<15}{'transaction':<16}"
        f"{'credits':>8}  created"
    )
    for c in claims:
        typer.echo(
            f"{c.id:>5}  {c.status.value:<15}{c.outcome.value:<11}{c.reason.value:<15}"
            f"{c.transaction_id:<16}{c.refundable_credits:>8}  {c.created_at:%Y-%m-%d %H:%M}"
        )


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
    from conversations.domain import ClaimStatus

    if value is None:
        return None
    try:
        return ClaimStatus(value)
    except ValueError:
        names = ", ".join(s.value for s in ClaimStatus)
        typer.echo(f"refundbot: unknown status {value!r}; use one of: {names}", err=True)
        raise typer.Exit(2) from None


@claims_app.command("show")
def claims_show(
    claim_id: int,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """One claim with its decision, clauses and audit trail."""
    settings = _settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            claim = await uow.claims.get(claim_id)
            if claim is None:
                return None, [], []
            trail = await uow.claims.audit(claim_id)
            others = await uow.claims.for_transaction(claim.transaction_id)
            return claim, trail, [c for c in others if c.id != claim.id]

    claim, trail, history = _with_db(settings, go, upgrade=False)
    if claim is None:
        typer.echo(f"refundbot: no claim {claim_id}", err=True)
        raise typer.Exit(2)
    audit = [
        {
            "at": a.at.isoformat(),
            "actor": a.actor,
            "actor_id": a.actor_id,
            "from_status": a.from_status.value if a.from_status else None,
            "to_status": a.to_status.value if a.to_status else None,
            "note": a.note,
        }
        for a in trail
    ]
    earlier = [
        {
            "id": c.id,
            "reason": c.reason.value,
            "outcome": c.outcome.value,
            "status": c.status.value,
            "refundable_credits": c.refundable_credits,
            "created_at": c.created_at.isoformat(),
        }
        for c in history
    ]
    if as_json:
        document = {**claim.as_json(), "history": earlier, "audit": audit}
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    typer.echo(f"Claim #{claim.id}: {claim.status.value} (bot said {claim.outcome.value})")
    if claim.filed_again:
        typer.echo("Filed again after a refusal on this transaction (C-HISTORY).")
    typer.echo(
        f"Transaction {claim.transaction_id}, reason {claim.reason.value}"
        + (f", campaign {claim.campaign_id}" if claim.campaign_id else "")
    )
    typer.echo(f"Customer: {claim.customer_name} (Telegram id {claim.telegram_user_id})")
    typer.echo(f"Refundable credits: {claim.refundable_credits}")
    if earlier:
        typer.echo(f"Other claims on {claim.transaction_id}:")
        for c in earlier:
            typer.echo(
                f"  #{c['id']}  {c['created_at']}  {c['reason']}, bot said {c['outcome']}, "
                f"now {c['status']}, {c['refundable_credits']} credits"
            )
    typer.echo("Clauses:")
    for clause in claim.clauses:
        typer.echo(f"  [{'pass' if clause.passed else 'FAIL'}] {clause.id}: {clause.explanation}")
    typer.echo("Audit trail:")
    for a in audit:
        change = (
            f"{a['from_status'] or 'filed'} -> {a['to_status']}"
            if a["to_status"]
            else "(no change)"
        )
        typer.echo(f"  {a['at']}  {a['actor']}: {change} {a['note']}".rstrip())


def _staff_action(
    claim_id: int, action: str, by: str, credits: int | None, reason: str | None
) -> None:
    from conversations.claims.lifecycle import Actor, Refusal
    from conversations.claims.transitions import Transition
    from conversations.domain import ClaimStatus
    from conversations.services.staff import staff_act

    if not by.strip():
        typer.echo("refundbot: --by needs your name, for the audit trail.", err=True)
        raise typer.Exit(2)
    if reason is not None and not reason.strip():
        typer.echo("refundbot: --reason needs words, for the audit trail.", err=True)
        raise typer.Exit(2)
    settings = _settings()
    wanted = Transition(action)

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            claim = await uow.claims.get(claim_id)
            transition = wanted
            # C-FINAL: approving what the bot refused is an overrule, which needs a reason.
            refused = claim is not None and claim.status is ClaimStatus.INELIGIBLE
            if wanted is Transition.APPROVE and refused:
                transition = Transition.OVERRULE
            if transition is Transition.OVERRULE and reason is None:
                return claim, transition, None
            result = await staff_act(
                uow,
                claim_id,
                transition,
                Actor(name=f"cli:{by.strip()}", user_id=None),
                datetime.now(UTC),
                settings.desk_config(),
                credits=credits,
                text=reason.strip() if reason else None,
            )
            await uow.commit()
            return claim, transition, result

    claim, transition, result = _with_db(settings, go)
    if claim is None:
        typer.echo(f"refundbot: no claim {claim_id}", err=True)
        raise typer.Exit(2)
    if result is None:
        typer.echo(
            f"refundbot: claim {claim_id} was found not eligible. To overrule that, give "
            "--reason (why, for the audit trail) and --credits (how many to refund).",
            err=True,
        )
        raise typer.Exit(2)
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
        typer.echo(f"refundbot: {asked} is not possible: {left}; nothing changed.", err=True)
        raise typer.Exit(2)
    if result.refusal is Refusal.CAMPAIGN_PAID:
        typer.echo(
            f"refundbot: campaign {claim.campaign_id} of claim {claim_id} was already refunded "
            "in another claim; nothing changed.",
            err=True,
        )
        raise typer.Exit(1)
    if result.refusal is Refusal.LIVE_EXISTS:
        typer.echo(
            f"refundbot: another claim on {claim.transaction_id} is open or approved; "
            "decide that one first. Nothing changed.",
            err=True,
        )
        raise typer.Exit(1)
    if not result.ok:
        assert result.claim is not None
        who = f" (last changed by {result.last_actor})" if result.last_actor else ""
        verb = {"refunded": "mark it refunded"}.get(transition.value, f"{transition.value} it")
        typer.echo(
            f"refundbot: claim {claim_id} is {result.claim.status.value}; cannot {verb}{who}.",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(
        f"Claim #{claim_id} is now {result.claim.status.value}. "
        "The customer's message is queued; the running bot sends it."
    )


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
    from conversations.claims.finance import finance_rows

    wanted = _status(status)
    settings = _settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            return await finance_rows(uow, wanted, settings.home_country)

    header = (
        "claim_id",
        "transaction_id",
        "account_id",
        "credits",
        "amount_due",
        "currency",
        "approved_at",
        "refund_from",
        "refund_by",
    )
    found = _with_db(settings, go, upgrade=False)
    if as_json:
        # Amounts as strings: a JSON number would turn 10.10 into a float.
        listed = [
            {
                "claim_id": r.claim_id,
                "transaction_id": r.transaction_id,
                "account_id": r.account_id,
                "credits": r.credits,
                "amount_due": None if r.amount_due is None else str(r.amount_due),
                "currency": r.currency,
                "approved_at": r.approved_at.isoformat() if r.approved_at else None,
                "refund_from": r.refund_from.isoformat() if r.refund_from else None,
                "refund_by": r.refund_by.isoformat() if r.refund_by else None,
            }
            for r in found
        ]
        typer.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    rows = (
        (
            r.claim_id,
            r.transaction_id,
            r.account_id,
            r.credits,
            "" if r.amount_due is None else r.amount_due,
            r.currency,
            r.approved_at.isoformat() if r.approved_at else "",
            r.refund_from.isoformat() if r.refund_from else "",
            r.refund_by.isoformat() if r.refund_by else "",
        )
        for r in found
    )
    write_rows(sys.stdout, header, rows)


# replies -------------------------------------------------------------------------------------


def _reply_kind(value: str) -> Any:
    from conversations.domain import ReplyKind

    try:
        return ReplyKind(value)
    except ValueError:
        typer.echo(f"refundbot: unknown kind {value!r}; use reject or ask.", err=True)
        raise typer.Exit(2) from None


@replies_app.command("list")
def replies_list(
    kind: Annotated[str, typer.Argument(help="reject or ask")],
) -> None:
    """The replies offered, in order (the built-in ones until you set your own)."""
    from conversations.staff.replies import canned

    wanted = _reply_kind(kind)
    settings = _settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            return await canned(uow, wanted)

    for reply in _with_db(settings, go, upgrade=False):
        typer.echo(f"{reply.key}: {reply.text}")


@replies_app.command("set")
def replies_set(
    kind: Annotated[str, typer.Argument(help="reject or ask")],
    key: Annotated[str, typer.Argument(help="a short name, e.g. no-report")],
    text: Annotated[str, typer.Argument(help="what the customer reads")],
) -> None:
    """Add a reply, or change the text of the one with this key."""
    from conversations.domain import CannedReply
    from conversations.staff.replies import problem

    wanted = _reply_kind(kind)
    why = problem(key, text)
    if why is not None:
        typer.echo(f"refundbot: {why}", err=True)
        raise typer.Exit(2)
    settings = _settings()

    async def go(db: Any) -> None:
        async with db.uow() as uow:
            await uow.replies.set(CannedReply(wanted, key, text.strip()))
            await uow.commit()

    _with_db(settings, go)
    typer.echo(f"Saved {wanted.value} reply {key!r}; staff see it from their next tap.")


@replies_app.command("remove")
def replies_remove(
    kind: Annotated[str, typer.Argument(help="reject or ask")],
    key: Annotated[str, typer.Argument(help="the reply's key")],
) -> None:
    """Remove one of your replies (with none left, the built-in ones come back)."""
    wanted = _reply_kind(kind)
    settings = _settings()

    async def go(db: Any) -> bool:
        async with db.uow() as uow:
            removed: bool = await uow.replies.remove(wanted, key)
            await uow.commit()
            return removed

    if not _with_db(settings, go):
        typer.echo(f"refundbot: no {wanted.value} reply {key!r}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Removed {wanted.value} reply {key!r}.")


def main() -> None:
    """The console script: every failure ends in one line on stderr, never a traceback."""
    # Opt in to PTB 22's timedelta retry_after (the code handles both), silencing its warning.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    try:
        app()
    except Exception as exc:
        if _debugging():
            raise
        from bot.logging_setup import redact

        secrets = tuple(
            s.get_secret_value()
            for settings in _loaded
            for s in (settings.telegram_bot_token, settings.webhook_secret)
            if s is not None
        ) + tuple(_url_password(settings.database_url) for settings in _loaded)
        message = redact(f"{type(exc).__name__}: {_first_line(exc)}", secrets)
        typer.echo(
            f"refundbot: unexpected error: {message}. "
            "Run again with LOG_LEVEL=DEBUG to see where it happened.",
            err=True,
        )
        sys.exit(1)


def _debugging() -> bool:
    if _loaded:
        return _loaded[-1].log_level == "DEBUG"
    return os.environ.get("LOG_LEVEL", "").strip().upper() == "DEBUG"
