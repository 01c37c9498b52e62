"""What a claim's transitions did, as facts: the lifecycle returns these, the edge words them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ClaimEvent:
    claim_id: int
    by: str  # the audit actor: a staff name, "cli:NAME" or "customer"


@dataclass(frozen=True)
class ClaimTaken(ClaimEvent):
    pass


@dataclass(frozen=True)
class ClaimApproved(ClaimEvent):
    credits: int
    decided_at: datetime  # the refund window counts from here


@dataclass(frozen=True)
class ClaimOverruled(ClaimApproved):
    """Approved though the bot found it not eligible (C-FINAL)."""

    reason: str


@dataclass(frozen=True)
class ClaimRejected(ClaimEvent):
    reason: str  # what the customer reads


@dataclass(frozen=True)
class QuestionAsked(ClaimEvent):
    question: str


@dataclass(frozen=True)
class QuestionAnswered(ClaimEvent):
    answer: str


@dataclass(frozen=True)
class ClaimRefunded(ClaimEvent):
    credits: int


@dataclass(frozen=True)
class ClaimWithdrawn(ClaimEvent):
    pass
