"""What the bot says around FAQ answers: guesses, choices, the off-topic reply, button labels."""

from __future__ import annotations

from typing import Final

FAQ_MENU: Final = "What would you like to know? Tap a topic, or type your question."

ASK_QUESTION: Final = (
    'Type your question in a few words, for example "how long does a refund take?"'
)

DID_YOU_MEAN: Final = "Did you mean one of these?"

NONE_OF_THESE: Final = "None of these"  # button label under the choices

BTN_ALL_TOPICS: Final = "⬅️ All topics"  # from a group's questions back to the groups

# Under the off-topic reply: questions about the SMS service itself go to the provider's team.
SUPPORT_POINTER: Final = (
    "For anything else about our SMS service, like prices, sender IDs or your account, "
    "please contact our team: {contact}"
)
SUPPORT_POINTER_NO_CONTACT: Final = (
    "For anything else about our SMS service, like prices, sender IDs or your account, "
    "please contact our sales or support team."
)

NOT_FOUND: Final = (
    "Sorry, I couldn't find an answer to that. Tap a topic below, or send /human to talk "
    "to a person."
)

OFF_TOPIC: Final = (
    "I can help with refunds: our refund policy, filing a refund claim, and checking on a "
    "claim. Tap a topic below, or send /claim to start a claim."
)

WAS_THIS_HELPFUL: Final = "Did that answer your question?"
HELPFUL_YES: Final = "Yes, thanks"
HELPFUL_NO: Final = "No"

# Button offered under an answer, by the topic's next_step.
NEXT_STEP_LABELS: Final[dict[str, str]] = {
    "claim": "File a refund claim",
    "status": "Check my claim",
    "human": "Talk to a person",
    "menu": "Main menu",
    "faq": "More questions",
}


def support_pointer(contact: str) -> str:
    """Where to take a question the refund desk does not answer."""
    return SUPPORT_POINTER.format(contact=contact) if contact else SUPPORT_POINTER_NO_CONTACT


def guess_intro(title: str) -> str:
    """The line above an answer the bot matched from free text, so a wrong guess is obvious."""
    return f"I think you're asking about: {title}"


def answer_with_intro(title: str, answer: str) -> str:
    """A matched answer as one message: the guess, then the answer."""
    return f"{guess_intro(title)}\n\n{answer}"
