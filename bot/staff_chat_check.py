"""At start, ask Telegram about STAFF_CHAT_ID, so a wrong or moved staff chat is said at once.

Without this an operator learns of a typo'd id, a bot that was never added to the group, or a
group Telegram upgraded while the bot was down only from the first card that fails.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.constants import ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.chat_moves import ChatMoves

log = logging.getLogger(__name__)


async def check_staff_chat(bot: Bot, chat_id: int | None, moves: ChatMoves) -> None:
    """Warn about a staff chat the bot cannot use; follow one Telegram has moved."""
    if chat_id is None:
        return
    chat_id = moves.resolve(chat_id)
    try:
        chat = await bot.get_chat(chat_id)
    except ChatMigrated as moved:
        await moves.follow(chat_id, moved.new_chat_id)
        return
    except (BadRequest, Forbidden) as exc:
        log.warning(
            "STAFF_CHAT_ID %s: Telegram says %r. Add the bot to the staff group, or set "
            "STAFF_CHAT_ID to the group's id; until then staff cards cannot be delivered.",
            chat_id,
            exc.message,
        )
        return
    except TelegramError as exc:  # Telegram unreachable for a moment: the cards will tell
        log.info("STAFF_CHAT_ID %s: could not check it now (%s)", chat_id, type(exc).__name__)
        return
    if chat.type == ChatType.PRIVATE:
        log.warning(
            "STAFF_CHAT_ID %s is a private chat, not a group: staff commands work only there, "
            "and other staff cannot see the cards. Set it to the staff group's id.",
            chat_id,
        )
