"""What staff read when they teach the FAQ a phrasing (/teach in the staff chat)."""

from __future__ import annotations

TEACH_USAGE = (
    "Reply /teach TOPIC to a customer's question (a relayed message or a copy of it) to teach "
    "the FAQ that phrasing. Topics: {topics}"
)
TEACH_UNKNOWN_TOPIC = "No FAQ topic “{topic}”. Topics: {topics}"
TEACH_NO_WORDS = "That message has no words to learn from. Reply /teach TOPIC to a question."
TEACH_DONE = (
    "Taught: “{question}” → {topic}. The bot learns it at the next retrain, and keeps the new "
    "model only if it scores no lower on the frozen test."
)
TEACH_ALREADY = "Already taught: “{question}” → {topic}."
