"""The dialogue's steps; their values are what the conversation row stores."""

from __future__ import annotations

import enum


class Step(enum.StrEnum):
    MENU = "menu"
    TX = "claim_tx"
    OWNER = "claim_owner"
    REASON = "claim_reason"
    CAMPAIGN = "claim_campaign"
    DESCRIPTION = "claim_description"
    CONFIRM = "claim_confirm"
    HUMAN = "human"
    ANSWER = "answer_question"  # a staff member asked the customer something
    ADD_INFO = "add_info"  # the customer adds information to an open claim
    RATING_COMMENT = "rating_comment"  # an optional comment after rating a closed claim

    @classmethod
    def parse(cls, stored: str) -> Step:
        """The stored step; a name this code does not know starts over at the menu."""
        try:
            return cls(stored)
        except ValueError:
            return cls.MENU


CLAIM_STEPS = frozenset(
    {Step.TX, Step.OWNER, Step.REASON, Step.CAMPAIGN, Step.DESCRIPTION, Step.CONFIRM}
)
