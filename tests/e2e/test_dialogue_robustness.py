"""Wrong answers, second thoughts, odd input, restarts, re-deliveries and races."""

from __future__ import annotations

import asyncio

from storage.database import Database
from tests.e2e.harness import (
    Customer,
    FakeClock,
    Running,
    start_bot,
    stop_bot,
)
from tests.fake_telegram import FakeTelegram, RecordedMessage


async def _walk_to(customer: Customer, step: str) -> None:
    await customer.says("/claim")
    if step == "tx":
        return
    await customer.says("TX-1001")
    if step == "owner":
        return
    reasons = await customer.says("demo1@example.com")
    if step == "reason":
        return
    await customer.press(reasons, "not delivered")
    campaigns = await customer.next("which campaign")
    if step == "campaign":
        return
    await customer.press(campaigns, "CMP-1001")
    await customer.next("check your claim")


async def test_stickers_photos_and_huge_pastes_get_a_helpful_answer(bot: Running) -> None:
    eve = Customer(bot.fake, 830, "Eve")
    await eve.says("/claim")
    await bot.fake.send_sticker(eve.chat_id, eve.user)
    sticker = await eve.next()
    assert "only read text" in sticker.text
    reprompt = await eve.next()
    assert "transaction ID" in reprompt.text
    # A photo or document is evidence, but only once the purchase is known and proven.
    await bot.fake.send_photo(eve.chat_id, eve.user, caption="receipt")
    assert "once I've found your purchase" in (await eve.next()).text
    await eve.next()
    await bot.fake.send_voice(eve.chat_id, eve.user)
    assert "only read text" in (await eve.next()).text
    await eve.next()
    await bot.fake.send_document(eve.chat_id, eve.user)
    assert "once I've found your purchase" in (await eve.next()).text
    await eve.next()
    too_long = await eve.says("x" * 4050)
    assert "too long" in too_long.text and "4,050" in too_long.text
    # Still in the same step: the claim goes on.
    await eve.next("transaction ID")
    owner = await eve.says("TX-1001")
    assert "phone number or e-mail" in owner.text


async def test_the_same_update_delivered_twice_is_applied_once(bot: Running) -> None:
    hal = Customer(bot.fake, 833, "Hal")
    await hal.says("/claim")
    update_id = await bot.fake.send_text(hal.chat_id, hal.user, "TX-1001")
    await hal.next("phone number or e-mail")
    bot.fake.redeliver(update_id)
    await bot.fake.settle()
    assert bot.fake.unconsumed(hal.chat_id) == []
    # The re-delivery did not count as a second (unknown) answer either.
    reasons = await hal.says("demo1@example.com")
    assert "What went wrong?" in reasons.text


async def test_concurrent_updates_of_one_chat_are_all_applied(bot: Running) -> None:
    ivy = Customer(bot.fake, 834, "Ivy")
    await ivy.says("/claim")
    # Three answers arrive together; each is applied exactly once, in some order.
    await asyncio.gather(ivy.send("TX-9001"), ivy.send("TX-9002"), ivy.send("TX-9003"))
    texts = [(await ivy.next(timeout=15)).text for _ in range(3)]
    await bot.fake.settle()
    assert bot.fake.unconsumed(ivy.chat_id) == []
    # The first is taken as the transaction; the other two are not the phone number it asks.
    assert sum("send the phone number or e-mail" in t for t in texts) == 1
    assert sum("doesn't look like a phone number" in t for t in texts) == 2


async def test_restart_mid_claim_continues_where_it_was(
    bot: Running, db: Database, clock: FakeClock
) -> None:
    kim = Customer(bot.fake, 836, "Kim")
    await kim.says("/claim")
    await kim.says("TX-1001")
    await stop_bot(bot)
    second = await start_bot(bot.fake, db, clock)
    try:
        reasons = await kim.says("demo1@example.com")
        assert "What went wrong?" in reasons.text
        await kim.press(reasons, "not delivered")
        campaigns = await kim.next("which campaign")
        await kim.press(campaigns, "CMP-1001")
        summary = await kim.next("check your claim")
        await kim.press(summary, "Send")
        decision = await kim.next("claim #")
        assert "120 credits" in decision.text
    finally:
        await stop_bot(second)


async def _let_time_pass(bot: Running, customer: Customer, contains: str) -> RecordedMessage:
    """Move the bot's clock with real time until the customer gets the message."""
    for _ in range(40):
        await asyncio.sleep(0.25)
        bot.clock.advance(seconds=0.25)
        found = [m for m in bot.fake.unconsumed(customer.chat_id) if contains in m.text]
        if found:
            return await customer.next(contains)
    raise AssertionError(f"no message with {contains!r} after 10 s")


async def test_a_reply_refused_with_429_is_sent_once_after_retry_after(bot: Running) -> None:
    uma = Customer(bot.fake, 837, "Uma")
    bot.fake.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=uma.chat_id)
    await uma.send("/help")
    reply = await _let_time_pass(bot, uma, "/claim")
    assert "Here's what I can do" in reply.text
    await bot.fake.settle()
    assert bot.fake.early_retries == []
    assert [m.text for m in bot.fake.messages(uma.chat_id)].count(reply.text) == 1


async def test_a_reply_that_times_out_is_retried(bot: Running) -> None:
    vic = Customer(bot.fake, 838, "Vic")
    bot.fake.fail_next(
        "sendMessage", error_code=502, description="Bad Gateway", chat_id=vic.chat_id
    )
    await vic.send("/help")
    reply = await _let_time_pass(bot, vic, "/claim")
    assert "Here's what I can do" in reply.text


async def test_a_failure_inside_a_turn_tells_the_customer_their_progress_is_saved(
    bot: Running, db: Database
) -> None:
    from sqlalchemy import text

    wes = Customer(bot.fake, 839, "Wes")
    await wes.says("/claim")
    await wes.says("TX-1001")
    # A real failure: the claims table disappears under the running bot.
    async with db.engine.begin() as connection:
        await connection.execute(text("ALTER TABLE claims RENAME TO claims_gone"))
    try:
        reply = await wes.says("demo1@example.com")
        assert "progress is saved" in reply.text
        assert "Traceback" not in reply.text
    finally:
        async with db.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE claims_gone RENAME TO claims"))
    # Tried twice (nothing of the first try was kept), then given up: told once, and listed.
    async with db.reader() as uow:
        [failed] = await uow.inbox.failed()
    assert failed.chat_id == wes.chat_id and "claims" in failed.reason
    # Nothing of the failed turn was kept: the same answer now goes through.
    reasons = await wes.says("demo1@example.com")
    assert "What went wrong?" in reasons.text
    assert sum("progress is saved" in text for text in wes.texts()) == 1


# A fault in the turn's transaction while the update has not failed before. PostgreSQL: at
# COMMIT (a deferred constraint trigger), the failure that once left the update marked applied
# in memory; SQLite (no deferred triggers): at the reply's insert, after the turn claimed the
# update in the same transaction.
_FAULT_SQLITE = """
CREATE TRIGGER fault_once BEFORE INSERT ON outbox
WHEN NEW.chat_id = {chat} AND (SELECT failures FROM inbox WHERE chat_id = {chat}
    ORDER BY update_id DESC LIMIT 1) = 0
BEGIN SELECT RAISE(ABORT, 'injected fault'); END
"""
_FAULT_POSTGRES = (
    """
CREATE FUNCTION fault_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT failures FROM inbox WHERE chat_id = NEW.chat_id
        ORDER BY update_id DESC LIMIT 1) = 0 THEN
        RAISE EXCEPTION 'injected fault at commit';
    END IF;
    RETURN NULL;
END $$
""",
    """
CREATE CONSTRAINT TRIGGER fault_once AFTER INSERT ON outbox
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.chat_id = {chat})
EXECUTE FUNCTION fault_once()
""",
)


async def test_a_turn_whose_commit_fails_is_applied_again_without_an_apology(
    bot: Running, db: Database
) -> None:
    from sqlalchemy import text

    from tests.storage.rows import waiting_updates

    yan = Customer(bot.fake, 841, "Yan")
    await yan.says("/start")
    async with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            for statement in _FAULT_POSTGRES:
                await connection.execute(text(statement.format(chat=yan.chat_id)))
        else:
            await connection.execute(text(_FAULT_SQLITE.format(chat=yan.chat_id)))
    try:
        reply = await yan.says("/help")
    finally:
        async with db.engine.begin() as connection:
            await connection.execute(
                text(
                    "DROP TRIGGER fault_once" + (" ON outbox" if db.dialect == "postgresql" else "")
                )
            )
            if db.dialect == "postgresql":
                await connection.execute(text("DROP FUNCTION fault_once()"))
    # The first turn committed nothing; the second answered, as if nothing had happened.
    assert "Here's what I can do" in reply.text
    await bot.fake.settle()
    assert not any("progress is saved" in t for t in yan.texts())
    assert [t for t in yan.texts() if "Here's what I can do" in t] == [reply.text]
    assert await waiting_updates(db) == []
    async with db.reader() as uow:
        assert await uow.inbox.failed() == []


async def test_a_button_press_delivered_twice_is_applied_once(bot: Running) -> None:
    xia = Customer(bot.fake, 840, "Xia")
    await _walk_to(xia, "reason")
    reasons = xia.last_with_buttons()
    update_id = await bot.fake.press(
        xia.chat_id, xia.user, reasons.message_id, reasons.button("Something else")
    )
    await xia.next("describe")
    bot.fake.redeliver(update_id)
    await bot.fake.settle()
    # No second prompt, and no "something went wrong" for the re-delivery.
    assert bot.fake.unconsumed(xia.chat_id) == []


async def test_a_turn_that_takes_a_moment_shows_typing_first(
    fake_telegram: FakeTelegram, db: Database, clock: FakeClock
) -> None:
    running = await start_bot(fake_telegram, db, clock, typing_after_ms=0)
    try:
        uma = Customer(fake_telegram, 846, "Uma")
        await uma.says("/help")
        typing = await fake_telegram.wait_for_call("sendChatAction")
    finally:
        await stop_bot(running)
    assert (typing.params["chat_id"], typing.params["action"]) == (uma.chat_id, "typing")


async def test_a_button_is_answered_while_telegram_sits_on_the_spinner(bot: Running) -> None:
    """A press whose callback answer hangs still gets its next question at once, once."""
    kay = Customer(bot.fake, 845, "Kay")
    await _walk_to(kay, "reason")
    reasons = kay.last_with_buttons()
    # Telegram takes the spinner call and never answers it (PTB times out after 5 s).
    bot.fake.fail_next("answerCallbackQuery", hang=True)
    started = asyncio.get_running_loop().time()
    await kay.press(reasons, "not delivered")
    await kay.next("which campaign", timeout=3.0)
    assert asyncio.get_running_loop().time() - started < 3.0
    await asyncio.sleep(6)  # past the spinner's timeout: the turn is not applied again
    asked = [
        m for m in bot.fake.messages(kay.chat_id) if "which campaign" in (m.text or "").lower()
    ]
    assert len(asked) == 1
