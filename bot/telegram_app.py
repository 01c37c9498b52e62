"""The PTB application: one handler translates every update for the core and sends the replies."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta

from telegram import BotCommand, CallbackQuery, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    ContextTypes,
)

from bot import attachments, faq_models
from bot.aiohttp_request import AiohttpRequest
from bot.chat_moves import ChatMoves, move_of
from bot.clock import utc_now
from bot.events import event_sender_for
from bot.inbox import InboxProcessor
from bot.logging_setup import note_claim
from bot.metrics import Metrics
from bot.send_budget import open_budget
from bot.send_scheduler import Priority, SendScheduler
from bot.sender import Dispatcher, Sender
from bot.settings import Settings
from bot.staff_chat_check import check_staff_chat
from bot.translate import to_inbound
from conversations import i18n
from conversations.catalog import customer as t
from conversations.catalog.commands import COMMANDS
from conversations.chat.events import Inbound
from conversations.dialogue.engine import AlongWith, Desk, TurnResult
from conversations.faq import default_matcher
from conversations.services import retention
from conversations.staff.reminders import due_reminders
from storage.database import Database

log = logging.getLogger(__name__)

# How long the "progress saved" apology waits for the customer's chosen language.
FAILURE_LOOKUP_SECONDS = 1.0

REMINDER_INTERVAL_SECONDS = 60
UPDATE_MEMORY = timedelta(days=3)


def build_application(
    settings: Settings,
    db: Database,
    clock: Callable[[], datetime] = utc_now,
    *,
    dispatcher_idle_seconds: float = 1.0,
    inbox_idle_seconds: float = 1.0,
    upgrade_database: bool = False,
    rate_limiter: BaseRateLimiter | None = None,  # type: ignore[type-arg]
) -> Application:  # type: ignore[type-arg]
    """Wire the core, the database and Telegram into one PTB Application.

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
    application = builder.updater(None).post_init(_post_init).post_stop(_post_stop).build()
    metrics = Metrics()
    desk = Desk(db.uow, clock, settings.desk_config())
    sender = Sender(application.bot, db, clock, metrics)
    # The staff chat follows the group when Telegram moves it (loaded at start, in _post_init).
    sender.moves = ChatMoves(db, clock, settings.staff_chat_id)
    sender.moves.keep_current(desk)
    dispatcher = Dispatcher(sender, clock, dispatcher_idle_seconds)

    async def apply(update: Update, along_with: AlongWith | None = None) -> bool:
        return await apply_update(application, update, along_with)

    application.bot_data.update(
        desk=desk,
        db=db,
        sender=sender,
        dispatcher=dispatcher,
        metrics=metrics,
        inbox=InboxProcessor(
            db,
            lambda payload: Update.de_json(payload, application.bot),
            apply,
            clock,
            metrics,
            on_released=dispatcher.wake,
            idle_seconds=inbox_idle_seconds,
        ),
        clock=clock,
        upgrade_database=upgrade_database,
        typing_after=settings.typing_after_ms / 1000,
        typing_tasks=set(),
        requests=requests,
        faq_job=faq_models.FaqModelJob(
            settings.faq_model_check_seconds, settings.faq_retrain_minutes
        ),
        events=event_sender_for(
            settings.events_url,
            settings.events_secret.get_secret_value() if settings.events_secret else None,
            db,
            clock,
            dispatcher_idle_seconds,
        ),
    )
    return application


async def close_requests(application: Application) -> None:  # type: ignore[type-arg]
    """Close the Bot API sessions of an application whose start failed (PTB leaves them open)."""
    for request in application.bot_data["requests"]:
        await request.shutdown()


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    if application.bot_data["upgrade_database"]:
        await application.bot_data["db"].upgrade()
    await application.bot_data["sender"].moves.load()
    await check_staff_chat(
        application.bot,
        application.bot_data["desk"].config.staff_chat_id,
        application.bot_data["sender"].moves,
    )
    # Known since initialize() asked getMe; before the first update is applied.
    desk: Desk = application.bot_data["desk"]
    desk.config = replace(desk.config, bot_username=application.bot.username or "")
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    # Telegram shows users whose app is in Urdu this list instead (and the Urdu catalog is
    # loaded now, not by the first Urdu customer).
    with i18n.use(i18n.URDU):
        in_urdu = [BotCommand(name, i18n._(text)) for name, text in COMMANDS]
    await application.bot.set_my_commands(in_urdu, language_code=i18n.URDU)
    # Loaded now, not by the first customer to ask a question (a fraction of a second): the
    # newest retrained model in the database, or the shipped one.
    default_matcher()
    await faq_models.refresh(application.bot_data["db"])
    application.bot_data["dispatcher"].start()
    if application.bot_data["events"] is not None:
        application.bot_data["events"].start()
    # Updates left waiting by a stopped or killed worker are taken at once.
    application.bot_data["inbox"].start()
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _reminders, interval=REMINDER_INTERVAL_SECONDS, first=REMINDER_INTERVAL_SECONDS
        )
        faq_job: faq_models.FaqModelJob = application.bot_data["faq_job"]
        application.job_queue.run_repeating(
            _faq_model, interval=faq_job.check_seconds, first=faq_job.check_seconds
        )


async def _post_stop(application: Application) -> None:  # type: ignore[type-arg]
    await application.bot_data["inbox"].stop()
    await application.bot_data["faq_job"].stop()
    await application.bot_data["dispatcher"].stop()
    if application.bot_data["events"] is not None:
        await application.bot_data["events"].stop()
    if application.bot_data["upgrade_database"]:
        await application.bot_data["db"].dispose()


async def _faq_model(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Use a newer FAQ model if another worker stored one; retrain when phrasings wait."""
    faq_job: faq_models.FaqModelJob = context.application.bot_data["faq_job"]
    await faq_job.run(context.application.bot_data["db"], context.application.bot_data["clock"]())


async def _reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Raise untaken claims and overdue refunds in the staff chat."""
    await run_reminders(context.application)


async def run_reminders(application: Application) -> int:  # type: ignore[type-arg]
    desk: Desk = application.bot_data["desk"]
    db: Database = application.bot_data["db"]
    now = application.bot_data["clock"]()
    async with db.uow() as uow:
        count = await due_reminders(uow, now, desk.config)
        # Telegram re-delivers for about a day; older update ids need not be remembered.
        await uow.conversations.forget_updates_before(now - UPDATE_MEMORY)
        await uow.inbox.forget_processed_before(now - UPDATE_MEMORY)
        await uow.commit()
    await run_retention(application)
    if count:
        application.bot_data["dispatcher"].wake()
    return count


async def run_retention(application: Application) -> dict[str, int]:  # type: ignore[type-arg]
    """Drop what is kept past its time (docs/privacy.md); rows purged per kind, also counted."""
    desk: Desk = application.bot_data["desk"]
    db: Database = application.bot_data["db"]
    purged = await retention.purge(db.uow, application.bot_data["clock"], desk.config)
    for kind, rows in purged.items():
        application.bot_data["metrics"].privacy_rows_purged.labels(kind).inc(rows)
    return purged


async def apply_update(
    application: Application,  # type: ignore[type-arg]
    update: Update,
    along_with: AlongWith | None = None,
) -> bool:
    """Apply one update to the core and send its replies; True if it was applied before.

    A failure is logged, the chat is told its progress is saved, and the error re-raised for
    the inbox to record.
    """
    try:
        return await _apply(application, update, along_with)
    except Exception as exc:
        await report_failure(application, update, exc)
        raise


async def _apply(
    application: Application,  # type: ignore[type-arg]
    update: Update,
    along_with: AlongWith | None,
) -> bool:
    moves: ChatMoves = application.bot_data["sender"].moves
    moved = move_of(update)
    if moved is not None:  # Telegram's notice that a group became a supergroup
        await moves.follow(*moved)
        application.bot_data["dispatcher"].wake()
    inbound = to_inbound(update)
    query = update.callback_query
    if query is not None:
        note_claim(query.data)
    desk: Desk = application.bot_data["desk"]
    if inbound is not None and inbound.chat_id < 0 and inbound.chat_id != desk.config.staff_chat_id:
        # Another worker may have seen the staff group move.
        await moves.check_group(inbound.chat_id)
    # Customers' buttons stop spinning at once; staff buttons wait for the outcome's alert.
    answered = query is not None and (inbound is None or not desk.is_staff_event(inbound))
    if answered and query is not None:
        await _answer(query)
    if inbound is None:
        return False
    if inbound.file is not None:
        inbound = replace(inbound, file=await attachments.measured(application.bot, inbound.file))
    # The turn holds a slot while it computes, not while its replies wait for the budget.
    inbox: InboxProcessor = application.bot_data["inbox"]
    async with inbox.turn_slots:
        result = await _while_typing(application, inbound, desk.handle(inbound, along_with))
    if result.refused_staff_press:
        application.bot_data["metrics"].staff_presses_refused.inc()
    if query is not None and not answered:
        await _answer(query, result.callback_text, result.callback_alert)
    sender: Sender = application.bot_data["sender"]
    # Whoever acted (a customer, or a staff member pressing a button) waits for this answer.
    delivered = await sender.deliver(result.replies, Priority.REPLY)
    if result.queued_elsewhere or not delivered:
        application.bot_data["dispatcher"].wake()
    return result.duplicate


async def _answer(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:
        # Too old, or answered already (a re-delivered press): the turn itself still counts.
        log.info("callback query not answered: %s", exc.message)


async def report_failure(
    application: Application,  # type: ignore[type-arg]
    update: Update,
    error: BaseException,
) -> None:
    """Log the failure with the update id and tell the customer their progress is saved."""
    log.error("update %s failed: %s", update.update_id, type(error).__name__, exc_info=error)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        chat = update.effective_chat
        if chat is not None and chat.type == "private":
            user = update.effective_user
            language = await _chosen_language(application, user.id) if user else None
            if language is None:
                language = i18n.language_for(user.language_code if user else None)
            with i18n.use(language):
                text = i18n._(t.PROGRESS_SAVED)
            await application.bot.send_message(chat.id, text)
    except Exception as exc:  # the error path must never raise
        log.warning("could not tell chat about the failure: %s", type(exc).__name__)


async def _chosen_language(
    application: Application,  # type: ignore[type-arg]
    user_id: int,
) -> str | None:
    """The language the customer picked with /language; None if unknown or unreadable.

    The database may be what failed: it gets a moment, then the app's language stands in.
    """
    db: Database = application.bot_data["db"]
    try:
        async with asyncio.timeout(FAILURE_LOOKUP_SECONDS), db.reader() as uow:
            stored = await uow.languages.get(user_id)
    except Exception as exc:
        log.info("language of a failed turn not read: %s", type(exc).__name__)
        return None
    return stored.language if stored is not None and stored.chosen else None


async def _while_typing(
    application: Application,  # type: ignore[type-arg]
    inbound: Inbound,
    turn: Awaitable[TurnResult],
) -> TurnResult:
    """A customer sees "typing…" when a turn takes longer than a moment (TYPING_AFTER_MS)."""
    if not inbound.is_private:
        return await turn
    sending = False

    async def typing() -> None:
        nonlocal sending
        await asyncio.sleep(application.bot_data["typing_after"])
        sending = True
        with contextlib.suppress(TelegramError):
            await application.bot.send_chat_action(inbound.chat_id, ChatAction.TYPING)

    task = asyncio.create_task(typing())
    # Held until done: the event loop keeps only weak references to tasks.
    tasks: set[asyncio.Task[None]] = application.bot_data["typing_tasks"]
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    try:
        return await turn
    finally:
        if not sending:
            task.cancel()  # fast enough: no indicator (one already on its way is let through)
