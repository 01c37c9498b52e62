"""`refundbot run`, `chat` and `db upgrade`: the bot's process and its database schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    CreateOption,
    announce_database,
    app,
    cli_settings,
    db_app,
    open_url,
    run_async,
    url_password,
    with_db,
)

if TYPE_CHECKING:
    from storage.database import Database

# run, chat ---------------------------------------------------------------------------------


@app.command()
def run() -> None:
    """Run the bot: long polling, or a webhook server when WEBHOOK_URL is set."""
    from bot.logging_setup import setup_logging
    from bot.runner import run_bot

    settings = cli_settings()
    secrets = tuple(
        s.get_secret_value()
        for s in (settings.telegram_bot_token, settings.webhook_secret, settings.redis_url)
        if s is not None
    ) + tuple(p for p in (url_password(settings.database_url),) if p)
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
    create: CreateOption = False,
) -> None:
    """Talk to the bot in this terminal; buttons are numbered choices."""
    from bot.console_chat import run_console

    settings = cli_settings()
    if not demo:
        # The chat writes (claims, conversations) to the real database.
        announce_database(settings.database_url, create)
    try:
        run_async(run_console(settings, demo=demo, open_db=open_url))
    except KeyboardInterrupt:
        # Ctrl-C: leave at once, as /quit would (the database was closed on the way out).
        from conversations.catalog.console import CONSOLE_BYE

        typer.echo("\n" + CONSOLE_BYE)
        raise typer.Exit(130) from None


# db ----------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(create: CreateOption = False) -> None:
    """Apply the database migrations."""
    settings = cli_settings()

    async def go(db: Database) -> str | None:
        return await db.revision()

    typer.echo(f"Up to date: migration {with_db(settings, go, create=create)}.")


# import, demo-data ---------------------------------------------------------------------------
