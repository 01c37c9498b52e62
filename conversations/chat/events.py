"""Inbound events: what a chat sent us, already translated from Telegram."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class EventKind(enum.StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    MEDIA = "media"  # sticker, photo, voice, file…: nothing we can read
    CONTACT = "contact"  # a shared contact card: text is its phone number
    FILE = "file"  # a photo or document we can keep as evidence: `file`; text is its caption


@dataclass(frozen=True)
class Author:
    """Who wrote a message or pressed a button."""

    user_id: int
    first_name: str = ""
    username: str | None = None
    language_code: str | None = None  # Telegram's, e.g. "ur" or "en-GB"; None from the terminal

    @property
    def display(self) -> str:
        return self.first_name or (f"@{self.username}" if self.username else str(self.user_id))

    @property
    def signature(self) -> str:
        """How a staff member is named in the audit trail and on cards: "Sara (@sara)"."""
        name = self.first_name or str(self.user_id)
        return f"{name} (@{self.username})" if self.username else name


@dataclass(frozen=True)
class FileRef:
    """A photo or document as Telegram holds it: the bot re-sends it by file_id, never downloads."""

    kind: str  # "photo" or "document"
    file_id: str
    unique_id: str  # the same file sent twice has the same one
    name: str = ""  # a document's file name; "" for a photo
    mime_type: str = ""
    size: int | None = None  # bytes, when Telegram says
    # Telegram said only that it is too big to fetch (getFile refused a file without a size).
    too_big: bool = False


@dataclass(frozen=True)
class Inbound:
    chat_id: int
    author: Author
    kind: EventKind
    text: str = ""  # the text, or a command's arguments
    command: str | None = None  # without the slash, lower case
    data: str | None = None  # a button's callback data
    media: str | None = None  # "sticker", "photo", …
    update_id: int | None = None  # Telegram's; None from the terminal chat
    message_id: int | None = None  # the message itself, or the one whose button was pressed
    reply_to_message_id: int | None = None
    # The text (or caption) of the message replied to, when it has one: /teach learns it.
    reply_to_text: str | None = None
    is_private: bool = True
    thread_id: int | None = None  # the forum topic it came from; replies go to the same topic
    # A shared contact's own Telegram user, if it has one: the author's own means Telegram has
    # verified the number.
    contact_user_id: int | None = None
    file: FileRef | None = None  # EventKind.FILE: the photo or document
    # "/help@some_bot": the bot a command names (lower case, without "@"); None when it names none.
    addressed_to: str | None = None

    def for_another_bot(self, own_username: str) -> bool:
        """A command that names another bot ("/help@other_bot"): not ours to answer."""
        if self.kind is not EventKind.COMMAND or self.addressed_to is None:
            return False
        return self.addressed_to != own_username.lower()

    @classmethod
    def text_or_command(cls, chat_id: int, author: Author, text: str, **kw: object) -> Inbound:
        """Build a text event, or a command event when it starts with a slash."""
        stripped = text.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            head, _, rest = stripped[1:].partition(" ")
            name, at, bot = head.partition("@")
            return cls(
                chat_id,
                author,
                EventKind.COMMAND,
                text=rest.strip(),
                command=name.lower(),
                addressed_to=bot.lower() if at else None,
                **kw,  # type: ignore[arg-type]
            )
        return cls(chat_id, author, EventKind.TEXT, text=text, **kw)  # type: ignore[arg-type]
