"""After a claim closes the customer rates it; after an idle timeout nothing typed is lost."""

from __future__ import annotations

from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.services.staff import staff_act
from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    Running,
    StaffMember,
    file_claim,
)


async def reject(bot: Running, claim_id: int, reason: str) -> None:
    async with bot.db.uow() as uow:
        result = await staff_act(
            uow,
            claim_id,
            Transition.REJECT,
            Actor("Sam", 9001),
            bot.clock(),
            bot.desk.config,
            text=reason,
        )
        await uow.commit()
    assert result.ok


async def test_a_closed_claim_is_rated_once_and_stats_show_it(bot: Running) -> None:
    alice = Customer(bot.fake, 701, "Alice")
    await file_claim(alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP")
    await reject(bot, 1, "Our records show the messages were delivered.")
    await alice.next("not approved")
    ask = await alice.next("How did we handle claim #1?")
    assert [label for row in ask.buttons for label, _ in row] == [
        "1 ⭐",
        "2 ⭐",
        "3 ⭐",
        "4 ⭐",
        "5 ⭐",
    ]
    five = ask.button("5 ⭐")

    await alice.press(ask, "4 ⭐")
    thanked = await bot.fake.wait_for_edit(alice.chat_id, ask.message_id)
    assert thanked.text == (
        "Thanks for rating claim #1: 4 ⭐.\n\n"
        "Anything you'd like to tell us? Type it here, or tap Skip."
    )
    assert thanked.button_labels == ["Skip"]
    done = await alice.says("Clear answer, but it took two days.")
    assert done.text == "Thanks, our team will read it." and done.buttons

    # The old 5 ⭐ pressed again (a double tap, or a forged update): a clear answer, no change.
    await bot.fake.press(alice.chat_id, alice.user, ask.message_id, five, check=False)
    again = await alice.next()
    assert again.text == "You've already rated claim #1 (4 ⭐). Thanks!"
    # Someone else's claim: nothing about it is shown, nothing is stored.
    mallory = Customer(bot.fake, 702, "Mallory")
    menu = await mallory.says("/start")
    await bot.fake.press(mallory.chat_id, mallory.user, menu.message_id, "rt:1:1", check=False)
    assert (await mallory.next()).text == "That rating button isn't valid."
    async with bot.db.uow() as uow:
        rating = await uow.ratings.get(1)
    assert rating is not None and rating.stars == 4
    assert rating.comment == "Clear answer, but it took two days."

    sam = StaffMember(bot.fake, 9001, "Sam")
    await sam.send("/stats")
    stats = await sam.next("Claims by status")
    assert "Customer ratings: 4.0 ⭐ on average, 1 rated" in (stats.text or "")
    assert "• #1, 4 ⭐" in (stats.text or "")
    assert "“Clear answer, but it took two days.”" in (stats.text or "")


async def test_an_open_claim_cannot_be_rated_and_skip_leaves_no_comment(bot: Running) -> None:
    ben = Customer(bot.fake, 703, "Ben")
    await file_claim(ben, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP")
    menu = await ben.says("/start")
    await bot.fake.press(ben.chat_id, ben.user, menu.message_id, "rt:1:5", check=False)
    early = await ben.next()
    assert early.text == "Claim #1 isn't finished yet, so there's nothing to rate."

    await reject(bot, 1, "No failure on our side.")
    ask = await ben.next("How did we handle claim #1?")
    await ben.press(ask, "2 ⭐")
    thanked = await bot.fake.wait_for_edit(ben.chat_id, ask.message_id)
    await ben.press(thanked, "Skip")
    await bot.fake.wait_for_edit(ben.chat_id, ask.message_id, lambda m: "What would" in m.text)
    # What Ben types next is a question again, not a comment.
    answer = await ben.says("how long does a refund take?")
    assert "Thanks, our team will read it." not in answer.text
    async with bot.db.uow() as uow:
        rating = await uow.ratings.get(1)
    assert rating is not None and rating.stars == 2 and rating.comment is None
    sam = StaffMember(bot.fake, 9001, "Sam")
    await sam.send("/stats")
    stats = await sam.next("Claims by status")
    assert "2.0 ⭐ on average, 1 rated" in (stats.text or "")
    assert "Latest comments" not in (stats.text or "")


async def test_a_conversation_with_a_person_does_not_time_out(bot: Running) -> None:
    # Staff may answer hours later (or the next working day): the follow-up is still relayed.
    lee = Customer(bot.fake, 706, "Lee")
    await lee.says("/human")
    await bot.jump(hours=3)
    relayed = await lee.says("Any news about my refund?")
    assert relayed.text == "Sent to our team. They'll reply here."
    await bot.fake.wait_for_message(
        STAFF_CHAT_ID, lambda m: "Any news about my refund?" in (m.text or "")
    )
