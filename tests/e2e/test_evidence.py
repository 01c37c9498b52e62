"""Photos and documents as evidence: with a claim, added to an open one, and to a person."""

from __future__ import annotations

from tests.e2e.harness import (
    STAFF_CHAT_ID,
    Customer,
    Running,
    StaffMember,
    file_claim,
    wait_for_card,
)
from tests.fake_telegram import RecordedMessage


async def send_photo(bot: Running, customer: Customer, caption: str | None = None) -> str:
    """The customer sends a photo; returns the file_id of its largest size."""
    update_id = await bot.fake.send_photo(customer.chat_id, customer.user, caption=caption)
    return str(bot.fake.update(update_id)["message"]["photo"][-1]["file_id"])


async def send_document(
    bot: Running, customer: Customer, name: str = "delivery-report.pdf", **kw: object
) -> str:
    update_id = await bot.fake.send_document(
        customer.chat_id,
        customer.user,
        file_name=name,
        **kw,  # type: ignore[arg-type]
    )
    return str(bot.fake.update(update_id)["message"]["document"]["file_id"])


async def staff_file(bot: Running, file_id: str) -> RecordedMessage:
    """The staff chat's copy of the customer's file."""
    return await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: m.file_id == file_id)


async def test_a_photo_and_a_report_sent_while_filing_reach_staff_and_are_on_the_card(
    bot: Running,
) -> None:
    alice = Customer(bot.fake, 601, "Alice")
    await alice.says("/claim")
    await alice.says("TX-1001")
    reasons = await alice.says("demo1@example.com")
    await alice.press(reasons, "not delivered")
    campaigns = await alice.next("which campaign")

    photo_id = await send_photo(bot, alice, caption="the delivery screen")
    kept = await alice.next("Got your photo")
    assert kept.text == "Got your photo — I'll attach it to your claim when you send it (1 of 10)."

    await alice.press(campaigns, "CMP-1001")
    summary = await alice.next("check your claim")
    assert "Attached: photo" in summary.text
    report_id = await send_document(bot, alice)
    assert "“delivery-report.pdf”" in (await alice.next("Got your")).text
    await alice.press(summary, "Send")
    decision = await alice.next("claim #1")
    assert "qualifies" in decision.text

    card = await wait_for_card(bot.fake, 1)
    assert "📎 2 attachments: photo, delivery-report.pdf" in card.text
    photo = await staff_file(bot, photo_id)
    assert photo.method == "sendPhoto"
    assert photo.reply_to_message_id == card.message_id  # kept with the claim's card
    assert photo.text == "📎 Claim #1: photo from Alice\n“the delivery screen”"
    report = await staff_file(bot, report_id)
    assert report.method == "sendDocument" and report.file_name == "delivery-report.pdf"
    assert report.file_content == b"%PDF-fake-document"


async def test_too_many_too_big_or_unsafe_files_are_refused_clearly(bot: Running) -> None:
    cara = Customer(bot.fake, 603, "Cara")
    await cara.says("/claim")
    await cara.says("TX-1001")
    reasons = await cara.says("demo1@example.com")
    await cara.press(reasons, "not delivered")
    await cara.next("which campaign")

    await send_document(bot, cara, name="setup.exe", mime_type="application/octet-stream")
    assert "can't take that kind of file" in (await cara.next()).text
    big = {
        "document": {
            "file_id": "fake-document-big",
            "file_unique_id": "uniq-big",
            "file_size": 25 * 1024 * 1024,
            "file_name": "video-of-screen.pdf",
            "mime_type": "application/pdf",
        }
    }
    await bot.fake.send_custom(cara.chat_id, cara.user, big)
    assert (await cara.next()).text == (
        "That file is too big (25.0 MB). Please send files under 20 MB."
    )

    for number in range(1, 11):
        await send_photo(bot, cara)
        assert f"({number} of 10)" in (await cara.next("Got your photo")).text
    await send_photo(bot, cara)
    assert "That's 10 files already" in (await cara.next()).text

    # The same photo twice (Telegram gives it the same unique id) is kept once.
    dana = Customer(bot.fake, 604, "Dana")
    await dana.says("/claim")
    await dana.says("TX-1001")
    reasons = await dana.says("demo1@example.com")
    await dana.press(reasons, "not delivered")
    await dana.next("which campaign")
    same = {
        "photo": [{"file_id": "fake-photo-x", "file_unique_id": "same", "width": 9, "height": 9}]
    }
    await bot.fake.send_custom(dana.chat_id, dana.user, same)
    await dana.next("Got your photo")
    await bot.fake.send_custom(dana.chat_id, dana.user, same)
    assert "You've sent that one already" in (await dana.next()).text


async def test_files_added_to_an_open_claim_from_status_reach_staff_at_once(
    bot: Running,
) -> None:
    alice = Customer(bot.fake, 605, "Alice")
    await file_claim(alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP")
    card = await wait_for_card(bot.fake, 1)
    assert "attachment" not in card.text

    listing = await alice.says("/status")
    await alice.press(listing, "#1 · TX-1001")
    detail = await bot.fake.wait_for_edit(alice.chat_id, listing.message_id)
    await alice.press(detail, "Add information")
    await alice.next("What would you like to add")
    photo_id = await send_photo(bot, alice)
    attached = await alice.next("Got your photo")
    assert "it's attached to claim #1 (1 of 10)" in attached.text

    copy = await staff_file(bot, photo_id)
    assert copy.reply_to_message_id == card.message_id
    edited = await bot.fake.wait_for_edit(
        STAFF_CHAT_ID, card.message_id, lambda m: "📎 1 attachment: photo" in (m.text or "")
    )
    assert "Claim #1" in (edited.text or "")

    await alice.press(attached, "Done")
    done = await alice.next("I've added that to claim #1")
    assert done.buttons  # the main menu
    timeline = await alice.says("/status")
    await alice.press(timeline, "#1 · TX-1001")
    detail = await bot.fake.wait_for_edit(alice.chat_id, timeline.message_id)
    assert "you added information" in (detail.text or "")


async def test_a_photo_answers_a_staff_question(bot: Running) -> None:
    alice = Customer(bot.fake, 606, "Alice")
    await file_claim(alice, "TX-1001", "demo1@example.com", "not delivered", campaign="CMP")
    card = await wait_for_card(bot.fake, 1)
    sam = StaffMember(bot.fake, 9001, "Sam", db=bot.db)
    await sam.known(card)
    await sam.press(card, "Ask")
    prompt = await sam.next("reply to this message")
    await sam.press(prompt, "screenshot")
    await alice.next("our team asks")

    photo_id = await send_photo(bot, alice)
    answered = await alice.next("Got your photo")
    assert answered.text == "Got your photo — it's attached to claim #1 and our team has it now."
    await staff_file(bot, photo_id)
    edited = await bot.fake.wait_for_edit(
        STAFF_CHAT_ID, card.message_id, lambda m: "in review" in (m.text or "")
    )
    assert "📎 1 attachment: photo" in (edited.text or "")


async def test_a_photo_in_a_human_conversation_is_relayed_and_staff_can_reply_to_it(
    bot: Running,
) -> None:
    eve = Customer(bot.fake, 607, "Eve", "eve")
    await eve.says("/human")
    photo_id = await send_photo(bot, eve, caption="this error")
    relayed_note = await eve.next("Got your photo")
    assert "passed it to our team" in relayed_note.text

    relayed = await staff_file(bot, photo_id)
    assert relayed.text is not None and relayed.text.startswith("💬 From Eve (@eve) (id 607): 📎")
    assert "“this error”" in relayed.text and "Reply to this message" in relayed.text
    sam = StaffMember(bot.fake, 9001, "Sam", db=bot.db)
    await sam.reply(relayed, "That error means the number is blocked.")
    assert "number is blocked" in (await eve.next("Support team")).text


async def test_in_a_forum_staff_chat_the_files_go_to_the_claims_topic(forum_bot: Running) -> None:
    bot = forum_bot
    alice = Customer(bot.fake, 608, "Alice")
    await alice.says("/claim")
    await alice.says("TX-1001")
    reasons = await alice.says("demo1@example.com")
    await alice.press(reasons, "not delivered")
    await alice.next("which campaign")
    photo_id = await send_photo(bot, alice)
    await alice.next("Got your photo")
    await alice.press(alice.last_with_buttons(), "CMP-1001")
    await alice.press(await alice.next("check your claim"), "Send")
    await alice.next("claim #1")

    card = await wait_for_card(bot.fake, 1)
    copy = await staff_file(bot, photo_id)
    assert card.thread_id is not None and copy.thread_id == card.thread_id
    assert bot.fake.topics(STAFF_CHAT_ID)[card.thread_id] == "Claim #1"


async def test_a_file_is_judged_by_its_name_and_type_together_not_by_what_it_claims(
    bot: Running,
) -> None:
    fay = Customer(bot.fake, 609, "Fay")
    await fay.says("/claim")
    await fay.says("TX-1001")
    reasons = await fay.says("demo1@example.com")
    await fay.press(reasons, "not delivered")
    campaigns = await fay.next("which campaign")

    refused = {
        ("payload.exe", "image/png"): "can't take that kind of file",
        ("drawing.svg", "image/svg+xml"): "can't take that kind of file",
        ("report.docm", "application/pdf"): "can't take that kind of file",
        ("no-extension", "application/pdf"): "can't take that kind of file",
        ("photo.png", "application/x-msdownload"): "its name and its file type don't match",
        ("statement.pdf", "image/png"): "its name and its file type don't match",
        ("notes.txt", "text/html"): "its name and its file type don't match",
    }
    for (name, mime), reason in refused.items():
        await send_document(bot, fay, name=name, mime_type=mime)
        answer = (await fay.next()).text
        assert reason in answer, (name, mime, answer)
        assert "a PDF, a spreadsheet (.csv or .xlsx) or a text file (.txt)" in answer

    accepted = [
        ("screen.JPG", "image/jpeg"),
        ("IMG_0001.heic", "image/heic"),
        ("ledger.csv", "text/csv"),
        ("export.csv", "application/vnd.ms-excel"),
        ("sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("notes.txt", "text/plain; charset=utf-8"),
    ]
    kept = []
    for count, (name, mime) in enumerate(accepted, start=1):
        kept.append(await send_document(bot, fay, name=name, mime_type=mime))
        assert f"“{name}” — I'll attach it to your claim when you send it ({count} of 10)" in (
            (await fay.next()).text
        )
    await send_photo(bot, fay)
    assert "(7 of 10)" in (await fay.next("Got your photo")).text

    await fay.press(campaigns, "CMP-1001")
    await fay.press(await fay.next("check your claim"), "Send")
    await fay.next("claim #1")
    card = await wait_for_card(bot.fake, 1)
    assert "📎 7 attachments" in card.text
    for file_id, (name, _) in zip(kept, accepted, strict=True):
        copy = await bot.fake.wait_for_message(
            STAFF_CHAT_ID, lambda m, f=file_id: m.file_id == f, timeout=15
        )
        assert copy.file_name == name
    await bot.fake.settle()
    sent_on = [m.file_name for m in bot.fake.messages(STAFF_CHAT_ID) if m.method == "sendDocument"]
    assert sorted(sent_on) == sorted(name for name, _ in accepted), "nothing refused went on"


async def test_a_document_without_a_size_is_measured_and_refused_when_too_big_or_unknown(
    bot: Running,
) -> None:
    gul = Customer(bot.fake, 610, "Gul")
    await gul.says("/human")

    # The size comes from getFile instead: a small file goes on, a big one Telegram won't serve.
    small = await send_document(bot, gul, name="receipt.pdf", with_size=False)
    assert "passed it to our team" in (await gul.next("Got your")).text
    await staff_file(bot, small)
    await send_document(
        bot,
        gul,
        name="screen-recording.pdf",
        content=b"%PDF" + bytes(21 * 1024 * 1024),
        with_size=False,
    )
    assert (await gul.next()).text == "That file is too big. Please send files under 20 MB."

    # Nobody can say how big it is (getFile refuses it): not passed on blind.
    unknown = {
        "document": {
            "file_id": "fake-document-gone",
            "file_unique_id": "uniq-gone",
            "file_name": "statement.pdf",
            "mime_type": "application/pdf",
        }
    }
    await bot.fake.send_custom(gul.chat_id, gul.user, unknown)
    assert "couldn't find out how big that file is" in (await gul.next()).text
    await bot.fake.settle()
    staff_files = [m for m in bot.fake.messages(STAFF_CHAT_ID) if m.file_id]
    assert [m.file_id for m in staff_files] == [small]


async def test_a_human_conversation_passes_ten_files_an_hour_and_says_when_more_can_go(
    bot: Running,
) -> None:
    hina = Customer(bot.fake, 611, "Hina")
    await hina.says("/human")
    sent = []
    for _ in range(10):
        sent.append(await send_photo(bot, hina))
        assert "passed it to our team" in (await hina.next("Got your photo")).text
        await bot.jump(minutes=2)  # the first went at 09:30, the tenth at 09:48

    await send_document(bot, hina, name="one-more.pdf")  # at 09:50
    refusal = (await hina.next()).text
    assert refusal == (
        "I've passed 10 files to our team in the last hour, the most I can, so your "
        "“one-more.pdf” hasn't gone to them. You can send it again from 14 Aug 2026, 15:30 PKT. "
        "Messages you type still reach them."
    )
    await hina.says("It's the invoice for March.")
    await bot.fake.wait_for_message(STAFF_CHAT_ID, lambda m: "invoice for March" in m.text)
    await staff_file(bot, sent[-1])
    await bot.fake.settle()
    assert [m.file_id for m in bot.fake.messages(STAFF_CHAT_ID) if m.file_id] == sent

    await bot.jump(minutes=39)  # 10:29: still ten in the last hour
    await send_document(bot, hina, name="one-more.pdf")
    assert "You can send it again from 14 Aug 2026, 15:30 PKT" in (await hina.next()).text
    await bot.jump(minutes=1)  # 10:30: the first file is an hour old
    again = await send_document(bot, hina, name="one-more.pdf")
    assert "passed it to our team" in (await hina.next("Got your")).text
    await staff_file(bot, again)
