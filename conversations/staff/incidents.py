"""/incident start <scope> <description> and /incident end <ID>, from the staff chat.

The incident is the same ledger row the CSV import and the API write; who declared or ended
it is kept beside it. The caller (staff actions) has checked that this is staff, in the
staff chat.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from babel import Locale

from conversations.catalog import incidents as m
from conversations.catalog.policy_text import format_when
from conversations.chat.turn import Turn
from conversations.domain import Incident
from conversations.ports import UnitOfWork
from conversations.staff import stale

SCOPES_BESIDES_COUNTRIES = ("all", "international")
MAX_DESCRIPTION = 500
# The ledger's ids are at most 64 characters; a chat-declared one reads "INC-20260814-0930".
MAX_ID = 64


@cache
def _countries() -> frozenset[str]:
    return frozenset(
        str(code)
        for code in Locale.parse("en").territories
        if len(str(code)) == 2 and str(code).isalpha()
    )


def scope_of(word: str) -> str | None:
    """The scope as stored (all, international, or an upper-case country code); None if unknown."""
    if word.lower() in SCOPES_BESIDES_COUNTRIES:
        return word.lower()
    code = word.upper()
    return code if code in _countries() else None


def _who(turn: Turn) -> tuple[str, int]:
    author = turn.event.author
    return author.signature, author.user_id


async def command(turn: Turn, args: str) -> None:
    """Apply /incident start|end from a staff member."""
    verb, _, rest = args.strip().partition(" ")
    if verb.lower() == "start":
        await _start(turn, rest.strip())
    elif verb.lower() == "end" and rest.strip():
        await _end(turn, rest.strip().split()[0])
    else:
        turn.say(m.INCIDENT_USAGE)


async def _start(turn: Turn, rest: str) -> None:
    word, _, description = rest.partition(" ")
    description = " ".join(description.split())
    scope = scope_of(word) if word else None
    if not word:
        turn.say(m.INCIDENT_USAGE)
        return
    if scope is None:
        turn.say(m.INCIDENT_BAD_SCOPE.format(scope=word[:20]))
        return
    if not description:
        turn.say(m.INCIDENT_NO_DESCRIPTION)
        return
    if len(description) > MAX_DESCRIPTION:
        turn.say(m.INCIDENT_TOO_LONG.format(limit=MAX_DESCRIPTION, length=f"{len(description):,}"))
        return
    incident = Incident(
        incident_id=await _new_id(turn.uow, turn.now),
        started_at=turn.now,
        ended_at=None,
        scope=scope,
        description=description,
    )
    who, who_id = _who(turn)
    await turn.uow.incidents.declare(incident, who, who_id)
    turn.say(
        m.INCIDENT_STARTED.format(
            incident_id=incident.incident_id,
            who=who,
            scope=scope,
            when=format_when(turn.now),
            description=description,
        )
    )
    await _flag_stale(turn, incident)


async def _end(turn: Turn, incident_id: str) -> None:
    incident_id = incident_id[:MAX_ID]
    who, who_id = _who(turn)
    if not await turn.uow.incidents.end(incident_id, turn.now, who, who_id):
        turn.say(m.INCIDENT_NOT_ONGOING.format(incident_id=incident_id))
        return
    turn.say(m.INCIDENT_ENDED.format(incident_id=incident_id, who=who, when=format_when(turn.now)))
    ended = await turn.uow.incidents.get(incident_id)
    if ended is not None:
        await _flag_stale(turn, ended)


async def _flag_stale(turn: Turn, incident: Incident) -> None:
    message = await stale.after_incidents(turn.uow, [incident], turn.now, turn.config)
    if message is not None:
        turn.send_to(message)


async def _new_id(uow: UnitOfWork, now: datetime) -> str:
    base = f"INC-{now:%Y%m%d-%H%M}"
    taken = set(await uow.incidents.ids_starting(base))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
