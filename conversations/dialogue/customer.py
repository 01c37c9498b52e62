"""The customer's dialogue: menu, FAQ, the claim steps, status and talking to a person."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from conversations.catalog import customer as t
from conversations.catalog import faq_text
from conversations.catalog.policy_text import format_when
from conversations.claims import filing, status_view
from conversations.dialogue import keyboards as kb
from conversations.dialogue import relay, steps
from conversations.dialogue.events import EventKind
from conversations.dialogue.turn import Turn
from conversations.domain import Campaign, ClaimStatus, Reason
from conversations.faq import default_matcher, get_group, get_topic
from conversations.ownership import looks_like_contact, proves_ownership

MAX_TEXT = 4000
MAX_DESCRIPTION = 1000
MIN_DESCRIPTION = 15
TRIES = 3
LOCK_FOR = timedelta(hours=1)
_TX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{2,39}$")
_GREETINGS = frozenset({"hi", "hello", "hey", "salam", "salaam", "aoa", "assalam o alaikum"})


def _tries_word(n: int) -> str:
    return "try" if n == 1 else "tries"


async def apply(turn: Turn) -> None:
    """Apply one inbound event to the customer's conversation."""
    ev = turn.event
    if _expired(turn):
        minutes = turn.config.idle_timeout_minutes
        turn.reset()
        turn.say(t.EXPIRED.format(minutes=minutes))
        if ev.kind is not EventKind.COMMAND:
            _menu(turn)
            return
    if ev.kind is EventKind.COMMAND:
        await _command(turn, ev.command or "")
    elif ev.kind is EventKind.BUTTON:
        await _button(turn, ev.data or "")
    elif ev.kind is EventKind.MEDIA:
        turn.say(t.UNSUPPORTED_MEDIA)
        await _reprompt(turn, only_if_busy=True)
    elif len(ev.text) > MAX_TEXT:
        turn.say(t.TOO_LONG.format(length=len(ev.text), limit=MAX_TEXT))
        await _reprompt(turn, only_if_busy=True)
    else:
        await _text(turn, ev.text.strip())


def _expired(turn: Turn) -> bool:
    updated = turn.state.updated_at
    # A question from staff may be answered hours later, so that step never expires.
    if turn.state.step in (steps.MENU, steps.ANSWER) or updated is None:
        return False
    return turn.now - updated > timedelta(minutes=turn.config.idle_timeout_minutes)


# Commands ---------------------------------------------------------------------------------


async def _command(turn: Turn, name: str) -> None:
    if name == "start":
        turn.reset()
        _welcome(turn)
    elif name == "help":
        turn.say(t.HELP)
        await _reprompt(turn, only_if_busy=True)
    elif name == "faq":
        turn.say(t.FAQ_MENU, kb.faq_menu())
    elif name == "claim":
        _start_claim(turn)
    elif name == "status":
        await _status(turn)
        await _reprompt(turn, only_if_busy=True)
    elif name == "human":
        await relay.start(turn)
    elif name == "back":
        await _back(turn)
    elif name == "cancel":
        was = turn.state.step
        turn.reset()
        if was == steps.HUMAN:
            turn.say(t.HUMAN_ENDED, kb.main_menu())
        elif was == steps.MENU:
            turn.say(t.NOTHING_TO_CANCEL, kb.main_menu())
        else:
            turn.say(t.CANCELLED, kb.main_menu())
    else:
        turn.say(t.UNKNOWN_COMMAND.format(command=name[:32]) + "\n\n" + t.HELP)


def _welcome(turn: Turn) -> None:
    text = t.WELCOME.format(name=turn.event.sender.first_name or "there")
    if turn.config.pk_suspension_notice:
        text = t.PK_NOTICE + "\n\n" + text
    turn.say(text, kb.main_menu())


def _menu(turn: Turn) -> None:
    turn.show(t.MENU_PROMPT, kb.main_menu())


def _start_claim(turn: Turn) -> None:
    turn.reset()
    turn.goto(steps.TX)
    turn.say(t.ASK_TRANSACTION)


async def _status(turn: Turn) -> None:
    claims = await turn.uow.claims.for_user(turn.event.sender.user_id)
    turn.say(status_view.render(claims, turn.config.home_country))


async def _back(turn: Turn) -> None:
    slots = turn.state.slots
    step = turn.state.step
    previous = {
        steps.TX: steps.MENU,
        steps.OWNER: steps.TX,
        steps.REASON: steps.TX,
        steps.CAMPAIGN: steps.REASON,
        steps.DESCRIPTION: steps.REASON,
        steps.CONFIRM: (
            steps.CAMPAIGN
            if slots.get("reason") == Reason.UNDELIVERED
            else steps.DESCRIPTION
            if slots.get("reason") == Reason.OTHER
            else steps.REASON
        ),
    }.get(step)
    if previous is None:
        turn.say(t.NOTHING_TO_GO_BACK_TO, kb.main_menu())
        return
    if previous == steps.MENU:
        turn.reset()
        _menu(turn)
        return
    if previous == steps.TX:
        # A different transaction needs its own proof of ownership.
        for key in ("tx", "owner_ok", "reason", "campaign", "description"):
            slots.pop(key, None)
    turn.goto(previous)
    await _reprompt(turn)


# Buttons ----------------------------------------------------------------------------------


async def _button(turn: Turn, data: str) -> None:
    step = turn.state.step
    if data == kb.MENU_MAIN:
        if step in steps.CLAIM_STEPS or step == steps.HUMAN:
            turn.reset()
        _menu(turn)
    elif data == kb.MENU_FAQ:
        turn.show(t.FAQ_MENU, kb.faq_menu())
    elif data.startswith(kb.FAQ_GROUP_PREFIX):
        group = get_group(data.removeprefix(kb.FAQ_GROUP_PREFIX))
        turn.show(t.FAQ_MENU, kb.faq_group(group) if group else kb.faq_menu())
    elif data.startswith(kb.FAQ_PREFIX):
        topic = get_topic(data.removeprefix(kb.FAQ_PREFIX))
        if topic is None:
            turn.show(t.FAQ_MENU, kb.faq_menu())
        else:
            _answer_topic(turn, topic.id, edit=True)
    elif data == kb.MENU_CLAIM:
        turn.close_buttons(turn.event.text or t.BTN_CLAIM)
        _start_claim(turn)
    elif data == kb.MENU_STATUS:
        await _status(turn)
    elif data == kb.MENU_HUMAN:
        await relay.start(turn)
    elif step == steps.REASON and data.startswith(kb.REASON_PREFIX):
        await _on_reason(turn, data.removeprefix(kb.REASON_PREFIX))
    elif step == steps.CAMPAIGN and data.startswith(kb.CAMPAIGN_PREFIX):
        await _on_campaign(turn, data.removeprefix(kb.CAMPAIGN_PREFIX))
    elif step == steps.CONFIRM and data in (kb.SUBMIT, kb.CHANGE, kb.CANCEL):
        await _on_confirm(turn, data)
    else:
        turn.say(t.STALE_BUTTON)
        await _reprompt(turn)


# Text -------------------------------------------------------------------------------------


async def _text(turn: Turn, text: str) -> None:
    step = turn.state.step
    if step == steps.TX:
        await _on_transaction(turn, text)
    elif step == steps.OWNER:
        await _on_owner(turn, text)
    elif step == steps.CAMPAIGN:
        await _on_campaign(turn, text)
    elif step == steps.DESCRIPTION:
        await _on_description(turn, text)
    elif step in steps.BUTTON_STEPS:
        turn.say(t.NEED_BUTTON)
        await _reprompt(turn)
    elif step == steps.HUMAN:
        await relay.forward(turn, text)
    elif step == steps.ANSWER or await _pending_question(turn):
        await relay.answer_question(turn, text)
    else:
        _free_question(turn, text)


async def _pending_question(turn: Turn) -> bool:
    """A staff question still waiting: the customer's next plain message answers it."""
    for claim in await turn.uow.claims.for_user(turn.event.sender.user_id):
        if claim.status is ClaimStatus.INFO_REQUESTED and claim.chat_id == turn.chat_id:
            turn.state.slots["question_claim"] = claim.id
            return True
    return False


def _free_question(turn: Turn, text: str) -> None:
    if text.lower().strip(" !.?") in _GREETINGS:
        turn.say(t.GREETING.format(name=turn.event.sender.first_name or "there"), kb.main_menu())
        return
    match = default_matcher().match(text)
    if match.topic is not None and match.topic.small_talk:
        turn.say(match.topic.answer, kb.main_menu())
    elif match.topic is not None:
        _answer_topic(turn, match.topic.id, edit=False)
    elif match.alternatives:
        turn.say(faq_text.DID_YOU_MEAN, kb.topic_choices(match.alternatives))
    else:
        pointer = faq_text.support_pointer(turn.config.support_contact)
        turn.say(f"{t.OFF_TOPIC}\n\n{pointer}", kb.main_menu())


def _answer_topic(turn: Turn, topic_id: str, edit: bool) -> None:
    topic = get_topic(topic_id)
    assert topic is not None
    # Naming the topic above a guessed answer makes a wrong guess obvious to the customer.
    text = topic.answer if edit else faq_text.answer_with_intro(topic.title, topic.answer)
    buttons = kb.after_answer(topic.next_step)
    if edit:
        turn.show(text, buttons)
    else:
        turn.say(text, buttons)


# Claim steps ------------------------------------------------------------------------------


def _locked_until(turn: Turn, tx: str) -> datetime | None:
    until_iso = turn.state.slots.get("locks", {}).get(tx)
    if until_iso is None:
        return None
    until = datetime.fromisoformat(until_iso)
    return until if until > turn.now else None


async def _on_transaction(turn: Turn, text: str) -> None:
    slots = turn.state.slots
    candidate = text.strip()
    if not _TX_RE.match(candidate):
        turn.say(t.BAD_TRANSACTION_FORMAT)
        return
    purchase = await turn.uow.ledger.purchase(candidate)
    if purchase is None and candidate.upper() != candidate:
        purchase = await turn.uow.ledger.purchase(candidate.upper())
    if purchase is None:
        misses = int(slots.get("tx_misses", 0)) + 1
        slots["tx_misses"] = misses
        if misses >= TRIES:
            turn.reset()
            turn.say(t.UNKNOWN_TRANSACTION_GIVE_UP, kb.human_only())
        else:
            left = TRIES - misses
            turn.say(t.UNKNOWN_TRANSACTION.format(tx=candidate, left=left, tries=_tries_word(left)))
        return
    tx = purchase.transaction_id
    until = _locked_until(turn, tx)
    if until is not None:
        turn.reset()
        turn.say(t.STILL_LOCKED.format(tx=tx, until=format_when(until)), kb.human_only())
        return
    slots["tx"] = tx
    slots.pop("tx_misses", None)
    turn.goto(steps.OWNER)
    turn.say(t.ASK_OWNER)


async def _on_owner(turn: Turn, text: str) -> None:
    slots = turn.state.slots
    tx = str(slots["tx"])
    purchase = await turn.uow.ledger.purchase(tx)
    if purchase is None:  # removed from the ledger mid-claim
        _start_claim(turn)
        return
    until = _locked_until(turn, tx)
    if until is not None:
        turn.reset()
        turn.say(t.STILL_LOCKED.format(tx=tx, until=format_when(until)), kb.human_only())
        return
    if not looks_like_contact(text):
        turn.say(t.NOT_A_CONTACT)
        return
    if not proves_ownership(text, purchase, turn.config.home_country):
        fails = dict(slots.get("owner_fails", {}))
        fails[tx] = int(fails.get(tx, 0)) + 1
        slots["owner_fails"] = fails
        if fails[tx] >= TRIES:
            fails.pop(tx)
            locks = dict(slots.get("locks", {}))
            until = turn.now + LOCK_FOR
            locks[tx] = until.isoformat()
            slots["locks"] = locks
            turn.reset()
            turn.say(t.OWNER_LOCKED.format(until=format_when(until)), kb.human_only())
        else:
            left = TRIES - fails[tx]
            turn.say(t.OWNER_MISMATCH.format(left=left, tries=_tries_word(left)))
        return
    fails = dict(slots.get("owner_fails", {}))
    fails.pop(tx, None)
    slots["owner_fails"] = fails
    slots["owner_ok"] = True
    existing = await turn.uow.claims.live_for_transaction(tx)
    if existing is not None:
        turn.reset()
        turn.say(
            t.DUPLICATE.format(
                tx=tx,
                claim_id=existing.id,
                status=t.STATUS_LABELS[existing.status.value],
            ),
            kb.main_menu(),
        )
        return
    turn.goto(steps.REASON)
    await _reprompt(turn)


async def _on_reason(turn: Turn, value: str) -> None:
    try:
        reason = Reason(value)
    except ValueError:
        await _reprompt(turn)
        return
    slots = turn.state.slots
    slots["reason"] = reason.value
    slots.pop("campaign", None)
    slots.pop("description", None)
    slots.pop("campaign_misses", None)
    turn.close_buttons(t.REASON_LABELS[reason.value])
    if reason is Reason.UNDELIVERED:
        turn.goto(steps.CAMPAIGN)
    elif reason is Reason.OTHER:
        turn.goto(steps.DESCRIPTION)
    else:
        turn.goto(steps.CONFIRM)
    await _reprompt(turn)


async def _campaign_choices(turn: Turn) -> list[Campaign]:
    campaigns = await turn.uow.ledger.campaigns_for(str(turn.state.slots["tx"]))
    return sorted(campaigns, key=lambda c: c.sent_at, reverse=True)[:8]


async def _on_campaign(turn: Turn, value: str) -> None:
    slots = turn.state.slots
    tx = str(slots["tx"])
    wanted = value.strip()
    campaign = await turn.uow.ledger.campaign(wanted) if wanted else None
    if campaign is None and wanted.upper() != wanted:
        campaign = await turn.uow.ledger.campaign(wanted.upper())
    if campaign is None or campaign.transaction_id != tx:
        misses = int(slots.get("campaign_misses", 0)) + 1
        slots["campaign_misses"] = misses
        if misses >= TRIES:
            # C-CAMPAIGN: after three tries the claim goes to review without a campaign.
            slots["campaign"] = None
            turn.say(t.CAMPAIGN_GIVE_UP)
            turn.goto(steps.CONFIRM)
            await _reprompt(turn)
        else:
            left = TRIES - misses
            turn.say(
                t.UNKNOWN_CAMPAIGN.format(campaign=wanted[:40], left=left, tries=_tries_word(left))
            )
            await _reprompt(turn)
        return
    slots["campaign"] = campaign.campaign_id
    turn.close_buttons(t.ASK_CAMPAIGN + "\n→ " + campaign.campaign_id)
    if campaign.destination_country.upper() == "PK" and turn.config.pk_suspension_notice:
        turn.say(t.PK_NOTICE)
    turn.goto(steps.CONFIRM)
    await _reprompt(turn)


async def _on_description(turn: Turn, text: str) -> None:
    if len(text) < MIN_DESCRIPTION:
        turn.say(t.DESCRIPTION_TOO_SHORT)
        return
    if len(text) > MAX_DESCRIPTION:
        turn.say(t.TOO_LONG.format(length=len(text), limit=MAX_DESCRIPTION))
        return
    turn.state.slots["description"] = text
    turn.goto(steps.CONFIRM)
    await _reprompt(turn)


async def _on_confirm(turn: Turn, data: str) -> None:
    if data == kb.CANCEL:
        turn.close_buttons(t.CANCELLED)
        turn.reset()
        turn.say(t.MENU_PROMPT, kb.main_menu())
        return
    if data == kb.CHANGE:
        turn.close_buttons(t.BTN_CHANGE)
        turn.goto(steps.REASON)
        await _reprompt(turn)
        return
    turn.close_buttons(_summary_text(turn) + "\n\n→ " + t.BTN_SUBMIT)
    await filing.submit(turn)


# Prompts ----------------------------------------------------------------------------------


def _summary_text(turn: Turn) -> str:
    slots = turn.state.slots
    reason = str(slots.get("reason"))
    extra = ""
    if reason == Reason.UNDELIVERED:
        campaign = slots.get("campaign")
        extra = t.SUMMARY_CAMPAIGN.format(campaign=campaign) if campaign else t.SUMMARY_NO_CAMPAIGN
    elif reason == Reason.OTHER:
        extra = t.SUMMARY_DESCRIPTION.format(description=slots.get("description", ""))
    return t.SUMMARY.format(tx=slots.get("tx"), reason=t.REASON_SHORT[reason], extra=extra)


async def _reprompt(turn: Turn, only_if_busy: bool = False) -> None:
    """Ask the current step's question again, with its buttons."""
    step = turn.state.step
    slots = turn.state.slots
    if step == steps.MENU:
        if not only_if_busy:
            turn.say(t.MENU_PROMPT, kb.main_menu())
    elif step == steps.TX:
        turn.say(t.ASK_TRANSACTION)
    elif step == steps.OWNER:
        turn.say(t.ASK_OWNER)
    elif step == steps.REASON:
        purchase = await turn.uow.ledger.purchase(str(slots["tx"]))
        if purchase is None:
            _start_claim(turn)
            return
        turn.say(
            t.ASK_REASON.format(
                tx=purchase.transaction_id,
                credits=f"{purchase.credits:,}",
                kind=t.KIND_LABELS[purchase.kind.value],
                when=format_when(purchase.purchased_at),
            ),
            kb.reasons(),
        )
    elif step == steps.CAMPAIGN:
        choices = await _campaign_choices(turn)
        if choices:
            turn.say(
                t.ASK_CAMPAIGN,
                kb.campaigns(
                    (
                        c.campaign_id,
                        t.CAMPAIGN_BUTTON.format(
                            campaign_id=c.campaign_id,
                            sent=format_when(c.sent_at),
                            country=c.destination_country,
                        ),
                    )
                    for c in choices
                ),
            )
        else:
            turn.say(t.ASK_CAMPAIGN_TYPED)
    elif step == steps.DESCRIPTION:
        turn.say(t.ASK_DESCRIPTION.format(min=MIN_DESCRIPTION, max=MAX_DESCRIPTION))
    elif step == steps.CONFIRM:
        turn.say(_summary_text(turn), kb.confirm())
    elif step in (steps.HUMAN, steps.ANSWER):
        relay.reprompt(turn)
