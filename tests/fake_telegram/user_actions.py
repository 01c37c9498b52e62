"""What test users do: register, write, send files, press buttons; and update queueing."""

from __future__ import annotations

import time

import aiohttp

from .models import (
    JSON,
    FakeChat,
    FakeUser,
    PendingQuery,
    PendingUpdate,
    StoredFile,
)
from .text import command_entities


class UserActions:
    """The driving API for tests; mixed into FakeTelegram, whose __init__ holds the state."""

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

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """A user deletes a forum topic: sends into it fail as Telegram's do."""
        del self._topics[chat_id][thread_id]

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
        with_size: bool = True,
    ) -> int:
        """The user sends a file; `with_size=False` leaves out its file_size, as the API may."""
        stored = self._store_file("document", file_name.rsplit(".", 1)[-1], content, file_name)
        document = {**self._file_json(stored), "file_name": file_name, "mime_type": mime_type}
        if not with_size:
            del document["file_size"]
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
        """The user presses the inline button with this callback_data on a bot message."""
        # check=False lets a test press a button that is gone by now: a stale double tap.
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
        self._queries[query_id] = PendingQuery(chat_id, message_id, data)
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
        self._pending.append(PendingUpdate(update))
        self._notify()
        return int(update["update_id"])

    def redeliver(self, update_id: int) -> None:
        """Deliver an update once more, as Telegram does when it thinks the bot missed it."""
        self._pending.append(PendingUpdate(self._updates_by_id[update_id], forced=True))
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

    def _driving_chat(self, chat_id: int, user: FakeUser) -> FakeChat:
        chat = self._chats.get(chat_id)
        if chat is None and chat_id == user.id:
            chat = self.private_chat(user)
        if chat is None:
            raise AssertionError(f"unknown chat {chat_id}: create it with group() first")
        self._users.setdefault(user.id, user)
        return chat

    def _store_file(
        self, kind: str, extension: str, content: bytes, file_name: str | None = None
    ) -> StoredFile:
        number = next(self._file_numbers)
        stored = StoredFile(
            file_id=f"fake-{kind}-{number}",
            file_unique_id=f"uniq{number}",
            file_path=f"{kind}s/file_{number}.{extension}",
            content=content,
            file_name=file_name,
        )
        self._files[stored.file_id] = stored
        return stored

    @staticmethod
    def _file_json(stored: StoredFile) -> JSON:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
