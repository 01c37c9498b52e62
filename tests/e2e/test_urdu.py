"""A customer whose Telegram is in Urdu is answered in Urdu; /language switches, and is kept."""

from __future__ import annotations

from conversations import i18n
from conversations.catalog import customer as t
from conversations.catalog import language as lt
from tests.e2e.harness import STAFF_CHAT_ID, Customer, Running, StaffMember, wait_for_card

ALICE_PHONE = "+923001110001"


def in_urdu(message: str) -> str:
    with i18n.use(i18n.URDU):
        return i18n._(message)


def urdu_customer(bot: Running, user_id: int, name: str) -> Customer:
    customer = Customer(bot.fake, user_id, name)
    customer.user = bot.fake.user(user_id, name, language_code="ur")
    return customer


def is_urdu(text: str) -> bool:
    return i18n.written_in_urdu(text)


async def test_an_urdu_customer_starts_asks_files_and_hears_the_approval_in_urdu(
    bot: Running,
) -> None:
    amna = urdu_customer(bot, 801, "Amna")

    welcome = await amna.says("/start")
    assert "السلام علیکم Amna!" in welcome.text
    assert in_urdu(t.WELCOME).format(name="Amna") in welcome.text
    assert welcome.button_labels[0] == in_urdu(t.BTN_FAQ)

    # A question typed in English is still answered in the customer's language.
    answer = await amna.says("how long does a refund take?")
    assert is_urdu(answer.text), answer.text
    assert "5 سے 7 کاروباری دنوں" in answer.text
    assert in_urdu(t.BTN_HELPFUL) in answer.button_labels

    # Asked in Urdu script, and in Roman Urdu: answered in Urdu.
    how = await amna.says("ریفنڈ کیسے لوں")
    assert how.text.startswith(
        "میرا خیال ہے آپ اس بارے میں پوچھ رہے ہیں: ریفنڈ کی درخواست کیسے دیں"
    )
    assert "ٹرانزیکشن آئی ڈی تیار رکھیں" in how.text
    assert "کاروباری دنوں" in (await amna.says("refund kitne din mein milta hai")).text
    # No offer to switch: the customer already reads Urdu.
    assert not any(lt.SWITCH_OFFER in m.text for m in bot.fake.messages(amna.chat_id))

    # The FAQ menu: Urdu groups, Urdu titles, Urdu answers.
    menu = await amna.says("/faq")
    assert menu.text == in_urdu(t.FAQ_MENU)
    await amna.press(menu, "📖")
    group = await bot.fake.wait_for_edit(
        amna.chat_id, menu.message_id, lambda m: "ہماری ریفنڈ پالیسی" in m.button_labels
    )
    await amna.press(group, "ہماری ریفنڈ پالیسی")
    policy = await bot.fake.wait_for_edit(
        amna.chat_id, menu.message_id, lambda m: m.text.startswith("ہم SMS کریڈٹس")
    )
    assert "48 گھنٹے" in policy.text

    # The claim, from transaction id to decision.
    ask = await amna.says("/claim")
    assert ask.text == in_urdu(t.ASK_TRANSACTION)
    owner = await amna.says("TX-1001")
    assert owner.text == in_urdu(t.ASK_OWNER)
    assert owner.reply_keyboard == [[in_urdu(t.BTN_SHARE_CONTACT)]]
    reasons = await amna.says(ALICE_PHONE)
    assert "خریداری TX-1001: 5,000 کریڈٹس (پیکج)" in reasons.text
    await amna.press(reasons, "📵")
    campaigns = await amna.next("کس کیمپین")
    await amna.press(campaigns, "CMP")
    summary = await amna.next("اپنا کلیم دیکھ لیں")
    await amna.press(summary, "✅")
    decision = await amna.next("#1")
    assert decision.text.startswith("✅ خوش خبری: آپ کا کلیم #1 ریفنڈ کا اہل ہے: 120 کریڈٹس")
    assert "1,000 میں سے 120 پیغامات ہمارے پلیٹ فارم پر ناکام ہوئے" in decision.text

    # Staff read English, and their approval reaches the customer in Urdu.
    card = await wait_for_card(bot.fake, 1)
    assert "120 of 1,000 messages failed on our platform" in (card.text or "")
    sara = StaffMember(bot.fake, 9001, "Sara", "sara")
    await sara.press(card, "Approve")
    confirm = await sara.next("Approve claim #1")
    await sara.press(confirm, "Approve 120 credits")
    approved = await amna.next("منظور")
    assert approved.text.startswith(
        "✅ آپ کا کلیم #1 منظور ہو گیا ہے: 120 کریڈٹس کا ریفنڈ دیا جائے گا۔"
    )
    # Approved on Friday 14 August 2026 (a holiday): due from Fri 21 to Tue 25 August.
    assert "جمعہ 21 اگست 2026 اور منگل 25 اگست 2026 کے درمیان" in approved.text
    assert not any(is_urdu(m.text or "") for m in bot.fake.messages(STAFF_CHAT_ID))

    status = await amna.says("/status")
    assert status.text.startswith(in_urdu(t.STATUS_HEADER))
    assert "#1 · TX-1001 · منظور" in status.text


async def test_a_failed_turn_apologises_in_the_language_the_customer_picked(bot: Running) -> None:
    from sqlalchemy import text

    # Telegram says English; the customer picked Urdu.
    farah = Customer(bot.fake, 806, "Farah")
    pick = await farah.says("/language")
    await farah.press(pick, "اردو")
    await bot.fake.wait_for_edit(
        farah.chat_id,
        pick.message_id,
        lambda m: m.text == in_urdu(lt.LANGUAGE_SET).format(language="اردو"),
    )
    await farah.says("/claim")
    await farah.says("TX-1001")
    async with bot.db.engine.begin() as connection:
        await connection.execute(text("ALTER TABLE claims RENAME TO claims_gone"))
    try:
        reply = await farah.says(ALICE_PHONE)
    finally:
        async with bot.db.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE claims_gone RENAME TO claims"))
    assert reply.text == in_urdu(t.PROGRESS_SAVED)
