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
    from collections.abc import Sequence

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
    """The replies staff are offered, in order; built-in ones are marked, hidden ones listed."""
    from conversations.staff.replies import HIDDEN, built_in, canned

    wanted = _reply_kind(kind)
    settings = cli_settings()

    async def go(db: Database) -> tuple[list[CannedReply], Sequence[CannedReply]]:
        async with db.uow() as uow:
            return await canned(uow, wanted), await uow.replies.list(wanted)

    offered, own = with_db(settings, go, upgrade=False)
    defaults = built_in(wanted)
    for reply in offered:
        if reply.key not in defaults:
            mark = ""
        elif reply.text == defaults[reply.key]:
            mark = "  [built-in]"
        else:
            mark = "  [built-in, changed]"
        typer.echo(f"{reply.key}: {reply.text}{mark}")
    hidden = [r.key for r in own if r.key in defaults and r.text == HIDDEN]
    if hidden:
        typer.echo(
            f"Hidden built-in: {', '.join(hidden)} "
            f"(`refundbot replies set {wanted.value} KEY TEXT` shows one again)."
        )


@replies_app.command("set")
def replies_set(
    kind: Annotated[str, typer.Argument(help="reject or ask")],
    key: Annotated[str, typer.Argument(help="a short name, e.g. no-report")],
    text: Annotated[str, typer.Argument(help="what the customer reads")],
) -> None:
    """Add a reply to the built-in ones, or change the text of the one with this key."""
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
    """Remove one of your replies, or hide a built-in one."""
    from conversations.domain import CannedReply
    from conversations.staff.replies import HIDDEN, built_in

    wanted = _reply_kind(kind)
    settings = cli_settings()
    is_built_in = key in built_in(wanted)

    async def go(db: Database) -> bool:
        async with db.uow() as uow:
            own = {r.key: r.text for r in await uow.replies.list(wanted)}
            if is_built_in:
                if own.get(key) == HIDDEN:
                    return False
                await uow.replies.set(CannedReply(wanted, key, HIDDEN))
                changed = True
            else:
                changed = bool(await uow.replies.remove(wanted, key))
            await uow.commit()
            return changed

    if not with_db(settings, go):
        already = " (a built-in one, hidden already)" if is_built_in else ""
        typer.echo(f"refundbot: no {wanted.value} reply {key!r}{already}.", err=True)
        raise typer.Exit(1)
    if is_built_in:
        typer.echo(
            f"Hid built-in {wanted.value} reply {key!r}; "
            f"`refundbot replies set {wanted.value} {key} TEXT` shows it again."
        )
    else:
        typer.echo(f"Removed {wanted.value} reply {key!r}.")
