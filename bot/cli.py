"""The `refundbot` command line: run the bot, chat in a terminal, load and inspect the ledger."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
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
    from conversations import policy
    from conversations.domain import ClaimRequest, Purchase, Reason

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
            if purchase is None:
                return None
            if now < purchase.purchased_at:
                return purchase
            found = await uow.ledger.campaign(campaign) if campaign else None
            incidents = await uow.ledger.incidents_between(purchase.purchased_at, now)
        request = ClaimRequest(transaction_id, why, now, campaign_id=campaign)
        return policy.decide(request, purchase, found, incidents, settings.home_country)

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
            trail = await uow.claims.audit(claim_id) if claim else []
            return claim, trail

    claim, trail = _with_db(settings, go, upgrade=False)
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
    if as_json:
        typer.echo(json.dumps({**claim.as_json(), "audit": audit}, ensure_ascii=False, indent=2))
        return
    typer.echo(f"Claim #{claim.id}: {claim.status.value} (bot said {claim.outcome.value})")
    typer.echo(
        f"Transaction {claim.transaction_id}, reason {claim.reason.value}"
        + (f", campaign {claim.campaign_id}" if claim.campaign_id else "")
    )
    typer.echo(f"Customer: {claim.customer_name} (Telegram id {claim.telegram_user_id})")
    typer.echo(f"Refundable credits: {claim.refundable_credits}")
    typer.echo("Clauses:")
    for clause in claim.clauses:
        typer.echo(f"  [{'pass' if clause.passed else 'FAIL'}] {clause.id}: {clause.explanation}")
    typer.echo("Audit trail:")
    for a in audit:
        typer.echo(f"  {a['at']}  {a['actor']}: {a['from_status']} -> {a['to_status']} {a['note']}")


def _staff_action(
    claim_id: int, action: str, by: str, credits: int | None, reason: str | None
) -> None:
    from conversations.staff.transitions import Action, Actor, perform

    if not by.strip():
        typer.echo("refundbot: --by needs your name, for the audit trail.", err=True)
        raise typer.Exit(2)
    if reason is not None and not reason.strip():
        typer.echo("refundbot: --reason needs the words the customer will read.", err=True)
        raise typer.Exit(2)
    settings = _settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            result = await perform(
                uow,
                claim_id,
                Action(action),
                Actor(name=f"cli:{by.strip()}", user_id=None),
                datetime.now(UTC),
                settings.desk_config(),
                credits=credits,
                text=reason.strip() if reason else None,
            )
            for message in result.messages:
                await uow.outbox.put(message)
            await uow.commit()
            return result

    result = _with_db(settings, go)
    if result.claim is None:
        typer.echo(f"refundbot: no claim {claim_id}", err=True)
        raise typer.Exit(2)
    if result.credit_limit is not None:
        typer.echo(
            f"refundbot: --credits {credits} is more than the {result.credit_limit} credits "
            f"of purchase {result.claim.transaction_id}; nothing changed.",
            err=True,
        )
        raise typer.Exit(2)
    if not result.ok:
        who = f" (last changed by {result.last_actor})" if result.last_actor else ""
        verb = {"refunded": "mark as refunded"}.get(action, action)
        typer.echo(
            f"refundbot: claim {claim_id} is {result.claim.status.value}; cannot {verb} it{who}.",
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
    credits: Annotated[int | None, typer.Option(min=0, help="credits to refund")] = None,
) -> None:
    """Approve a claim (optionally with changed credits); the customer is told."""
    _staff_action(claim_id, "approve", by, credits, None)


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
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV (the only format for now)")] = True,
) -> None:
    """Claims for finance as CSV: claim, transaction, account, credits, amount due, window."""
    from conversations.business_days import refund_window

    wanted = _status(status)
    settings = _settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            rows = []
            for claim in await uow.claims.list(wanted):
                purchase = await uow.ledger.purchase(claim.transaction_id)
                rows.append((claim, purchase))
            return rows

    writer = csv.writer(sys.stdout)
    writer.writerow(
        [
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
    )
    for claim, purchase in _with_db(settings, go, upgrade=False):
        due = ""
        if purchase is not None and purchase.credits:
            share = Decimal(str(purchase.amount)) * claim.refundable_credits / purchase.credits
            due = str(share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        start = end = ""
        if claim.decided_at is not None:
            first, last = refund_window(claim.decided_at, settings.home_country)
            start, end = first.isoformat(), last.isoformat()
        writer.writerow(
            [
                claim.id,
                claim.transaction_id,
                purchase.account_id if purchase else "",
                claim.refundable_credits,
                due,
                purchase.currency if purchase else "",
                claim.decided_at.isoformat() if claim.decided_at else "",
                start,
                end,
            ]
        )


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
