"""/teach TOPIC, as a reply to a customer's question in the staff chat: the FAQ learns it."""

from __future__ import annotations

import re
from typing import Final

from conversations.catalog import teach as tt
from conversations.chat.turn import Turn
from conversations.faq.privacy import scrub
from conversations.faq.retrain import UnknownTopic, check_teachable, teachable_topics

# A relayed customer message (catalog.staff.RELAYED): the customer's words sit between the
# "💬 From …:" line and the "Reply to this message" footer.
_RELAYED: Final = re.compile(r"^💬 [^\n]*:\n(?P<text>.*?)(?:\n\nReply to this message.*)?$", re.S)


def question_in(replied: str) -> str:
    """The customer's question in a replied-to message: a relayed one's words, else all of it."""
    found = _RELAYED.match(replied)
    return found.group("text") if found else replied


async def teach(turn: Turn, args: str) -> None:
    """Store the replied-to question as a phrasing of the topic named (staff only)."""
    topics = ", ".join(teachable_topics())
    topic_id = args.strip().lower()
    replied = turn.event.reply_to_text
    if not topic_id or replied is None:
        turn.say(tt.TEACH_USAGE.format(topics=topics))
        return
    # Phone numbers, e-mails and long numbers are not kept (the same as for misses).
    question = scrub(question_in(replied))
    try:
        cleaned = check_teachable(question, topic_id)
    except UnknownTopic:
        turn.say(tt.TEACH_UNKNOWN_TOPIC.format(topic=topic_id, topics=topics))
        return
    except ValueError:
        turn.say(tt.TEACH_NO_WORDS)
        return
    author = turn.event.author
    by = f"{author.display} ({author.user_id})"
    if await turn.uow.faq.teach(cleaned, topic_id, by, turn.now):
        turn.say(tt.TEACH_DONE.format(question=cleaned, topic=topic_id))
    else:
        turn.say(tt.TEACH_ALREADY.format(question=cleaned, topic=topic_id))
