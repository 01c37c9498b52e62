"""Staff turns: card buttons, replies to prompts and relayed messages, and queue commands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from conversations import i18n, refs
from conversations.catalog import customer as ct
from conversations.catalog import incidents as im
from conversations.catalog import staff as s
from conversations.catalog.policy_text import format_when
from conversations.chat.events import EventKind
from conversations.chat.turn import Turn
from conversations.claims.lifecycle import Actor, Refusal, Result, credit_limit
from conversations.claims.transitions import Transition
from conversations.domain import (
    AuditKind,
    Button,
    Claim,
    ClaimStatus,
    CustomerQuery,
    Outcome,
    OutgoingMessage,
    ReplyKind,
)
from conversations.ownership import normalise_phone, subjects_named
from conversations.services.changes import CardUpdate, annotate_claim, change_claim, reopen_stale
from conversations.staff import (
    callbacks,
    card,
    digest,
    incidents,
    notify,
    numbers,
    queue,
    replies,
    report,
    stale,
    teach,
)

STAFF_COMMANDS = frozenset(
    {"queue", "card", "stats", "note", "find", "report", "lockouts", "unlock", "incident", "teach"}
)
FOUND_AT_MOST = 20
# Internal notes: staff-only words on a claim, kept in its audit trail.
MAX_NOTE = 1000


def _actor(turn: Turn) -> Actor:
    author = turn.event.author
    return Actor(name=author.signature, user_id=author.user_id)


def _is_staff(turn: Turn) -> bool:
    return turn.event.author.user_id in turn.config.staff_user_ids


async def apply(turn: Turn) -> None:
    """Apply one event from the staff side; moments are said in the deployment's zone."""
    ev = turn.event
    with i18n.in_zone(turn.config.time_zone):
        if ev.kind is EventKind.BUTTON:
            await _button(turn, ev.data or "")
        elif ev.kind is EventKind.COMMAND:
            await _command(turn, ev.command or "", ev.text)
        elif ev.kind is EventKind.TEXT and ev.reply_to_message_id is not None:
            await _reply(turn, ev.text.strip(), ev.reply_to_message_id)
    # Anything else in the staff group is staff talking among themselves: stay quiet.


# Buttons ----------------------------------------------------------------------------------


async def _button(turn: Turn, data: str) -> None:
    press = callbacks.decode(data)
    if press is None:
        turn.toast(s.STALE_ACTION, alert=True)
        return
    verb = press.verb
    claim_id = numbers.claim_number(press.target)
    if not _is_staff(turn):
        # Counted by the edge (a metric), not written on the claim: anyone can press a
        # forwarded card's buttons, and each press would otherwise add a line to its history.
        turn.toast(s.NOT_STAFF, alert=True)
        turn.refused_staff_press = True
        return
    if verb == callbacks.QUEUE_PAGE:
        text, buttons = await queue.page(turn.uow, turn.now, claim_id or 0)
        turn.show(text, buttons)
        return
    if verb == stale.REOPEN:
        await _press_reopen(turn, press.target)
        return
    if verb in (callbacks.BULK, callbacks.BULK_CONFIRMED):
        await _bulk(turn, press.target, confirmed=verb == callbacks.BULK_CONFIRMED)
        return
    if claim_id is None:
        turn.toast(s.STALE_ACTION, alert=True)
        return
    handler = _CLAIM_BUTTONS.get(verb)
    if handler is None:
        turn.toast(s.STALE_ACTION, alert=True)
        return
    await handler(turn, claim_id, press.extra)


# A claim's buttons: verb -> what it does, given the claim number and the button's extra.
ClaimButton = Callable[[Turn, int, str], Awaitable[None]]


async def _take_or_refund(turn: Turn, claim_id: int, transition: Transition) -> None:
    if await _act(turn, claim_id, transition):
        await _refresh_copy(turn, claim_id)


async def _approve_confirmed(turn: Turn, claim_id: int, extra: str) -> None:
    credits = numbers.credits(extra)
    if credits is None:
        turn.toast(s.STALE_ACTION, alert=True)
    elif await _act(turn, claim_id, Transition.APPROVE, credits=credits):
        turn.close_buttons(s.DONE_ALERT.format(what=s.ACTION_LABELS["approve"]))


async def _reject_pick(turn: Turn, claim_id: int, _extra: str) -> None:
    grounds = await _canned_buttons(turn, ReplyKind.REJECT, callbacks.REJECT_GROUND, claim_id)
    typed = Button(s.BTN_TYPED_REASON, callbacks.must(callbacks.REJECT_TYPED, claim_id))
    turn.say(s.REJECT_PICK.format(claim_id=claim_id), (*grounds, (typed,)))


async def _canned(turn: Turn, claim_id: int, kind: ReplyKind, key: str) -> None:
    """A canned reject ground or question, pressed: the claim is rejected or asked with it."""
    reply = await replies.find(turn.uow, kind, key)
    transition = Transition.REJECT if kind is ReplyKind.REJECT else Transition.ASK
    if reply is None:
        turn.toast(s.STALE_ACTION, alert=True)
    elif await _act(turn, claim_id, transition, text=reply.text):
        turn.close_buttons(s.DONE_ALERT.format(what=s.ACTION_LABELS[transition.value]))


async def _reject_typed(turn: Turn, claim_id: int, _extra: str) -> None:
    prompt = refs.prompt(refs.Prompt.REJECT, claim_id)
    turn.say(s.REASON_PROMPT.format(claim_id=claim_id), ref=prompt)


async def _ask(turn: Turn, claim_id: int, _extra: str) -> None:
    prompt = refs.prompt(refs.Prompt.ASK, claim_id)
    questions = await _canned_buttons(turn, ReplyKind.ASK, callbacks.ASK_CANNED, claim_id)
    turn.say(s.ASK_PROMPT.format(claim_id=claim_id), questions, ref=prompt)


_CLAIM_BUTTONS: dict[str, ClaimButton] = {
    Transition.TAKE: lambda turn, n, _x: _take_or_refund(turn, n, Transition.TAKE),
    Transition.APPROVE: lambda turn, n, _x: _confirm_approve(turn, n),
    callbacks.APPROVE_CONFIRMED: _approve_confirmed,
    callbacks.CHANGE_CREDITS: lambda turn, n, _x: _prompt_credits(turn, n, refs.Prompt.CREDITS),
    Transition.OVERRULE: lambda turn, n, _x: _prompt_credits(turn, n, refs.Prompt.OVERRULE),
    Transition.REJECT: _reject_pick,
    callbacks.REJECT_GROUND: lambda turn, n, key: _canned(turn, n, ReplyKind.REJECT, key),
    callbacks.ASK_CANNED: lambda turn, n, key: _canned(turn, n, ReplyKind.ASK, key),
    callbacks.REJECT_TYPED: _reject_typed,
    Transition.ASK: _ask,
    Transition.REFUNDED: lambda turn, n, _x: _take_or_refund(turn, n, Transition.REFUNDED),
}


async def _refresh_copy(turn: Turn, claim_id: int) -> None:
    """A button pressed on a /card copy: that copy shows the change too, not only the card."""
    pressed = turn.event.message_id
    where = await turn.uow.messages.lookup(card.card_ref(claim_id))
    claim = await turn.uow.claims.get(claim_id)
    if pressed is None or claim is None or where is None or where[:2] == (turn.chat_id, pressed):
        return
    text = await card.render(turn.uow, claim, turn.now, turn.config)
    turn.show(text + "\n\n" + s.CARD_COPY, card.buttons_for(claim))


async def _canned_buttons(
    turn: Turn, kind: ReplyKind, verb: str, claim_id: int
) -> tuple[tuple[Button, ...], ...]:
    """One button per canned reply; its label is the reply itself, cut to fit."""
    rows: list[tuple[Button, ...]] = []
    for reply in await replies.canned(turn.uow, kind):
        data = callbacks.encode(verb, claim_id, reply.key)
        if data is not None:
            rows.append((Button(_label(reply.text), data),))
    return tuple(rows)


def _label(text: str, limit: int = 64) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def _prompt_credits(turn: Turn, claim_id: int, what: refs.Prompt) -> None:
    """Ask for the credits (and, to overrule, the reason) as a reply to this message."""
    claim = await turn.uow.claims.get(claim_id)
    if claim is None:
        turn.toast(s.UNKNOWN_CLAIM.format(claim_id=claim_id), alert=True)
        return
    limit = await credit_limit(turn.uow, claim)
    if limit <= 0:
        turn.say(s.NOTHING_LEFT.format(claim_id=claim_id, tx=claim.transaction_id))
        return
    ref = refs.prompt(what, claim_id)
    if what is refs.Prompt.OVERRULE:
        example = f"{min(limit, 100):,}"
        turn.say(
            s.OVERRULE_PROMPT.format(claim_id=claim_id, max=f"{limit:,}", example=example), ref=ref
        )
    else:
        turn.say(s.CREDITS_PROMPT.format(claim_id=claim_id, max=f"{limit:,}"), ref=ref)


async def _confirm_approve(turn: Turn, claim_id: int) -> None:
    claim = await turn.uow.claims.get(claim_id)
    if claim is None:
        turn.toast(s.UNKNOWN_CLAIM.format(claim_id=claim_id), alert=True)
        return
    credits = min(claim.refundable_credits, await credit_limit(turn.uow, claim))
    if credits <= 0:
        await _prompt_credits(turn, claim_id, refs.Prompt.CREDITS)
        return
    turn.say(
        s.CONFIRM_APPROVE.format(claim_id=claim_id, credits=f"{credits:,}"),
        (
            (
                Button(
                    s.BTN_CONFIRM_APPROVE.format(credits=f"{credits:,}"),
                    callbacks.must(callbacks.APPROVE_CONFIRMED, claim_id, credits),
                ),
            ),
            (Button(s.BTN_CREDITS, callbacks.must(callbacks.CHANGE_CREDITS, claim_id)),),
        ),
    )


async def _act(
    turn: Turn,
    claim_id: int,
    transition: Transition,
    *,
    credits: int | None = None,
    text: str | None = None,
) -> bool:
    change = await change_claim(
        turn.uow,
        claim_id,
        transition,
        _actor(turn),
        turn.now,
        turn.config,
        credits=credits,
        text=text,
    )
    if not change.ok:
        _tell_refusal(turn, claim_id, change.result)
        return False
    for message in change.messages:
        turn.send_to(message)
    turn.toast(s.DONE_ALERT.format(what=s.ACTION_LABELS[transition.value]))
    return True


def _tell_refusal(turn: Turn, claim_id: int, result: Result) -> None:
    """Say why nothing changed: as an alert on a button, as a message after a typed reply."""
    claim = result.claim
    if claim is None or result.refusal is Refusal.UNKNOWN:
        why = s.UNKNOWN_CLAIM.format(claim_id=claim_id)
    elif result.refusal is Refusal.CREDITS:
        limit = result.credit_limit or 0
        why = (
            s.CREDITS_BAD.format(max=f"{limit:,}")
            if limit > 0
            else s.NOTHING_LEFT.format(claim_id=claim_id, tx=claim.transaction_id)
        )
    elif result.refusal is Refusal.CAMPAIGN_PAID:
        why = s.CAMPAIGN_PAID.format(claim_id=claim_id)
    elif result.refusal is Refusal.LIVE_EXISTS:
        why = s.LIVE_EXISTS.format(claim_id=claim_id)
    elif result.refusal is Refusal.NEEDS_REASON:
        why = s.REASON_PROMPT.format(claim_id=claim_id)
    elif result.last_actor:
        why = s.ALREADY_DONE.format(what=s.STATUS_LABELS[claim.status.value], who=result.last_actor)
    else:
        why = s.NOT_ALLOWED_NOW.format(
            claim_id=claim_id, status=s.STATUS_LABELS[claim.status.value]
        )
    if turn.event.kind is EventKind.BUTTON:
        turn.toast(why, alert=True)
    else:
        turn.say(why)


async def _press_reopen(turn: Turn, target: str) -> None:
    """The stale-decisions message's button: those claims go back to the queue for review."""
    who = _actor(turn)
    done, cards = await reopen_stale(
        turn.uow, stale.claim_ids(target), who.name, who.user_id, turn.now, turn.config
    )
    if not done:
        turn.toast(im.STALE_NONE_LEFT, alert=True)
        return
    for message in cards:
        turn.send_to(message)
    ids = ", ".join(f"#{claim_id}" for claim_id in done)
    noun = im.STALE_NOUN[0 if len(done) == 1 else 1]
    said = im.STALE_REOPENED.format(count=len(done), noun=noun, ids=ids)
    turn.close_buttons(said)
    turn.say(said)


async def _bulk(turn: Turn, incident_id: str, confirmed: bool) -> None:
    eligible: list[Claim] = []
    for status in (ClaimStatus.ESCALATED, ClaimStatus.IN_REVIEW):
        eligible.extend(await turn.uow.claims.for_incident(incident_id, status, Outcome.ELIGIBLE))
    if not confirmed:
        turn.say(
            s.BULK_CONFIRM.format(count=len(eligible), incident_id=incident_id),
            ((Button(s.BTN_CONFIRM, callbacks.must(callbacks.BULK_CONFIRMED, incident_id)),),),
        )
        return
    approved = 0
    actor = _actor(turn)
    for claim in eligible:
        assert claim.id is not None
        # Only cards already posted are brought up to date; the digest covers the rest,
        # so a storm's bulk approval does not post hundreds of new cards.
        change = await change_claim(
            turn.uow,
            claim.id,
            Transition.APPROVE,
            actor,
            turn.now,
            turn.config,
            card_update=CardUpdate.IF_POSTED,
        )
        if change.ok:
            approved += 1
            for message in change.messages:
                turn.send_to(message)
    turn.close_buttons(s.BULK_DONE.format(count=approved, incident_id=incident_id))
    if turn.config.staff_chat_id is not None:
        await turn.uow.serialize(notify.STAFF_NOTIFY_LOCK)
        turn.send_to(await digest.digest_message(turn.uow, turn.now, turn.config))


# Replies ----------------------------------------------------------------------------------


async def _reply(turn: Turn, text: str, reply_to: int) -> None:
    ref = await turn.uow.messages.find_ref(turn.chat_id, reply_to)
    if ref is None:
        return
    if not _is_staff(turn):
        turn.say(s.NOT_STAFF)
        return
    about = refs.parse(ref)
    if about is None:
        return
    if about.kind is refs.Kind.RELAY:
        # A customer's private chat id is their user id: they read it in their language.
        chosen = await turn.uow.languages.get(about.number)
        with i18n.use(chosen.language if chosen is not None else i18n.ENGLISH):
            reply = i18n._(ct.HUMAN_REPLY).format(text=text)
        turn.send_to(OutgoingMessage(chat_id=about.number, text=reply))
        turn.say(s.RELAY_SENT)
        return
    if about.kind is not refs.Kind.PROMPT or about.prompt is None:
        return
    claim_id = about.number
    if about.prompt is refs.Prompt.ASK:
        await _act(turn, claim_id, Transition.ASK, text=text)
    elif about.prompt is refs.Prompt.REJECT:
        await _act(turn, claim_id, Transition.REJECT, text=text)
    elif about.prompt is refs.Prompt.CREDITS:
        amount = numbers.credits(text)
        if amount is None:
            await _prompt_again(turn, claim_id, about.prompt)
            return
        await _act(turn, claim_id, Transition.APPROVE, credits=amount)
    else:
        parsed = numbers.credits_and_reason(text)
        if parsed is None:
            await _prompt_again(turn, claim_id, about.prompt)
            return
        await _act(turn, claim_id, Transition.OVERRULE, credits=parsed[0], text=parsed[1])
    if turn.callback_text:
        turn.say(turn.callback_text)


async def _prompt_again(turn: Turn, claim_id: int, what: refs.Prompt) -> None:
    """A typed answer that is not a number: say what is wanted, as a new prompt to reply to."""
    claim = await turn.uow.claims.get(claim_id)
    limit = await credit_limit(turn.uow, claim) if claim is not None else 0
    ref = refs.prompt(what, claim_id)
    if what is refs.Prompt.OVERRULE:
        example = f"{min(limit, 100):,}"
        turn.say(s.OVERRULE_BAD.format(max=f"{limit:,}", example=example), ref=ref)
    else:
        turn.say(s.CREDITS_BAD.format(max=f"{limit:,}"), ref=ref)


# Commands ---------------------------------------------------------------------------------


async def _command(turn: Turn, name: str, args: str) -> None:
    if name not in STAFF_COMMANDS:
        if name in ("help", "start"):
            turn.say(s.STAFF_HELP)
        elif _is_staff(turn):
            # A typo must not look like a dead bot; anyone else's commands are not ours.
            turn.say(s.STAFF_UNKNOWN.format(command=name[:32]) + "\n\n" + s.STAFF_HELP)
        return
    if not _is_staff(turn):
        turn.say(s.NOT_STAFF_COMMAND)
        return
    await _STAFF_COMMANDS[name](turn, args)


async def _queue(turn: Turn, args: str) -> None:
    """/queue: the claims waiting, newest first, a page at a time."""
    text, buttons = await queue.page(turn.uow, turn.now, 0)
    turn.say(text, buttons)


async def _card(turn: Turn, args: str) -> None:
    """/card N: the claim's card (a copy, if it has one already)."""
    number = numbers.claim_number(args)
    if number is None:
        turn.say(s.CARD_USAGE)
        return
    claim = await turn.uow.claims.get(number)
    if claim is None:
        turn.say(s.UNKNOWN_CLAIM.format(claim_id=number))
        return
    text = await card.render(turn.uow, claim, turn.now, turn.config)
    ref = card.card_ref(number)
    if await turn.uow.messages.lookup(ref) is None:
        # No card yet (say, a claim the bot found not eligible): this one is its card.
        turn.say(text, card.buttons_for(claim), ref=ref)
    else:
        # A copy: the claim's card stays where it was posted, and that one is kept current.
        turn.say(text + "\n\n" + s.CARD_COPY, card.buttons_for(claim))


async def _report(turn: Turn, args: str) -> None:
    """/report: the last two weeks' chart and the refunds to pay."""
    for message in await report.report(turn.uow, turn.chat_id, turn.now, turn.config):
        turn.send_to(replace(message, message_thread_id=turn.event.thread_id))


async def _stats(turn: Turn, args: str) -> None:
    """/stats: claims by status, and how the FAQ fares."""
    turn.say(await queue.stats(turn.uow, turn.now, turn.config))


async def _note(turn: Turn, args: str) -> None:
    """/note 12 words: an internal note on claim #12 that the customer never sees."""
    number, _, words = args.strip().partition(" ")
    claim_id = numbers.claim_number(number)
    words = words.strip()
    if claim_id is None or not words:
        turn.say(s.NOTE_USAGE)
        return
    claim = await turn.uow.claims.get(claim_id)
    if claim is None:
        turn.say(s.UNKNOWN_CLAIM.format(claim_id=claim_id))
        return
    if len(words) > MAX_NOTE:
        turn.say(s.NOTE_TOO_LONG.format(length=f"{len(words):,}", limit=f"{MAX_NOTE:,}"))
        return
    for message in await annotate_claim(
        turn.uow, claim, AuditKind.NOTE, _actor(turn), words, turn.now, turn.config
    ):
        turn.send_to(message)
    turn.say(s.NOTE_ADDED.format(claim_id=claim_id))


async def _find(turn: Turn, args: str) -> None:
    """/find TX-1001 | @username | phone: a customer's claims, newest first."""
    wanted = args.strip()
    query = _customer_query(wanted, turn.config.home_country)
    if query is None:
        turn.say(s.FIND_USAGE)
        return
    found = list(await turn.uow.claims.find(query, FOUND_AT_MOST))
    if not found and query.transaction_id is not None and wanted.upper() != wanted:
        found = list(await turn.uow.claims.find(CustomerQuery(wanted.upper()), FOUND_AT_MOST))
    if not found:
        turn.say(s.FIND_NONE.format(query=wanted[:64]))
        return
    lines = [s.FIND_HEADER.format(query=wanted[:64], count=len(found))]
    for claim in found:
        lines.append(
            s.FIND_LINE.format(
                claim_id=claim.id,
                status=s.STATUS_LABELS[claim.status.value],
                tx=claim.transaction_id,
                reason=ct.REASON_SHORT[claim.reason.value],
                credits=f"{claim.refundable_credits:,}",
                when=format_when(claim.created_at),
            )
        )
    lines.append(s.FIND_FOOTER)
    turn.say("\n".join(lines))


async def _lockouts(turn: Turn) -> None:
    """/lockouts: who waits after wrong answers to "whose purchase is this?", and until when."""
    blocked = await turn.uow.attempts.blocked(turn.now)
    if not blocked:
        turn.say(s.LOCKOUTS_NONE)
        return
    lines = [s.LOCKOUTS_HEADER.format(count=len(blocked))]
    for subject, attempts in blocked[:FOUND_AT_MOST]:
        kind, _, key = subject.partition(":")
        until = format_when(attempts.blocked_until) if attempts.blocked_until else "?"
        line = s.LOCKOUT_USER if kind == "user" else s.LOCKOUT_TRANSACTION
        lines.append(line.format(user_id=key, tx=key, misses=attempts.misses, until=until))
    lines.append(s.LOCKOUTS_FOOTER)
    turn.say("\n".join(lines))


async def _unlock(turn: Turn, wanted: str) -> None:
    """/unlock TX-1001 or /unlock 123456789: that transaction or that customer may try again."""
    subjects = subjects_named(wanted) if wanted else []
    if not subjects:
        turn.say(s.UNLOCK_USAGE)
        return
    lifted = [subject for subject in subjects if await turn.uow.attempts.lift(subject)]
    what = lifted[0].partition(":")[2] if lifted else wanted[:64]
    turn.say((s.UNLOCKED if lifted else s.UNLOCK_NONE).format(what=what))


def _customer_query(text: str, home_country: str) -> CustomerQuery | None:
    """@name is a Telegram username, a phone number a phone, one word a transaction id."""
    if not text or len(text) > 64:
        return None
    if text.startswith("@"):
        name = text[1:]
        return CustomerQuery(username=name) if name and not any(c.isspace() for c in name) else None
    phone = normalise_phone(text, home_country)
    if phone is not None:
        return CustomerQuery(phone=phone)
    if any(ch.isspace() for ch in text):
        return None
    return CustomerQuery(transaction_id=text)


# The staff commands (STAFF_COMMANDS), each given the words after it.
_STAFF_COMMANDS: dict[str, Callable[[Turn, str], Awaitable[None]]] = {
    "queue": _queue,
    "card": _card,
    "note": _note,
    "find": _find,
    "lockouts": lambda turn, args: _lockouts(turn),
    "unlock": lambda turn, args: _unlock(turn, args.strip()),
    "incident": incidents.command,
    "teach": teach.teach,
    "report": _report,
    "stats": _stats,
}
