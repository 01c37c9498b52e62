"""Which language a customer reads: Telegram's language_code until they pick one with /language.

The choice is stored per Telegram user (uow.languages), so a staff action on their claim writes
to them in it too (claims.lifecycle, staff.actions read it there).
"""

from __future__ import annotations

from conversations import i18n
from conversations.catalog import customer as t
from conversations.catalog import language as lt
from conversations.chat import keyboards as kb
from conversations.chat.events import EventKind
from conversations.chat.turn import Turn
from conversations.domain import LanguageChoice


async def settle(turn: Turn) -> LanguageChoice:
    """This turn's language: the customer's choice, else Telegram's language_code (remembered)."""
    author = turn.event.author
    if author.user_id == 0:  # no user (a channel post): nothing to remember
        return LanguageChoice(i18n.ENGLISH)
    stored = turn.stored_language
    if stored is not None and stored.chosen:
        return stored
    if author.language_code is None:  # the terminal chat says nothing about it
        return stored or LanguageChoice(i18n.ENGLISH)
    language = i18n.language_for(author.language_code)
    if stored is not None and stored.language == language:
        return stored
    switch_offered = stored.switch_offered if stored is not None else False
    choice = LanguageChoice(language, chosen=False, switch_offered=switch_offered)
    await turn.uow.languages.set(author.user_id, choice, turn.now)
    return choice


def ask(turn: Turn) -> None:
    """/language: the two languages as buttons."""
    turn.say(i18n._(lt.LANGUAGE_PICK), kb.languages())


async def pick(turn: Turn, language: str) -> None:
    """A language button: remember it, and say so in it."""
    if language not in i18n.LANGUAGES:
        turn.say(i18n._(t.STALE_BUTTON))
        return
    user_id = turn.event.author.user_id
    stored = await turn.uow.languages.get(user_id)
    offered = stored.switch_offered if stored is not None else False
    await turn.uow.languages.set(
        user_id, LanguageChoice(language, chosen=True, switch_offered=offered), turn.now
    )
    i18n.switch(language)
    named = i18n.LANGUAGE_NAMES[language]
    turn.show(i18n._(lt.LANGUAGE_SET).format(language=named), kb.main_menu())


async def offer_urdu(turn: Turn, choice: LanguageChoice) -> None:
    """Urdu script from a customer reading English they did not pick: offer Urdu, once.

    The offer is in English and in Urdu; its button switches like /language's.
    """
    event = turn.event
    if (
        choice.language != i18n.ENGLISH
        or choice.chosen  # picked English with /language: no need to ask
        or choice.switch_offered
        or event.kind is not EventKind.TEXT
        or event.author.user_id == 0
        or not i18n.written_in_urdu(event.text)
    ):
        return
    with i18n.use(i18n.URDU):
        in_urdu = i18n._(lt.SWITCH_OFFER)
    turn.say(f"{lt.SWITCH_OFFER}\n{in_urdu}", kb.switch_to_urdu())
    await turn.uow.languages.set(
        event.author.user_id,
        LanguageChoice(choice.language, chosen=choice.chosen, switch_offered=True),
        turn.now,
    )
