"""`refundbot replies …`: the canned reasons and questions staff pick from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    cli_settings,
    replies_app,
    with_db,
)

if TYPE_CHECKING:
    from conversations.domain import CannedReply, ReplyKind
    from storage.database import Database

# replies -------------------------------------------------------------------------------------


def _reply_kind(value: str) -> ReplyKind:
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
    settings = cli_settings()

    async def go(db: Database) -> list[CannedReply]:
        async with db.uow() as uow:
            return await canned(uow, wanted)

    for reply in with_db(settings, go, upgrade=False):
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
    settings = cli_settings()

    async def go(db: Database) -> None:
        async with db.uow() as uow:
            await uow.replies.set(CannedReply(wanted, key, text.strip()))
            await uow.commit()

    with_db(settings, go)
    typer.echo(f"Saved {wanted.value} reply {key!r}; staff see it from their next tap.")


@replies_app.command("remove")
def replies_remove(
    kind: Annotated[str, typer.Argument(help="reject or ask")],
    key: Annotated[str, typer.Argument(help="the reply's key")],
) -> None:
    """Remove one of your replies (with none left, the built-in ones come back)."""
    wanted = _reply_kind(kind)
    settings = cli_settings()

    async def go(db: Database) -> bool:
        async with db.uow() as uow:
            removed: bool = await uow.replies.remove(wanted, key)
            await uow.commit()
            return removed

    if not with_db(settings, go):
        typer.echo(f"refundbot: no {wanted.value} reply {key!r}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Removed {wanted.value} reply {key!r}.")
