"""`refundbot outbox …`: messages sending parked for an operator, and what to do with them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import app, cli_settings, home_time, with_db

if TYPE_CHECKING:
    from storage.database import Database
    from storage.repositories.outbox import ParkedMessage

outbox_app = typer.Typer(
    help="Messages the bot could not send and parked for you.", no_args_is_help=True
)
app.add_typer(outbox_app, name="outbox")

PREVIEW_CHARS = 40


@outbox_app.command("failed")
def outbox_failed(
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON array")] = False,
) -> None:
    """Parked messages, oldest first, with the error that parked them."""
    settings = cli_settings()

    async def go(db: Database) -> list[ParkedMessage]:
        async with db.reader() as uow:
            return await uow.outbox.failed()

    parked = with_db(settings, go, upgrade=False)
    if as_json:
        rows = [
            {
                "id": p.id,
                "chat_id": p.chat_id,
                "text": p.text,
                "attempts": p.attempts,
                "created_at": p.created_at.isoformat(),
                "failed_at": p.failed_at.isoformat(),
                "error": p.last_error,
            }
            for p in parked
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not parked:
        typer.echo("No parked messages.")
        return
    from conversations.catalog.policy_text import format_when

    typer.echo(f"{'id':>6}  {'chat':>15}  {'tries':>5}  {'parked at':<22}  error | text")
    with home_time(settings):
        for p in parked:
            preview = " ".join(p.text.split())
            if len(preview) > PREVIEW_CHARS:
                preview = preview[: PREVIEW_CHARS - 1] + "…"
            typer.echo(
                f"{p.id:>6}  {p.chat_id:>15}  {p.attempts:>5}  {format_when(p.failed_at):<22}  "
                f"{p.last_error} | {preview}"
            )
    typer.echo(
        f"{len(parked)} parked. `refundbot outbox retry ID|--all` sends again; "
        "`refundbot outbox drop ID` gives one up."
    )


@outbox_app.command("retry")
def outbox_retry(
    message_id: Annotated[int | None, typer.Argument(help="the parked message's id")] = None,
    every: Annotated[bool, typer.Option("--all", help="every parked message")] = False,
) -> None:
    """Send a parked message again (a running bot takes it within seconds)."""
    if (message_id is None) == (not every):
        typer.echo("refundbot: give a message id or --all (not both).", err=True)
        raise typer.Exit(2)
    settings = cli_settings()

    async def go(db: Database) -> int:
        async with db.uow() as uow:
            count: int = await uow.outbox.retry_failed(message_id)
            await uow.commit()
            return count

    count = with_db(settings, go)
    if message_id is not None and count == 0:
        typer.echo(f"refundbot: no parked message {message_id}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Queued {count} message{'' if count == 1 else 's'} to be sent again.")


@outbox_app.command("drop")
def outbox_drop(
    message_id: Annotated[int, typer.Argument(help="the parked message's id")],
) -> None:
    """Give up a parked message for good: it is deleted and never sent."""
    settings = cli_settings()

    async def go(db: Database) -> bool:
        async with db.uow() as uow:
            dropped: bool = await uow.outbox.drop_failed(message_id)
            await uow.commit()
            return dropped

    if not with_db(settings, go):
        typer.echo(f"refundbot: no parked message {message_id}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Dropped message {message_id}; it will not be sent.")
