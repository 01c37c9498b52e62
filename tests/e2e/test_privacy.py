"""Privacy through the chat: /privacy, /mydata and /forget, as a customer and staff see them."""

from __future__ import annotations

import json
from pathlib import Path

from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.services.staff import staff_act
from tests.cli.cli_process import Cli
from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    Running,
    StaffMember,
    file_claim,
    wait_for_card,
)
from tests.privacy_scan import traces

NAME = "Zainab"
SURNAME = "Qureshi"
USERNAME = "zainabq"
PHONE_TYPED = "+92 300 1110008"
PHONE = "+923001110008"
EMAIL = "demo9@example.com"
HUMAN_TEXT = "Please call me back about the quokka invoice"
FAQ_TEXT = "do pangolins eat refunds on tuesdays quokka"


async def _approve(bot: Running, claim_id: int) -> None:
    async with bot.db.uow() as uow:
        result = await staff_act(
            uow,
            claim_id,
            Transition.APPROVE,
            Actor("Sara", 9001),
            bot.clock(),
            bot.desk.config,
        )
        assert result.ok
        await uow.commit()
    bot.services.dispatcher.wake()


async def test_mydata_sends_the_customers_claims_and_not_anothers_once_a_day(
    bot: Running,
) -> None:
    zainab = Customer(bot.fake, 801, NAME, USERNAME)
    other = Customer(bot.fake, 802, "Kamran")
    mine = await file_claim(zainab, "TX-1008", PHONE_TYPED, "Couldn't send")
    assert "claim #1" in (mine.text or "").lower()
    await file_claim(other, "TX-1009", EMAIL, "Couldn't send")

    await zainab.skip_unread()
    await zainab.send("/mydata")
    sent = await zainab.next("Everything we hold about you")
    assert sent.method == "sendDocument"
    assert sent.file_name == "mydata-801.json"
    assert sent.file_content is not None
    document = json.loads(sent.file_content)
    assert document["telegram_user_id"] == 801
    assert [c["transaction_id"] for c in document["claims"]] == ["TX-1008"]
    assert document["claims"][0]["audit"][0]["to_status"] == "escalated"
    assert "TX-1009" not in sent.file_content.decode()
    assert "Kamran" not in sent.file_content.decode()
    assert any(PHONE_TYPED in m["text"] for m in document["messages_from_you"])

    again = await zainab.says("/mydata")
    assert "once a day" in (again.text or "")
    await bot.jump(hours=24, minutes=1)
    await zainab.send("/mydata")
    assert (await zainab.next("Everything we hold about you")).method == "sendDocument"


async def test_forget_leaves_no_trace_yet_finance_keeps_the_refund(
    bot: Running, tmp_path: Path
) -> None:
    zainab = Customer(bot.fake, 801, f"{NAME} {SURNAME}", USERNAME)
    sara = StaffMember(bot.fake, 9001, "Sara", "sara", db=bot.db)
    approved = await file_claim(zainab, "TX-1008", PHONE_TYPED, "Couldn't send")
    assert "claim #1" in (approved.text or "").lower()
    card = await wait_for_card(bot.fake, 1)
    assert NAME in (card.text or "")
    await _approve(bot, 1)
    await zainab.next("approved")
    await file_claim(zainab, "TX-1009", EMAIL, "Couldn't send")  # stays open: claim #2
    await zainab.says("/human")
    await zainab.says(HUMAN_TEXT)
    relayed = await sara.next(f"From {NAME}")
    await sara.reply(relayed, "We will, Zainab.")
    await zainab.next("Support team")
    await zainab.says("/cancel")
    await zainab.says(FAQ_TEXT)
    await sara.send("/find @zainabq")
    # Answered before the erasure (asked after it, the question itself names them again).
    assert "#1 · " in ((await sara.next("Claims for @zainabq")).text or "")

    ask = await zainab.says("/forget")
    assert "cannot be undone" in (ask.text or "")
    await zainab.press(ask, "Yes, erase it")
    done = await zainab.next("your data is erased")
    assert "erased #1" in (done.text or "")
    assert "withdrawn first: #2" in (done.text or "")
    await bot.fake.settle()

    needles = [NAME, SURNAME, USERNAME, PHONE, PHONE_TYPED, "3001110008", EMAIL, HUMAN_TEXT]
    needles += [FAQ_TEXT, "quokka", "demo8@example.com"]
    assert await traces(bot.db, needles) == []

    # Staff see what is left, and why.
    updated = bot.fake.message(STAFF_CHAT_ID, card.message_id)
    assert "erased #1" in (updated.text or "")
    assert "asked to be forgotten" in (updated.text or "")
    await sara.send("/find TX-1009")
    found = await sara.next("Claims for TX-1009")
    assert "#2 · " in (found.text or "")
    await sara.send("/card 2")
    shown = await sara.next("A copy")
    assert "erased #1" in (shown.text or "")
    assert "asked to be forgotten" in (shown.text or "")

    cli = Cli(bot.db.url, tmp_path)
    export = cli("claims", "export", "--json")
    assert export.code == 0, export.err
    rows = export.json()
    assert [(r["claim_id"], r["transaction_id"]) for r in rows] == [(1, "TX-1008")]
    assert int(rows[0]["credits"]) > 0
    show = cli("claims", "show", "2")
    assert show.code == 0, show.err
    assert "erased #1" in show.out

    # Idempotent: a second /forget finds nothing of theirs, and says so the same way.
    again = await zainab.says("/forget")
    await zainab.press(again, "Yes, erase it")
    second = await zainab.next("your data is erased")
    assert "withdrawn" not in (second.text or "")
    await bot.fake.settle()
    assert await traces(bot.db, needles) == []
