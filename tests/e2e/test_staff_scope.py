"""Staff powers work in the staff chat only: elsewhere a staff member is answered as anyone."""

from __future__ import annotations

from sqlalchemy import func, select

from conversations.domain import ClaimStatus
from storage.tables import claim_audit
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
STAFF_COMMANDS = (
    "/find 0300 1110001",
    "/find TX-1001",
    "/card 1",
    "/report",
    "/note 1 the customer is a friend",
    "/queue",
    "/stats",
    "/lockouts",
    "/unlock TX-1001",
)


async def alice_files(bot: Running) -> RecordedMessage:
    alice = Customer(bot.fake, 502, "Alice", "alice")
    await file_claim(alice, "TX-1001", "+923001110001", "not delivered", campaign="CMP")
    return await wait_for_card(bot.fake, 1)


async def audit_rows(bot: Running) -> int:
    async with bot.db.uow() as uow:
        return int(
            (await uow.session.execute(select(func.count()).select_from(claim_audit))).scalar_one()
        )


async def status_of(bot: Running, claim_id: int) -> ClaimStatus:
    async with bot.db.uow() as uow:
        claim = await uow.claims.get(claim_id)
    assert claim is not None
    return claim.status


async def test_staff_commands_in_another_group_get_what_anyone_gets(bot: Running) -> None:
    await alice_files(bot)
    bot.fake.group(OTHER_GROUP, "Friends of the desk")
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", chat_id=OTHER_GROUP)
    guest = StaffMember(bot.fake, 7001, "Guest", chat_id=OTHER_GROUP)
    rows_before = await audit_rows(bot)
    for command in STAFF_COMMANDS:
        as_staff = await sara.says(command)
        as_guest = await guest.says(command)
        assert as_staff.text == as_guest.text, command
        assert as_staff.buttons == as_guest.buttons, command
        assert "private chat" in as_staff.text
        assert "Alice" not in as_staff.text and "TX-1001" not in as_staff.text
    await bot.fake.settle()
    # No chart, no CSV, no card: only the answers above ever reached the group.
    assert all(m.file_name is None for m in bot.fake.messages(OTHER_GROUP))
    assert len(bot.fake.messages(OTHER_GROUP)) == 2 * len(STAFF_COMMANDS)
    assert await audit_rows(bot) == rows_before  # the /note was not added


async def test_staff_commands_in_a_private_chat_are_unknown_commands(bot: Running) -> None:
    await alice_files(bot)
    sara = Customer(bot.fake, 9001, "Sara", "sara")
    carl = Customer(bot.fake, 503, "Carl")
    rows_before = await audit_rows(bot)
    for command in STAFF_COMMANDS:
        as_staff = await sara.says(command)
        as_customer = await carl.says(command)
        assert as_staff.text == as_customer.text, command
        assert as_staff.text.startswith("I don't know /"), command
    await bot.fake.settle()
    assert all(m.file_name is None for m in bot.fake.messages(sara.chat_id))
    assert await audit_rows(bot) == rows_before


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


async def test_card_in_a_private_chat_moves_nothing_and_the_card_stays_current(
    bot: Running,
) -> None:
    card = await alice_files(bot)
    sara = Customer(bot.fake, 9001, "Sara", "sara")
    refused = await sara.says("/card 1")
    assert refused.text.startswith("I don't know /card")
    omar = StaffMember(bot.fake, 9002, "Omar", "omar")
    await omar.press(card, "Take")
    taken = await bot.fake.wait_for_edit(
        STAFF_CHAT_ID, card.message_id, lambda m: "· in review" in (m.text or "")
    )
    assert "Handled by: Omar (@omar)" in (taken.text or "")
    assert all("Claim #1" not in (m.text or "") for m in bot.fake.messages(sara.chat_id))
