"""/privacy, /mydata and /forget: what is kept about the customer, a copy, and erasing it."""

from __future__ import annotations

from typing import Any

from conversations import i18n
from conversations.catalog import customer as t
from conversations.catalog import privacy as p
from conversations.chat import keyboards as kb
from conversations.chat.slots import Slots
from conversations.chat.turn import Turn
from conversations.config import DeskConfig
from conversations.domain import Attachment, AttachmentKind, Button, OutgoingMessage
from conversations.i18n import _
from conversations.services import privacy as service

COMMANDS = frozenset({"privacy", "mydata", "forget"})
PREFIX = "pv:"
FORGET_YES = "pv:forget:yes"
FORGET_NO = "pv:forget:no"
# The outbox ref of a /mydata document: retention drops the copy once it is sent.
MYDATA_REF = "mydata"


def notice(config: DeskConfig) -> str:
    """The /privacy notice, with the retention periods this deployment uses."""
    return _(p.PRIVACY_NOTICE).format(
        closed_days=i18n.number(config.closed_claim_days),
        outbox_days=i18n.number(config.outbox_text_days),
        faq_days=i18n.number(config.faq_misses_days),
    )


def _store(turn: Turn) -> Any:
    """The unit of work's privacy store (storage.repositories.privacy in production)."""
    store = getattr(turn.uow, "privacy", None)
    if store is None:
        raise RuntimeError("this unit of work has no privacy store")
    return store


async def command(turn: Turn, name: str) -> None:
    if name == "privacy":
        turn.say(notice(turn.config), kb.main_menu())
    elif name == "mydata" and turn.event.author.user_id > 0:
        await _mydata(turn)
    elif name == "mydata":
        turn.say(notice(turn.config), kb.main_menu())
    else:
        turn.say(
            _(p.FORGET_ASK),
            ((Button(_(p.BTN_FORGET_YES), FORGET_YES), Button(_(p.BTN_FORGET_NO), FORGET_NO)),),
        )


async def _mydata(turn: Turn) -> None:
    user_id = turn.event.author.user_id
    store = _store(turn)
    document = await service.mydata(turn.uow, store, user_id, lambda: turn.now)
    if document is None:
        again = await service.next_export_at(store, user_id)
        turn.say(_(p.MYDATA_TOO_SOON).format(when=i18n.when(again or turn.now)), kb.main_menu())
        return
    turn.send_to(
        OutgoingMessage(
            chat_id=turn.chat_id,
            text=_(p.MYDATA_CAPTION).format(when=i18n.when(turn.now)),
            attachment=Attachment(
                AttachmentKind.PRIVACY_JSON, f"mydata-{user_id}.json", {"document": document}
            ),
            ref=f"{MYDATA_REF}:{user_id}",
            message_thread_id=turn.event.thread_id,
        )
    )


async def press(turn: Turn, data: str) -> None:
    """The answer to "Erase your data?"."""
    if turn.event.author.user_id <= 0:  # no user to forget (an update without a sender)
        turn.say(_(t.STALE_BUTTON))
        return
    if data != FORGET_YES:
        turn.close_buttons(_(p.FORGET_KEPT))
        if turn.event.message_id is None:
            turn.say(_(p.FORGET_KEPT), kb.main_menu())
        return
    turn.close_buttons(_(p.BTN_FORGET_YES))
    done = await service.forget(
        turn.uow,
        _store(turn),
        turn.event.author.user_id,
        by="customer",
        clock=lambda: turn.now,
        config=turn.config,
        keep_chat=turn.chat_id,
    )
    # Nothing of the conversation outlives it, not even the flood count.
    turn.reset()
    turn.slots = Slots()
    turn.say(told(done), kb.main_menu())
    for message in done.staff_messages:
        turn.send_to(message)


def told(done: service.Forgotten, by_team: bool = False) -> str:
    """What the customer reads about their erasure, in the current language."""
    text = _(p.FORGET_DONE_BY_TEAM if by_team else p.FORGET_DONE).format(erasure=done.erasure_id)
    if done.withdrawn:
        claims = ", ".join(f"#{c}" for c in done.withdrawn)
        text += "\n" + _(p.FORGET_WITHDRAWN).format(claims=claims)
    return text
