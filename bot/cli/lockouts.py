"""`refundbot lockouts …`: customers and transactions waiting after wrong ownership answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import app, cli_settings, home_time, with_db

if TYPE_CHECKING:
    from collections.abc import Sequence

    from conversations.ownership import Attempts
    from storage.database import Database

lockouts_app = typer.Typer(
    help="Who waits after wrong answers to “whose purchase is this?”.", no_args_is_help=True
)
app.add_typer(lockouts_app, name="lockouts")


@lockouts_app.command("list")
def lockouts_list() -> None:
    """Every customer (user:ID) and transaction (tx:ID) waiting now, and until when."""
    from bot.clock import utc_now
    from conversations.catalog.policy_text import format_when

    settings = cli_settings()

    async def go(db: Database) -> Sequence[tuple[str, Attempts]]:
        async with db.uow() as uow:
            return await uow.attempts.blocked(utc_now())

    blocked = with_db(settings, go, upgrade=False)
    if not blocked:
        typer.echo("No lockouts.")
    with home_time(settings):
        for subject, attempts in blocked:
            # blocked() lists only subjects with a wait.
            until = format_when(attempts.blocked_until) if attempts.blocked_until else "?"
            typer.echo(f"{subject}\t{attempts.misses} misses\tuntil {until}")


@lockouts_app.command("lift")
def lockouts_lift(
    wanted: Annotated[str, typer.Argument(help="a transaction id (TX-1001) or a Telegram user id")],
) -> None:
    """Let that customer or that transaction try again now."""
    from conversations.ownership import subjects_named

    subjects = subjects_named(wanted)
    if not subjects:
        typer.echo(f"refundbot: {wanted!r} is neither a transaction id nor a user id.", err=True)
        raise typer.Exit(2)
    settings = cli_settings()

    async def go(db: Database) -> list[str]:
        async with db.uow() as uow:
            lifted = [subject for subject in subjects if await uow.attempts.lift(subject)]
            await uow.commit()
            return lifted

    lifted = with_db(settings, go)
    if not lifted:
        typer.echo(f"refundbot: nothing to lift for {wanted}.", err=True)
        raise typer.Exit(1)
    typer.echo("Lifted: " + ", ".join(lifted))
