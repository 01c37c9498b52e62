"""The claim transition table: which status each transition may start from, and leads to."""

from __future__ import annotations

import enum

from conversations.domain import OPEN_STATUSES, Claim, ClaimStatus


class Transition(enum.StrEnum):
    TAKE = "take"
    APPROVE = "approve"
    OVERRULE = "overrule"  # C-FINAL: approve what the bot found ineligible, with a reason
    REJECT = "reject"
    ASK = "ask"
    ANSWER = "answer"  # the customer answers a staff question
    REFUNDED = "refunded"
    WITHDRAW = "withdraw"  # the customer takes back an open claim


# Filing (lifecycle.file) is the only way in; these are every way on.
ALLOWED_FROM: dict[Transition, frozenset[ClaimStatus]] = {
    Transition.TAKE: frozenset({ClaimStatus.ESCALATED}),
    Transition.APPROVE: OPEN_STATUSES,
    Transition.OVERRULE: frozenset({ClaimStatus.INELIGIBLE}),
    Transition.REJECT: OPEN_STATUSES,
    Transition.ASK: frozenset({ClaimStatus.ESCALATED, ClaimStatus.IN_REVIEW}),
    Transition.ANSWER: frozenset({ClaimStatus.INFO_REQUESTED}),
    Transition.REFUNDED: frozenset({ClaimStatus.APPROVED}),
    Transition.WITHDRAW: OPEN_STATUSES,
}
TARGET: dict[Transition, ClaimStatus] = {
    Transition.TAKE: ClaimStatus.IN_REVIEW,
    Transition.APPROVE: ClaimStatus.APPROVED,
    Transition.OVERRULE: ClaimStatus.APPROVED,
    Transition.REJECT: ClaimStatus.REJECTED,
    Transition.ASK: ClaimStatus.INFO_REQUESTED,
    Transition.ANSWER: ClaimStatus.IN_REVIEW,
    Transition.REFUNDED: ClaimStatus.REFUNDED,
    Transition.WITHDRAW: ClaimStatus.CANCELLED,
}
APPROVALS = frozenset({Transition.APPROVE, Transition.OVERRULE})
# The audit actor of the customer's own transitions.
CUSTOMER = "customer"


def allows(claim: Claim, transition: Transition) -> bool:
    return claim.status in ALLOWED_FROM[transition]
