"""A customer files claims through the real bot, over HTTP, against the fake Bot API."""

from __future__ import annotations

from tests.e2e.harness import STAFF_CHAT_ID, Customer, Running


async def test_start_shows_welcome_notice_and_menu(bot: Running) -> None:
    alice = Customer(bot.fake, 501, "Alice")
    reply = await alice.says("/start")
    assert "Pakistan" in reply.text and "suspended" in reply.text
    assert "Hi Alice" in reply.text
    assert [label for row in reply.buttons for label, _ in row] == [
        "❓ Refund questions",
        "📝 Ask for a refund",
        "📋 My claims",
        "🙋 Talk to a person",
    ]


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
    ]
    # Telegram shows a user whose app is in Urdu the same commands, described in Urdu.
    in_urdu = bot.fake.commands(language_code="ur")
    assert [c["command"] for c in in_urdu] == names
    assert (
        next(c["description"] for c in in_urdu if c["command"] == "language") == "انگریزی یا اردو"
    )


async def test_eligible_undelivered_claim_is_escalated_with_a_card(bot: Running) -> None:
    alice = Customer(bot.fake, 502, "Alice", "alice")
    ask = await alice.says("/claim")
    assert "transaction ID" in ask.text
    owner = await alice.says("TX-1001")
    assert "phone number or e-mail" in owner.text
    reasons = await alice.says("0300 1110001")
    # Only now, ownership proven, does the bot show facts of the purchase.
    assert "TX-1001" in reasons.text and "credits" in reasons.text
    await alice.press(reasons, "not delivered")
    campaigns = await alice.next("which campaign")
    await alice.press(campaigns, "CMP")
    summary = await alice.next("check your claim")
    await alice.press(summary, "Send")
    decision = await alice.next("claim #")
    assert "qualifies for a refund of 120 credits" in decision.text
    card = await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "Claim #" in m.text)
    assert "TX-1001" in card.text and "C-CAUSE" in card.text and "Alice" in card.text
    assert "120 failed on our side" in card.text


async def test_window_rule_explains_with_the_facts(bot: Running) -> None:
    bob = Customer(bot.fake, 503, "Bob")
    await bob.says("/claim")
    await bob.says("tx 1002")  # as people type it
    # Too late whatever the reason: said as soon as the purchase is proven his, not later.
    decision = await bob.says("my number is 0300 1110002")
    assert "can't be refunded any more" in decision.text
    assert "3 days" in decision.text and "2 days" in decision.text
    assert [label for row in decision.buttons for label, _ in row] == [
        "🙋 Talk to a person",
        "⬅️ Main menu",
    ]
    assert "C-WINDOW" not in decision.text  # clause ids are for staff
    await bot.fake.settle()
    assert not [m for m in bot.fake.messages(STAFF_CHAT_ID) if "TX-1002" in m.text]


async def test_ids_and_contacts_are_understood_as_people_type_them(bot: Running) -> None:
    cara = Customer(bot.fake, 509, "Cara")
    await cara.says("/claim")
    owner = await cara.says("TX1001")
    assert "phone number or e-mail" in owner.text
    reasons = await cara.says("it's demo1@example.com thanks")
    await cara.press(reasons, "not delivered")
    await cara.next("which campaign")
    summary = await cara.says("cmp 1001")
    assert "CMP-1001" in summary.text
    await cara.press(cara.last_with_buttons(), "Send")
    decision = await cara.next("claim #")
    assert "qualifies for a refund of 120 credits" in decision.text


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
