"""What the bot says around FAQ answers: its guesses, the choices, the pointer to sales."""

from __future__ import annotations

from typing import Final

from conversations.i18n import _

DID_YOU_MEAN: Final = "Did you mean one of these?"


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


def support_pointer(contact: str) -> str:
    """Where to take a question the refund desk does not answer."""
    return _(SUPPORT_POINTER).format(contact=contact) if contact else _(SUPPORT_POINTER_NO_CONTACT)


def guess_intro(title: str) -> str:
    """The line above an answer the bot matched from free text, so a wrong guess is obvious."""
    return _("I think you're asking about: {title}").format(title=title)


def answer_with_intro(title: str, answer: str) -> str:
    """A matched answer as one message: the guess, then the answer."""
    return f"{guess_intro(title)}\n\n{answer}"
