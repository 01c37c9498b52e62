"""A customer files claims through the real bot, over HTTP, against the fake Bot API."""

from __future__ import annotations

from tests.e2e.harness import Customer, Running


async def test_commands_are_registered_at_start(bot: Running) -> None:
    names = [c["command"] for c in bot.fake.commands()]
    assert names == [
        "start",
        "help",
        "faq",
        "claim",
        "status",
        "human",
        "back",
        "cancel",
        "language",
        "privacy",
        "mydata",
        "forget",
    ]
    # Telegram shows a user whose app is in Urdu the same commands, described in Urdu.
    in_urdu = bot.fake.commands(language_code="ur")
    assert [c["command"] for c in in_urdu] == names
    assert (
        next(c["description"] for c in in_urdu if c["command"] == "language") == "انگریزی یا اردو"
    )


async def test_sharing_ones_own_contact_proves_the_purchase_is_theirs(bot: Running) -> None:
    ann = Customer(bot.fake, 510, "Ann")
    await ann.says("/claim")
    ask = await ann.says("TX-1001")
    keyboard = (ask.reply_markup or {}).get("keyboard") or []
    assert keyboard[0][0] == {"text": "📱 Share my phone number", "request_contact": True}

    # Someone else's card is refused without using up a try.
    await bot.fake.send_custom(
        ann.chat_id,
        ann.user,
        {"contact": {"phone_number": "923001110001", "first_name": "Bob", "user_id": 999}},
    )
    refused = await ann.next()
    assert refused.text.startswith("That's someone else's contact.")

    await bot.fake.send_custom(
        ann.chat_id,
        ann.user,
        {"contact": {"phone_number": "923001110001", "first_name": "Ann", "user_id": 510}},
    )
    reasons = await ann.next("What went wrong")
    assert "TX-1001" in reasons.text and len(reasons.buttons) == 4


async def test_claim_with_a_transaction_id_skips_asking_for_it(bot: Running) -> None:
    gia = Customer(bot.fake, 531, "Gia")
    asked = await gia.says("/claim TX-1002")
    assert asked.text.startswith("Thanks. To keep your account safe")
    # The id given is the one checked: TX-1002's owner, too late for a refund.
    decision = await gia.says("0300 1110002")
    assert "can't be refunded any more" in decision.text
    assert "can no longer be refunded" not in decision.text  # said once, not twice
    assert "If you think the purchase time is wrong, type /human" in decision.text
