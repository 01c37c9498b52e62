"""`refundbot import`, `demo-data` and `check`: the ledger and what the rules make of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.common import (
    CreateOption,
    app,
    cli_settings,
    describe_database,
    home_time,
    with_db,
)

if TYPE_CHECKING:  # imported where used: the CLI starts faster
    from conversations.domain import Reason


@app.command("import")
def import_ledger(
    kind: Annotated[str, typer.Argument(help="purchases, campaigns or incidents")],
    file: Annotated[Path, typer.Argument(help="CSV file with a header row")],
    create: CreateOption = False,
) -> None:
    """Load ledger rows from a CSV file; bad rows are listed and skipped."""
    from storage.ledger_import import LedgerFileError, import_csv

    if kind not in ("purchases", "campaigns", "incidents"):
        typer.echo(
            f"refundbot: unknown kind {kind!r}; use purchases, campaigns or incidents.", err=True
        )
        raise typer.Exit(2)
    if file.is_dir():
        typer.echo(f"refundbot: {file} is a directory; give the CSV file inside it.", err=True)
        raise typer.Exit(2)
    if not file.is_file():
        typer.echo(f"refundbot: no such file: {file}", err=True)
        raise typer.Exit(2)
    settings = cli_settings()
    progress = _ProgressBar()

    async def go(db: Any) -> Any:
        from bot.api import flag_stale
        from bot.clock import utc_now

        report = await import_csv(db, kind, file, progress=progress)  # type: ignore[arg-type]
        # New incidents or campaign counts may change decisions already made: staff are told.
        await flag_stale(db, utc_now(), settings.desk_config(), kind, report.changed)  # type: ignore[arg-type]
        return report

    try:
        report = with_db(settings, go, create=create)
    except LedgerFileError as exc:
        # The message names the file already.
        typer.echo(f"refundbot: {exc}{_delimiter_hint(file)}", err=True)
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


def _delimiter_hint(file: Path) -> str:
    """A hint when the header is split by semicolons (a spreadsheet's "CSV" in many locales)."""
    try:
        with file.open(encoding="utf-8-sig", errors="replace") as f:
            header = f.readline()
    except OSError:
        return ""
    if header.count(";") > header.count(","):
        return (
            ". The file separates its columns with ';': save it again with commas "
            "(in a spreadsheet: CSV UTF-8, comma-delimited)"
        )
    return ""


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


class _NotOnlyDemo(Exception):
    def __init__(self, found: dict[str, int]) -> None:
        super().__init__()
        self.found = found


@app.command("demo-data")
def demo_data(
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Load it even into a database that holds real purchases, incidents or claims "
            "(demo rows replace real ones with the same ids).",
        ),
    ] = False,
    create: CreateOption = False,
) -> None:
    """Load a small sample ledger, relative to now, that shows every refund rule."""
    from storage.demo_data import foreign_rows, load_demo_data

    settings = cli_settings()

    async def go(db: Any) -> Any:
        if not force:
            found = await foreign_rows(db)
            if found:
                raise _NotOnlyDemo(found)
        return await load_demo_data(
            db, datetime.now(UTC), settings.home_country, settings.pk_suspension_notice
        )

    try:
        cases = with_db(settings, go, create=create)
    except _NotOnlyDemo as refused:
        held = ", ".join(f"{count:,} {table}" for table, count in refused.found.items())
        typer.echo(
            f"refundbot: not loading demo data: {describe_database(settings.database_url)} "
            f"holds real rows ({held}), and demo rows would replace or sit beside them. "
            "Point DATABASE_URL at another database, or give --force.",
            err=True,
        )
        raise typer.Exit(1) from None
    typer.echo(_demo_table(cases))
    typer.echo(f"\nWritten to {describe_database(settings.database_url)}.")


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
    from conversations.catalog.policy_text import explain_en, format_when
    from conversations.domain import ClaimRequest, Purchase
    from conversations.services.claims import decide_claim

    why = _reason(reason)
    now = _judged_at(at)
    settings = cli_settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            purchase = await uow.ledger.purchase(transaction_id)
            if purchase is None or now < purchase.purchased_at:
                return purchase
            request = ClaimRequest(transaction_id, why, now, campaign_id=campaign)
            decided = await decide_claim(uow, request, settings.home_country)
        return decided.decision if decided else None

    decision = with_db(settings, go, upgrade=False)
    if decision is None:
        typer.echo(f"refundbot: unknown transaction {transaction_id}", err=True)
        raise typer.Exit(2)
    if isinstance(decision, Purchase):
        # No claim can be made before the purchase; the rules would read a negative age as 0.
        with home_time(settings):
            at, bought = format_when(now), format_when(decision.purchased_at)
        typer.echo(
            f"refundbot: --at {at} is before {transaction_id} was bought ({bought}).", err=True
        )
        raise typer.Exit(2)
    if as_json:
        typer.echo(json.dumps(decision.as_json(explain_en), ensure_ascii=False))
        return
    typer.echo(f"Outcome: {decision.outcome.value}")
    typer.echo(f"Refundable credits: {decision.refundable_credits}")
    with home_time(settings):
        for clause in decision.clauses:
            said = explain_en(clause)
            typer.echo(f"  [{'pass' if clause.passed else 'FAIL'}] {clause.id}: {said}")


def _reason(word: str) -> Reason:
    """The --reason word as a Reason; an unknown one is one line and exit 2."""
    from conversations.domain import Reason

    try:
        return Reason(word)
    except ValueError:
        typer.echo(
            f"refundbot: unknown reason {word!r}; use undelivered, outage, "
            "not_beneficial or other.",
            err=True,
        )
        raise typer.Exit(2) from None


def _judged_at(at: str | None) -> datetime:
    """--at as a UTC time (now when not given); a bad one is one line and exit 2."""
    if at is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        typer.echo(f"refundbot: --at {at!r} is not an ISO time like 2026-11-27T10:00Z", err=True)
        raise typer.Exit(2) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
