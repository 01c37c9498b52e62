"""What a conversation remembers between turns, typed; stored as JSON under the same keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conversations.chat.events import FileRef
from conversations.domain import Reason


@dataclass(frozen=True)
class PendingFile:
    """A photo or document sent while filing a claim, attached when the claim is sent."""

    file: FileRef
    caption: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        f = self.file
        return {
            "kind": f.kind,
            "file_id": f.file_id,
            "unique_id": f.unique_id,
            "name": f.name,
            "mime_type": f.mime_type,
            "size": f.size,
            "caption": self.caption,
            "at": self.at.isoformat(),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> PendingFile:
        size = raw.get("size")
        return cls(
            FileRef(
                kind=str(raw["kind"]),
                file_id=str(raw["file_id"]),
                unique_id=str(raw.get("unique_id", "")),
                name=str(raw.get("name") or ""),
                mime_type=str(raw.get("mime_type") or ""),
                size=int(size) if size is not None else None,
            ),
            caption=str(raw.get("caption") or ""),
            at=datetime.fromisoformat(str(raw["at"])),
        )


@dataclass
class Slots:
    """A customer's conversation between turns; the step is stored beside it."""

    # The claim being filled in.
    tx: str | None = None
    reason: Reason | None = None
    campaign: str | None = None  # None also after C-CAMPAIGN gave up looking for it
    description: str | None = None
    campaign_misses: int = 0
    # The claim whose staff question the customer's next message answers.
    question_claim: int | None = None
    # Claims whose staff question this chat has already been switched to answering; None in
    # rows written before this was kept.
    questions_seen: list[int] | None = None
    # Where /back goes after an FAQ answer: "menu", or the group the topic was picked from.
    faq_back: str | None = None
    # A command that would throw the claim away, waiting for "Discard it?" to be answered.
    discard_then: str | None = None
    # The open claim the customer is adding information to, and how many files went to it.
    info_claim: int | None = None
    info_files: int = 0
    # Photos and documents for the claim being filled in.
    files: list[PendingFile] = field(default_factory=list)
    # The closed claim whose rating a comment may follow.
    rating_claim: int | None = None
    # Typed turns in the minute that began at flood_at: a customer who floods is slowed down;
    # starting over does not reset it. (Wrong ownership answers are counted in the database,
    # per user and per transaction, not here: a second account or a restart must not reset them.)
    flood_at: datetime | None = None
    flood_turns: int = 0

    def kept(self) -> Slots:
        """What outlives starting over: the staff questions seen and the flood count."""
        return Slots(
            questions_seen=self.questions_seen,
            flood_at=self.flood_at,
            flood_turns=self.flood_turns,
        )

    def forget_claim(self) -> None:
        """Forget the transaction and all that was said about it."""
        self.tx = None
        self.reason = None
        self.campaign = None
        self.description = None
        self.files = []

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Slots:
        """Read a stored row; keys no longer used (e.g. "owner_ok", "locks") are dropped."""
        question = raw.get("question_claim")
        seen = raw.get("questions_seen")
        return cls(
            tx=_str(raw.get("tx")),
            reason=_reason(raw.get("reason")),
            campaign=_str(raw.get("campaign")),
            description=_str(raw.get("description")),
            campaign_misses=int(raw.get("campaign_misses", 0)),
            question_claim=int(question) if question else None,
            questions_seen=None if seen is None else [int(c) for c in seen],
            faq_back=_str(raw.get("faq_back")),
            discard_then=_str(raw.get("discard_then")),
            info_claim=int(raw["info_claim"]) if raw.get("info_claim") else None,
            info_files=int(raw.get("info_files", 0)),
            files=[PendingFile.from_json(f) for f in raw.get("files") or []],
            rating_claim=int(raw["rating_claim"]) if raw.get("rating_claim") else None,
            flood_at=datetime.fromisoformat(raw["flood_at"]) if raw.get("flood_at") else None,
            flood_turns=int(raw.get("flood_turns", 0)),
        )

    def to_json(self) -> dict[str, Any]:
        """The row's JSON: empty values are left out, as the untyped slots did."""
        raw: dict[str, Any] = {
            "tx": self.tx,
            "reason": self.reason.value if self.reason else None,
            "campaign": self.campaign,
            "description": self.description,
            "campaign_misses": self.campaign_misses,
            "question_claim": self.question_claim,
            "faq_back": self.faq_back,
            "discard_then": self.discard_then,
            "info_claim": self.info_claim,
            "info_files": self.info_files,
            "files": [f.to_json() for f in self.files],
            "rating_claim": self.rating_claim,
            "flood_at": self.flood_at.isoformat() if self.flood_at else None,
            "flood_turns": self.flood_turns,
        }
        kept = {k: v for k, v in raw.items() if v}
        if self.questions_seen is not None:
            kept["questions_seen"] = self.questions_seen
        return kept


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _reason(value: object) -> Reason | None:
    try:
        return Reason(str(value))
    except ValueError:
        return None
