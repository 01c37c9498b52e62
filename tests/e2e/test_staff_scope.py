"""A staff button pressed outside the staff chat is answered at once and changes nothing. Staff
commands elsewhere are in tests/conversations/test_staff_desk_unit.py."""

from __future__ import annotations

from conversations.domain import ClaimStatus
from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    Running,
    StaffMember,
    callback_answers,
    file_claim,
    wait_for_card,
)
from tests.fake_telegram import RecordedMessage

OTHER_GROUP = -1005550001


async def alice_files(bot: Running) -> RecordedMessage:
    alice = Customer(bot.fake, 502, "Alice", "alice")
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    return await wait_for_card(bot.fake, 1)


async def status_of(bot: Running, claim_id: int) -> ClaimStatus:
    async with bot.db.uow() as uow:
        claim = await uow.claims.get(claim_id)
    assert claim is not None
    return claim.status


async def test_a_staff_button_outside_the_staff_chat_does_nothing(bot: Running) -> None:
    card = await alice_files(bot)
    take = bot.fake.message(STAFF_CHAT_ID, card.message_id).button("Take")
    bot.fake.group(OTHER_GROUP, "Friends of the desk")
    sara_there = StaffMember(bot.fake, 9001, "Sara", "sara", chat_id=OTHER_GROUP)
    answer = await sara_there.says("/start")  # any bot message in that group to press on
    await bot.fake.press(OTHER_GROUP, sara_there.user, answer.message_id, take, check=False)
    sara = Customer(bot.fake, 9001, "Sara", "sara")
    menu = await sara.says("/start")
    await bot.fake.press(sara.chat_id, sara.user, menu.message_id, take, check=False)
    answers = await callback_answers(bot.fake, take, count=2)
    assert all(not a.text for a in answers)  # nothing said about the claim, not even "done"
    stale = await sara.next()
    assert stale.text.startswith("That button belongs to an earlier step")  # as for anyone
    await bot.fake.settle()
    assert await status_of(bot, 1) is ClaimStatus.ESCALATED
    current = bot.fake.message(STAFF_CHAT_ID, card.message_id)
    assert current.text == card.text and current.edits == []
    assert len(bot.fake.messages(OTHER_GROUP)) == 1
