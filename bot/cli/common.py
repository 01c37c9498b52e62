"""What every command group of the CLI shares: the typer apps, settings and the database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from bot.settings import Settings, SettingsError, load_settings, typo_warnings

if TYPE_CHECKING:
    from storage.database import Database

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


LOADED: list[Settings] = []


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


def cli_settings() -> Settings:
    """Settings, or one clear line and exit 2."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        typer.echo(f"refundbot: {exc}", err=True)
        raise typer.Exit(2) from None
    for warning in typo_warnings():
        typer.echo(f"refundbot: {warning}", err=True)
    LOADED.append(settings)
    return settings


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def with_db(
    settings: Settings, work: Callable[[Database], Awaitable[T]], *, upgrade: bool = True
) -> T:
    """Open the database, run one piece of work, and close it.

    upgrade=False (read-only commands): no migration, and a missing or behind database is
    refused with the command that fixes it, never created.
    """

    async def go() -> T:
        db = await open_url(settings.database_url, upgrade)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return run_async(go())


async def open_url(url: str, upgrade: bool = True) -> Database:
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
        reason = redact(first_line(exc), (url_password(url),))
        typer.echo(f"refundbot: cannot open the database: {type(exc).__name__}: {reason}", err=True)
        raise typer.Exit(1) from None


def first_line(exc: BaseException) -> str:
    """The message without SQLAlchemy's "(Background on this error at ...)" and the like."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def url_password(url: str) -> str:
    """The password in a database URL, or '' (so it can be kept out of messages)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).password or ""
    except Exception:  # an unparsable URL has no password we could find either
        return ""
