"""The customer's dialogue: menu, FAQ, the claim steps, status and talking to a person."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from conversations import i18n, ids, policy, policy_numbers
from conversations.catalog import customer as t
from conversations.catalog import faq_text, policy_text
from conversations.catalog import privacy as privacy_text
from conversations.catalog.policy_text import reword
from conversations.chat import keyboards as kb
from conversations.chat.events import EventKind
from conversations.chat.slots import Slots
from conversations.chat.steps import CLAIM_STEPS, Step
from conversations.chat.turn import Turn
from conversations.countries import country_name
from conversations.dialogue import evidence, filing, language, my_claims, privacy, ratings, relay
from conversations.domain import Button, Campaign, Reason
from conversations.faq import FaqTopic, default_matcher, get_group, get_topic, load_groups
from conversations.faq.privacy import scrub
from conversations.i18n import _
from conversations.ownership import (
    TRANSACTION_WAITS,
    USER_WAITS,
    Attempts,
    after_miss,
    blocked_until,
    contact_in,
    current,
    proves_ownership,
    transaction_subject,
    user_subject,
)

MAX_TEXT = 4000
MAX_DESCRIPTION = 1000
MIN_DESCRIPTION = 15
TRIES = 3
# More turns than this in a minute is a script or a stuck key, not a person typing.
FLOOD_TURNS = 30
FLOOD_WINDOW = timedelta(minutes=1)
# The deep link a group gets: `/start claim` in the private chat it opens.
START_CLAIM = "claim"
_GREETINGS = frozenset({"hi", "hello", "hey", "salam", "salaam", "aoa", "assalam o alaikum"})


def _tries_word(n: int) -> str:
    return _(t.TRY) if n == 1 else _(t.TRIES)


async def apply(turn: Turn) -> None:
    """Apply one inbound event to the customer's conversation, in the customer's language."""
    choice = await language.settle(turn)
    with i18n.use(choice.language), i18n.in_zone(turn.config.time_zone):
        if not turn.event.is_private:
            _to_private_chat(turn)
            return
        flooding = _flooding(turn)
        if flooding is None:
            await _apply(turn)
            await language.offer_urdu(turn, choice)
        elif flooding:
            turn.say(_(t.SLOW_DOWN))


def _to_private_chat(turn: Turn) -> None:
    """In a group, only a way to a private chat: proofs and claims are never made in public."""
    if turn.event.kind is not EventKind.COMMAND:
        return  # people talking in their group, or an old button: not ours to answer
    username = turn.config.bot_username
    buttons: tuple[tuple[Button, ...], ...] = ()
    if username:
        link = f"https://t.me/{username}?start={START_CLAIM}"
        buttons = ((Button(_(t.BTN_OPEN_PRIVATE), "", url=link),),)
    turn.say(_(t.USE_PRIVATE_CHAT), buttons)


def _flooding(turn: Turn) -> bool | None:
    """None to go on; True to say "slow down" (once a minute); False to drop the turn quietly.

    Typed messages only: buttons edit one menu in place, and browsing them fast is fine.
    """
    if turn.event.kind is EventKind.BUTTON:
        return None
    slots = turn.slots
    if slots.flood_at is None or turn.now - slots.flood_at >= FLOOD_WINDOW:
        slots.flood_at, slots.flood_turns = turn.now, 0
    slots.flood_turns += 1
    if slots.flood_turns <= FLOOD_TURNS:
        return None
    return slots.flood_turns == FLOOD_TURNS + 1


async def _apply(turn: Turn) -> None:
    await relay.catch_up_on_questions(turn)
    ev = turn.event
    expired = _expired(turn)
    if expired:
        _start_fresh(turn)
    if ev.kind is EventKind.COMMAND:
        await _command(turn, ev.command or "")
    elif ev.kind is EventKind.BUTTON:
        await _button(turn, ev.data or "", expired=expired)
    elif ev.kind is EventKind.CONTACT:
        await _shared_contact(turn)
    elif ev.kind is EventKind.FILE:
        await _file(turn)
    elif ev.kind is EventKind.MEDIA:
        turn.say(_(t.UNSUPPORTED_MEDIA))
        await _reprompt(turn, only_if_busy=True)
    elif len(ev.text) > MAX_TEXT:
        turn.say(
            _(t.TOO_LONG).format(length=i18n.number(len(ev.text)), limit=i18n.number(MAX_TEXT))
        )
        await _reprompt(turn, only_if_busy=True)
    else:
        await HANDLERS[turn.step].text(turn, ev.text.strip())


def _expired(turn: Turn) -> bool:
    updated = turn.state.updated_at
    # A question from staff may be answered hours later, and so may a person in /human (who
    # may answer only the next working day): those steps never expire.
    if turn.step in (Step.MENU, Step.ANSWER, Step.HUMAN) or updated is None:
        return False
    return turn.now - updated > timedelta(minutes=turn.config.idle_timeout_minutes)


def _start_fresh(turn: Turn) -> None:
    """Idle too long: drop what was in progress and say so; the new message is then handled
    as if it came at the menu, so what the customer just typed is answered, not lost."""
    idle = policy_text.age(timedelta(minutes=turn.config.idle_timeout_minutes))
    step, tx = turn.step, turn.slots.tx
    turn.reset()
    if step in CLAIM_STEPS and tx is not None:
        turn.say(_(t.EXPIRED_CLAIM).format(idle=idle, tx=tx))
    elif step is not Step.RATING_COMMENT:  # an optional comment: nothing to tell
        turn.say(_(t.EXPIRED).format(idle=idle))


# Commands ---------------------------------------------------------------------------------


# These start something new: mid-claim, they ask before throwing the claim away.
_DISCARDING = frozenset({"start", "claim", "human"})


async def _command(turn: Turn, name: str) -> None:
    if name in _DISCARDING and turn.step in CLAIM_STEPS and turn.slots.tx is not None:
        turn.slots.discard_then = name
        turn.say(_(t.DISCARD_ASK).format(tx=turn.slots.tx), kb.discard())
        return
    await _run_command(turn, name)


async def _run_command(turn: Turn, name: str) -> None:
    handler = _COMMANDS.get(name)
    if handler is not None:
        await handler(turn)
    elif name in privacy.COMMANDS:
        await privacy.command(turn, name)
        if name != "forget":
            await _reprompt(turn, only_if_busy=True)
    else:
        turn.say(_(t.UNKNOWN_COMMAND).format(command=name[:32]) + "\n\n" + _(t.HELP))


async def _cmd_start(turn: Turn) -> None:
    """/start: the welcome; from a group's deep link, straight to the claim."""
    if turn.event.text.strip() == START_CLAIM:
        _start_claim(turn)
        return
    turn.reset()
    _welcome(turn)


async def _cmd_help(turn: Turn) -> None:
    """/help: what the bot does, and privacy."""
    turn.say(_(t.HELP) + "\n\n" + _(privacy_text.HELP_PRIVACY))
    await _reprompt(turn, only_if_busy=True)


async def _cmd_faq(turn: Turn) -> None:
    """/faq: the topics as buttons."""
    turn.say(_(t.FAQ_MENU), kb.faq_menu())


async def _cmd_claim(turn: Turn) -> None:
    """/claim, or "/claim TX-1007": with the id given, the next question is whose it is."""
    if ids.variants(turn.event.text.strip()):
        _start_claim_quietly(turn)
        await _on_transaction(turn, turn.event.text)
        return
    _start_claim(turn)


async def _cmd_status(turn: Turn) -> None:
    """/status: the customer's claims."""
    await _status(turn)
    await _reprompt(turn, only_if_busy=True)


async def _cmd_language(turn: Turn) -> None:
    """/language: the two languages as buttons."""
    language.ask(turn)
    await _reprompt(turn, only_if_busy=True)


async def _cmd_cancel(turn: Turn) -> None:
    """/cancel: back to the menu, saying what was stopped."""
    was, info_claim, info_files = turn.step, turn.slots.info_claim, turn.slots.info_files
    turn.reset()
    if was is Step.HUMAN:
        turn.say(_(t.HUMAN_ENDED), kb.main_menu())
    elif was is Step.ADD_INFO and info_files and info_claim is not None:
        turn.say(_(t.ADD_INFO_DONE).format(claim_id=info_claim), kb.main_menu())
    elif was is Step.MENU:
        turn.say(_(t.NOTHING_TO_CANCEL), kb.main_menu())
    else:
        turn.say(_(t.CANCELLED), kb.main_menu())


_COMMANDS: dict[str, Callable[[Turn], Awaitable[None]]] = {
    "start": _cmd_start,
    "help": _cmd_help,
    "faq": _cmd_faq,
    "claim": _cmd_claim,
    "status": _cmd_status,
    "human": relay.start,
    "back": lambda turn: _back(turn),
    "language": _cmd_language,
    "cancel": _cmd_cancel,
}


def _welcome(turn: Turn) -> None:
    text = _(t.WELCOME).format(name=turn.event.author.first_name or _(t.NAME_UNKNOWN))
    # A notice, like the one on Pakistan above it; the closing question stays last.
    text = _(privacy_text.PRIVACY_LINK) + "\n\n" + text
    if turn.config.pk_suspension_notice:
        text = _(t.PK_NOTICE) + "\n\n" + text
    turn.say(text, kb.main_menu())


def _menu(turn: Turn) -> None:
    turn.show(_(t.MENU_PROMPT), kb.main_menu())


def _start_claim(turn: Turn) -> None:
    _start_claim_quietly(turn)
    turn.say(_(t.ASK_TRANSACTION))


def _start_claim_quietly(turn: Turn) -> None:
    turn.reset()
    turn.goto(Step.TX)


async def _status(turn: Turn) -> None:
    await my_claims.show_list(turn)


async def _back(turn: Turn) -> None:
    faq_back = turn.slots.faq_back
    if turn.step is Step.MENU and faq_back is not None:
        turn.slots.faq_back = None
        group = get_group(faq_back) if faq_back != "menu" else None
        turn.say(_(t.FAQ_MENU), kb.faq_group(group) if group else kb.faq_menu())
        return
    back = HANDLERS[turn.step].back
    if back is None:
        turn.say(_(t.NOTHING_TO_GO_BACK_TO), kb.main_menu())
        return
    previous = back(turn.slots)
    if previous is Step.MENU:
        turn.reset()
        _menu(turn)
        return
    if previous is Step.TX:
        # A different transaction needs its own proof of ownership.
        turn.slots.forget_claim()
    turn.goto(previous)
    await _reprompt(turn)


# Buttons ----------------------------------------------------------------------------------


async def _button(turn: Turn, data: str, expired: bool = False) -> None:
    exact = _MENU_BUTTONS.get(data)
    if exact is not None:
        await exact(turn)
        return
    for prefix, handler in _PREFIXED_BUTTONS:
        if data.startswith(prefix):
            await handler(turn, data)
            return
    press = HANDLERS[turn.step].press
    if expired:
        # A button of the step that timed out: the notice said so; show where we are.
        _menu(turn)
    elif press is None or not await press(turn, data):
        turn.say(_(t.STALE_BUTTON))
        await _reprompt(turn)


async def _menu_main(turn: Turn) -> None:
    """The main menu, leaving a claim being filed or a /human conversation."""
    if turn.step in CLAIM_STEPS or turn.step is Step.HUMAN:
        turn.reset()
    _menu(turn)


async def _menu_faq(turn: Turn) -> None:
    turn.show(_(t.FAQ_MENU), kb.faq_menu())


async def _faq_none(turn: Turn) -> None:
    """None of the guesses fit: a person can, or the whole list."""
    if _people_here(turn):
        turn.show(_(t.FAQ_NONE_FIT), kb.person_or_topics())
    else:
        turn.show(relay.no_staff_text(turn), kb.person_or_topics(people=False))


async def _menu_claim(turn: Turn) -> None:
    turn.close_buttons(turn.event.text or _(t.BTN_CLAIM))
    _start_claim(turn)


async def _faq_group(turn: Turn, data: str) -> None:
    group = get_group(data.removeprefix(kb.FAQ_GROUP_PREFIX))
    turn.show(_(t.FAQ_MENU), kb.faq_group(group) if group else kb.faq_menu())


async def _faq_topic(turn: Turn, data: str) -> None:
    topic = get_topic(data.removeprefix(kb.FAQ_PREFIX))
    if topic is None:
        turn.show(_(t.FAQ_MENU), kb.faq_menu())
    else:
        _answer_topic(turn, topic.id, edit=True)


async def _language_button(turn: Turn, data: str) -> None:
    await language.pick(turn, data.removeprefix(kb.LANGUAGE_PREFIX))
    await _reprompt(turn, only_if_busy=True)


async def _feedback(turn: Turn, data: str) -> None:
    await _rate_answer(turn, data.removeprefix(kb.FEEDBACK_PREFIX))


# The buttons that mean the same at any step; the rest are the step's own (HANDLERS).
_MENU_BUTTONS: dict[str, Callable[[Turn], Awaitable[None]]] = {
    kb.MENU_MAIN: _menu_main,
    kb.MENU_FAQ: _menu_faq,
    kb.FAQ_NONE: _faq_none,
    kb.MENU_CLAIM: _menu_claim,
    kb.MENU_STATUS: lambda turn: _status(turn),
    kb.MENU_HUMAN: relay.start,
    kb.DISCARD_YES: lambda turn: _answer_discard(turn, True),
    kb.DISCARD_NO: lambda turn: _answer_discard(turn, False),
}
_PREFIXED_BUTTONS: tuple[tuple[str, Callable[[Turn, str], Awaitable[None]]], ...] = (
    (kb.FEEDBACK_PREFIX, _feedback),
    (kb.FAQ_GROUP_PREFIX, _faq_group),
    (kb.FAQ_PREFIX, _faq_topic),
    (kb.LANGUAGE_PREFIX, _language_button),
    (kb.CLAIM_PREFIX, my_claims.press),
    (kb.RATE_PREFIX, ratings.press),
    (privacy.PREFIX, privacy.press),
)


async def _answer_discard(turn: Turn, discard: bool) -> None:
    """The answer to "Discard the claim you were filing?"."""
    command = turn.slots.discard_then
    turn.slots.discard_then = None
    if command is None:  # answered already, or the claim is gone
        turn.say(_(t.STALE_BUTTON))
        return
    if discard:
        turn.close_buttons(_(t.BTN_DISCARD))
        turn.reset()
        await _run_command(turn, command)
        return
    turn.close_buttons(_(t.KEPT))
    await _reprompt(turn)


# Text at the menu -------------------------------------------------------------------------


async def _idle_text(turn: Turn, text: str) -> None:
    if turn.slots.question_claim is not None:  # a staff question is still waiting
        await relay.answer_question(turn, text)
    elif await _is_transaction(turn, text):
        # A transaction id on its own means "this purchase": look it up as /claim would.
        _start_claim_quietly(turn)
        await _on_transaction(turn, text)
    elif _is_bare_contact(text):
        # A phone number or e-mail with nothing else (say, an answer to a claim that timed
        # out): not a question for the FAQ.
        turn.say(_(t.CONTACT_AT_MENU), kb.main_menu())
    else:
        await _free_question(turn, text)


def _is_bare_contact(text: str) -> bool:
    return "?" not in text and len(text.split()) <= 6 and contact_in(text) is not None


async def _is_transaction(turn: Turn, text: str) -> bool:
    """A message that is just a transaction id, shaped like TX-1001.

    By its shape only: asking the ledger would tell a stranger which ids exist.
    """
    return ids.is_bare_id(text) and ids.looks_like_transaction(text)


async def _rate_answer(turn: Turn, rating: str) -> None:
    """👍/👎 under an FAQ answer: counted for /stats; a 👎 is offered a person."""
    verdict, _sep, topic_id = rating.partition(":")
    topic = get_topic(topic_id)
    if topic is None or verdict not in ("y", "n"):
        turn.say(_(t.STALE_BUTTON))
        return
    await turn.uow.faq.rate(topic.id, verdict == "y", turn.now)
    answer = _topic_answer(turn, topic)
    if verdict == "y":
        turn.show(f"{answer}\n\n{_(t.FEEDBACK_THANKS)}", kb.after_answer(_next_step(turn, topic)))
    elif _people_here(turn):
        turn.show(f"{answer}\n\n{_(t.FEEDBACK_SORRY)}", kb.person_or_topics())
    elif topic.next_step == "human":
        turn.show(answer, kb.person_or_topics(people=False))  # it says where people are
    else:
        turn.show(f"{answer}\n\n{relay.no_staff_text(turn)}", kb.person_or_topics(people=False))


def _people_here(turn: Turn) -> bool:
    """A staff chat is set, so "Talk to a person" reaches someone in this chat."""
    return turn.config.staff_chat_id is not None


def _next_step(turn: Turn, topic: FaqTopic) -> str:
    """The topic's next step, but no "Talk to a person" button where nobody answers."""
    return "" if topic.next_step == "human" and not _people_here(turn) else topic.next_step


def _topic_answer(turn: Turn, topic: FaqTopic) -> str:
    """The answer; where it leads to a person and there is none here, the truth and the contact."""
    said = reword(_(topic.answer))  # the deployment's policy numbers
    if topic.next_step != "human" or _people_here(turn):
        return said
    if topic.id == "human":
        return relay.no_staff_text(turn)
    return f"{said}\n\n{relay.no_staff_text(turn)}"


async def _free_question(turn: Turn, text: str) -> None:
    if text.lower().strip(" !.?") in _GREETINGS:
        turn.say(
            _(t.GREETING).format(name=turn.event.author.first_name or _(t.NAME_UNKNOWN)),
            kb.main_menu(),
        )
        return
    match = default_matcher().match(text)
    if match.topic is not None and match.topic.small_talk:
        turn.say(reword(_(match.topic.answer)), kb.main_menu())
    elif match.topic is not None:
        _answer_topic(turn, match.topic.id, edit=False, second_opinion=match.second_opinion)
    elif match.alternatives:
        await turn.uow.faq.miss(scrub(text), turn.now, turn.chat_id)
        turn.say(_(faq_text.DID_YOU_MEAN), kb.topic_choices(match.alternatives))
    else:
        await turn.uow.faq.miss(scrub(text), turn.now, turn.chat_id)
        pointer = faq_text.support_pointer(turn.config.support_contact)
        turn.say(f"{_(t.OFF_TOPIC)}\n\n{pointer}", kb.main_menu())


def _answer_topic(
    turn: Turn, topic_id: str, edit: bool, second_opinion: FaqTopic | None = None
) -> None:
    topic = get_topic(topic_id)
    assert topic is not None
    if turn.step is Step.MENU:
        turn.slots.faq_back = _group_of(topic_id) if edit else "menu"
    # Naming the topic above a guessed answer makes a wrong guess obvious to the customer.
    answer = _topic_answer(turn, topic)
    text = answer if edit else faq_text.answer_with_intro(_(topic.title), answer)
    buttons = kb.after_answer(_next_step(turn, topic), topic.id)
    if second_opinion is not None:  # a close call: the runner-up one tap away
        buttons = (kb.second_opinion(second_opinion), *buttons)
    if edit:
        turn.show(text, buttons)
    else:
        turn.say(text, buttons)


# Claim steps ------------------------------------------------------------------------------

_Found = TypeVar("_Found")


async def _find(lookup: Callable[[str], Awaitable[_Found | None]], wanted: str) -> _Found | None:
    """Look an id up as typed, then as customers mean it: "tx 1001" and "TX1001" are TX-1001."""
    for candidate in ids.variants(wanted):
        found = await lookup(candidate)
        if found is not None:
            return found
    return None


async def _user_waits(turn: Turn) -> bool:
    """A customer with too many misses waits before trying again; say until when."""
    stored = await turn.uow.attempts.get(user_subject(turn.event.author.user_id))
    until = blocked_until(current(stored, turn.now), turn.now)
    if until is None:
        return False
    turn.reset()
    turn.say(_(t.PLEASE_WAIT).format(until=i18n.when(until)), kb.human_only())
    return True


async def _on_transaction(turn: Turn, text: str) -> None:
    """Take the id as typed; whether it exists is said only together with the proof."""
    candidate = text.strip()
    if not ids.variants(candidate) or len(candidate) > 64:
        turn.say(_(t.BAD_TRANSACTION_FORMAT))
        return
    if await _user_waits(turn):
        return
    turn.slots.tx = candidate
    turn.goto(Step.OWNER)
    turn.say(_(t.ASK_OWNER), ask_contact=True)


async def _file(turn: Turn) -> None:
    """A photo or document: evidence for the claim at hand, or for the person in /human."""
    file = turn.event.file
    assert file is not None
    step = turn.step
    if step in (Step.TX, Step.OWNER):
        turn.say(_(t.FILE_TOO_EARLY))
        await _reprompt(turn)
        return
    takes_files = step in evidence.FILING_STEPS or step in (Step.ADD_INFO, Step.ANSWER)
    waiting = step is Step.MENU and turn.slots.question_claim is not None
    human = step is Step.HUMAN and turn.config.staff_chat_id is not None
    if not (takes_files or waiting or human):
        turn.say(_(t.FILE_OUTSIDE), kb.main_menu())
        return
    problem = evidence.refusal(file)
    if problem is not None:
        turn.say(problem)
        return
    if step in evidence.FILING_STEPS:
        evidence.keep_for_claim(turn)
    elif step is Step.ADD_INFO:
        await evidence.add_to_claim(turn)
    elif human:
        assert turn.config.staff_chat_id is not None
        await evidence.relay(turn, turn.config.staff_chat_id)
    else:
        await relay.answer_with_file(turn)


async def _shared_contact(turn: Turn) -> None:
    """A contact card: proof of ownership when it is the author's own (Telegram verified it)."""
    if turn.step is not Step.OWNER:
        turn.say(_(t.CONTACT_NOT_NEEDED))
        await _reprompt(turn, only_if_busy=True)
        return
    if turn.event.contact_user_id != turn.event.author.user_id:
        turn.say(_(t.NOT_YOUR_CONTACT), ask_contact=True)
        return
    phone = turn.event.text.strip()
    # Telegram gives the number in international form, sometimes without its "+".
    await _on_owner(turn, phone if phone.startswith("+") else "+" + phone)


async def _on_owner(turn: Turn, text: str) -> None:
    slots = turn.slots
    typed = slots.tx
    key = ids.canonical(typed) if typed else None
    if typed is None or key is None:
        _start_claim(turn)
        return
    contact = contact_in(text)
    if contact is None:
        turn.say(_(t.NOT_A_CONTACT))
        return
    if await _user_waits(turn):
        return
    attempts = turn.uow.attempts
    on_tx = current(await attempts.get(transaction_subject(key)), turn.now)
    locked = blocked_until(on_tx, turn.now)
    if locked is not None:
        turn.reset()
        turn.say(_(t.STILL_LOCKED).format(tx=key, until=i18n.when(locked)), kb.human_only())
        return
    purchase = await _find(turn.uow.ledger.purchase, typed)
    if purchase is None or not proves_ownership(contact, purchase, turn.config.home_country):
        await _missed(turn, key, on_tx)
        return
    tx = purchase.transaction_id
    slots.tx = tx
    existing = await turn.uow.claims.live_for_transaction(tx)
    if existing is not None:
        turn.reset()
        turn.say(
            _(t.DUPLICATE).format(
                tx=tx,
                claim_id=existing.id,
                status=_(t.STATUS_LABELS[existing.status.value]),
            ),
            kb.main_menu(),
        )
        return
    window = policy_numbers.current().refund_window
    if turn.now - purchase.purchased_at > window:
        # C-WINDOW holds whatever the reason: say so now, not after three more questions.
        deadline = purchase.purchased_at + window
        why = policy_text.window_failed(
            turn.now - purchase.purchased_at, purchase.purchased_at, deadline
        )
        turn.reset()
        turn.say(
            _(t.TOO_LATE).format(why=why, next=_(policy_text.WHAT_NEXT[policy.C_WINDOW])),
            kb.human_only(),
        )
        return
    turn.goto(Step.REASON)
    await _reprompt(turn)


async def _missed(turn: Turn, key: str, on_tx: Attempts) -> None:
    """No such transaction, or not this contact: one answer for both, and both counted."""
    user = user_subject(turn.event.author.user_id)
    by_user = after_miss(await turn.uow.attempts.get(user), turn.now, USER_WAITS)
    on_tx = after_miss(on_tx, turn.now, TRANSACTION_WAITS)
    await turn.uow.attempts.put(user, by_user)
    await turn.uow.attempts.put(transaction_subject(key), on_tx)
    tx_until = blocked_until(on_tx, turn.now)
    user_until = blocked_until(by_user, turn.now)
    if tx_until is not None:
        turn.reset()
        turn.say(_(t.OWNER_LOCKED).format(tx=key, until=i18n.when(tx_until)), kb.human_only())
    elif user_until is not None:
        turn.reset()
        turn.say(_(t.NO_MATCH_WAIT).format(tx=key, until=i18n.when(user_until)), kb.human_only())
    else:
        turn.slots.forget_claim()
        turn.goto(Step.TX)
        turn.say(_(t.NO_MATCH).format(tx=key))


async def _press_reason(turn: Turn, data: str) -> bool:
    if not data.startswith(kb.REASON_PREFIX):
        return False
    try:
        reason = Reason(data.removeprefix(kb.REASON_PREFIX))
    except ValueError:
        await _reprompt(turn)
        return True
    slots = turn.slots
    slots.reason = reason
    slots.campaign = None
    slots.description = None
    slots.campaign_misses = 0
    turn.close_buttons(_(t.REASON_LABELS[reason.value]))
    if reason is Reason.UNDELIVERED:
        turn.goto(Step.CAMPAIGN)
    elif reason is Reason.OTHER:
        turn.goto(Step.DESCRIPTION)
    else:
        turn.goto(Step.CONFIRM)
    await _reprompt(turn)
    return True


async def _campaign_choices(turn: Turn) -> list[Campaign]:
    campaigns = await turn.uow.ledger.campaigns_for(turn.slots.tx or "")
    return sorted(campaigns, key=lambda c: c.sent_at, reverse=True)[:8]


async def _press_campaign(turn: Turn, data: str) -> bool:
    if not data.startswith(kb.CAMPAIGN_PREFIX):
        return False
    await _on_campaign(turn, data.removeprefix(kb.CAMPAIGN_PREFIX))
    return True


async def _on_campaign(turn: Turn, value: str) -> None:
    slots = turn.slots
    wanted = value.strip()
    campaign = await _find(turn.uow.ledger.campaign, wanted)
    if campaign is None or campaign.transaction_id != slots.tx:
        slots.campaign_misses += 1
        if slots.campaign_misses >= TRIES:
            # C-CAMPAIGN: after three tries the claim goes to review without a campaign.
            slots.campaign = None
            turn.say(_(t.CAMPAIGN_GIVE_UP))
            turn.goto(Step.CONFIRM)
        else:
            left = TRIES - slots.campaign_misses
            turn.say(
                _(t.UNKNOWN_CAMPAIGN).format(
                    campaign=wanted[:40], left=left, tries=_tries_word(left)
                )
            )
        await _reprompt(turn)
        return
    slots.campaign = campaign.campaign_id
    turn.close_buttons(_(t.ASK_CAMPAIGN) + "\n→ " + campaign.campaign_id)
    turn.goto(Step.CONFIRM)
    # C-PK-SUSPENSION, on the summary itself: it may explain messages to Pakistan that did not
    # arrive; beside a campaign that was delivered it would only confuse.
    missing = campaign.delivered < campaign.messages_sent
    pk = campaign.destination_country.upper() == "PK" and turn.config.pk_suspension_notice
    await _ask_confirm(turn, notice=_(t.PK_NOTICE) if pk and missing else None)


async def _on_description(turn: Turn, text: str) -> None:
    if len(text) < MIN_DESCRIPTION:
        turn.say(_(t.DESCRIPTION_TOO_SHORT))
        return
    if len(text) > MAX_DESCRIPTION:
        limit = i18n.number(MAX_DESCRIPTION)
        turn.say(_(t.TOO_LONG).format(length=i18n.number(len(text)), limit=limit))
        return
    turn.slots.description = text
    turn.goto(Step.CONFIRM)
    await _reprompt(turn)


async def _press_confirm(turn: Turn, data: str) -> bool:
    if data == kb.CANCEL:
        turn.close_buttons(_(t.CANCELLED))
        turn.reset()
        turn.say(_(t.MENU_PROMPT), kb.main_menu())
    elif data == kb.CHANGE:
        turn.close_buttons(_(t.BTN_CHANGE))
        turn.goto(Step.REASON)
        await _reprompt(turn)
    elif data == kb.SUBMIT:
        summary = _summary_text(turn.slots)
        if summary is None:
            _start_claim(turn)
            return True
        turn.close_buttons(summary + "\n\n→ " + _(t.BTN_SUBMIT))
        await filing.submit(turn)
    else:
        return False
    return True


async def _need_button(turn: Turn, text: str) -> None:
    turn.say(_(t.NEED_BUTTON))
    await _reprompt(turn)


# Prompts ----------------------------------------------------------------------------------


def _summary_text(slots: Slots) -> str | None:
    """What the customer is about to send; None when the claim lost its transaction or reason."""
    reason = slots.reason
    if slots.tx is None or reason is None:
        return None
    extra = ""
    if reason is Reason.UNDELIVERED:
        campaign = slots.campaign
        extra = (
            _(t.SUMMARY_CAMPAIGN).format(campaign=campaign)
            if campaign
            else _(t.SUMMARY_NO_CAMPAIGN)
        )
    elif reason is Reason.OTHER:
        extra = _(t.SUMMARY_DESCRIPTION).format(description=slots.description or "")
    if slots.files:
        names = ", ".join(evidence.what(p.file) for p in slots.files)
        extra += _(t.SUMMARY_FILES).format(files=names)
    return _(t.SUMMARY).format(tx=slots.tx, reason=_(t.REASON_SHORT[reason.value]), extra=extra)


async def _reprompt(turn: Turn, only_if_busy: bool = False) -> None:
    """Ask the current step's question again, with its buttons."""
    if only_if_busy and turn.step is Step.MENU:
        return
    await HANDLERS[turn.step].prompt(turn)


async def _ask_menu(turn: Turn) -> None:
    turn.say(_(t.MENU_PROMPT), kb.main_menu())


async def _ask_transaction(turn: Turn) -> None:
    turn.say(_(t.ASK_TRANSACTION))


async def _ask_owner(turn: Turn) -> None:
    turn.say(_(t.ASK_OWNER), ask_contact=True)


async def _ask_reason(turn: Turn) -> None:
    tx = turn.slots.tx
    purchase = await turn.uow.ledger.purchase(tx) if tx else None
    if purchase is None:
        _start_claim(turn)
        return
    turn.say(
        _(t.ASK_REASON).format(
            tx=purchase.transaction_id,
            credits=i18n.number(purchase.credits),
            kind=_(t.KIND_LABELS[purchase.kind.value]),
            when=i18n.when(purchase.purchased_at),
        ),
        kb.reasons(),
    )


async def _ask_campaign(turn: Turn) -> None:
    choices = await _campaign_choices(turn)
    if not choices:
        turn.say(_(t.ASK_CAMPAIGN_TYPED))
        return
    turn.say(
        _(t.ASK_CAMPAIGN),
        kb.campaigns(
            (
                c.campaign_id,
                _(t.CAMPAIGN_BUTTON).format(
                    campaign_id=c.campaign_id,
                    sent=i18n.when(c.sent_at),
                    country=country_name(c.destination_country, i18n.current()),
                ),
            )
            for c in choices
        ),
    )


async def _ask_description(turn: Turn) -> None:
    turn.say(_(t.ASK_DESCRIPTION).format(min=MIN_DESCRIPTION, max=MAX_DESCRIPTION))


async def _ask_confirm(turn: Turn, notice: str | None = None) -> None:
    summary = _summary_text(turn.slots)
    if summary is None:
        _start_claim(turn)
        return
    turn.say(f"{notice}\n\n{summary}" if notice else summary, kb.confirm())


async def _ask_person(turn: Turn) -> None:
    relay.reprompt(turn)


# The steps --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepHandlers:
    """One step, as PTB's ConversationHandler states: typed text, own buttons, question, /back."""

    text: Callable[[Turn, str], Awaitable[None]]
    prompt: Callable[[Turn], Awaitable[None]]
    # Handles the step's own buttons; False for data it does not know (a stale button).
    press: Callable[[Turn, str], Awaitable[bool]] | None = None
    # The step /back returns to; None when there is nothing to go back to.
    back: Callable[[Slots], Step] | None = None


def _to(step: Step) -> Callable[[Slots], Step]:
    return lambda _: step


def _back_from_confirm(slots: Slots) -> Step:
    if slots.reason is Reason.UNDELIVERED:
        return Step.CAMPAIGN
    if slots.reason is Reason.OTHER:
        return Step.DESCRIPTION
    return Step.REASON


HANDLERS: dict[Step, StepHandlers] = {
    Step.MENU: StepHandlers(text=_idle_text, prompt=_ask_menu),
    Step.TX: StepHandlers(text=_on_transaction, prompt=_ask_transaction, back=_to(Step.MENU)),
    Step.OWNER: StepHandlers(text=_on_owner, prompt=_ask_owner, back=_to(Step.TX)),
    Step.REASON: StepHandlers(
        text=_need_button, prompt=_ask_reason, press=_press_reason, back=_to(Step.TX)
    ),
    Step.CAMPAIGN: StepHandlers(
        text=_on_campaign, prompt=_ask_campaign, press=_press_campaign, back=_to(Step.REASON)
    ),
    Step.DESCRIPTION: StepHandlers(
        text=_on_description, prompt=_ask_description, back=_to(Step.REASON)
    ),
    Step.CONFIRM: StepHandlers(
        text=_need_button, prompt=_ask_confirm, press=_press_confirm, back=_back_from_confirm
    ),
    Step.HUMAN: StepHandlers(text=relay.forward, prompt=_ask_person),
    Step.ANSWER: StepHandlers(text=relay.answer_question, prompt=_ask_person),
    Step.ADD_INFO: StepHandlers(text=my_claims.add, prompt=my_claims.prompt, back=_to(Step.MENU)),
    Step.RATING_COMMENT: StepHandlers(
        text=ratings.comment, prompt=ratings.prompt, back=_to(Step.MENU)
    ),
}


def _group_of(topic_id: str) -> str:
    """The FAQ group a topic is listed in, for /back; "menu" when it is in none."""
    return next((g.id for g in load_groups() if topic_id in g.topic_ids), "menu")
