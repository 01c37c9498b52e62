"""The composition root: one function assembles the bot's services into one typed object.

The runner, the PTB handlers and the tests reach every service through `Services`, never
through PTB's untyped `bot_data`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, BaseRateLimiter

from bot import faq_models, telegram_app
from bot.aiohttp_request import AiohttpRequest
from bot.chat_moves import ChatMoves
from bot.clock import utc_now
from bot.events import event_sender_for
from bot.inbox import InboxProcessor
from bot.metrics import Metrics
from bot.send_budget import open_budget
from bot.send_scheduler import SendScheduler
from bot.sender import Dispatcher, Sender
from bot.services import App, Services
from bot.settings import Settings
from conversations.dialogue.engine import AlongWith, Desk
from storage.database import Database


def bootstrap(
    settings: Settings,
    db: Database,
    clock: Callable[[], datetime] = utc_now,
    *,
    dispatcher_idle_seconds: float = 1.0,
    inbox_idle_seconds: float = 1.0,
    upgrade_database: bool = False,
    rate_limiter: BaseRateLimiter[Any] | None = None,
) -> Services:
    """Wire the core, the database and Telegram into one PTB Application and its services.

    PTB provides the Bot API client, the update types and the job queue. Its Updater is left
    out: updates come in through the inbox (bot/inbox.py), stored before Telegram is answered.
    """
    assert settings.telegram_bot_token is not None
    faq_models.use_answers(settings.faq_answers_file)
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
    requests = (AiohttpRequest(), AiohttpRequest(connection_pool_size=1))
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .request(requests[0])
        .get_updates_request(requests[1])
    )
    if rate_limiter is None and settings.send_rate_per_second > 0:
        # One scheduler paces every call; 429s are not retried here (the outbox waits
        # retry_after and tries again).
        rate_limiter = SendScheduler(open_budget(db, redis_url), settings.send_rate_per_second)
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    application: App = builder.updater(None).build()
    metrics = Metrics()
    desk = Desk(db.uow, clock, settings.desk_config())
    sender = Sender(application.bot, db, clock, metrics)
    # The staff chat follows the group when Telegram moves it (loaded at start).
    moves = sender.moves = ChatMoves(db, clock, settings.staff_chat_id)
    moves.keep_current(desk)
    dispatcher = Dispatcher(sender, clock, dispatcher_idle_seconds)
    # Assigned below: the inbox and the handlers need the services they belong to.
    services: Services

    async def apply(update: Update, along_with: AlongWith) -> bool:
        return await telegram_app.apply_update(services, update, along_with)

    async def on_failed(update: Update, error: BaseException) -> None:
        await telegram_app.report_failure(services, update, error)

    inbox = InboxProcessor(
        db,
        lambda payload: Update.de_json(payload, application.bot),
        apply,
        clock,
        metrics,
        on_released=dispatcher.wake,
        idle_seconds=inbox_idle_seconds,
        on_failed=on_failed,
    )
    services = Services(
        application=application,
        db=db,
        desk=desk,
        sender=sender,
        moves=moves,
        dispatcher=dispatcher,
        inbox=inbox,
        metrics=metrics,
        clock=clock,
        upgrade_database=upgrade_database,
        typing_after=settings.typing_after_ms / 1000,
        requests=requests,
        faq_job=faq_models.FaqModelJob(
            settings.faq_model_check_seconds,
            settings.faq_retrain_minutes,
            lambda: desk.config.staff_chat_id,
        ),
        events=event_sender_for(
            settings.events_url,
            settings.events_secret.get_secret_value() if settings.events_secret else None,
            db,
            clock,
            dispatcher_idle_seconds,
        ),
    )
    application.post_init = lambda _: telegram_app.on_start(services)
    application.post_stop = lambda _: telegram_app.on_stop(services)
    return services
