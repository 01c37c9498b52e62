"""In a storm of claims, one digest message edited in place instead of a card per claim."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from conversations import refs
from conversations.catalog import customer as ct
from conversations.catalog import staff as s
from conversations.config import DeskConfig
from conversations.domain import OPEN_STATUSES, Button, Claim, Outcome, OutgoingMessage
from conversations.ports import UnitOfWork
from conversations.staff import callbacks

DIGEST_SPAN = timedelta(minutes=30)
MAX_IDS = 12


def _group_lines(
    incident_id: str | None, reason: str, outcome: str, members: list[Claim]
) -> list[str]:
    """One group's line of claim numbers, and what staff already decided of it."""
    numbers = sorted(c.id for c in members if c.id is not None)
    ids = ", ".join(f"#{n}" for n in numbers[:MAX_IDS])
    if len(members) > MAX_IDS:
        ids += ", …"
    group = (
        s.DIGEST_GROUP_INCIDENT.format(incident_id=incident_id, outcome=s.OUTCOME_LABELS[outcome])
        if incident_id
        else s.DIGEST_GROUP_OTHER.format(
            reason=ct.REASON_SHORT[reason], outcome=s.OUTCOME_LABELS[outcome]
        )
    )
    lines = [s.DIGEST_LINE.format(group=group, count=len(members), ids=ids)]
    decided = Counter(c.status.value for c in members if c.status not in OPEN_STATUSES)
    if decided:
        # So staff see a bulk approval land in the same message they pressed it on.
        done = ", ".join(f"{n} {s.STATUS_LABELS[status]}" for status, n in sorted(decided.items()))
        lines.append(s.DIGEST_DECIDED.format(done=done))
    return lines


def _bucket_start(now: datetime) -> datetime:
    return now.replace(minute=(now.minute // 30) * 30, second=0, microsecond=0)


async def digest_message(uow: UnitOfWork, now: datetime, config: DeskConfig) -> OutgoingMessage:
    """The digest of this half hour's escalated claims, grouped by incident and outcome."""
    assert config.staff_chat_id is not None
    start = _bucket_start(now)
    # No upper bound at `now`: a turn that read the clock before another committed must
    # still count that claim, or the last edit of the digest could miss one.
    claims = await uow.claims.escalated_between(start, start + DIGEST_SPAN)
    groups: dict[tuple[str | None, str, str], list[Claim]] = defaultdict(list)
    for claim in claims:
        groups[(claim.incident_id, claim.reason.value, claim.outcome.value)].append(claim)
    lines = [s.DIGEST_TITLE.format(count=len(claims)), ""]
    bulk: list[tuple[Button, ...]] = []
    for (incident_id, reason, outcome), members in sorted(
        groups.items(), key=lambda kv: -len(kv[1])
    ):
        lines.extend(_group_lines(incident_id, reason, outcome, members))
        # An incident id too long for a button's data is approved claim by claim instead.
        data = callbacks.encode(callbacks.BULK_CONFIRMED, incident_id) if incident_id else None
        if data is not None and outcome == Outcome.ELIGIBLE.value:
            press = callbacks.must(callbacks.BULK, incident_id or "")
            bulk.append((Button(s.BTN_BULK_APPROVE.format(incident_id=incident_id), press),))
    lines.append("")
    lines.append(s.DIGEST_FOOTER)
    ref = refs.digest(now)
    return OutgoingMessage(
        chat_id=config.staff_chat_id,
        text="\n".join(lines),
        buttons=tuple(bulk),
        ref=ref,
        edit_ref=ref,
    )
