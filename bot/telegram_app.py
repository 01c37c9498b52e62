"""The PTB application's handlers: every update is translated for the core, its replies sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from dataclasses import replace
from datetime import timedelta

from telegram import BotCommand, CallbackQuery, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot import attachments, faq_models
from bot.chat_moves import move_of
from bot.logging_setup import note_claim
from bot.send_scheduler import Priority
from bot.services import Services
from bot.staff_chat_check import check_staff_chat
from bot.updates import to_inbound
from conversations import i18n
from conversations.catalog import customer as t
from conversations.catalog.commands import COMMANDS
from conversations.chat.events import Inbound
from conversations.dialogue.engine import AlongWith, TurnResult
from conversations.faq import default_matcher
from conversations.services import retention
from conversations.staff.reminders import due_reminders
from storage.database import Database

log = logging.getLogger(__name__)
# Callback answers in flight (the event loop keeps only weak references to tasks).
_spinners: set[asyncio.Task[None]] = set()

# How long the "progress saved" apology waits for the customer's chosen language.
FAILURE_LOOKUP_SECONDS = 1.0

REMINDER_INTERVAL_SECONDS = 60
UPDATE_MEMORY = timedelta(days=3)


async def close_requests(services: Services) -> None:
    """Close the Bot API sessions of an application whose start failed (PTB leaves them open)."""
    for request in services.requests:
        await request.shutdown()


async def on_start(services: Services) -> None:
    """PTB's post_init: after initialize() asked getMe, before the first update is applied."""
    application = services.application
    if services.upgrade_database:
        await services.db.upgrade()
    await services.moves.load()
    await check_staff_chat(application.bot, services.desk.config.staff_chat_id, services.moves)
    desk = services.desk
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
    await faq_models.refresh(services.db)
    services.dispatcher.start()
    if services.events is not None:
        services.events.start()
    # Updates left waiting by a stopped or killed worker are taken at once.
    services.inbox.start()
    if application.job_queue is not None:

        async def reminders(_: object) -> None:
            await run_reminders(services)

        application.job_queue.run_repeating(
            reminders, interval=REMINDER_INTERVAL_SECONDS, first=REMINDER_INTERVAL_SECONDS
        )
        faq_job = services.faq_job

        async def faq_model(_: object) -> None:
            # A newer FAQ model another worker stored; a retrain when phrasings wait.
            await faq_job.run(services.db, services.clock())

        application.job_queue.run_repeating(
            faq_model, interval=faq_job.check_seconds, first=faq_job.check_seconds
        )


async def on_stop(services: Services) -> None:
    """PTB's post_stop: finish the turns and sends in flight."""
    await services.inbox.stop()
    await services.faq_job.stop()
    await services.dispatcher.stop()
    if services.events is not None:
        await services.events.stop()
    if services.upgrade_database:
        await services.db.dispose()


async def run_reminders(services: Services) -> int:
    """Raise untaken claims and overdue refunds in the staff chat; returns how many."""
    now = services.clock()
    async with services.db.uow() as uow:
        count = await due_reminders(uow, now, services.desk.config)
        # Telegram re-delivers for about a day; older update ids need not be remembered.
        await uow.inbox.forget_processed_before(now - UPDATE_MEMORY)
        await uow.commit()
    await run_retention(services)
    if count:
        services.dispatcher.wake()
    return count


async def run_retention(services: Services) -> dict[str, int]:
    """Drop what is kept past its time (docs/privacy.md); rows purged per kind, also counted."""
    purged = await retention.purge(services.db.uow, services.clock, services.desk.config)
    for kind, rows in purged.items():
        services.metrics.privacy_rows_purged.labels(kind).inc(rows)
    return purged


async def apply_update(
    services: Services, update: Update, along_with: AlongWith | None = None
) -> bool:
    """Apply one update to the core and send its replies; True if it was applied before.

    A failure is raised for the inbox, which applies the update again or records it failed
    (and then has report_failure tell the customer).
    """
    moves = services.moves
    moved = move_of(update)
    if moved is not None:  # Telegram's notice that a group became a supergroup
        await moves.follow(*moved)
        services.dispatcher.wake()
    inbound = to_inbound(update)
    query = update.callback_query
    if query is not None:
        note_claim(query.data)
    desk = services.desk
    if inbound is not None and inbound.chat_id < 0 and inbound.chat_id != desk.config.staff_chat_id:
        # Another worker may have seen the staff group move.
        await moves.check_group(inbound.chat_id)
    # Customers' buttons stop spinning at once, while the turn computes (a round trip to
    # Telegram less before the reply); staff buttons wait for the outcome's alert.
    answered = query is not None and (inbound is None or not desk.is_staff_event(inbound))
    if answered and query is not None:
        # Not awaited: a spinner Telegram sits on must not hold the reply or the chat.
        answering = asyncio.create_task(_answer(query))
        _spinners.add(answering)
        answering.add_done_callback(_spinners.discard)
    return await _turn(services, inbound, query, answered, along_with)


async def _turn(
    services: Services,
    inbound: Inbound | None,
    query: CallbackQuery | None,
    answered: bool,
    along_with: AlongWith | None,
) -> bool:
    """Apply the turn and send its replies; True if it was applied before."""
    if inbound is None:
        return False
    if inbound.file is not None:
        bot = services.application.bot
        inbound = replace(inbound, file=await attachments.measured(bot, inbound.file))
    # The turn holds a slot while it computes, not while its replies wait for the budget.
    async with services.inbox.turn_slots:
        result = await _while_typing(services, inbound, services.desk.handle(inbound, along_with))
    if result.refused_staff_press:
        services.metrics.staff_presses_refused.inc()
    if query is not None and not answered:
        await _answer(query, result.callback_text, result.callback_alert)
    # Whoever acted (a customer, or a staff member pressing a button) waits for this answer.
    delivered = await services.sender.deliver(result.replies, Priority.REPLY)
    if result.queued_elsewhere or not delivered:
        services.dispatcher.wake()
    return result.duplicate


async def _answer(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as exc:
        # Too old, answered already (a re-delivered press), or Telegram out of reach: the
        # spinner stops by itself, and the turn and its reply count for more.
        log.info("callback query not answered: %s", exc.message)


async def report_failure(services: Services, update: Update, error: BaseException) -> None:
    """Log the failure with the update id and tell the customer their progress is saved."""
    log.error("update %s failed: %s", update.update_id, type(error).__name__, exc_info=error)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        chat = update.effective_chat
        if chat is not None and chat.type == "private":
            user = update.effective_user
            language = await _chosen_language(services.db, user.id) if user else None
            if language is None:
                language = i18n.language_for(user.language_code if user else None)
            with i18n.use(language):
                text = i18n._(t.PROGRESS_SAVED)
            await services.application.bot.send_message(chat.id, text)
    except Exception as exc:  # the error path must never raise
        log.warning("could not tell chat about the failure: %s", type(exc).__name__)


async def _chosen_language(db: Database, user_id: int) -> str | None:
    """The language the customer picked with /language; None if unknown or unreadable.

    The database may be what failed: it gets a moment, then the app's language stands in.
    """
    try:
        async with asyncio.timeout(FAILURE_LOOKUP_SECONDS), db.reader() as uow:
            stored = await uow.languages.get(user_id)
    except Exception as exc:
        log.info("language of a failed turn not read: %s", type(exc).__name__)
        return None
    return stored.language if stored is not None and stored.chosen else None


async def _while_typing(
    services: Services, inbound: Inbound, turn: Awaitable[TurnResult]
) -> TurnResult:
    """A customer sees "typing…" when a turn takes longer than a moment (TYPING_AFTER_MS)."""
    if not inbound.is_private:
        return await turn
    sending = False

    async def typing() -> None:
        nonlocal sending
        await asyncio.sleep(services.typing_after)
        sending = True
        with contextlib.suppress(TelegramError):
            await services.application.bot.send_chat_action(inbound.chat_id, ChatAction.TYPING)

    task = asyncio.create_task(typing())
    # Held until done: the event loop keeps only weak references to tasks.
    tasks = services.typing_tasks
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    try:
        return await turn
    finally:
        if not sending:
            task.cancel()  # fast enough: no indicator (one already on its way is let through)
