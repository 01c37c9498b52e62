"""The inline keyboards the customer sees; callback data stays well under Telegram's 64 bytes."""

from __future__ import annotations

from collections.abc import Iterable

from conversations import i18n
from conversations.catalog import customer as t
from conversations.catalog import faq_text
from conversations.catalog import language as lt
from conversations.chat.turn import Keyboard
from conversations.domain import Button, Reason
from conversations.faq import FaqGroup, FaqTopic, get_topic, load_groups

MENU_FAQ = "m:faq"
FAQ_NONE = "m:faq-none"
FEEDBACK_PREFIX = "fb:"  # fb:y:<topic> or fb:n:<topic>
# A customer's own claims: "mc:<verb>:<claim>" (not "c:", the campaign buttons').
CLAIM_PREFIX = "mc:"
CLAIM_LIST = "list"
CLAIM_VIEW = "view"
CLAIM_ADD = "add"
CLAIM_WITHDRAW = "wd"
CLAIM_WITHDRAW_CONFIRMED = "wdok"
CLAIM_DONE = "done"  # finished sending files to an open claim
# Rating a closed claim: "rt:<claim>:<stars>", or "rt:<claim>:skip" to leave no comment.
RATE_PREFIX = "rt:"
RATE_SKIP = "skip"
STARS = range(1, 6)
DISCARD_YES = "d:yes"
DISCARD_NO = "d:no"
MENU_CLAIM = "m:claim"
MENU_STATUS = "m:status"
MENU_HUMAN = "m:human"
MENU_MAIN = "m:main"
FAQ_PREFIX = "faq:"
FAQ_GROUP_PREFIX = "fg:"
REASON_PREFIX = "r:"
CAMPAIGN_PREFIX = "c:"
SUBMIT = "cl:submit"
CHANGE = "cl:change"
CANCEL = "cl:cancel"
LANGUAGE_PREFIX = "lang:"


def _b(label: str, data: str) -> Button:
    """A button with a catalog label, in the current language."""
    return Button(i18n._(label), data)


def main_menu() -> Keyboard:
    return (
        (_b(t.BTN_FAQ, MENU_FAQ),),
        (_b(t.BTN_CLAIM, MENU_CLAIM),),
        (_b(t.BTN_STATUS, MENU_STATUS), _b(t.BTN_HUMAN, MENU_HUMAN)),
    )


def faq_menu() -> Keyboard:
    """The topic groups: a short screen on a phone, each group opening its topics."""
    rows = [(_b(group.title, FAQ_GROUP_PREFIX + group.id),) for group in load_groups()]
    rows.append((_b(t.BTN_MENU, MENU_MAIN),))
    return tuple(rows)


def faq_group(group: FaqGroup) -> Keyboard:
    """One group's topics and the way back to the groups: at most six buttons."""
    topics = (get_topic(topic_id) for topic_id in group.topic_ids)
    rows = [(_b(topic.title, FAQ_PREFIX + topic.id),) for topic in topics if topic]
    rows.append((_b(faq_text.BTN_ALL_TOPICS, MENU_FAQ),))
    return tuple(rows)


def second_opinion(topic: FaqTopic) -> tuple[Button, ...]:
    """A close runner-up beside an answer: pressing it shows that topic's answer instead."""
    label = i18n._(t.BTN_OR_TOPIC).format(topic=i18n._(topic.title))
    return (Button(label, FAQ_PREFIX + topic.id),)


def topic_choices(topics: Iterable[FaqTopic]) -> Keyboard:
    rows = [(_b(topic.title, FAQ_PREFIX + topic.id),) for topic in topics]
    rows.append((_b(t.BTN_NONE_OF_THESE, FAQ_NONE),))
    return tuple(rows)


_NEXT_STEP_BUTTONS = {
    "claim": (t.BTN_CLAIM, MENU_CLAIM),
    "status": (t.BTN_STATUS, MENU_STATUS),
    "human": (t.BTN_HUMAN, MENU_HUMAN),
}


def after_answer(next_step: str, topic_id: str | None = None) -> Keyboard:
    """The natural next step after an FAQ answer, the 👍/👎 for it, then the way back."""
    rows: list[tuple[Button, ...]] = []
    if next_step in _NEXT_STEP_BUTTONS:
        rows.append((_b(*_NEXT_STEP_BUTTONS[next_step]),))
    if topic_id is not None:
        rows.append(
            (
                _b(t.BTN_HELPFUL, f"{FEEDBACK_PREFIX}y:{topic_id}"),
                _b(t.BTN_NOT_HELPFUL, f"{FEEDBACK_PREFIX}n:{topic_id}"),
            )
        )
    rows.append((_b(t.BTN_MORE_FAQ, MENU_FAQ), _b(t.BTN_MENU, MENU_MAIN)))
    return tuple(rows)


def reasons() -> Keyboard:
    return tuple((_b(t.REASON_LABELS[r.value], REASON_PREFIX + r.value),) for r in Reason)


def campaigns(choices: Iterable[tuple[str, str]]) -> Keyboard:
    """One button per (campaign id, label)."""
    return tuple((Button(label, CAMPAIGN_PREFIX + cid),) for cid, label in choices)


def confirm() -> Keyboard:
    return (
        (_b(t.BTN_SUBMIT, SUBMIT),),
        (_b(t.BTN_CHANGE, CHANGE), _b(t.BTN_CANCEL, CANCEL)),
    )


def human_only() -> Keyboard:
    return ((_b(t.BTN_HUMAN, MENU_HUMAN), _b(t.BTN_MENU, MENU_MAIN)),)


def discard() -> Keyboard:
    """Asked before a command throws away the claim being filed."""
    return ((_b(t.BTN_DISCARD, DISCARD_YES), _b(t.BTN_KEEP, DISCARD_NO)),)


def person_or_topics(people: bool = True) -> Keyboard:
    """A person (only where a staff chat answers) or the topics."""
    topics = (_b(t.BTN_MORE_FAQ, MENU_FAQ),)
    return ((_b(t.BTN_HUMAN, MENU_HUMAN),), topics) if people else (topics,)


def claim_data(verb: str, claim_id: int) -> str:
    return f"{CLAIM_PREFIX}{verb}:{claim_id}"


def my_claims(lines: Iterable[tuple[int, str]]) -> Keyboard:
    """One button per claim, then the main menu."""
    rows = [(Button(label, claim_data(CLAIM_VIEW, claim_id)),) for claim_id, label in lines]
    rows.append((_b(t.BTN_MENU, MENU_MAIN),))
    return tuple(rows)


def claim_actions(claim_id: int, is_open: bool) -> Keyboard:
    rows: list[tuple[Button, ...]] = []
    if is_open:
        rows.append((_b(t.BTN_ADD_INFO, claim_data(CLAIM_ADD, claim_id)),))
        rows.append((_b(t.BTN_WITHDRAW, claim_data(CLAIM_WITHDRAW, claim_id)),))
    rows.append((_b(t.BTN_MY_CLAIMS, claim_data(CLAIM_LIST, 0)),))
    return tuple(rows)


def confirm_withdraw(claim_id: int) -> Keyboard:
    return (
        (_b(t.BTN_WITHDRAW_CONFIRM, claim_data(CLAIM_WITHDRAW_CONFIRMED, claim_id)),),
        (_b(t.BTN_MY_CLAIMS, claim_data(CLAIM_LIST, 0)),),
    )


def languages() -> Keyboard:
    """Each language under its own name."""
    return tuple(
        (Button(name, LANGUAGE_PREFIX + code),) for code, name in i18n.LANGUAGE_NAMES.items()
    )


def switch_to_urdu() -> Keyboard:
    """Urdu, or keep English (which counts as a choice: the offer is not made again)."""
    return (
        (Button(i18n.LANGUAGE_NAMES[i18n.URDU], LANGUAGE_PREFIX + i18n.URDU),),
        (_b(lt.BTN_KEEP_ENGLISH, LANGUAGE_PREFIX + i18n.ENGLISH),),
    )


def add_info_done(claim_id: int) -> Keyboard:
    return ((_b(t.BTN_DONE, claim_data(CLAIM_DONE, claim_id)),),)


def rating(claim_id: int) -> Keyboard:
    """1 to 5 stars, one row: short enough for a phone."""
    row = (
        Button(i18n._(t.RATE_STARS).format(stars=i18n.number(n)), f"{RATE_PREFIX}{claim_id}:{n}")
        for n in STARS
    )
    return (tuple(row),)


def rating_skip(claim_id: int) -> Keyboard:
    return ((_b(t.BTN_SKIP, f"{RATE_PREFIX}{claim_id}:{RATE_SKIP}"),),)
