"""Rating a closed claim: 1-5 stars from the buttons, then an optional comment.

A customer's button is answered before the turn runs (so it stops spinning at once), so what
goes wrong with a press is said in a message, not a toast.
"""

from __future__ import annotations

from conversations import i18n
from conversations.catalog import customer as t
from conversations.chat import keyboards as kb
from conversations.chat.steps import Step
from conversations.chat.turn import Turn
from conversations.claims.lifecycle import RATEABLE
from conversations.domain import Rating
from conversations.i18n import _
from conversations.staff.numbers import claim_number

MAX_COMMENT = 1000


async def press(turn: Turn, data: str) -> None:
    """A star button (rt:<claim>:<stars>) or Skip (rt:<claim>:skip) under the rating question."""
    number, _sep, choice = data.removeprefix(kb.RATE_PREFIX).partition(":")
    claim_id = claim_number(number)
    claim = await turn.uow.claims.get(claim_id) if claim_id is not None else None
    # Someone else's claim, or a made-up one: say no more than that the button is not valid.
    if claim is None or claim.id is None or claim.telegram_user_id != turn.event.author.user_id:
        turn.say(_(t.RATE_INVALID))
        return
    if choice == kb.RATE_SKIP:
        _end_comment(turn, claim.id, _(t.RATE_THANKS_DONE))
        return
    stars = int(choice) if choice in ("1", "2", "3", "4", "5") else None
    if stars is None:
        turn.say(_(t.RATE_INVALID))
        return
    if claim.status not in RATEABLE:
        turn.say(_(t.RATE_NOT_CLOSED).format(claim_id=claim.id))
        return
    rating = Rating(claim.id, turn.event.author.user_id, stars, turn.now)
    if not await turn.uow.ratings.rate(rating):
        earlier = await turn.uow.ratings.get(claim.id)
        given = earlier.stars if earlier is not None else stars
        turn.say(_(t.RATE_ALREADY).format(claim_id=claim.id, stars=i18n.number(given)))
        return
    thanks = _(t.RATE_THANKS).format(claim_id=claim.id, stars=i18n.number(stars))
    if turn.step is not Step.MENU:
        # In the middle of something else: thank them, and let them carry on with it.
        turn.close_buttons(thanks)
        return
    turn.slots.rating_claim = claim.id
    turn.goto(Step.RATING_COMMENT)
    turn.show(f"{thanks}\n\n{_(t.RATE_ASK_COMMENT)}", kb.rating_skip(claim.id))


async def comment(turn: Turn, text: str) -> None:
    """The customer's words after their rating."""
    claim_id = turn.slots.rating_claim
    if len(text) > MAX_COMMENT:
        turn.say(
            _(t.RATE_COMMENT_TOO_LONG).format(
                length=i18n.number(len(text)), limit=i18n.number(MAX_COMMENT)
            )
        )
        return
    turn.reset()
    if claim_id is not None and text:
        await turn.uow.ratings.comment(claim_id, text)
    turn.say(_(t.RATE_COMMENT_THANKS), kb.main_menu())


async def prompt(turn: Turn) -> None:
    claim_id = turn.slots.rating_claim
    if claim_id is None:
        turn.reset()
        turn.say(_(t.MENU_PROMPT), kb.main_menu())
        return
    turn.say(_(t.RATE_ASK_COMMENT), kb.rating_skip(claim_id))


def _end_comment(turn: Turn, claim_id: int, text: str) -> None:
    if turn.step is Step.RATING_COMMENT and turn.slots.rating_claim == claim_id:
        turn.reset()
    turn.show(text, kb.main_menu())
