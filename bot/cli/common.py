"""What every command group of the CLI shares: the typer apps, settings and the database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from bot.settings import (
    DEFAULT_DATABASE_URL,
    Settings,
    SettingsError,
    load_settings,
    typo_warnings,
)

if TYPE_CHECKING:
    from storage.database import Database

T = TypeVar("T")


def _plain_help() -> None:
    """Help in the usual shape: `--json`, not `--json <bool>`; `CLAIM_ID`, not `{claim_id}`.

    typer 0.29 labels every flag with its type and braces required arguments in the usage
    line; operators read both as something to type.
    """
    from typer import core

    option_type = core.TyperOption.display_type_rich

    def display_type_rich(self: core.TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else option_type(self, ctx)

    def usage_name(self: core.TyperArgument) -> str:
        name = self.display_name_raw.upper()
        name = name if self.required else f"[{name}]"
        return name + "..." if self.nargs != 1 else name

    core.TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]
    core.TyperArgument._usage_display_name = usage_name  # type: ignore[method-assign]


_plain_help()

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


@contextmanager
def home_time(settings: Settings) -> Iterator[None]:
    """Moments printed for people inside this block are in HOME_COUNTRY's zone, named
    ("6 Dec 2026, 14:31 PKT"); --json output stays UTC ISO-8601, outside any such block."""
    from conversations import i18n

    with i18n.in_zone(settings.time_zone):
        yield


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


CreateOption = Annotated[
    bool,
    typer.Option(
        "--create", help="Create the SQLite file DATABASE_URL names if it does not exist yet."
    ),
]


def with_db(
    settings: Settings,
    work: Callable[[Database], Awaitable[T]],
    *,
    upgrade: bool = True,
    create: bool = False,
    writes: bool | None = None,
) -> T:
    """Open the database, run one piece of work, and close it.

    upgrade=True (commands that write): the first line printed names the database, and a
    missing SQLite file is created only at the default path or with create=True.
    upgrade=False (read-only commands): no migration, and a missing or behind database is
    refused with the command that fixes it, never created.
    writes=True names the database first for a write that needs no migration either.
    """
    if upgrade:
        announce_database(settings.database_url, create)
    elif writes:
        typer.echo(f"Database: {describe_database(settings.database_url)}")

    async def go() -> T:
        db = await open_url(settings.database_url, upgrade)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return run_async(go())


def describe_database(url: str) -> str:
    """The database for a person to recognise: a SQLite file's full path, or the URL masked."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        return f"SQLite file {path}" if path is not None else "SQLite in memory"
    return f"PostgreSQL {parsed.render_as_string(hide_password=True)}"


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL names, made absolute; None for other databases or :memory:."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file::memory:"):
        return None
    return Path(database).expanduser().absolute()


def refuse_a_new_file(url: str, create: bool) -> None:
    """Exit 1 before a write would create a SQLite file that is not there (a typo'd path).

    The default path (./refundbot.db, DATABASE_URL unset) is created, as a first start needs.
    """
    path = sqlite_path(url)
    if path is None or create or path.exists() or url == DEFAULT_DATABASE_URL:
        return
    typer.echo(
        f"refundbot: there is no database file {path}. Check DATABASE_URL; "
        "to start a new database there, run the command again with --create.",
        err=True,
    )
    raise typer.Exit(1)


def announce_database(url: str, create: bool = False) -> None:
    """Refuse to create a stray SQLite file, then name the database this command changes."""
    refuse_a_new_file(url, create)
    typer.echo(f"Database: {describe_database(url)}")


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


def _status_key(word: str) -> str:
    return " ".join(word.lower().replace("_", " ").replace("-", " ").split())


def claim_status(value: str | None) -> Any:
    """The ClaimStatus for a word staff read in the chat (new, in review, waiting for customer,
    withdrawn, …) or for its stored value (escalated, info_requested, cancelled); None for None.

    An unknown word is one line naming the words, and exit 2.
    """
    from conversations.catalog.staff import STATUS_LABELS
    from conversations.domain import ClaimStatus

    if value is None:
        return None
    known = {_status_key(status.value): status for status in ClaimStatus}
    known.update({_status_key(STATUS_LABELS[s.value]): s for s in ClaimStatus})
    found = known.get(_status_key(value))
    if found is None:
        words = ", ".join(STATUS_LABELS[s.value] for s in ClaimStatus)
        stored = ", ".join(s.value for s in ClaimStatus if STATUS_LABELS[s.value] != s.value)
        typer.echo(
            f"refundbot: unknown status {value!r}; use one of: {words} (or as stored: {stored})",
            err=True,
        )
        raise typer.Exit(2)
    return found
