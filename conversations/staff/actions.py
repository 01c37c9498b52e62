"""Staff turns: card buttons, replies to prompts and relayed messages, and queue commands."""

from __future__ import annotations

from conversations.catalog import customer as ct
from conversations.catalog import staff as s
from conversations.dialogue.events import EventKind
from conversations.dialogue.turn import Turn
from conversations.domain import AuditEntry, Button, Claim, ClaimStatus, Outcome, OutgoingMessage
from conversations.staff import card, digest, notify, queue
from conversations.staff.transitions import Action, Actor, credit_limit, perform

STAFF_COMMANDS = frozenset({"queue", "card", "stats"})


def _actor(turn: Turn) -> Actor:
    sender = turn.event.sender
    name = sender.first_name or str(sender.user_id)
    if sender.username:
        name += f" (@{sender.username})"
    return Actor(name=name, user_id=sender.user_id)


def _is_staff(turn: Turn) -> bool:
    return turn.event.sender.user_id in turn.config.staff_user_ids


async def apply(turn: Turn) -> None:
    """Apply one event from the staff side."""
    ev = turn.event
    if ev.kind is EventKind.BUTTON:
        await _button(turn, ev.data or "")
    elif ev.kind is EventKind.COMMAND:
        await _command(turn, ev.command or "", ev.text)
    elif ev.kind is EventKind.TEXT and ev.reply_to_message_id is not None:
        await _reply(turn, ev.text.strip(), ev.reply_to_message_id)
    # Anything else in the staff group is staff talking among themselves: stay quiet.


# Buttons ----------------------------------------------------------------------------------


async def _button(turn: Turn, data: str) -> None:
    parts = data.split(":")
    verb = parts[1] if len(parts) > 1 else ""
    arg = parts[2] if len(parts) > 2 else ""
    if not _is_staff(turn):
        turn.toast(s.NOT_STAFF, alert=True)
        if arg.isdigit():
            await turn.uow.claims.add_audit(
                AuditEntry(
                    claim_id=int(arg),
                    at=turn.now,
                    actor=_actor(turn).name,
                    actor_id=turn.event.sender.user_id,
                    from_status=None,
                    to_status=None,
                    note=f"refused: not staff, pressed {verb}",
                )
            )
        return
    if verb == "q":
        text, buttons = await queue.page(turn.uow, turn.now, int(arg or 0))
        turn.show(text, buttons)
        return
    if verb in ("bulk", "bulkok"):
        await _bulk(turn, arg, confirmed=verb == "bulkok")
        return
    if not arg.isdigit():
        turn.toast(s.STALE_ACTION, alert=True)
        return
    claim_id = int(arg)
    if verb == "take":
        await _act(turn, claim_id, Action.TAKE)
    elif verb == "approve":
        await _confirm_approve(turn, claim_id)
    elif verb == "approveok" and len(parts) > 3 and parts[3].isdigit():
        await _act(turn, claim_id, Action.APPROVE, credits=int(parts[3]))
        turn.close_buttons(s.DONE_ALERT.format(what=s.ACTION_LABELS["approve"]))
    elif verb == "credits":
        limit = await credit_limit(turn.uow, claim_id)
        turn.say(
            s.CREDITS_PROMPT.format(claim_id=claim_id, max=f"{limit:,}"),
            ref=f"prompt:credits:{claim_id}",
        )
    elif verb == "reject":
        buttons = tuple(
            (Button(label, f"st:rj:{claim_id}:{key}"),) for key, label in s.REJECT_GROUNDS.items()
        ) + ((Button(s.BTN_TYPED_REASON, f"st:rjt:{claim_id}"),),)
        turn.say(s.REJECT_PICK.format(claim_id=claim_id), buttons)
    elif verb == "rj" and len(parts) > 3 and parts[3] in s.REJECT_GROUNDS:
        await _act(turn, claim_id, Action.REJECT, text=s.REJECT_GROUNDS[parts[3]])
        turn.close_buttons(s.DONE_ALERT.format(what=s.ACTION_LABELS["reject"]))
    elif verb == "rjt":
        turn.say(s.REASON_PROMPT.format(claim_id=claim_id), ref=f"prompt:reject:{claim_id}")
    elif verb == "ask":
        turn.say(s.ASK_PROMPT.format(claim_id=claim_id), ref=f"prompt:ask:{claim_id}")
    elif verb == "refunded":
        await _act(turn, claim_id, Action.REFUNDED)
    else:
        turn.toast(s.STALE_ACTION, alert=True)


async def _confirm_approve(turn: Turn, claim_id: int) -> None:
    claim = await turn.uow.claims.get(claim_id)
    if claim is None:
        turn.toast(s.UNKNOWN_CLAIM.format(claim_id=claim_id), alert=True)
        return
    credits = claim.refundable_credits
    turn.say(
        s.CONFIRM_APPROVE.format(claim_id=claim_id, credits=credits),
        (
            (
                Button(
                    s.BTN_CONFIRM_APPROVE.format(credits=credits),
                    f"st:approveok:{claim_id}:{credits}",
                ),
            ),
            (Button(s.BTN_CREDITS, f"st:credits:{claim_id}"),),
        ),
    )


async def _act(
    turn: Turn,
    claim_id: int,
    action: Action,
    *,
    credits: int | None = None,
    text: str | None = None,
) -> bool:
    result = await perform(
        turn.uow, claim_id, action, _actor(turn), turn.now, turn.config, credits=credits, text=text
    )
    if result.claim is None:
        turn.toast(s.UNKNOWN_CLAIM.format(claim_id=claim_id), alert=True)
        return False
    if result.credit_limit is not None:
        turn.toast(s.CREDITS_BAD.format(max=f"{result.credit_limit:,}"), alert=True)
        return False
    if not result.ok:
        status = result.claim.status
        if result.last_actor:
            turn.toast(
                s.ALREADY_DONE.format(what=s.STATUS_LABELS[status.value], who=result.last_actor),
                alert=True,
            )
        else:
            turn.toast(
                s.NOT_ALLOWED_NOW.format(claim_id=claim_id, status=s.STATUS_LABELS[status.value]),
                alert=True,
            )
        return False
    for message in result.messages:
        turn.send_to(message)
    turn.toast(s.DONE_ALERT.format(what=s.ACTION_LABELS[action.value]))
    return True


async def _bulk(turn: Turn, incident_id: str, confirmed: bool) -> None:
    eligible: list[Claim] = []
    for status in (ClaimStatus.ESCALATED, ClaimStatus.IN_REVIEW):
        eligible.extend(await turn.uow.claims.for_incident(incident_id, status, Outcome.ELIGIBLE))
    if not confirmed:
        turn.say(
            s.BULK_CONFIRM.format(count=len(eligible), incident_id=incident_id),
            ((Button(s.BTN_CONFIRM, f"st:bulkok:{incident_id}"[:64]),),),
        )
        return
    approved = 0
    actor = _actor(turn)
    for claim in eligible:
        assert claim.id is not None
        result = await perform(
            turn.uow, claim.id, Action.APPROVE, actor, turn.now, turn.config, with_card=False
        )
        if result.ok and result.claim is not None:
            approved += 1
            turn.send_to(result.messages[0])
            # Only cards already posted are brought up to date; the digest covers the rest,
            # so a storm's bulk approval does not post hundreds of new cards.
            if await turn.uow.messages.lookup(card.card_ref(claim.id)) is not None:
                posted = result.claim
                turn.send_to(
                    await card.card_message(turn.uow, posted, turn.now, turn.config, edit=True)
                )
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
    kind, _, rest = ref.partition(":")
    if kind == "relay" and rest.lstrip("-").isdigit():
        turn.send_to(OutgoingMessage(chat_id=int(rest), text=ct.HUMAN_REPLY.format(text=text)))
        turn.say(s.RELAY_SENT)
        return
    if kind != "prompt":
        return
    what, _, claim_part = rest.partition(":")
    if not claim_part.isdigit():
        return
    claim_id = int(claim_part)
    if what == "ask":
        await _act(turn, claim_id, Action.ASK, text=text)
    elif what == "reject":
        await _act(turn, claim_id, Action.REJECT, text=text)
    elif what == "credits":
        value = text.replace(",", "").strip()
        limit = await credit_limit(turn.uow, claim_id)
        # A slipped digit must not pay out more than the customer ever bought.
        if not value.isdigit() or int(value) > limit:
            turn.say(s.CREDITS_BAD.format(max=f"{limit:,}"), ref=f"prompt:credits:{claim_id}")
            return
        await _act(turn, claim_id, Action.APPROVE, credits=int(value))
    if turn.callback_text:
        turn.say(turn.callback_text)


# Commands ---------------------------------------------------------------------------------


async def _command(turn: Turn, name: str, args: str) -> None:
    if name not in STAFF_COMMANDS:
        if name in ("help", "start"):
            turn.say(s.STAFF_HELP)
        return
    if not _is_staff(turn):
        turn.say(s.NOT_STAFF_COMMAND)
        return
    if name == "queue":
        text, buttons = await queue.page(turn.uow, turn.now, 0)
        turn.say(text, buttons)
    elif name == "card":
        number = args.strip().lstrip("#")
        if not number.isdigit():
            turn.say(s.CARD_USAGE)
            return
        claim = await turn.uow.claims.get(int(number))
        if claim is None:
            turn.say(s.UNKNOWN_CLAIM.format(claim_id=number))
            return
        text = await card.render(turn.uow, claim, turn.now, turn.config)
        # Re-posted here; later changes edit this copy, the newest one.
        turn.say(text, card.buttons_for(claim), ref=card.card_ref(int(number)))
    else:
        turn.say(await queue.stats(turn.uow, turn.now, turn.config))
