"""Where staff powers work: the one rule every staff command and button goes through."""

from __future__ import annotations

from conversations.config import DeskConfig


def in_staff_chat(config: DeskConfig, chat_id: int) -> bool:
    """True in the staff chat (its forum topics share its chat id), nowhere else.

    Not in a staff member's private chat either: a phone changes hands, and that chat is also
    where they are a customer, so look-ups stay where the team can see them.
    """
    return config.staff_chat_id is not None and chat_id == config.staff_chat_id
