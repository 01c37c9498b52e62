"""The customer's side of working a claim, on the in-memory unit of work: following, adding to
and withdrawing a claim, rating it once closed, talking to a person, and Urdu customers hearing
staff's steps in Urdu, a photo with no claim to go with, the privacy notice. Moved from tests/e2e
(test_dialogue_robustness, test_ratings_and_timeouts, test_faq_without_staff, test_claim_flow,
test_urdu, test_evidence, test_privacy): they checked what the dialogue says.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from conversations import i18n
from conversations.catalog import customer as t
from conversations.catalog import decisions as d
from conversations.catalog import language as lt
from conversations.chat import keyboards as kb
from conversations.domain import AuditKind, ClaimStatus
from conversations.faq import load_groups, load_topics
from tests.conversations.chat_driver import (
    E2E_CONFIG,
    STAFF_CHAT_ID,
    Person,
    Staff,
    World,
    card_of,
    file_claim,
)

ALICE_PHONE = "+923001110001"


@pytest.fixture
def world() -> World:
    return World()


def in_urdu(message: str) -> str:
    with i18n.use(i18n.URDU):
        return i18n._(message)


async def staff_reject(world: World, claim_id: int, reason: str) -> None:
    """Sam rejects the claim from its card with a typed reason."""
    sam = Staff(world, 9001, "Sam")
    await sam.press(card_of(world, claim_id), "Reject")
    await sam.press(sam.next("pick the reason"), "Type a reason")
    await sam.reply(sam.next("reason for the customer"), reason)


async def file_undelivered_claim_in_urdu(customer: Person) -> None:
    """TX-1001, "not delivered", its campaign, Send: claim #1, every step asked in Urdu."""
    await customer.says("/claim")
    await customer.says("TX-1001")
    reasons = await customer.says(ALICE_PHONE)
    await customer.press(reasons, "📵")
    await customer.press(customer.next("کس کیمپین"), "CMP")
    await customer.press(customer.next("اپنا کلیم دیکھ لیں"), "✅")
    customer.next("#1")


# Following a claim (from tests/e2e/test_dialogue_robustness.py) -------------------------------


async def test_a_customer_follows_adds_to_and_withdraws_their_claim(world: World) -> None:
    ida = Person(world, 843, "Ida")
    await file_claim(ida, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP-1001")
    mine = await ida.says("/status")
    assert "Tap a claim to see where it is" in mine.text
    detail = await ida.press(mine, "#1 · TX-1001")
    assert detail.text.startswith("Claim #1 · TX-1001 · waiting for our team")
    assert "filed and sent to our team" in detail.text
    assert "What happens next: our team is checking it." in detail.text

    await ida.press(detail, "Add information")
    ida.next("What would you like to add to claim #1")
    added = await ida.says("Customers on Jazz got nothing after 14:00.")
    assert added.text == "Thanks, I've added that to claim #1 for our team."
    staff_copy = world.last_in(STAFF_CHAT_ID, "the customer added")
    assert "Customers on Jazz got nothing after 14:00." in staff_copy.text
    # The card keeps it, and /card shows it afterwards too.
    card = card_of(world, 1)
    assert "➕ Customer added" in card.text and "got nothing after 14:00" in card.text
    shown = await Staff(world, 9001, "Sara", "sara").says("/card 1")
    assert "“Customers on Jazz got nothing after 14:00.”" in shown.text

    mine = await ida.says("/status")
    detail = await ida.press(mine, "#1 · TX-1001")
    assert "you added information" in detail.text
    ask = await ida.press(detail, "Withdraw this claim")
    assert "Withdraw claim #1?" in ask.text
    done = await ida.press(ask, "Yes, withdraw it")
    assert done.text == "Claim #1 is withdrawn. You can file a new one with /claim."
    async with world.store.uow() as uow:
        trail = await uow.claims.audit(1)
        claim = await uow.claims.get(1)
    assert claim is not None and claim.status is ClaimStatus.CANCELLED
    assert (trail[-1].actor, trail[-1].to_status, trail[-1].kind) == (
        "customer",
        ClaimStatus.CANCELLED,
        AuditKind.WITHDRAWN,
    )


async def test_someone_elses_claim_cannot_be_opened_with_a_forged_button(world: World) -> None:
    ida = Person(world, 844, "Ida")
    await file_claim(ida, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP-1001")
    eve = Person(world, 845, "Eve")
    menu = await eve.says("/start")
    verbs = (kb.CLAIM_VIEW, kb.CLAIM_ADD, kb.CLAIM_WITHDRAW, kb.CLAIM_WITHDRAW_CONFIRMED)
    for forged in [kb.claim_data(verb, 1) for verb in verbs]:
        await eve.press_data(menu, forged)
        assert eve.next().text == "That button belongs to an earlier step.", forged
    async with world.store.uow() as uow:
        claim = await uow.claims.get(1)
    assert claim is not None and claim.status is ClaimStatus.ESCALATED
    assert not [t for t in eve.texts() if "TX-1001" in t]


# Ratings and talking to a person (from tests/e2e/test_ratings_and_timeouts.py) ----------------


async def test_a_closed_claim_is_rated_once_and_stats_show_it(world: World) -> None:
    alice = Person(world, 701, "Alice")
    await file_claim(alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP")
    await staff_reject(world, 1, "Our records show the messages were delivered.")
    alice.last("not approved")
    ask = alice.last("How did we handle claim #1?")
    assert ask.button_labels == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]
    five = ask.button("5 ⭐")

    thanked = await alice.press(ask, "4 ⭐")
    assert thanked.text == (
        "Thanks for rating claim #1: 4 ⭐.\n\n"
        "Anything you'd like to tell us? Type it here, or tap Skip."
    )
    assert thanked.button_labels == ["Skip"]
    done = await alice.says("Clear answer, but it took two days.")
    assert done.text == "Thanks, our team will read it." and done.buttons

    # The old 5 ⭐ pressed again (a double tap, or a forged update): a clear answer, no change.
    await alice.press_data(ask, five)
    assert alice.next().text == "You've already rated claim #1 (4 ⭐). Thanks!"
    # Someone else's claim: nothing about it is shown, nothing is stored.
    mallory = Person(world, 702, "Mallory")
    menu = await mallory.says("/start")
    await mallory.press_data(menu, "rt:1:1")
    assert mallory.next().text == "That rating button isn't valid."
    async with world.store.uow() as uow:
        rating = await uow.ratings.get(1)
    assert rating is not None and rating.stars == 4
    assert rating.comment == "Clear answer, but it took two days."

    stats = await Staff(world, 9001, "Sam").says("/stats")
    assert "Customer ratings: 4.0 ⭐ on average, 1 rated" in stats.text
    assert "• #1, 4 ⭐" in stats.text
    assert "“Clear answer, but it took two days.”" in stats.text


async def test_an_open_claim_cannot_be_rated_and_skip_leaves_no_comment(world: World) -> None:
    ben = Person(world, 703, "Ben")
    await file_claim(ben, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP")
    menu = await ben.says("/start")
    await ben.press_data(menu, "rt:1:5")
    assert ben.next().text == "Claim #1 isn't finished yet, so there's nothing to rate."

    await staff_reject(world, 1, "No failure on our side.")
    ask = ben.last("How did we handle claim #1?")
    thanked = await ben.press(ask, "2 ⭐")
    skipped = await ben.press(thanked, "Skip")
    assert "What would" in skipped.text
    # What Ben types next is a question again, not a comment.
    answer = await ben.says("how long does a refund take?")
    assert "Thanks, our team will read it." not in answer.text
    async with world.store.uow() as uow:
        rating = await uow.ratings.get(1)
    assert rating is not None and rating.stars == 2 and rating.comment is None
    stats = await Staff(world, 9001, "Sam").says("/stats")
    assert "2.0 ⭐ on average, 1 rated" in stats.text
    assert "Latest comments" not in stats.text


async def test_a_conversation_with_a_person_does_not_time_out(world: World) -> None:
    # Staff may answer hours later (or the next working day): the follow-up is still relayed.
    lee = Person(world, 706, "Lee")
    await lee.says("/human")
    world.clock.advance(hours=3)
    relayed = await lee.says("Any news about my refund?")
    assert relayed.text == "Sent to our team. They'll reply here."
    assert "Any news about my refund?" in world.last_in(STAFF_CHAT_ID, "From Lee").text


async def test_without_a_staff_chat_the_faq_promises_no_person() -> None:
    # From tests/e2e/test_faq_without_staff.py.
    world = World(replace(E2E_CONFIG, staff_chat_id=None, support_contact="help@smsco.example"))
    noor = Person(world, 921, "Noor")
    menu = await noor.says("/start")
    faq = await noor.press(menu, "Refund questions")
    (group,) = [g for g in load_groups() if "human" in g.topic_ids]
    (topic,) = [t for t in load_topics() if t.id == "human"]
    listed = await noor.press(faq, group.title)
    answer = await noor.press(listed, topic.title)
    # The truth at the first step, with where people are, and no button to nobody.
    assert "help@smsco.example" in answer.text
    assert "Our team can't answer in this chat right now" in answer.text
    assert "A person will reply to you here" not in answer.text
    assert "🙋 Talk to a person" not in answer.button_labels


async def test_claim_with_a_transaction_id_skips_asking_for_it(world: World) -> None:
    # From tests/e2e/test_claim_flow.py.
    gia = Person(world, 531, "Gia")
    asked = await gia.says("/claim TX-1002")
    assert asked.text.startswith("Thanks. To keep your account safe")
    # The id given is the one checked: TX-1002's owner, too late for a refund.
    decision = await gia.says("0300 1110002")
    assert "can't be refunded any more" in decision.text
    assert "can no longer be refunded" not in decision.text  # said once, not twice
    assert "If you think the purchase time is wrong, type /human" in decision.text


# Urdu customers hear staff in Urdu (from tests/e2e/test_urdu.py) ------------------------------


async def test_staff_question_reaches_an_urdu_customer_in_urdu(world: World) -> None:
    dana = Person(world, 804, "Dana", language_code="ur")
    await file_undelivered_claim_in_urdu(dana)
    await Staff(world, 9001, "Sara", "sara").press(card_of(world, 1), "Take")
    assert dana.texts()[-1] == in_urdu(d.TAKEN).format(claim_id=1)
    assert not any(i18n.written_in_urdu(m.text) for m in world.messages(STAFF_CHAT_ID))


async def test_an_urdu_customer_is_asked_to_rate_a_rejected_claim_in_urdu(world: World) -> None:
    erum = Person(world, 805, "Erum", language_code="ur")
    await file_undelivered_claim_in_urdu(erum)
    await staff_reject(world, 1, "Our records show the messages were delivered.")
    erum.last("منظور نہیں ہوا")
    ask = erum.last(in_urdu(t.RATE_ASK).format(claim_id=1))
    assert ask.text.startswith("کلیم #1 پر ہماری کارکردگی کیسی رہی؟")
    assert i18n.written_in_urdu(ask.text) and "1 (کمزور) سے 5 (بہترین)" in ask.text
    assert ask.button_labels == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]
    thanked = await erum.press(ask, "4 ⭐")
    assert thanked.text.startswith("کلیم #1 کی ریٹنگ دینے کا شکریہ: 4 ⭐۔")
    assert thanked.text.endswith(in_urdu(t.RATE_ASK_COMMENT))
    assert thanked.button_labels == ["چھوڑ دیں"]


async def test_keep_english_under_the_urdu_offer_keeps_english_and_asks_no_more(
    world: World,
) -> None:
    cleo = Person(world, 816, "Cleo")
    await cleo.says("/start")
    await cleo.send("ریفنڈ کب ملے گا؟")
    offer = cleo.next(lt.SWITCH_OFFER)
    kept = await cleo.press(offer, "Keep English")
    assert kept.text == "Okay, I'll write to you in English from now on. /language changes it."
    async with world.store.uow() as uow:
        stored = await uow.languages.get(816)
    assert stored is not None and (stored.language, stored.chosen) == ("en", True)
    await cleo.send("شکریہ")
    assert not any(lt.SWITCH_OFFER in text for text in cleo.texts())  # not offered again
    assert (await cleo.says("/start")).text.endswith(t.MENU_PROMPT)


# A photo with nothing to go with, and the privacy notice ----------------------------------------


async def test_a_photo_before_the_purchase_is_found_or_outside_any_claim_says_what_to_do(
    world: World,
) -> None:
    # From tests/e2e/test_evidence.py.
    ben = Person(world, 602, "Ben")
    await ben.sends_photo()
    outside = ben.next()
    assert "there's no claim open for this" in outside.text
    assert "Add information" in outside.text and outside.buttons

    await ben.says("/claim")
    await ben.sends_photo("photo-2")
    assert "once I've found your purchase" in ben.next().text
    assert "transaction ID" in ben.next().text
    assert world.messages(STAFF_CHAT_ID) == []  # no photo went to staff
    async with world.store.uow() as uow:
        assert await uow.evidence.relayed_since(602, world.clock() - timedelta(days=1)) == []


async def test_privacy_notice_in_english_and_urdu_and_linked_from_start_and_help(
    world: World,
) -> None:
    # From tests/e2e/test_privacy.py.
    english = Person(world, 811, "Omar")
    assert "/privacy" in (await english.says("/start")).text
    assert "/forget" in (await english.says("/help")).text
    notice = (await english.says("/privacy")).text
    assert "What we keep about you" in notice
    assert "365 days after a claim is closed" in notice
    assert "/mydata" in notice and "/forget" in notice

    notice = (await Person(world, 812, "Bilal", language_code="ur").says("/privacy")).text
    assert "ہم آپ کا کیا ڈیٹا رکھتے ہیں" in notice
    assert "/mydata" in notice
