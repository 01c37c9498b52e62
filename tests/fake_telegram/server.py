"""A fake Telegram Bot API server over real HTTP, driven by tests and called by the real PTB."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from .bot_api import BotApiMethods, Handler, inline_only
from .models import (
    JSON,
    ApiError,
    CallbackAnswer,
    EarlyRetry,
    FakeChat,
    FakeUser,
    InjectedFailure,
    PendingQuery,
    PendingUpdate,
    RateLimitHit,
    RecordedCall,
    RecordedMessage,
    StoredFile,
    WebhookDelivery,
    WebhookTarget,
    bad_request,
)
from .params import read_params
from .ratelimit import FloodLimits
from .user_actions import UserActions

T = TypeVar("T")

DEFAULT_TOKEN = "123456789:TEST-fake-telegram-token"

DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class FakeTelegram(UserActions, BotApiMethods):
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
        self._pending: list[PendingUpdate] = []
        self._updates_by_id: dict[int, JSON] = {}
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._webhook: WebhookTarget | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._calls: list[RecordedCall] = []
        self._queries: dict[str, PendingQuery] = {}
        self._query_ids = itertools.count(8_000_000_001)
        self._flood: dict[int | str, RateLimitHit] = {}
        self._failures: list[InjectedFailure] = []
        self._commands: dict[str, list[JSON]] = {}
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._files: dict[str, StoredFile] = {}
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

    def limit_overall(self, per_second: int = 30) -> None:
        """Answer 429 past per_second counted calls in any second, over all chats together."""
        self._limits.overall = (per_second, 1.0)

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
        hang: bool = False,
    ) -> None:
        """Make the next call of method (to chat_id, if given) fail, or answer late, once.

        error_code 403, 400, 429, 500, ... answers that error (with Telegram's wording unless
        `description` is given); hang=True does nothing and never answers, until the client
        gives up (PTB's TimedOut).
        """
        # With error_code the call does nothing and answers the error after `delay`. Without
        # it the call is carried out at once and only the answer is late, so a client that
        # times out meanwhile never learns it succeeded - the duplicate-send hazard of the
        # real Telegram.
        if error_code == 429 and retry_after is None:
            retry_after = 1
        self._failures.append(
            InjectedFailure(method, error_code, description, retry_after, delay, chat_id, hang)
        )

    def migrate_group(self, old_id: int, new_id: int, *, notify: bool = False) -> None:
        """The group became a supergroup with a new id, as Telegram does on an upgrade.

        Every call naming the old id then answers 400 "group chat was upgraded to a supergroup
        chat" with parameters.migrate_to_chat_id; with notify, the service messages Telegram
        posts (migrate_to_chat_id in the old group, migrate_from_chat_id in the new) are
        queued as updates.
        """
        old = self._chats[old_id]
        new = FakeChat(id=new_id, type="supergroup", title=old.title, is_forum=old.is_forum)
        self._chats[new_id] = new
        self._migrated[old_id] = new_id
        if not notify:
            return
        date = int(time.time())
        for chat, field, value in (
            (old, "migrate_to_chat_id", new_id),
            (new, "migrate_from_chat_id", old_id),
        ):
            self.queue_raw_update(
                {
                    "message": {
                        "message_id": self._new_message_id(chat.id),
                        "from": self.bot_user.to_json(),
                        "chat": chat.to_json(),
                        "date": date,
                        field: value,
                    }
                }
            )

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends to this private chat answer 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """The user unblocked the bot."""
        self._blocked.discard(chat_id)

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

    async def wait_until_confirmed(self, update_id: int, timeout: float = 5.0) -> None:
        """Return the moment getUpdates' offset moves past a queued update_id."""

        def find() -> bool | None:
            waiting = any(p.update_id <= update_id for p in self._pending if not p.forced)
            return None if waiting else True

        await self._wait_until(
            find, timeout, lambda: f"update {update_id} not confirmed within {timeout}s"
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
            if failure.hang:
                while not self._closing:  # until the client gives up and hangs up
                    await asyncio.sleep(0.05)
                raise ApiError(500, "Internal Server Error: shutting down")
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
        if key in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=self._migrated[key],
            )
        chat = self._chats.get(key) if isinstance(key, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _check_thread(self, chat: FakeChat, thread_id: object) -> int | None:
        if thread_id is None:
            return None
        if int(str(thread_id)) not in self._topics.get(chat.id, {}):
            raise bad_request("message thread not found")
        return int(str(thread_id))

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
        if msg.file_content is not None:
            file = {
                "file_id": f"file-{chat.id}-{msg.message_id}",
                "file_unique_id": f"u{chat.id}{msg.message_id}",
                "file_size": len(msg.file_content),
            }
            if msg.method == "sendPhoto":
                data["photo"] = [{**file, "width": 800, "height": 400}]
            else:
                data["document"] = {**file, "file_name": msg.file_name}
            if msg.text is not None:
                data["caption"] = msg.text
        elif msg.text is not None:
            data["text"] = msg.text
        inline = inline_only(msg.reply_markup)
        if inline is not None:
            data["reply_markup"] = inline
        edit_date = self._edit_dates.get((chat.id, msg.message_id))
        if edit_date is not None:
            data["edit_date"] = edit_date
        return data


def _reply(body: JSON, status: int) -> web.Response:
    return web.json_response(body, status=status)
