"""Talking to a person: the customer's side of /human and of answering a staff question."""

from __future__ import annotations

from conversations import i18n, refs
from conversations.catalog import customer as t
from conversations.catalog import decisions as d
from conversations.catalog import staff as s
from conversations.chat import keyboards as kb
from conversations.chat.steps import Step
from conversations.chat.turn import Turn
from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import CUSTOMER, Transition, allows
from conversations.dialogue import evidence
from conversations.domain import OutgoingMessage
from conversations.i18n import _
from conversations.services.changes import change_claim
from conversations.staff import card


async def start(turn: Turn) -> None:
    """Switch the chat to relaying messages to the staff chat."""
    turn.close_buttons(turn.event.text or _(t.BTN_HUMAN))
    if turn.config.staff_chat_id is None:
        turn.reset()
        turn.say(no_staff_text(turn), kb.main_menu())
        return
    turn.reset()
    turn.goto(Step.HUMAN)
    turn.say(_with_hours(turn, _(t.HUMAN_START), _(t.HUMAN_OUTSIDE_HOURS)))


async def forward(turn: Turn, text: str) -> None:
    """Pass one customer message to the staff chat."""
    staff_chat = turn.config.staff_chat_id
    if staff_chat is None:
        turn.reset()
        turn.say(no_staff_text(turn), kb.main_menu())
        return
    author = turn.event.author
    turn.send_to(
        OutgoingMessage(
            chat_id=staff_chat,
            text=s.RELAYED.format(
                name=author.first_name or "?",
                username=f" (@{author.username})" if author.username else "",
                user_id=author.user_id,
                text=text,
            ),
            ref=refs.relay(turn.chat_id),
        )
    )
    turn.say(_(t.HUMAN_RELAYED))


async def catch_up_on_questions(turn: Turn) -> None:
    """Find the staff questions waiting for this chat; staff never write the customer's state.

    A question not seen before switches the chat to answering it, whatever it was doing. At the
    menu, a question still waiting (say, after /cancel) takes the next plain message as its answer.
    """
    waiting = {question.claim_id: question.asked_at for question in turn.questions}
    seen = turn.slots.questions_seen
    if seen is None:
        # A row from before questions were tracked here: back then, asking switched the chat
        # itself, so only a question asked since the chat's last turn is new.
        last_turn = turn.state.updated_at
        seen = [i for i, asked in waiting.items() if last_turn and asked <= last_turn]
    new = [i for i in waiting if i not in seen]
    if new:
        turn.reset()
        turn.goto(Step.ANSWER)
        turn.slots.question_claim = new[0]
    turn.slots.questions_seen = list(waiting)
    if turn.step is Step.MENU:
        turn.slots.question_claim = next(iter(waiting), None)


async def answer_question(turn: Turn, text: str, said: bool = True) -> None:
    """The customer's reply to a staff question goes back to the claim, which returns to review."""
    claim_id = turn.slots.question_claim or 0
    claim = await turn.uow.claims.get(claim_id)
    turn.reset()
    # Answered (or decided meanwhile): if staff ask again, that is a new question.
    seen = turn.slots.questions_seen
    if seen is not None and claim_id in seen:
        seen.remove(claim_id)
    if claim is None or not allows(claim, Transition.ANSWER):
        turn.say(_(t.MENU_PROMPT), kb.main_menu())
        return
    customer = Actor(CUSTOMER, turn.event.author.user_id)
    change = await change_claim(
        turn.uow, claim_id, Transition.ANSWER, customer, turn.now, turn.config, text=text
    )
    if not change.ok:
        turn.say(_(t.MENU_PROMPT), kb.main_menu())
        return
    if said:
        turn.say(_(d.ANSWER_RECEIVED).format(claim_id=claim_id), kb.main_menu())
    if turn.config.staff_chat_id is not None:
        turn.send_to(
            OutgoingMessage(
                chat_id=turn.config.staff_chat_id,
                text=s.ANSWER_FORWARD.format(
                    claim_id=claim_id, name=turn.event.author.display, text=text
                ),
                reply_ref=card.card_ref(claim_id),
            )
        )
    for message in change.messages:
        turn.send_to(message)


async def answer_with_file(turn: Turn) -> None:
    """A photo or document as the answer to a staff question ("send a screenshot, please")."""
    file = turn.event.file
    assert file is not None
    claim_id = turn.slots.question_claim or 0
    claim = await turn.uow.claims.get(claim_id)
    if claim is None or not allows(claim, Transition.ANSWER):
        turn.reset()
        turn.say(_(t.FILE_OUTSIDE), kb.main_menu())
        return
    item = await evidence.store_answer(turn, claim)
    if item is None:
        return  # sent before, or the claim has all the files it can take: said so
    caption = f": {turn.event.text}" if turn.event.text else ""
    await answer_question(turn, f"📎 {item.label}{caption}", said=False)
    turn.say(_(t.FILE_ANSWERED).format(what=evidence.what(file), claim_id=claim_id), kb.main_menu())
    evidence.copies_for_staff(turn, claim, [item])


def reprompt(turn: Turn) -> None:
    """Remind the customer what the chat is waiting for."""
    if turn.step is Step.HUMAN:
        turn.say(_(t.HUMAN_START))
    else:
        turn.say(_(t.ANSWER_PROMPT))


def no_staff_text(turn: Turn) -> str:
    """Without a staff chat, where the customer can still reach people."""
    contact = turn.config.support_contact
    text = (
        _(t.HUMAN_NO_STAFF).format(contact=contact) if contact else _(t.HUMAN_NO_STAFF_NO_CONTACT)
    )
    return _with_hours(turn, text, _(t.HOURS_ONLY))


def _with_hours(turn: Turn, text: str, outside: str) -> str:
    """Outside support hours, say when a person will answer (SUPPORT_HOURS)."""
    hours = turn.config.support_hours
    opening = hours.next_opening(turn.now) if hours is not None else None
    if hours is None or opening is None:
        return text
    when = i18n.local_moment(opening)
    return text + "\n\n" + outside.format(hours=hours.describe(i18n.day_names()), when=when)
