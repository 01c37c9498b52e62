"""A fake Telegram Bot API server over real HTTP, driven by tests and called by the real PTB."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from .models import (
    JSON,
    ApiError,
    CallbackAnswer,
    EarlyRetry,
    FakeChat,
    FakeUser,
    InjectedFailure,
    RateLimitHit,
    RecordedCall,
    RecordedMessage,
    WebhookDelivery,
    bad_request,
)
from .params import read_params
from .ratelimit import FloodLimits
from .text import command_entities, visible_text

T = TypeVar("T")
Handler = Callable[[JSON], Awaitable[Any]]

DEFAULT_TOKEN = "123456789:TEST-fake-telegram-token"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class _Pending:
    update: JSON
    forced: bool = False
    """A redelivery: handed out once whatever the offset says."""
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next(k for k in self.update if k != "update_id")


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int


@dataclass
class _Query:
    chat_id: int
    message_id: int
    data: str | None
    answered: bool = False


@dataclass(frozen=True)
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


class FakeTelegram:
    """The Bot API for one bot: PTB talks to it over HTTP, tests drive and inspect it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "refund_desk_test_bot",
        bot_first_name: str = "Refund Desk",
        time_scale: float = 1.0,
        webhook_retry_delay: float = 0.2,
    ) -> None:
        self.token = token
        self.bot_user = FakeUser(
            id=int(token.split(":", 1)[0]),
            first_name=bot_first_name,
            username=bot_username,
            language_code=None,
            is_bot=True,
        )
        self.webhook_retry_delay = webhook_retry_delay
        self.callback_answers: list[CallbackAnswer] = []
        self.rate_limit_hits: list[RateLimitHit] = []
        self.early_retries: list[EarlyRetry] = []
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._limits = FloodLimits(time_scale=time_scale)
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._closing = False
        self._changed = asyncio.Event()
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, FakeChat] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._raw_messages: dict[tuple[int, int], JSON] = {}
        self._bot_messages: dict[int, list[RecordedMessage]] = {}
        self._bot_index: dict[tuple[int, int], RecordedMessage] = {}
        self._edit_dates: dict[tuple[int, int], int] = {}
        self._consumed_messages: set[tuple[int, int]] = set()
        self._seen_edits: dict[tuple[int, int], int] = {}
        self._consumed_calls: set[int] = set()
        self._consumed_answers = 0
        self._topics: dict[int, dict[int, str]] = {}
        self._update_ids = itertools.count(1000)
        self._pending: list[_Pending] = []
        self._updates_by_id: dict[int, JSON] = {}
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._webhook: _Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._calls: list[RecordedCall] = []
        self._queries: dict[str, _Query] = {}
        self._query_ids = itertools.count(8_000_000_001)
        self._flood: dict[int | str, RateLimitHit] = {}
        self._failures: list[InjectedFailure] = []
        self._commands: dict[str, list[JSON]] = {}
        self._blocked: set[int] = set()
        self._files: dict[str, _StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._handlers: dict[str, tuple[str, Handler]] = {}
        for name, handler in self._method_table().items():
            self._handlers[name.lower()] = (name, handler)

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Listen on 127.0.0.1 at an ephemeral port."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        # access_log=None: the access log would print the token, which is part of every path.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening and end any waiting long-poll."""
        self._closing = True
        self._notify()
        await self._stop_webhook_pump()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return self._port

    @property
    def base_url(self) -> str:
        """For ApplicationBuilder().base_url(): PTB appends token and method."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ApplicationBuilder().base_file_url(): PTB appends token and file path."""
        return f"http://127.0.0.1:{self._port}/file/bot"

    # ----------------------------------------------------------------- configuration

    @property
    def time_scale(self) -> float:
        """How many Telegram seconds pass per real second for the flood-limit windows."""
        return self._limits.time_scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        self._limits.time_scale = value

    @property
    def rate_limited_methods(self) -> frozenset[str]:
        """Methods the flood limits count (default sendMessage and editMessageText)."""
        return self._limits.methods

    @rate_limited_methods.setter
    def rate_limited_methods(self, methods: frozenset[str] | set[str]) -> None:
        self._limits.methods = frozenset(methods)

    def limit_group_messages(self, per_minute: int = 20) -> None:
        """Answer 429 past per_minute counted calls to one group (negative id) in any minute."""
        self._limits.add_rule(per_minute, 60.0, groups_only=True)

    def limit_per_chat_per_second(self, per_second: int = 1) -> None:
        """Answer 429 past per_second counted calls to one chat in any second."""
        self._limits.add_rule(per_second, 1.0, groups_only=False)

    def fail_next(
        self,
        method: str,
        error_code: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        *,
        delay: float = 0.0,
        chat_id: int | str | None = None,
    ) -> None:
        """Make the next call of method (to chat_id, if given) fail or answer late, once.

        With error_code, the call waits `delay` seconds, does nothing and answers that error
        (429 defaults to retry_after=1). Without error_code, the call is carried out at once
        and its answer held back `delay` seconds: a client timing out meanwhile never learns
        that it succeeded, as with the real Telegram.
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        self._failures.append(
            InjectedFailure(method, error_code, description, retry_after, delay, chat_id)
        )

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends to this private chat answer 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """The user unblocked the bot."""
        self._blocked.discard(chat_id)

    # ----------------------------------------------------------------- users and chats

    def user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """A user who can talk to the bot."""
        user = FakeUser(user_id, first_name, username, last_name, language_code)
        self._users[user_id] = user
        return user

    def private_chat(self, user: FakeUser) -> FakeChat:
        """The user's private chat with the bot (its id is the user's id)."""
        chat = FakeChat(
            id=user.id, type="private", first_name=user.first_name, username=user.username
        )
        self._chats[chat.id] = chat
        return chat

    def group(self, chat_id: int, title: str, is_forum: bool = False) -> FakeChat:
        """A group the bot is in; forums and ids from -100... are supergroups."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        supergroup = is_forum or chat_id <= -1_000_000_000_000
        chat = FakeChat(
            id=chat_id, type="supergroup" if supergroup else "group", title=title, is_forum=is_forum
        )
        self._chats[chat_id] = chat
        return chat

    def create_topic(self, chat_id: int, name: str) -> int:
        """A forum topic made by a user; returns its message_thread_id."""
        chat = self._chats[chat_id]
        if not chat.is_forum:
            raise ValueError(f"chat {chat_id} is not a forum")
        thread_id = self._new_message_id(chat_id)
        self._topics.setdefault(chat_id, {})[thread_id] = name
        return thread_id

    def topics(self, chat_id: int) -> dict[int, str]:
        """Forum topics of a chat: message_thread_id -> name."""
        return dict(self._topics.get(chat_id, {}))

    # ----------------------------------------------------------------- driving: updates

    async def send_text(
        self,
        chat_id: int,
        user: FakeUser,
        text: str,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
    ) -> int:
        """The user sends text (a leading /command gets its bot_command entity)."""
        fields: JSON = {"text": text}
        entities = command_entities(text)
        if entities:
            fields["entities"] = entities
        return await self.send_custom(chat_id, user, fields, reply_to_message_id, message_thread_id)

    async def send_sticker(
        self, chat_id: int, user: FakeUser, emoji: str = "👍", message_thread_id: int | None = None
    ) -> int:
        """The user sends a sticker."""
        stored = self._store_file("sticker", "webp", b"RIFF-fake-sticker")
        sticker = {
            **self._file_json(stored),
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": emoji,
        }
        return await self.send_custom(
            chat_id, user, {"sticker": sticker}, message_thread_id=message_thread_id
        )

    async def send_photo(
        self,
        chat_id: int,
        user: FakeUser,
        caption: str | None = None,
        content: bytes = b"\x89PNG-fake-photo",
        message_thread_id: int | None = None,
    ) -> int:
        """The user sends a photo (two sizes, as Telegram does), downloadable via getFile."""
        small = self._store_file("photo", "jpg", content[:16])
        large = self._store_file("photo", "jpg", content)
        fields: JSON = {
            "photo": [
                {**self._file_json(small), "width": 90, "height": 90},
                {**self._file_json(large), "width": 1280, "height": 960},
            ]
        }
        if caption is not None:
            fields["caption"] = caption
        return await self.send_custom(chat_id, user, fields, message_thread_id=message_thread_id)

    async def send_voice(
        self,
        chat_id: int,
        user: FakeUser,
        duration: int = 3,
        content: bytes = b"OggS-fake-voice",
        message_thread_id: int | None = None,
    ) -> int:
        """The user sends a voice note."""
        stored = self._store_file("voice", "oga", content)
        voice = {**self._file_json(stored), "duration": duration, "mime_type": "audio/ogg"}
        return await self.send_custom(
            chat_id, user, {"voice": voice}, message_thread_id=message_thread_id
        )

    async def send_document(
        self,
        chat_id: int,
        user: FakeUser,
        file_name: str = "statement.pdf",
        mime_type: str = "application/pdf",
        content: bytes = b"%PDF-fake-document",
        caption: str | None = None,
        message_thread_id: int | None = None,
    ) -> int:
        """The user sends a file."""
        stored = self._store_file("document", file_name.rsplit(".", 1)[-1], content)
        document = {**self._file_json(stored), "file_name": file_name, "mime_type": mime_type}
        fields: JSON = {"document": document}
        if caption is not None:
            fields["caption"] = caption
        return await self.send_custom(chat_id, user, fields, message_thread_id=message_thread_id)

    async def send_custom(
        self,
        chat_id: int,
        user: FakeUser,
        fields: JSON,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
    ) -> int:
        """The user sends a message made of these Message fields (contact, location, ...)."""
        chat = self._driving_chat(chat_id, user)
        message: JSON = {
            "message_id": self._new_message_id(chat.id),
            "from": user.to_json(),
            "chat": chat.to_json(),
            "date": int(time.time()),
            **fields,
        }
        if message_thread_id is not None:
            if message_thread_id not in self._topics.get(chat.id, {}):
                raise AssertionError(f"chat {chat.id} has no topic {message_thread_id}")
            message["message_thread_id"] = message_thread_id
            message["is_topic_message"] = True
        if reply_to_message_id is not None:
            target = self._raw_messages.get((chat.id, reply_to_message_id))
            if target is None:
                raise AssertionError(f"chat {chat.id} has no message {reply_to_message_id}")
            message["reply_to_message"] = target
        self._raw_messages[(chat.id, message["message_id"])] = message
        return self.queue_raw_update({"message": message})

    async def press(
        self, chat_id: int, user: FakeUser, message_id: int, data: str, *, check: bool = True
    ) -> int:
        """The user presses the inline button with this callback_data on a bot message.

        check=False skips verifying the button is on the message now (a stale double tap).
        """
        msg = self.message(chat_id, message_id)
        if check:
            if msg.deleted:
                raise AssertionError(f"message {message_id} in chat {chat_id} was deleted")
            datas = [d for row in msg.buttons for _, d in row]
            if data not in datas:
                raise AssertionError(
                    f"no button with data {data!r} on message {message_id}; buttons: "
                    f"{msg.buttons!r}"
                )
        chat = self._chats[chat_id]
        query_id = str(next(self._query_ids))
        self._queries[query_id] = _Query(chat_id, message_id, data)
        query = {
            "id": query_id,
            "from": user.to_json(),
            "message": self._bot_message_json(msg, chat),
            "chat_instance": str(abs(chat_id) * 7919 % 10**12),
            "data": data,
        }
        return self.queue_raw_update({"callback_query": query})

    def queue_raw_update(self, update: JSON) -> int:
        """Queue any Update dict; an update_id is added when missing. Returns the update_id."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        else:
            update_id = int(update["update_id"])
            while next(self._update_ids) <= update_id:
                pass
        self._updates_by_id[update["update_id"]] = update
        self._pending.append(_Pending(update))
        self._notify()
        return int(update["update_id"])

    def redeliver(self, update_id: int) -> None:
        """Deliver an update once more, as Telegram does when it thinks the bot missed it."""
        self._pending.append(_Pending(self._updates_by_id[update_id], forced=True))
        self._notify()

    def update(self, update_id: int) -> JSON:
        """The Update dict queued under this id (e.g. to read the user's message_id)."""
        return self._updates_by_id[update_id]

    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by getUpdates offset (or by a webhook 200)."""
        return [p.update for p in self._pending]

    async def post_update_to(
        self, url: str, update: JSON, secret_token: str | None = None
    ) -> tuple[int, str]:
        """POST an update to a webhook as Telegram would; returns (HTTP status, body)."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token else {}
        timeout = aiohttp.ClientTimeout(total=10)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(url, json=update, headers=headers) as response,
        ):
            return response.status, await response.text()

    # ----------------------------------------------------------------- inspecting

    def messages(self, chat_id: int) -> list[RecordedMessage]:
        """Every message the bot sent to the chat, in order, deleted ones included."""
        return list(self._bot_messages.get(chat_id, []))

    def message(self, chat_id: int, message_id: int) -> RecordedMessage:
        """A bot message as it is now, after any edits."""
        msg = self._bot_index.get((chat_id, message_id))
        if msg is None:
            raise AssertionError(f"the bot sent no message {message_id} to chat {chat_id}")
        return msg

    def unconsumed(self, chat_id: int) -> list[RecordedMessage]:
        """Bot messages to the chat that no wait_for_message has returned yet."""
        return [
            m
            for m in self._bot_messages.get(chat_id, [])
            if (chat_id, m.message_id) not in self._consumed_messages
        ]

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Finished calls in arrival order, all or of one method."""
        calls = sorted(self._calls, key=lambda c: c.at)
        return [c for c in calls if method is None or c.method == method]

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list set by setMyCommands for this scope and language."""
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    @property
    def webhook_url(self) -> str | None:
        """The webhook URL set by the bot, or None in polling mode."""
        return self._webhook.url if self._webhook else None

    # ----------------------------------------------------------------- waiting

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[RecordedMessage], bool] | None = None,
        timeout: float = 5.0,
    ) -> RecordedMessage:
        """The first bot message to the chat not returned before (and matching predicate)."""

        def find() -> RecordedMessage | None:
            for msg in self.unconsumed(chat_id):
                if predicate is None or predicate(msg):
                    self._consumed_messages.add((chat_id, msg.message_id))
                    return msg
            return None

        def describe() -> str:
            texts = [(m.message_id, m.text) for m in self.unconsumed(chat_id)]
            return f"no matching new message to chat {chat_id} in {timeout}s; unread: {texts!r}"

        return await self._wait_until(find, timeout, describe)

    async def wait_for_edit(
        self,
        chat_id: int,
        message_id: int,
        predicate: Callable[[RecordedMessage], bool] | None = None,
        timeout: float = 5.0,
    ) -> RecordedMessage:
        """The message once it has an edit not seen by an earlier wait_for_edit (and matches)."""
        key = (chat_id, message_id)

        def find() -> RecordedMessage | None:
            msg = self._bot_index.get(key)
            if msg is None or len(msg.markup_edits) <= self._seen_edits.get(key, 0):
                return None
            if predicate is not None and not predicate(msg):
                return None
            self._seen_edits[key] = len(msg.markup_edits)
            return msg

        def describe() -> str:
            msg = self._bot_index.get(key)
            now = (msg.text, msg.buttons) if msg else None
            return f"message {message_id} in chat {chat_id} not edited as expected; now {now!r}"

        return await self._wait_until(find, timeout, describe)

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[RecordedCall], bool] | None = None,
        timeout: float = 5.0,
    ) -> RecordedCall:
        """The first finished call of method not returned before (and matching predicate)."""

        def find() -> RecordedCall | None:
            for call in self.calls(method):
                if id(call) not in self._consumed_calls and (predicate is None or predicate(call)):
                    self._consumed_calls.add(id(call))
                    return call
            return None

        return await self._wait_until(
            find, timeout, lambda: f"no matching {method} call within {timeout}s"
        )

    async def wait_for_callback_answer(self, timeout: float = 5.0) -> CallbackAnswer:
        """The next answerCallbackQuery not returned before."""

        def find() -> CallbackAnswer | None:
            if self._consumed_answers < len(self.callback_answers):
                self._consumed_answers += 1
                return self.callback_answers[self._consumed_answers - 1]
            return None

        return await self._wait_until(
            find, timeout, lambda: f"no answerCallbackQuery within {timeout}s"
        )

    async def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until every update was fetched and no call but getUpdates came for `quiet` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            undelivered = any(not p.delivered or self._webhook is not None for p in self._pending)
            idle_for = time.monotonic() - self._last_activity
            if not undelivered and self._in_flight == 0 and idle_for >= quiet:
                return
            if loop.time() >= deadline:
                raise AssertionError(f"the bot was still busy after {timeout}s")
            await asyncio.sleep(max(0.02, min(quiet - idle_for, deadline - loop.time())))

    # ----------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        sent_name = request.match_info["method"]
        method, handler = self._handlers.get(sent_name.lower(), (sent_name, None))
        if request.match_info["token"] != self.token:
            self._calls.append(RecordedCall(method, {}, arrived, 401, "Unauthorized"))
            return _reply(ApiError(401, "Unauthorized").to_json(), 401)
        params = await read_params(request)
        counts = method != "getUpdates"
        if counts:
            self._in_flight += 1
            self._last_activity = arrived
        status, description = 0, None
        try:
            try:
                if handler is None:
                    raise ApiError(404, "Not Found: method not found")
                result, answer_delay = await self._dispatch(method, handler, params)
            except ApiError as err:
                status, description = err.error_code, err.description
                return _reply(err.to_json(), err.error_code)
            status = 200
            if answer_delay:
                await asyncio.sleep(answer_delay)
            return _reply({"ok": True, "result": result}, 200)
        finally:
            self._calls.append(RecordedCall(method, params, arrived, status, description))
            if counts:
                self._in_flight -= 1
                self._last_activity = time.monotonic()
            self._notify()

    async def _dispatch(self, method: str, handler: Handler, params: JSON) -> tuple[Any, float]:
        """The result and how long to hold the answer back."""
        chat_key = self._chat_key(params.get("chat_id"))
        failure = self._take_failure(method, chat_key)
        if failure is not None:
            if failure.error_code is None:
                return await handler(params), failure.delay
            await asyncio.sleep(failure.delay)
            raise self._injected_error(method, chat_key, failure)
        now = time.monotonic()
        if chat_key is not None and chat_key in self._flood:
            hit = self._flood[chat_key]
            if now < hit.deadline:
                self.early_retries.append(EarlyRetry(chat_key, method, now, hit))
                raise self._too_many(chat_key, method, max(1, int(hit.deadline - now + 0.999)))
        if self._limits.applies(method, chat_key):
            assert chat_key is not None
            wait = self._limits.check(chat_key, now)
            if wait is not None:
                raise self._too_many(chat_key, method, wait)
        return await handler(params), 0.0

    def _injected_error(
        self, method: str, chat_key: int | str | None, failure: InjectedFailure
    ) -> ApiError:
        code = failure.error_code
        assert code is not None
        if code == 429:
            assert failure.retry_after is not None
            return self._too_many(chat_key, method, failure.retry_after, failure.description, True)
        description = failure.description or DEFAULT_DESCRIPTIONS.get(code, f"Error {code}")
        return ApiError(code, description)

    def _too_many(
        self,
        chat_key: int | str | None,
        method: str,
        retry_after: int,
        description: str | None = None,
        injected: bool = False,
    ) -> ApiError:
        hit = RateLimitHit(chat_key, method, time.monotonic(), retry_after, injected)
        self.rate_limit_hits.append(hit)
        if chat_key is not None:
            self._flood[chat_key] = hit
        text = description or f"Too Many Requests: retry after {retry_after}"
        return ApiError(429, text, retry_after)

    def _take_failure(self, method: str, chat_key: int | str | None) -> InjectedFailure | None:
        for failure in self._failures:
            if failure.method == method and failure.chat_id in (None, chat_key):
                self._failures.remove(failure)
                return failure
        return None

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _reply(ApiError(401, "Unauthorized").to_json(), 401)
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(body=stored.content)
        return _reply(ApiError(404, "Not Found").to_json(), 404)

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return _reply(ApiError(404, "Not Found").to_json(), 404)

    # ----------------------------------------------------------------- Bot API methods

    def _method_table(self) -> dict[str, Handler]:
        return {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "createForumTopic": self._create_forum_topic,
            "getChat": self._get_chat,
            "getFile": self._get_file,
        }

    async def _true(self, params: JSON) -> bool:
        return True

    async def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user.to_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or []) or None
        if offset > 0:
            self._pending = [p for p in self._pending if p.forced or p.update_id >= offset]
        elif offset < 0:
            regular = [p for p in self._pending if not p.forced]
            keep = regular[offset:]
            self._pending = [p for p in self._pending if p.forced or p in keep]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._drop_unwanted()
            batch = [p for p in self._pending if not (p.forced and p.delivered)][:limit]
            if batch or self._closing or loop.time() >= deadline:
                break
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            await self._next_change(deadline - loop.time())
        for pending in batch:
            pending.delivered = True
        self._pending = [p for p in self._pending if not (p.forced and p.delivered)]
        return [p.update for p in batch]

    def _drop_unwanted(self) -> None:
        if self._allowed_updates is not None:
            allowed = set(self._allowed_updates)
            self._pending = [p for p in self._pending if p.kind in allowed]

    async def _set_webhook(self, params: JSON) -> bool:
        url = params.get("url") or ""
        if not url:
            return await self._delete_webhook(params)
        if not str(url).startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or []) or None
        await self._stop_webhook_pump()
        self._webhook = _Webhook(
            url=str(url),
            secret_token=params.get("secret_token"),
            max_connections=int(params.get("max_connections") or 40),
        )
        self._webhook_task = asyncio.create_task(self._webhook_pump())
        return True

    async def _delete_webhook(self, params: JSON) -> bool:
        await self._stop_webhook_pump()
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self._webhook.url if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
            failures = [d for d in self.webhook_deliveries if not 200 <= d.status < 300]
            if failures:
                info["last_error_date"] = int(time.time())
                status = failures[-1].status
                info["last_error_message"] = f"Wrong response from the webhook: {status}"
        if self._allowed_updates is not None:
            info["allowed_updates"] = self._allowed_updates
        return info

    @staticmethod
    def _commands_key(scope: JSON | None, language_code: str | None) -> str:
        return json.dumps([scope or {"type": "default"}, language_code or ""], sort_keys=True)

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("parameter commands is required")
        for command in commands:
            name = str(command.get("command", ""))
            if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = [dict(c) for c in commands]
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        return self.commands(params.get("scope"), params.get("language_code") or "")

    async def _delete_my_commands(self, params: JSON) -> bool:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands.pop(key, None)
        return True

    async def _send_message(self, params: JSON) -> JSON:
        chat = self._require_chat(params)
        if chat.id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        text = visible_text(params.get("text"), params.get("parse_mode"))
        markup = _check_markup(params.get("reply_markup"))
        thread_id = self._check_thread(chat, params.get("message_thread_id"))
        reply_to = self._reply_target(chat, params)
        msg = RecordedMessage(
            chat_id=chat.id,
            message_id=self._new_message_id(chat.id),
            text=text,
            raw_text=params.get("text"),
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            thread_id=thread_id,
            reply_to_message_id=reply_to,
            date=int(time.time()),
            params=dict(params),
        )
        self._bot_messages.setdefault(chat.id, []).append(msg)
        self._bot_index[(chat.id, msg.message_id)] = msg
        message_json = self._bot_message_json(msg, chat)
        self._raw_messages[(chat.id, msg.message_id)] = message_json
        return message_json

    async def _edit_message_text(self, params: JSON) -> JSON:
        chat, msg = self._editable(params)
        if msg.text is None:
            raise bad_request("there is no text in the message to edit")
        text = visible_text(params.get("text"), params.get("parse_mode"))
        markup = _inline_only(_check_markup(params.get("reply_markup")))
        if text == msg.text and markup == _inline_only(msg.reply_markup):
            raise bad_request(NOT_MODIFIED)
        msg.edits.append(msg.text)
        msg.markup_edits.append(msg.reply_markup)
        msg.text, msg.raw_text, msg.parse_mode = text, params.get("text"), params.get("parse_mode")
        msg.reply_markup = markup
        return self._after_edit(chat, msg)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        chat, msg = self._editable(params)
        markup = _inline_only(_check_markup(params.get("reply_markup")))
        if markup == _inline_only(msg.reply_markup):
            raise bad_request(NOT_MODIFIED)
        msg.markup_edits.append(msg.reply_markup)
        msg.reply_markup = markup
        return self._after_edit(chat, msg)

    def _editable(self, params: JSON) -> tuple[FakeChat, RecordedMessage]:
        if params.get("inline_message_id"):
            raise bad_request("the fake server does not support inline messages")
        chat = self._require_chat(params)
        key = (chat.id, int(params.get("message_id") or 0))
        msg = self._bot_index.get(key)
        if msg is None and key in self._raw_messages:
            raise bad_request("message can't be edited")
        if msg is None or msg.deleted:
            raise bad_request("message to edit not found")
        return chat, msg

    def _after_edit(self, chat: FakeChat, msg: RecordedMessage) -> JSON:
        self._edit_dates[(chat.id, msg.message_id)] = int(time.time())
        message_json = self._bot_message_json(msg, chat)
        self._raw_messages[(chat.id, msg.message_id)] = message_json
        return message_json

    async def _delete_message(self, params: JSON) -> bool:
        chat = self._require_chat(params)
        key = (chat.id, int(params.get("message_id") or 0))
        if key not in self._raw_messages:
            raise bad_request("message to delete not found")
        del self._raw_messages[key]
        if key in self._bot_index:
            self._bot_index[key].deleted = True
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise bad_request(QUERY_INVALID)
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                text=text,
                show_alert=bool(params.get("show_alert")),
                url=params.get("url"),
                cache_time=params.get("cache_time"),
                chat_id=query.chat_id,
                message_id=query.message_id,
                data=query.data,
            )
        )
        return True

    async def _send_chat_action(self, params: JSON) -> bool:
        chat = self._require_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        if chat.id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        self._check_thread(chat, params.get("message_thread_id"))
        return True

    async def _create_forum_topic(self, params: JSON) -> JSON:
        chat = self._require_chat(params)
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        name = str(params.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_NAME_INVALID")
        thread_id = self.create_topic(chat.id, name)
        return {
            "message_thread_id": thread_id,
            "name": name,
            "icon_color": int(params.get("icon_color") or 7322096),
        }

    async def _get_chat(self, params: JSON) -> JSON:
        chat = self._require_chat(params)
        return {
            **chat.to_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_file(self, params: JSON) -> JSON:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        return {**self._file_json(stored), "file_path": stored.file_path}

    # ----------------------------------------------------------------- helpers

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _next_change(self, timeout: float) -> None:
        event = self._changed
        if timeout <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    async def _wait_until(
        self, find: Callable[[], T | None], timeout: float, describe: Callable[[], str]
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = find()
            if found is not None:
                return found
            if loop.time() >= deadline:
                raise AssertionError(describe())
            await self._next_change(deadline - loop.time())

    def _new_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _chat_key(self, chat_id: object) -> int | str | None:
        if chat_id is None:
            return None
        if isinstance(chat_id, int):
            return chat_id
        text = str(chat_id)
        if text.lstrip("-").isdigit():
            return int(text)
        for chat in self._chats.values():
            if chat.username and f"@{chat.username}".lower() == text.lower():
                return chat.id
        return text

    def _require_chat(self, params: JSON) -> FakeChat:
        key = self._chat_key(params.get("chat_id"))
        if key is None:
            raise bad_request("chat_id is empty")
        chat = self._chats.get(key) if isinstance(key, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _driving_chat(self, chat_id: int, user: FakeUser) -> FakeChat:
        chat = self._chats.get(chat_id)
        if chat is None and chat_id == user.id:
            chat = self.private_chat(user)
        if chat is None:
            raise AssertionError(f"unknown chat {chat_id}: create it with group() first")
        self._users.setdefault(user.id, user)
        return chat

    def _check_thread(self, chat: FakeChat, thread_id: object) -> int | None:
        if thread_id is None:
            return None
        if int(str(thread_id)) not in self._topics.get(chat.id, {}):
            raise bad_request("message thread not found")
        return int(str(thread_id))

    def _reply_target(self, chat: FakeChat, params: JSON) -> int | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            target, lenient = reply.get("message_id"), reply.get("allow_sending_without_reply")
        else:
            target = params.get("reply_to_message_id")
            lenient = params.get("allow_sending_without_reply")
        if target is None:
            return None
        if (chat.id, int(target)) in self._raw_messages:
            return int(target)
        if lenient:
            return None
        raise bad_request("message to be replied not found")

    def _bot_message_json(self, msg: RecordedMessage, chat: FakeChat) -> JSON:
        data: JSON = {
            "message_id": msg.message_id,
            "from": self.bot_user.to_json(),
            "chat": chat.to_json(),
            "date": msg.date,
        }
        if msg.thread_id is not None:
            data["message_thread_id"] = msg.thread_id
            data["is_topic_message"] = True
        if msg.reply_to_message_id is not None:
            target = self._raw_messages.get((chat.id, msg.reply_to_message_id))
            if target is not None:
                data["reply_to_message"] = {
                    k: v for k, v in target.items() if k != "reply_to_message"
                }
        if msg.text is not None:
            data["text"] = msg.text
        inline = _inline_only(msg.reply_markup)
        if inline is not None:
            data["reply_markup"] = inline
        edit_date = self._edit_dates.get((chat.id, msg.message_id))
        if edit_date is not None:
            data["edit_date"] = edit_date
        return data

    def _store_file(self, kind: str, extension: str, content: bytes) -> _StoredFile:
        number = next(self._file_numbers)
        stored = _StoredFile(
            file_id=f"fake-{kind}-{number}",
            file_unique_id=f"uniq{number}",
            file_path=f"{kind}s/file_{number}.{extension}",
            content=content,
        )
        self._files[stored.file_id] = stored
        return stored

    @staticmethod
    def _file_json(stored: _StoredFile) -> JSON:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }

    async def _webhook_pump(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while self._webhook is not None and not self._closing:
                self._drop_unwanted()
                if not self._pending:
                    await self._next_change(1.0)
                    continue
                pending, hook = self._pending[0], self._webhook
                headers = (
                    {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token}
                    if hook.secret_token
                    else {}
                )
                try:
                    async with session.post(hook.url, json=pending.update, headers=headers) as resp:
                        status = resp.status
                        await resp.read()
                except (aiohttp.ClientError, TimeoutError):
                    status = 0
                self.webhook_deliveries.append(
                    WebhookDelivery(pending.update_id, hook.url, status, time.monotonic())
                )
                if 200 <= status < 300:
                    pending.delivered = True
                    if pending in self._pending:
                        self._pending.remove(pending)
                    self._notify()
                else:
                    await asyncio.sleep(self.webhook_retry_delay)

    async def _stop_webhook_pump(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _reply(body: JSON, status: int) -> web.Response:
    return web.json_response(body, status=status)


def _check_markup(markup: object) -> JSON | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return dict(markup)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard: rows must be arrays of buttons")
    for row in rows:
        for button in row:
            if not str(button.get("text") or "").strip():
                raise bad_request("inline keyboard button text must be non-empty")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return dict(markup)


def _inline_only(markup: JSON | None) -> JSON | None:
    """Message.reply_markup as Telegram reports it: only a non-empty inline keyboard."""
    if markup is None or not markup.get("inline_keyboard"):
        return None
    return {"inline_keyboard": markup["inline_keyboard"]}
