"""`refundbot inbox …`: updates that could not be read or whose turn failed, and retrying one."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import app, cli_settings, home_time, with_db

if TYPE_CHECKING:
    from storage.database import Database
    from storage.repositories.inbox import FailedUpdate

inbox_app = typer.Typer(
    help="Updates received from Telegram that could not be read or applied.",
    no_args_is_help=True,
)
app.add_typer(inbox_app, name="inbox")


@inbox_app.command("failed")
def inbox_failed(
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON array")] = False,
) -> None:
    """Updates that could not be read, or whose turn failed; never what the customer wrote."""
    from bot.logging_setup import redact

    settings = cli_settings()

    async def go(db: Database) -> list[FailedUpdate]:
        async with db.reader() as uow:
            return await uow.inbox.failed()

    rows = with_db(settings, go, upgrade=False)
    # The reason is an error message: masked like a log line, in case it quotes a value.
    found = [
        {
            "update_id": r.update_id,
            "received_at": r.received_at.isoformat(),
            "failed_at": r.failed_at.isoformat(),
            "chat_id": r.chat_id,
            "reason": redact(r.reason),
        }
        for r in rows
    ]
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("No failed updates.")
        return
    from conversations.catalog.policy_text import format_when

    with home_time(settings):
        for r in rows:
            typer.echo(
                f"{r.update_id}  {format_when(r.received_at)}  chat {r.chat_id}  {redact(r.reason)}"
            )
    typer.echo(
        f"{len(found)} failed update(s). `refundbot inbox retry UPDATE_ID` puts one back in line."
    )


@inbox_app.command("retry")
def inbox_retry(
    update_id: Annotated[int, typer.Argument(help="the update id, from `inbox failed`")],
) -> None:
    """Put a failed update back in line; the running bot applies it within seconds."""
    settings = cli_settings()

    async def go(db: Database) -> bool:
        async with db.uow() as uow:
            done = bool(await uow.inbox.retry(update_id))
            await uow.commit()
            return done

    if not with_db(settings, go, upgrade=False, writes=True):
        typer.echo(
            f"refundbot: no failed update {update_id}; `refundbot inbox failed` lists them.",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(
        f"Update {update_id} is back in line; the running bot applies it within seconds "
        "(if it still cannot be read or fails again, it is listed again)."
    )
