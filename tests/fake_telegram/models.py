"""Plain records of what the fake Bot API server saw and holds: users, chats, messages, calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class ApiError(Exception):
    """A Bot API error answer: the HTTP status doubles as error_code, as Telegram does."""

    def __init__(
        self,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def to_json(self) -> JSON:
        """The error envelope Telegram sends."""
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: ..." wording."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user who talks to the bot."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False

    def to_json(self) -> JSON:
        """The Bot API User object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class FakeChat:
    """A chat the fake knows: private (id = user id) or a group (negative id)."""

    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    username: str | None = None
    is_forum: bool = False

    def to_json(self) -> JSON:
        """The Bot API Chat object."""
        data: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "username"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data


Button = tuple[str, str | None]


@dataclass
class RecordedMessage:
    """A message the bot sent, kept up to date by later edits and deletes."""

    chat_id: int
    message_id: int
    text: str | None
    """What the user sees: markup of parse_mode removed."""
    raw_text: str | None
    parse_mode: str | None
    reply_markup: JSON | None
    thread_id: int | None
    reply_to_message_id: int | None
    date: int
    method: str = "sendMessage"
    params: JSON = field(default_factory=dict)
    file_name: str | None = None
    """sendPhoto / sendDocument: the uploaded file's name and bytes; text is the caption."""
    file_content: bytes | None = None
    file_id: str | None = None
    """When the bot sent a file Telegram already had by its file_id (e.g. a user's photo)."""
    edits: list[str | None] = field(default_factory=list)
    """Earlier texts, oldest first; one entry per successful editMessageText."""
    markup_edits: list[JSON | None] = field(default_factory=list)
    """Earlier reply markups, oldest first; one entry per successful edit of any kind."""
    deleted: bool = False

    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard rows as (label, callback_data); url buttons give (label, None)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[(b.get("text", ""), b.get("callback_data")) for b in row] for row in rows]

    @property
    def button_labels(self) -> list[str]:
        """All inline button labels, row by row."""
        return [label for row in self.buttons for label, _ in row]

    @property
    def reply_keyboard(self) -> list[list[str]]:
        """Labels of a ReplyKeyboardMarkup (the keyboard under the input field), if any."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in rows]

    @property
    def removes_keyboard(self) -> bool:
        """Whether the message carried ReplyKeyboardRemove."""
        return bool((self.reply_markup or {}).get("remove_keyboard"))

    def button(self, label_substring: str) -> str:
        """The callback_data of the one inline button whose label contains label_substring."""
        found = [
            (label, data)
            for row in self.buttons
            for label, data in row
            if label_substring.casefold() in label.casefold()
        ]
        if len(found) != 1 or found[0][1] is None:
            raise AssertionError(
                f"expected one callback button containing {label_substring!r} on message "
                f"{self.message_id}, buttons are {self.button_labels!r}"
            )
        data = found[0][1]
        assert data is not None
        return data


@dataclass(frozen=True)
class RecordedCall:
    """One HTTP call to the Bot API, with the answer it got."""

    method: str
    params: JSON
    at: float
    """time.monotonic() when the call arrived."""
    status: int = 0
    description: str | None = None
    """The error description when status is not 200."""


@dataclass(frozen=True)
class CallbackAnswer:
    """An answerCallbackQuery call, tied to the press that caused it."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    chat_id: int | None
    message_id: int | None
    data: str | None


@dataclass(frozen=True)
class RateLimitHit:
    """A 429 the fake answered, from enforcement or from fail_next."""

    chat_id: int | str | None
    method: str
    at: float
    retry_after: int
    injected: bool

    @property
    def deadline(self) -> float:
        """Monotonic time before which the client must not come back to this chat."""
        return self.at + self.retry_after


@dataclass(frozen=True)
class EarlyRetry:
    """A call to a chat that arrived before the retry_after of an earlier 429 had elapsed."""

    chat_id: int | str
    method: str
    at: float
    hit: RateLimitHit


@dataclass
class InjectedFailure:
    """A one-shot fault queued by fail_next."""

    method: str
    error_code: int | None
    description: str | None
    retry_after: int | None
    delay: float
    chat_id: int | str | None
    hang: bool = False


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to the bot's webhook and the status it got (0: no connection)."""

    update_id: int
    url: str
    status: int
    at: float


@dataclass
class PendingUpdate:
    """An update waiting to be fetched (polling) or posted (webhook)."""

    update: JSON
    forced: bool = False
    """A redelivery: handed out once whatever the offset says."""
    delivered: bool = False

    @property
    def update_id(self) -> int:
        """The update's id."""
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        """The update type: message, callback_query, ..."""
        return next(k for k in self.update if k != "update_id")


@dataclass
class WebhookTarget:
    """Where setWebhook told the fake to post updates."""

    url: str
    secret_token: str | None
    max_connections: int


@dataclass
class PendingQuery:
    """A callback query the bot has still to answer (or has answered)."""

    chat_id: int
    message_id: int
    data: str | None
    answered: bool = False


@dataclass(frozen=True)
class StoredFile:
    """A file a user sent, downloadable through getFile and the file URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None  # a document's name as the user sent it
