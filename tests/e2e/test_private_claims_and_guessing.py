"""Claims are filed in private chats, and transaction ids cannot be fished for."""

from __future__ import annotations

from storage.database import Database
from tests.e2e.harness import (
    Customer,
    FakeClock,
    Running,
    StaffMember,
    start_bot,
    stop_bot,
)
from tests.fake_telegram import RecordedMessage

GROUP = -1005550002
BOT = "refund_desk_test_bot"  # the fake's getMe
WRONG_PHONE = "0300 7654321"


def url_buttons(message: RecordedMessage) -> list[tuple[str, str | None]]:
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    return [(b.get("text", ""), b.get("url")) for row in rows for b in row]


async def test_a_group_gets_a_link_to_a_private_chat_and_nothing_else(bot: Running) -> None:
    bot.fake.group(GROUP, "Shop owners")
    xena = StaffMember(bot.fake, 701, "Xena", chat_id=GROUP)  # a customer, in a group
    for command in ("/claim", "/start", "/status", f"/faq@{BOT}"):
        answer = await xena.says(command)
        assert "private chat" in answer.text, command
        assert url_buttons(answer) == [
            ("Open a private chat", f"https://t.me/{BOT}?start=claim")
        ], command
    # Proofs typed in the group, and commands for another bot, get no answer at all.
    for text in ("TX-1001", "demo1@example.com", "/help@other_bot", "/claim@other_bot"):
        await xena.send(text)
    await bot.fake.settle()
    assert bot.fake.unconsumed(GROUP) == []
    # The link opens a private chat at the claim's first question.
    private = Customer(bot.fake, 701, "Xena")
    first = await private.says("/start claim")
    assert "What's the transaction ID" in first.text


async def test_commands_for_another_bot_are_ignored_ours_are_answered(bot: Running) -> None:
    yan = Customer(bot.fake, 702, "Yan")
    await yan.send("/help@other_bot")
    await bot.fake.settle()
    assert bot.fake.unconsumed(yan.chat_id) == []
    ours = await yan.says(f"/help@{BOT}")
    assert ours.text == (await yan.says("/help")).text


async def test_thirty_guesses_across_claim_restarts_are_slowed(
    fake_telegram, db: Database, clock: FakeClock, demo: dict[str, object]
) -> None:
    bot = await start_bot(fake_telegram, db, clock)
    mole = Customer(bot.fake, 705, "Mole")
    told: list[str] = []
    try:
        for n in range(30):
            if n == 15:  # a restart forgets nothing
                await stop_bot(bot)
                bot = await start_bot(fake_telegram, db, clock)
            await mole.says("/claim" if n % 2 else "/start")
            await mole.says("/claim")
            asked = await mole.says(f"TX-{1000 + n}")
            if "phone number or e-mail" in asked.text:
                told.append((await mole.says(WRONG_PHONE)).text)
            else:
                told.append(asked.text)
            await bot.jump(seconds=20)  # a patient script: 10 minutes in all
    finally:
        await stop_bot(bot)
    checked = [n for n, t in enumerate(told) if "couldn't match" in t]
    # Two typos are free, the third earns a minute, the fourth ten minutes, then an hour each.
    assert checked == [0, 1, 2, 6]
    assert "please wait until 14 Aug 2026, 14:32 PKT" in told[2]
    assert "please wait until 14 Aug 2026, 14:42 PKT" in told[6]
    waited = [t for n, t in enumerate(told) if n not in checked]
    assert all("please wait until 14 Aug 2026, 14:" in t for t in waited)
    # The demo ids among the guesses (TX-1001 …) were answered like every missing one.
    assert told[1] == told[0].replace("TX-1000", "TX-1001")
    async with db.uow() as uow:
        by_user = await uow.attempts.get("user:705")
    assert by_user is not None and by_user.misses == 4


async def test_a_second_account_is_locked_out_of_the_same_transaction_until_staff_lift_it(
    bot: Running,
) -> None:
    guessers = [Customer(bot.fake, 710 + i, f"Guesser {i}") for i in range(3)]
    for guesser in guessers:  # three accounts, one wrong answer each
        await guesser.says("/claim")
        await guesser.says("TX-1001")
        last = await guesser.says(WRONG_PHONE)
    assert "locked it for one hour (until 14 Aug 2026, 15:30 PKT)" in last.text
    owner = Customer(bot.fake, 720, "Owner")
    await owner.says("/claim")
    await owner.says("tx 1001")
    locked = await owner.says("demo1@example.com")
    assert "Transaction TX-1001 is locked until 14 Aug 2026, 15:30 PKT" in locked.text

    sara = StaffMember(bot.fake, 9001, "Sara", "sara")
    listed = await sara.says("/lockouts")
    # Staff read the same moment the customers were told, on the same clock.
    assert "TX-1001 · 3 wrong answers · locked until 14 Aug 2026, 15:30 PKT" in listed.text
    assert (await sara.says("/unlock TX-1001")).text == "Lifted: TX-1001 can try again now."
    assert (await sara.says("/unlock TX-1001")).text == "Nothing to lift for TX-1001."
    assert (await sara.says("/lockouts")).text.startswith("No lockouts")

    await owner.says("/claim")
    await owner.says("TX-1001")
    assert "What went wrong?" in (await owner.says("demo1@example.com")).text


async def test_staff_lift_a_customers_wait(bot: Running) -> None:
    typo = Customer(bot.fake, 730, "Typo")
    for tx in ("TX-2001", "TX-2002", "TX-2003"):
        await typo.says("/claim")
        await typo.says(tx)
        last = await typo.says(WRONG_PHONE)
    assert "please wait until 14 Aug 2026, 14:31 PKT" in last.text
    sara = StaffMember(bot.fake, 9001, "Sara", "sara")
    listed = await sara.says("/lockouts")
    assert "user 730 · 3 misses · waits until 14 Aug 2026, 14:31 PKT" in listed.text
    assert (await sara.says("/unlock 730")).text == "Lifted: 730 can try again now."
    await typo.says("/claim")
    assert "phone number or e-mail" in (await typo.says("TX-1001")).text
