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
# The staff chat, after the periodic retrain tried the taught phrasings.
RETRAIN_ACCEPTED = (
    "🧠 FAQ model {version} is in use. Taught phrasings learnt: {count}. Frozen test: top-1 "
    "{top1}, off-topic rejected {rejected}."
)
RETRAIN_REFUSED = (
    "🧠 FAQ retrain refused: the new model scored lower on the frozen test (top-1 {top1_drop} "
    "points lower, off-topic rejected {rejected_drop} points lower). Model {version} stays in "
    "use; teach more phrasings, or ask the operator to look at them."
)
