"""Talking to a person: the customer's side of /human and of answering a staff question."""

from __future__ import annotations

from conversations import refs
from conversations.catalog import customer as t
from conversations.catalog import decisions as d
from conversations.catalog import staff as s
from conversations.claims import lifecycle
from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import CUSTOMER, Transition, allows
from conversations.dialogue import keyboards as kb
from conversations.dialogue import steps
from conversations.dialogue.turn import Turn
from conversations.domain import OutgoingMessage
from conversations.staff import card


async def start(turn: Turn) -> None:
    """Switch the chat to relaying messages to the staff chat."""
    turn.close_buttons(turn.event.text or t.BTN_HUMAN)
    if turn.config.staff_chat_id is None:
        turn.reset()
        turn.say(t.HUMAN_NO_STAFF, kb.main_menu())
        return
    turn.reset()
    turn.goto(steps.HUMAN)
    turn.say(t.HUMAN_START)


async def forward(turn: Turn, text: str) -> None:
    """Pass one customer message to the staff chat."""
    staff_chat = turn.config.staff_chat_id
    if staff_chat is None:
        turn.reset()
        turn.say(t.HUMAN_NO_STAFF, kb.main_menu())
        return
    sender = turn.event.sender
    turn.send_to(
        OutgoingMessage(
            chat_id=staff_chat,
            text=s.RELAYED.format(
                name=sender.first_name or "?",
                username=f" (@{sender.username})" if sender.username else "",
                user_id=sender.user_id,
                text=text,
            ),
            ref=refs.relay(turn.chat_id),
        )
    )
    turn.say(t.HUMAN_RELAYED)


async def answer_question(turn: Turn, text: str) -> None:
    """The customer's reply to a staff question goes back to the claim, which returns to review."""
    claim_id = int(turn.state.slots.get("question_claim", 0))
    claim = await turn.uow.claims.get(claim_id)
    turn.reset()
    if claim is None or not allows(claim, Transition.ANSWER):
        turn.say(t.MENU_PROMPT, kb.main_menu())
        return
    customer = Actor(CUSTOMER, turn.event.sender.user_id)
    result = await lifecycle.perform(
        turn.uow, claim_id, Transition.ANSWER, customer, turn.now, turn.config, text=text
    )
    if not result.ok:
        turn.say(t.MENU_PROMPT, kb.main_menu())
        return
    turn.say(d.ANSWER_RECEIVED.format(claim_id=claim_id), kb.main_menu())
    if turn.config.staff_chat_id is not None:
        turn.send_to(
            OutgoingMessage(
                chat_id=turn.config.staff_chat_id,
                text=s.ANSWER_FORWARD.format(
                    claim_id=claim_id, name=turn.event.sender.display, text=text
                ),
                reply_ref=card.card_ref(claim_id),
            )
        )
    for message in result.messages:
        turn.send_to(message)


def reprompt(turn: Turn) -> None:
    """Remind the customer what the chat is waiting for."""
    if turn.state.step == steps.HUMAN:
        turn.say(t.HUMAN_START)
    else:
        turn.say(t.ANSWER_PROMPT)
