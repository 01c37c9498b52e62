"""The Telegram side of filing: the commands registered at start, and a shared contact card."""

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
