"""Input nobody should trust: NUL characters in names, texts, captions and file names."""

from __future__ import annotations

from tests.e2e.harness import STAFF_CHAT_ID, Customer, Running, StaffMember, file_claim

NUL = "\x00"


async def test_a_nul_byte_in_a_name_a_text_and_a_file_name_is_dropped_not_fatal(
    bot: Running,
) -> None:
    zed = Customer(bot.fake, 701, f"Z{NUL}ed", f"z{NUL}ed")
    welcome = await zed.says("/start")
    assert "Zed" in welcome.text or welcome.buttons, welcome.text
    assert "progress is saved" not in welcome.text.lower()

    decision = await file_claim(
        zed, f"TX-1001{NUL}", f"demo1@example.com{NUL}", "not delivered", campaign="CMP"
    )
    assert "claim #1" in decision.text

    await zed.says("/human")
    await bot.fake.send_document(
        zed.chat_id, zed.user, file_name=f"report{NUL}.pdf", caption=f"see{NUL} this"
    )
    assert "passed it to our team" in (await zed.next("Got your")).text
    relayed = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "From Zed" in m.text)
    assert NUL not in relayed.text and "“see this”" in relayed.text

    async with bot.db.uow() as uow:
        claim = await uow.claims.get(1)
    assert claim is not None and claim.transaction_id == "TX-1001"
    sam = StaffMember(bot.fake, 9001, "Sam", db=bot.db)
    await sam.reply(relayed, "Got it, thanks.")
    assert "Got it, thanks." in (await zed.next("Support team")).text
