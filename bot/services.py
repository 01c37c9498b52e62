"""The services of one worker, as one typed object (assembled by bot/bootstrap.py).

The runner, the PTB handlers and the tests reach every service through `Services`, never
through PTB's untyped `bot_data`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias

from telegram.ext import Application, ContextTypes, ExtBot

from bot import faq_models
from bot.aiohttp_request import AiohttpRequest
from bot.chat_moves import ChatMoves
from bot.events import EventSender
from bot.inbox import InboxProcessor
from bot.metrics import Metrics
from bot.sender import Dispatcher, Sender
from conversations.dialogue.engine import Desk
from storage.database import Database

# PTB's application with its default context; nothing is kept in its bot/chat/user data.
App: TypeAlias = Application[
    ExtBot[None],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    Any,
]


@dataclass(frozen=True)
class Services:
    """Everything the runner, the handlers and the tests use, built once by bootstrap()."""

    application: App
    db: Database
    desk: Desk
    sender: Sender
    # Where the staff chat is now (the sender's too): Telegram may move a group.
    moves: ChatMoves
    dispatcher: Dispatcher
    inbox: InboxProcessor
    metrics: Metrics
    clock: Callable[[], datetime]
    # Migrate at start and dispose of the database at stop (`refundbot run`).
    upgrade_database: bool
    # Seconds a turn may take before the customer sees "typing…".
    typing_after: float
    # The Bot API sessions (calls, and getUpdates), closed by hand when start fails.
    requests: tuple[AiohttpRequest, AiohttpRequest]
    # Retrains and reloads the FAQ model (FAQ_MODEL_CHECK_SECONDS).
    faq_job: faq_models.FaqModelJob
    # Sends claim events to billing (EVENTS_URL); None when it is not set.
    events: EventSender | None
    # "typing…" tasks in flight: the event loop keeps only weak references to tasks.
    typing_tasks: set[asyncio.Task[None]] = field(default_factory=set)
