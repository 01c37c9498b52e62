"""Telegram updates in, core events out (and our buttons out as Telegram markup).

Every string a user controls is cleaned of NUL characters on its way in (see `clean`).
"""

from __future__ import annotations

from typing import TypedDict

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
    User,
)

from conversations import i18n
from conversations.catalog import customer as customer_text
from conversations.chat.events import Author, EventKind, FileRef, Inbound
from conversations.domain import Button, OutgoingMessage

_MEDIA_FIELDS = (
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "location",
    "contact",
    "poll",
    "venue",
    "dice",
)


class _Common(TypedDict):
    """What every message event carries, whatever its kind."""

    update_id: int
    message_id: int
    reply_to_message_id: int | None
    reply_to_text: str | None
    is_private: bool
    thread_id: int | None


def clean(text: str) -> str:
    """The text without NUL characters, which PostgreSQL refuses to store in any text column."""
    return text.replace("\x00", "") if "\x00" in text else text


def _clean_or_none(text: str | None) -> str | None:
    return None if text is None else clean(text) or None


def author_of(user: User | None) -> Author:
    if user is None:
        return Author(user_id=0)
    return Author(
        user_id=user.id,
        first_name=clean(user.first_name or ""),
        username=_clean_or_none(user.username),
        language_code=_clean_or_none(user.language_code),
    )


def _pressed_label(message: Message | None, data: str) -> str:
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return ""
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return ""


def _replied_text(message: Message) -> str | None:
    replied = message.reply_to_message
    if replied is None:
        return None
    return _clean_or_none(replied.text or replied.caption)


def to_inbound(update: Update) -> Inbound | None:
    """The core's view of an update, or None for updates the bot does not act on."""
    query = update.callback_query
    if query is not None:
        message = query.message if isinstance(query.message, Message) else None
        if message is None:
            return None
        data = clean(query.data or "")
        return Inbound(
            chat_id=message.chat.id,
            author=author_of(query.from_user),
            kind=EventKind.BUTTON,
            data=data,
            text=clean(_pressed_label(message, data)),
            update_id=update.update_id,
            message_id=message.message_id,
            is_private=message.chat.type == "private",
            thread_id=message.message_thread_id if message.is_topic_message else None,
        )
    message = update.message
    if message is None:
        return None  # edits, channel posts, member updates: nothing to answer
    common: _Common = {
        "update_id": update.update_id,
        "message_id": message.message_id,
        "reply_to_message_id": (
            message.reply_to_message.message_id if message.reply_to_message else None
        ),
        "reply_to_text": _replied_text(message),
        "is_private": message.chat.type == "private",
        "thread_id": message.message_thread_id if message.is_topic_message else None,
    }
    author = author_of(message.from_user)
    if message.text is not None:
        return Inbound.text_or_command(message.chat.id, author, clean(message.text), **common)
    if message.chat.type != "private":
        return None  # a photo in the staff group is staff business
    if message.contact is not None:
        return Inbound(
            chat_id=message.chat.id,
            author=author,
            kind=EventKind.CONTACT,
            text=clean(message.contact.phone_number),
            contact_user_id=message.contact.user_id,
            **common,
        )
    kept = _file_of(message)
    if kept is not None:
        return Inbound(
            chat_id=message.chat.id,
            author=author,
            kind=EventKind.FILE,
            text=clean(message.caption or ""),
            file=kept,
            **common,
        )
    media = next((name for name in _MEDIA_FIELDS if getattr(message, name, None)), "other")
    return Inbound(
        chat_id=message.chat.id, author=author, kind=EventKind.MEDIA, media=media, **common
    )


def _file_of(message: Message) -> FileRef | None:
    """A photo (its largest size) or a document: what a customer can send as evidence."""
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return FileRef("photo", largest.file_id, largest.file_unique_id, size=largest.file_size)
    document = message.document
    if document is not None:
        return FileRef(
            "document",
            document.file_id,
            document.file_unique_id,
            name=clean(document.file_name or ""),
            mime_type=clean(document.mime_type or ""),
            size=document.file_size,
        )
    return None


def reply_markup(message: OutgoingMessage) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """The message's inline buttons, or the keyboard button that shares the phone number."""
    if message.ask_contact and not message.buttons:
        # Built when sent, outside the turn: the message's own script says its language.
        language = i18n.URDU if i18n.written_in_urdu(message.text) else i18n.ENGLISH
        with i18n.use(language):
            label = i18n._(customer_text.BTN_SHARE_CONTACT)
        share = KeyboardButton(label, request_contact=True)
        return ReplyKeyboardMarkup([[share]], resize_keyboard=True, one_time_keyboard=True)
    return markup(message.buttons)


def markup(buttons: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.data)
                for b in row
            ]
            for row in buttons
        ]
    )
