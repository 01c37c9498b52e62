"""`refundbot privacy export|forget USER_ID`: a person's data, for an e-mailed request."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from bot.cli.common import app, cli_settings, with_db

privacy_app = typer.Typer(
    help="A customer's data: a copy of it, or erasing it (by Telegram user id).",
    no_args_is_help=True,
)
app.add_typer(privacy_app, name="privacy")


def _now() -> datetime:
    return datetime.now(UTC)


@privacy_app.command("export")
def privacy_export(user_id: int) -> None:
    """Print everything held about the Telegram user as one JSON document."""
    from conversations.services.privacy import export

    settings = cli_settings()

    async def go(db: Any) -> Any:
        async with db.uow() as uow:
            return await export(uow, uow.privacy, user_id, _now)

    document = with_db(settings, go, upgrade=False)
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


@privacy_app.command("forget")
def privacy_forget(
    user_id: int,
    by: Annotated[str, typer.Option(help="your name, for the audit of the erasure")],
) -> None:
    """Erase the Telegram user's data; their claims stay for finance as "erased #N"."""
    from conversations import i18n
    from conversations.dialogue.privacy import told
    from conversations.domain import OutgoingMessage
    from conversations.services.privacy import forget

    if user_id <= 0:
        typer.echo(f"refundbot: {user_id} is not a Telegram user id.", err=True)
        raise typer.Exit(2)
    if not by.strip():
        typer.echo("refundbot: --by needs your name, for the audit of the erasure.", err=True)
        raise typer.Exit(2)
    settings = cli_settings()

    async def go(db: Any) -> Any:
        from bot.cli.claims import _followed

        async with db.uow() as uow:
            config = await _followed(uow, settings.desk_config())
            done = await forget(
                uow, uow.privacy, user_id, by=f"cli:{by.strip()}", clock=_now, config=config
            )
            if done.anything:
                # The customer hears it in the language they read (read before it was erased).
                with i18n.use(done.language or i18n.ENGLISH):
                    await uow.outbox.put(OutgoingMessage(user_id, told(done, by_team=True)), _now())
            for message in done.staff_messages:
                await uow.outbox.put(message, _now())
            await uow.commit()
            return done

    done = with_db(settings, go)
    kinds = ", ".join(f"{kind} {n:,}" for kind, n in sorted(done.kinds.items())) or "nothing held"
    typer.echo(f"Erasure #{done.erasure_id} of Telegram user {user_id}: {kinds}.")
    if done.claims:
        claims = ", ".join(f"#{c}" for c in done.claims)
        typer.echo(f"Claims kept for finance as “erased #{done.erasure_id}”: {claims}.")
    if done.withdrawn:
        typer.echo("Withdrawn first: " + ", ".join(f"#{c}" for c in done.withdrawn) + ".")
    if done.anything:
        typer.echo("The customer's message is queued; the running bot sends it.")
