"""Retention on a moved clock: the periodic job drops what is kept past its time, in batches."""

from __future__ import annotations

from sqlalchemy import String, cast, func, select

from bot.telegram_app import run_reminders, run_retention
from conversations.services import retention
from storage.database import Database
from storage.tables import claims, faq_misses, inbox, outbox
from tests.e2e.harness import Customer, Running, file_claim

QUESTION = "can pangolins buy quokka credits"


async def _count(db: Database, statement: object) -> int:
    async with db.uow() as uow:
        return int((await uow.session.execute(statement)).scalar_one())  # type: ignore[call-overload]


async def _payloads(db: Database) -> int:
    """Inbox rows still holding their update."""
    return await _count(
        db, select(func.count()).select_from(inbox).where(cast(inbox.c.payload, String) != "{}")
    )


async def _texts(db: Database) -> int:
    """Sent outbox rows still holding their text."""
    return await _count(
        db,
        select(func.count())
        .select_from(outbox)
        .where(outbox.c.sent_at.is_not(None), outbox.c.text != ""),
    )


async def test_retention_purges_each_kind_after_its_time(bot: Running) -> None:
    nadia = Customer(bot.fake, 901, "Nadia Rahim", "nadiar")
    refused = await file_claim(nadia, "TX-1003", "demo3@example.com", "Couldn't send")
    assert "can't be refunded" in (refused.text or "")
    await nadia.says(QUESTION)
    await bot.fake.settle()
    assert await _payloads(bot.db) > 0

    # Minutes after they were applied, the updates are down to their ids.
    await bot.jump(minutes=11)
    purged = await run_retention(bot.services)
    assert purged["inbox_payloads"] > 0
    assert await _payloads(bot.db) == 0
    assert await _texts(bot.db) > 0
    metrics = bot.services.metrics
    assert metrics.privacy_rows_purged.labels("inbox_payloads")._value.get() > 0

    await bot.jump(days=8)
    await run_reminders(bot.services)  # the periodic job itself
    assert await _texts(bot.db) == 0
    assert await _count(bot.db, select(func.count()).select_from(faq_misses)) == 1

    await bot.jump(days=83)
    assert (await run_retention(bot.services)).get("faq_misses") == 1
    assert await _count(bot.db, select(func.count()).select_from(faq_misses)) == 0
    async with bot.db.uow() as uow:
        claim = await uow.claims.get(1)
    assert claim is not None and claim.customer_name == "Nadia Rahim"

    await bot.jump(days=275)
    assert (await run_retention(bot.services)).get("closed_claims") == 1
    async with bot.db.uow() as uow:
        claim = await uow.claims.get(1)
        finance = await uow.session.execute(select(claims.c.transaction_id))
        assert finance.scalars().all() == ["TX-1003"]
    assert claim is not None
    assert claim.customer_name == retention.RETIRED_LABEL
    assert claim.customer_username is None and claim.telegram_user_id == -1
    assert await run_retention(bot.services) == {}


async def test_retention_goes_in_batches(bot: Running) -> None:
    customer = Customer(bot.fake, 902, "Batch")
    for n in range(5):
        await customer.says(f"{QUESTION} number {n}")
    await bot.fake.settle()
    await bot.jump(days=91)
    purged = await retention.purge(bot.db.uow, bot.clock, bot.desk.config, batch=2)
    assert purged["faq_misses"] == 5
    assert await _count(bot.db, select(func.count()).select_from(faq_misses)) == 0
