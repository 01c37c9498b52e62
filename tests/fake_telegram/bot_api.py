"""The Bot API methods the fake answers, with Telegram's checks and error wording."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from .models import (
    JSON,
    ApiError,
    CallbackAnswer,
    FakeChat,
    RecordedMessage,
    WebhookDelivery,
    WebhookTarget,
    bad_request,
)
from .text import visible_text

Handler = Callable[[JSON], Awaitable[Any]]

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


# getFile serves files up to 20 MB; bigger ones can only be sent on by file_id.
GET_FILE_LIMIT = 20 * 1024 * 1024


class BotApiMethods:
    """Bot API method handlers; mixed into FakeTelegram, whose __init__ holds the state."""

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
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
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
        self._webhook = WebhookTarget(
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
        markup = check_markup(params.get("reply_markup"))
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

    async def _send_photo(self, params: JSON) -> JSON:
        return await self._send_file(params, "sendPhoto", "photo")

    async def _send_document(self, params: JSON) -> JSON:
        return await self._send_file(params, "sendDocument", "document")

    async def _send_file(self, params: JSON, method: str, field_name: str) -> JSON:
        """A photo or document uploaded in a multipart body, with an optional caption."""
        chat = self._require_chat(params)
        if chat.id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        upload = params.get(field_name)
        if isinstance(upload, str) and upload:
            upload = self._resent_file(upload, field_name)
        if not isinstance(upload, dict) or not upload.get("content"):
            raise bad_request(f"there is no {field_name} in the request")
        caption = params.get("caption")
        if caption is not None and len(str(caption)) > 1024:
            raise bad_request("message caption is too long")
        msg = RecordedMessage(
            chat_id=chat.id,
            message_id=self._new_message_id(chat.id),
            text=visible_text(caption, params.get("parse_mode")) if caption else None,
            raw_text=caption,
            parse_mode=params.get("parse_mode"),
            reply_markup=check_markup(params.get("reply_markup")),
            thread_id=self._check_thread(chat, params.get("message_thread_id")),
            reply_to_message_id=self._reply_target(chat, params),
            date=int(time.time()),
            method=method,
            params={k: v for k, v in params.items() if k != field_name},
            file_name=upload.get("filename"),
            file_content=upload["content"],
            file_id=upload.get("file_id"),
        )
        self._bot_messages.setdefault(chat.id, []).append(msg)
        self._bot_index[(chat.id, msg.message_id)] = msg
        message_json = self._bot_message_json(msg, chat)
        self._raw_messages[(chat.id, msg.message_id)] = message_json
        return message_json

    def _resent_file(self, file_id: str, field_name: str) -> JSON:
        """A file Telegram already has, sent again by its file_id (a user's photo, say)."""
        stored = self._files.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        kind = stored.file_path.split("/", 1)[0].removesuffix("s")
        if (field_name == "photo") != (kind == "photo"):
            raise bad_request(f"type of file mismatch: can't use {kind} as {field_name}")
        return {
            "filename": stored.file_name or stored.file_path.rsplit("/", 1)[-1],
            "content": stored.content,
            "file_id": file_id,
        }

    async def _edit_message_text(self, params: JSON) -> JSON:
        chat, msg = self._editable(params)
        if msg.text is None:
            raise bad_request("there is no text in the message to edit")
        text = visible_text(params.get("text"), params.get("parse_mode"))
        markup = inline_only(check_markup(params.get("reply_markup")))
        if text == msg.text and markup == inline_only(msg.reply_markup):
            raise bad_request(NOT_MODIFIED)
        msg.edits.append(msg.text)
        msg.markup_edits.append(msg.reply_markup)
        msg.text, msg.raw_text, msg.parse_mode = text, params.get("text"), params.get("parse_mode")
        msg.reply_markup = markup
        return self._after_edit(chat, msg)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        chat, msg = self._editable(params)
        markup = inline_only(check_markup(params.get("reply_markup")))
        if markup == inline_only(msg.reply_markup):
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
        if len(stored.content) > GET_FILE_LIMIT:
            raise bad_request("file is too big")
        return {**self._file_json(stored), "file_path": stored.file_path}

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


def check_markup(markup: object) -> JSON | None:
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


def inline_only(markup: JSON | None) -> JSON | None:
    """Message.reply_markup as Telegram reports it: only a non-empty inline keyboard."""
    if markup is None or not markup.get("inline_keyboard"):
        return None
    return {"inline_keyboard": markup["inline_keyboard"]}
