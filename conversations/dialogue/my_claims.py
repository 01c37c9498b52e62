"""/status as a menu: the customer's claims, one in detail, adding to it or withdrawing it."""

from __future__ import annotations

from conversations import i18n
from conversations.catalog import customer as t
from conversations.catalog import staff as s
from conversations.chat import keyboards as kb
from conversations.chat.steps import Step
from conversations.chat.turn import Turn
from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import CUSTOMER, Transition, allows
from conversations.dialogue import status_view
from conversations.domain import OPEN_STATUSES, AuditKind, Claim, OutgoingMessage
from conversations.i18n import _
from conversations.services.changes import annotate_claim, change_claim
from conversations.staff import card
from conversations.staff.numbers import claim_number

MAX_BUTTONS = 8
MAX_ADDED = 1000


async def show_list(turn: Turn, edit: bool = False) -> None:
    """The customer's claims, newest first, each a button to its detail.

    A new message, unless moving within this menu: an old menu pressed mid-claim is far up.
    """
    claims = await turn.uow.claims.for_user(turn.event.author.user_id)
    text = status_view.render(claims, turn.config.home_country)
    say = turn.show if edit else turn.say
    if not claims:
        say(text, kb.main_menu())
        return
    newest = sorted(claims, key=lambda c: c.created_at, reverse=True)[:MAX_BUTTONS]
    buttons = kb.my_claims(
        (
            c.id or 0,
            _(t.BTN_CLAIM_LINE).format(
                claim_id=c.id, tx=c.transaction_id, status=_(t.STATUS_LABELS[c.status.value])
            ),
        )
        for c in newest
    )
    say(f"{text}\n\n{_(t.STATUS_PICK)}", buttons)


async def press(turn: Turn, data: str) -> None:
    """A button of /status: view, add information, withdraw (asked first)."""
    verb, _sep, number = data.removeprefix(kb.CLAIM_PREFIX).partition(":")
    if verb == kb.CLAIM_LIST:
        await show_list(turn, edit=True)
        return
    claim = await _own_claim(turn, number)
    if claim is None or claim.id is None:
        turn.say(_(t.STALE_BUTTON))
        return
    if verb == kb.CLAIM_VIEW:
        trail = await turn.uow.claims.audit(claim.id)
        text = status_view.detail(claim, trail, turn.config.home_country)
        turn.show(text, kb.claim_actions(claim.id, claim.status in OPEN_STATUSES))
    elif verb == kb.CLAIM_ADD:
        await _start_adding(turn, claim)
    elif verb == kb.CLAIM_WITHDRAW:
        turn.show(_(t.WITHDRAW_ASK).format(claim_id=claim.id), kb.confirm_withdraw(claim.id))
    elif verb == kb.CLAIM_WITHDRAW_CONFIRMED:
        await _withdraw(turn, claim)
    elif verb == kb.CLAIM_DONE:
        # Finished sending files: the buttons go, and the chat is back at the menu.
        if turn.step is Step.ADD_INFO and turn.slots.info_claim == claim.id:
            turn.reset()
        turn.close_buttons(_(t.BTN_DONE))
        turn.say(_(t.ADD_INFO_DONE).format(claim_id=claim.id), kb.main_menu())
    else:
        turn.say(_(t.STALE_BUTTON))


async def add(turn: Turn, text: str) -> None:
    """The information the customer typed for their open claim."""
    claim_id = turn.slots.info_claim
    claim = await turn.uow.claims.get(claim_id) if claim_id is not None else None
    turn.reset()
    if claim is None or claim.id is None:
        turn.say(_(t.MENU_PROMPT), kb.main_menu())
        return
    if claim.status not in OPEN_STATUSES:
        status = _(t.STATUS_LABELS[claim.status.value])
        turn.say(_(t.ADD_INFO_CLOSED).format(claim_id=claim.id, status=status), kb.main_menu())
        return
    words = text[:MAX_ADDED]
    turn.say(_(t.ADD_INFO_DONE).format(claim_id=claim.id), kb.main_menu())
    customer = Actor(CUSTOMER, turn.event.author.user_id)
    staff_chat = turn.config.staff_chat_id
    if staff_chat is not None:
        # The staff chat hears it beside the claim's card, and the card lists it.
        said = s.CUSTOMER_ADDED.format(claim_id=claim.id, text=words)
        turn.send_to(
            OutgoingMessage(chat_id=staff_chat, text=said, reply_ref=card.card_ref(claim.id))
        )
    changed = await annotate_claim(
        turn.uow, claim, AuditKind.ADDED, customer, words, turn.now, turn.config
    )
    for message in changed:
        turn.send_to(message)


async def prompt(turn: Turn) -> None:
    turn.say(
        _(t.ADD_INFO_PROMPT).format(claim_id=turn.slots.info_claim, limit=i18n.number(MAX_ADDED))
    )


async def _own_claim(turn: Turn, number: str) -> Claim | None:
    """The claim, if it is this customer's: a forged button shows nothing of anyone else's."""
    claim_id = claim_number(number)
    claim = await turn.uow.claims.get(claim_id) if claim_id is not None else None
    if claim is None or claim.telegram_user_id != turn.event.author.user_id:
        return None
    return claim


async def _start_adding(turn: Turn, claim: Claim) -> None:
    assert claim.id is not None
    if claim.status not in OPEN_STATUSES:
        status = _(t.STATUS_LABELS[claim.status.value])
        turn.show(_(t.ADD_INFO_CLOSED).format(claim_id=claim.id, status=status), kb.main_menu())
        return
    turn.reset()
    turn.slots.info_claim = claim.id
    turn.goto(Step.ADD_INFO)
    turn.close_buttons(_(t.BTN_ADD_INFO))
    await prompt(turn)


async def _withdraw(turn: Turn, claim: Claim) -> None:
    assert claim.id is not None
    if not allows(claim, Transition.WITHDRAW):
        status = _(t.STATUS_LABELS[claim.status.value])
        turn.show(_(t.CANNOT_WITHDRAW).format(claim_id=claim.id, status=status), kb.main_menu())
        return
    actor = Actor(CUSTOMER, turn.event.author.user_id)
    change = await change_claim(
        turn.uow, claim.id, Transition.WITHDRAW, actor, turn.now, turn.config
    )
    if not change.ok or change.claim is None:
        latest = change.claim or claim
        status = _(t.STATUS_LABELS[latest.status.value])
        turn.show(_(t.CANNOT_WITHDRAW).format(claim_id=claim.id, status=status), kb.main_menu())
        return
    turn.show(_(t.WITHDRAWN).format(claim_id=claim.id), kb.main_menu())
    for message in change.messages:
        turn.send_to(message)
