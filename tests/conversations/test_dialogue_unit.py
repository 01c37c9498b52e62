"""The customer dialogue, turn by turn, on the in-memory unit of work (no Telegram, no database).

What crosses HTTP, processes and Telegram's errors stays in tests/e2e; what only checks what
the dialogue says is here, in milliseconds.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from conversations import i18n
from conversations.catalog import customer as t
from conversations.catalog import language as lt
from conversations.catalog.policy_text import reword
from conversations.chat.events import Inbound
from conversations.domain import ClaimStatus
from conversations.faq import default_matcher, load_groups, load_topics
from conversations.ports import UnitOfWork
from tests.conversations.chat_driver import (
    E2E_CONFIG,
    STAFF_CHAT_ID,
    Person,
    World,
    file_claim,
)


def in_urdu(message: str) -> str:
    with i18n.use(i18n.URDU):
        return i18n._(message)


@pytest.fixture
def world() -> World:
    return World()


# Start and the claim path (from tests/e2e/test_claim_flow.py) ---------------------------------


async def test_start_shows_welcome_notice_and_menu(world: World) -> None:
    alice = Person(world, 501, "Alice")
    reply = await alice.says("/start")
    assert "Pakistan" in reply.text and "suspended" in reply.text
    assert "Hi Alice" in reply.text
    assert reply.button_labels == [
        "❓ Refund questions",
        "📝 Ask for a refund",
        "📋 My claims",
        "🙋 Talk to a person",
    ]


async def test_eligible_undelivered_claim_is_escalated_with_a_card(world: World) -> None:
    alice = Person(world, 502, "Alice")
    ask = await alice.says("/claim")
    assert "transaction ID" in ask.text
    owner = await alice.says("TX-1001")
    assert "phone number or e-mail" in owner.text
    reasons = await alice.says("0300 1110001")
    # Only now, ownership proven, does the bot show facts of the purchase.
    assert "TX-1001" in reasons.text and "credits" in reasons.text
    await alice.press(reasons, "not delivered")
    await alice.press(alice.next("which campaign"), "CMP")
    await alice.press(alice.next("check your claim"), "Send")
    decision = alice.next("claim #")
    assert "qualifies for a refund of 120 credits" in decision.text
    [card] = world.messages(STAFF_CHAT_ID)
    assert "Claim #1" in card.text
    assert "TX-1001" in card.text and "C-CAUSE" in card.text and "Alice" in card.text
    assert "120 failed on our side" in card.text
    async with world.store.uow() as uow:
        claim = await uow.claims.get(1)
    assert claim is not None and claim.status is ClaimStatus.ESCALATED


async def test_window_rule_explains_with_the_facts(world: World) -> None:
    bob = Person(world, 503, "Bob")
    await bob.says("/claim")
    await bob.says("tx 1002")  # as people type it
    # Too late whatever the reason: said as soon as the purchase is proven his, not later.
    decision = await bob.says("my number is 0300 1110002")
    assert "can't be refunded any more" in decision.text
    assert "3 days" in decision.text and "2 days" in decision.text
    assert decision.button_labels == ["🙋 Talk to a person", "⬅️ Main menu"]
    assert "C-WINDOW" not in decision.text  # clause ids are for staff
    assert not [m for m in world.messages(STAFF_CHAT_ID) if "TX-1002" in m.text]


async def test_ids_and_contacts_are_understood_as_people_type_them(world: World) -> None:
    cara = Person(world, 509, "Cara")
    await cara.says("/claim")
    owner = await cara.says("TX1001")
    assert "phone number or e-mail" in owner.text
    reasons = await cara.says("it's demo1@example.com thanks")
    await cara.press(reasons, "not delivered")
    cara.next("which campaign")
    summary = await cara.says("cmp 1001")
    assert "CMP-1001" in summary.text
    await cara.press(summary, "Send")
    decision = cara.next("claim #")
    assert "qualifies for a refund of 120 credits" in decision.text


async def test_status_shows_only_my_own_claims(world: World) -> None:
    ann = Person(world, 804, "Ann")
    ben = Person(world, 805, "Ben")
    await file_claim(ann, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP-1001")
    await file_claim(ben, "TX-1003", "demo3@example.com", "Not what I needed")
    status = await ann.says("/status")
    assert "TX-1001" in status.text and "TX-1003" not in status.text
    status = await ben.says("/status")
    assert "TX-1003" in status.text and "TX-1001" not in status.text
    assert "not eligible" in status.text
    empty = await Person(world, 806, "Cy").says("/status")
    assert "no refund claims yet" in empty.text


async def test_an_update_already_applied_is_not_applied_again(world: World) -> None:
    # The inbox's mark is the one duplicate key: a re-delivered update does nothing.
    dee = Person(world, 807, "Dee")
    world.store.receive(41)
    event = Inbound.text_or_command(dee.chat_id, dee.author, "/claim", update_id=41)

    async def claim(uow: UnitOfWork) -> bool:
        return await uow.inbox.claim(41, world.clock())

    first = await world.desk.handle(event, claim)
    again = await world.desk.handle(event, claim)
    assert not first.duplicate and [m.text for _, m in first.replies]
    assert again.duplicate and again.replies == []


# Language ---------------------------------------------------------------------------------------


async def test_language_switches_to_english_and_is_remembered(world: World) -> None:
    # From tests/e2e/test_urdu.py.
    bilal = Person(world, 802, "Bilal", language_code="ur")
    assert i18n.written_in_urdu((await bilal.says("/start")).text)

    pick = await bilal.says("/language")
    assert pick.text == in_urdu(lt.LANGUAGE_PICK)
    assert pick.button_labels == ["English", "اردو"]
    done = await bilal.press(pick, "English")
    assert done.text == lt.LANGUAGE_SET.format(language="English")
    assert t.BTN_FAQ in done.button_labels

    # Telegram still says "ur"; the customer's choice wins, in this turn and every later one.
    welcome = await bilal.says("/start")
    assert t.WELCOME.format(name="Bilal") in welcome.text
    assert (await bilal.says("/status")).text.startswith(t.STATUS_NONE)
    async with world.store.uow() as uow:
        stored = await uow.languages.get(802)
    assert stored is not None and (stored.language, stored.chosen) == ("en", True)

    # Having picked English, Urdu script gets no offer to switch.
    await bilal.says("ریفنڈ کب ملے گا؟")
    assert not any(lt.SWITCH_OFFER in text for text in bilal.texts())

    # Back to Urdu the same way.
    pick = await bilal.says("/language")
    assert (await bilal.press(pick, "اردو")).text == in_urdu(lt.LANGUAGE_SET).format(
        language=i18n.LANGUAGE_NAMES[i18n.URDU]
    )
    assert i18n.written_in_urdu((await bilal.says("/help")).text)


async def test_urdu_script_from_an_english_customer_is_offered_urdu_once(world: World) -> None:
    # From tests/e2e/test_urdu.py.
    chris = Person(world, 803, "Chris")
    await chris.says("/start")
    await chris.send("ریفنڈ کب ملے گا؟")
    offer = chris.next(lt.SWITCH_OFFER)
    assert offer.text == f"{lt.SWITCH_OFFER}\n{in_urdu(lt.SWITCH_OFFER)}"
    assert offer.button_labels == ["اردو", "Keep English"]

    # Not again: a second message in Urdu script is only answered.
    await chris.send("شکریہ")
    assert sum(lt.SWITCH_OFFER in text for text in chris.texts()) == 1

    assert (await chris.press(offer, "اردو")).text == in_urdu(lt.LANGUAGE_SET).format(
        language=i18n.LANGUAGE_NAMES[i18n.URDU]
    )
    assert (await chris.says("/start")).text.endswith(in_urdu(t.MENU_PROMPT))


# Guessing (from tests/e2e/test_private_claims_and_guessing.py) ----------------------------------


async def test_a_missing_id_and_a_wrong_proof_get_the_same_answers(world: World) -> None:
    real = Person(world, 703, "Real")
    missing = Person(world, 704, "Missing")
    answers = []
    for customer, tx in ((real, "TX-1001"), (missing, "TX-9999")):
        await customer.says("/claim")
        asked = await customer.says(tx)
        told = await customer.says("0300 7654321")
        answers.append((asked.text, told.text.replace(tx, "TX-?")))
    assert answers[0] == answers[1]
    assert answers[0][1] == (
        "I couldn't match transaction TX-? to that phone number or e-mail. Please check both "
        "against your receipt, then send the transaction ID again."
    )


async def test_a_customer_who_floods_is_slowed_with_a_friendly_word(world: World) -> None:
    fast = Person(world, 740, "Fast")
    answered: list[list[str]] = []
    for n in range(35):  # all within the same minute
        await fast.send(f"hello {n}")
        answered.append([m.text for m in fast.unread()])
    # Thirty answers, one "slow down", then quiet.
    assert all(len(texts) == 1 and "faster" not in texts[0] for texts in answered[:30])
    assert answered[30] == [
        "You're sending messages faster than I can read them. Please wait a minute, then carry on."
    ]
    assert answered[31:] == [[], [], [], []]
    world.clock.advance(minutes=1)
    assert "faster" not in (await fast.says("hello")).text


# Idle timeout (from tests/e2e/test_ratings_and_timeouts.py) -------------------------------------


async def test_a_transaction_id_typed_after_a_timeout_starts_a_new_claim_lookup(
    world: World,
) -> None:
    jo = Person(world, 704, "Jo")
    await jo.says("/claim")
    await jo.says("TX-1001")
    world.clock.advance(minutes=31)
    notice = await jo.says("TX-1003")
    assert notice.text == (
        "We hadn't heard from you for 30 minutes, so I closed the claim you were filing for "
        "TX-1001 (nothing was sent)."
    )
    owner = jo.next()
    assert "phone number or e-mail" in owner.text  # TX-1003 was found: prove it is Jo's
    reasons = await jo.says("demo3@example.com")
    assert "TX-1003" in reasons.text


async def test_a_question_typed_after_a_timeout_gets_its_answer(world: World) -> None:
    kay = Person(world, 705, "Kay")
    await kay.says("/claim")
    await kay.says("TX-1001")
    reasons = await kay.says("demo1@example.com")
    await kay.press(reasons, "not delivered")
    kay.next("which campaign")
    world.clock.advance(minutes=45)
    notice = await kay.says("how long does a refund take?")
    assert "so I closed the claim you were filing for TX-1001" in notice.text
    answer = kay.next()
    # An FAQ answer (with its 👍/👎), not the menu and not "please pick a campaign".
    assert "👍 Helpful" in answer.button_labels
    assert not [m for m in world.messages(STAFF_CHAT_ID) if "TX-1001" in m.text]


async def test_a_conversation_idle_just_under_the_timeout_goes_on(world: World) -> None:
    liv = Person(world, 707, "Liv")
    await liv.says("/claim")
    world.clock.advance(minutes=29)
    owner = await liv.says("TX-1001")
    assert "phone number or e-mail" in owner.text
    assert not any("hadn't heard from you" in text for text in liv.texts())


# Refund questions (from tests/e2e/test_faq_chat.py) ---------------------------------------------


# Questions that name two topics: the shipped model should find at least one a close call.
TWO_TOPIC_QUESTIONS = [
    "my messages were undelivered, how long will the refund take",
    "how do I request a refund and how long does it take",
    "my campaign failed, what is the status of my claim",
    "international messages undelivered, can I claim a refund",
    "how long does a refund take and is it also for undelivered messages?",
]


async def test_a_close_call_is_answered_with_the_runner_up_one_tap_away(world: World) -> None:
    close = [q for q in TWO_TOPIC_QUESTIONS if default_matcher().match(q).second_opinion]
    assert close, "no two-topic question is a close call any more"
    found = default_matcher().match(close[0])
    assert found.topic is not None and found.second_opinion is not None
    ida = Person(world, 905, "Ida")
    answer = await ida.says(close[0])
    assert found.topic.title in answer.text  # the answer comes at once, named
    other = found.second_opinion.title
    assert f"Or did you mean: {other}?" in answer.button_labels
    switched = await ida.press(answer, other)
    assert switched.message_id == answer.message_id  # the same message, now the other answer
    assert reword(found.second_opinion.answer)[:40] in switched.text
    assert not any("Or did you mean" in label for label in switched.button_labels)


async def test_every_faq_topic_is_reachable_by_buttons_on_short_screens(world: World) -> None:
    lea = Person(world, 901, "Lea")
    menu = await lea.says("/start")
    faq = await lea.press(menu, "Refund questions")
    assert "Pick a question" in faq.text
    assert faq.button_labels == [*(g.title for g in load_groups()), "⬅️ Main menu"]
    reached = set()
    for group in load_groups():
        current = world.chats[lea.chat_id][menu.message_id]
        if group.title not in current.button_labels:
            current = await lea.press(current, "More questions")
        screen = await lea.press(current, group.title)
        assert len(screen.button_labels) == len(group.topic_ids) + 1
        assert len(screen.button_labels) <= 6  # fits a phone screen
        for topic_id in group.topic_ids:
            topic = next(t for t in load_topics() if t.id == topic_id)
            current = world.chats[lea.chat_id][menu.message_id]
            if topic.title not in current.button_labels:
                current = await lea.press(current, "More questions")
                current = await lea.press(current, group.title)
            answer = await lea.press(current, topic.title)
            assert answer.text == topic.answer
            assert "❓ More questions" in answer.button_labels  # every answer leads somewhere
            reached.add(topic.id)
    assert reached == {t.id for t in load_topics() if not t.small_talk}
    # The menu was edited in place the whole time: one message, no new ones.
    assert len(world.messages(lea.chat_id)) == 1


@pytest.mark.parametrize(
    ("question", "topic_title_word", "next_button"),
    [
        ("my messages were not deliverd what now", "deliver", "Ask for a refund"),
        ("how long does the refund take", "", None),
        ("refund kab milega", "", None),
        ("I bought a monthly subscription can i get money back", "ubscription", None),
    ],
)
async def test_typed_questions_get_an_answer_with_a_next_step(
    world: World, question: str, topic_title_word: str, next_button: str | None
) -> None:
    answer = await Person(world, 902, "Mo").says(question)
    assert "I think you're asking about" in answer.text
    assert topic_title_word in answer.text
    if next_button:
        assert any(next_button in label for label in answer.button_labels)


async def test_undelivered_answer_leads_into_a_claim(world: World) -> None:
    ned = Person(world, 903, "Ned")
    answer = await ned.says("sms not delivered, do i get my credits back?")
    await ned.press(answer, "Ask for a refund")
    ask = ned.next("transaction ID")
    assert "TX-1001" in ask.text


async def test_off_topic_question_says_what_the_bot_can_do(world: World) -> None:
    reply = await Person(world, 904, "Ola").says("who won the football match yesterday")
    assert "I can only help with refunds" in reply.text
    assert "contact our sales or support team" in reply.text  # no SUPPORT_CONTACT set
    assert reply.buttons


@pytest.mark.parametrize(
    "question",
    [
        "how do i upload my contacts from an excel file",
        "how do I get a new sender id for my shop",
        "can you send me your price list for 10k sms",
        "kya aap whatsapp par bhi message bhejte hain",
    ],
)
async def test_business_questions_get_a_pointer_to_the_sales_and_support_contact(
    question: str,
) -> None:
    world = World(replace(E2E_CONFIG, support_contact="sales@smsco.example"))
    reply = await Person(world, 911, "Uma").says(question)
    assert "please contact our team: sales@smsco.example" in reply.text
    assert "I think you're asking about" not in reply.text


@pytest.mark.parametrize(
    ("question", "reply_word"),
    [("good morning", "Hello"), ("السلام علیکم", "Hello"), ("shukriya", "welcome")],
)
async def test_greetings_and_thanks_get_a_friendly_reply(
    world: World, question: str, reply_word: str
) -> None:
    reply = await Person(world, 912, "Vic").says(question)
    assert reply_word in reply.text
    assert "only help with refunds" not in reply.text
    assert "I think you're asking about" not in reply.text


@pytest.mark.parametrize(
    ("question", "answer_words"),
    [
        ("ریفنڈ آنے میں کتنے دن لگتے ہیں؟", "5 to 7 business days"),
        ("mere customers tak sms pohanche hi nahi", "within 24 hours of your campaign"),
    ],
)
async def test_urdu_script_and_roman_urdu_questions_are_answered(
    world: World, question: str, answer_words: str
) -> None:
    reply = await Person(world, 913, "Wes").says(question)
    assert "I think you're asking about" in reply.text
    assert answer_words in reply.text


async def test_a_double_charge_is_explained_and_a_person_offered(world: World) -> None:
    reply = await Person(world, 914, "Xia").says(
        "you took the money from my card 2 times for one package"
    )
    assert "charged twice" in reply.text
    assert "🙋 Talk to a person" in reply.button_labels


async def test_vague_question_offers_the_closest_topics(world: World) -> None:
    pia = Person(world, 905, "Pia")
    reply = await pia.says("i have a question about my refund")
    assert reply.text == "Did you mean one of these?", reply.text
    labels = reply.button_labels
    assert len(labels) >= 3 and "None of these" in labels
    answer = await pia.press(reply, labels[0])
    topic = next(t for t in load_topics() if t.title == labels[0])
    assert answer.text == topic.answer


async def test_pakistan_question_shows_the_suspension_notice(world: World) -> None:
    reply = await Person(world, 906, "Raj").says("can I still send sms in pakistan")
    assert "suspended" in reply.text and "PTA" in reply.text


async def test_answers_can_be_rated_and_unplaced_questions_are_kept_without_numbers(
    world: World,
) -> None:
    rae = Person(world, 931, "Rae")
    answer = await rae.says("how long does a refund take to reach my bank")
    sorry = await rae.press(answer, "Not really")
    assert "Sorry that didn't help" in sorry.text
    assert ["🙋 Talk to a person"] in [[label for label, _ in row] for row in sorry.buttons]

    await rae.says("what is the weather in lahore, call me on 0300 1234567 or rae@example.com")
    async with world.store.uow() as uow:
        misses = await uow.faq.top_misses(5)
        ratings = await uow.faq.ratings()
    assert ratings == {"processing-time": (0, 1)}
    assert len(misses) == 1
    kept, count = misses[0]
    assert count == 1 and "lahore" in kept
    assert "1234567" not in kept and "rae@example.com" not in kept
