"""The fake Bot API server, exercised by the real python-telegram-bot client over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, InvalidToken, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.aiohttp_request import AiohttpRequest
from tests.fake_telegram import FakeTelegram

SHOUT = InlineKeyboardMarkup([[InlineKeyboardButton("Shout it", callback_data="shout")]])


def echo_app(fake: FakeTelegram, rate_limiter: AIORateLimiter | None = None) -> Application:
    """An echo bot: replies to text with a Shout button; the button upper-cases the reply."""
    builder = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
    )
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    seen: list[int] = []
    app.bot_data["seen"] = seen

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.update_id)
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"echo: {update.effective_message.text}", reply_markup=SHOUT
        )

    async def shout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer("Shouting")
        await query.edit_message_text(str(query.message.text).upper())

    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(shout))
    return app


@asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    """The app initialized, started and long-polling; stopped on exit."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@asynccontextmanager
async def plain_bot(fake: FakeTelegram, token: str | None = None) -> AsyncIterator[Bot]:
    """A bare PTB Bot pointed at the fake."""
    async with Bot(token or fake.token, base_url=fake.base_url) as bot:
        yield bot


async def test_text_round_trip(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.user(1001, "Ann", "ann")
    async with polling(echo_app(fake_telegram)):
        await fake_telegram.send_text(ann.id, ann, "hello")
        reply = await fake_telegram.wait_for_message(ann.id)
    assert reply.text == "echo: hello"
    assert reply.buttons == [[("Shout it", "shout")]]
    assert fake_telegram.unconsumed(ann.id) == []


async def test_button_press_is_answered_and_edits_the_message_in_place(
    fake_telegram: FakeTelegram,
) -> None:
    ann = fake_telegram.user(1001, "Ann")
    async with polling(echo_app(fake_telegram)):
        await fake_telegram.send_text(ann.id, ann, "hello")
        reply = await fake_telegram.wait_for_message(ann.id)
        await fake_telegram.press(ann.id, ann, reply.message_id, reply.button("Shout"))
        answer = await fake_telegram.wait_for_callback_answer()
        edited = await fake_telegram.wait_for_edit(ann.id, reply.message_id)
        await fake_telegram.settle()
    assert answer.text == "Shouting" and not answer.show_alert
    assert edited.text == "ECHO: HELLO"
    assert edited.edits == ["echo: hello"]
    assert edited.buttons == []
    assert [m.message_id for m in fake_telegram.messages(ann.id)] == [reply.message_id]


async def test_pressing_a_button_that_is_not_there_fails_the_test(
    fake_telegram: FakeTelegram,
) -> None:
    ann = fake_telegram.user(1001, "Ann")
    fake_telegram.private_chat(ann)
    async with plain_bot(fake_telegram) as bot:
        sent = await bot.send_message(ann.id, "no buttons here")
    with pytest.raises(AssertionError, match="no button"):
        await fake_telegram.press(ann.id, ann, sent.message_id, "shout")


async def test_injected_429_raises_retry_after_and_an_early_retry_is_recorded(
    fake_telegram: FakeTelegram,
) -> None:
    ann = fake_telegram.user(1001, "Ann")
    fake_telegram.private_chat(ann)
    fake_telegram.fail_next("sendMessage", error_code=429, retry_after=5)
    async with plain_bot(fake_telegram) as bot:
        with pytest.raises(RetryAfter):
            await bot.send_message(ann.id, "first")
        assert fake_telegram.early_retries == []
        with pytest.raises(RetryAfter):
            await bot.send_message(ann.id, "too soon")
    assert [h.retry_after for h in fake_telegram.rate_limit_hits] == [5, 5]
    assert [(e.chat_id, e.method) for e in fake_telegram.early_retries] == [(ann.id, "sendMessage")]
    assert fake_telegram.messages(ann.id) == []


async def test_rate_limiter_waits_out_retry_after_and_then_succeeds(
    fake_telegram: FakeTelegram,
) -> None:
    ann = fake_telegram.user(1001, "Ann")
    fake_telegram.fail_next("sendMessage", error_code=429, retry_after=1)
    app = echo_app(fake_telegram, AIORateLimiter(max_retries=1))
    async with polling(app):
        await fake_telegram.send_text(ann.id, ann, "hello")
        reply = await fake_telegram.wait_for_message(ann.id)
    assert reply.text == "echo: hello"
    assert len(fake_telegram.rate_limit_hits) == 1
    assert fake_telegram.early_retries == []


async def test_group_limit_on_a_compressed_clock(fake_telegram: FakeTelegram) -> None:
    fake_telegram.time_scale = 60  # a Telegram minute lasts one real second
    fake_telegram.limit_group_messages(per_minute=2)
    staff = fake_telegram.group(-100123, "Staff")
    async with plain_bot(fake_telegram) as bot:
        await bot.send_message(staff.id, "one")
        await bot.send_message(staff.id, "two")
        with pytest.raises(RetryAfter):
            await bot.send_message(staff.id, "three")
        hit = fake_telegram.rate_limit_hits[-1]
        assert hit.retry_after == 1 and not hit.injected
        await asyncio.sleep(max(0.0, hit.deadline - time.monotonic()) + 0.01)
        await bot.send_message(staff.id, "three, later")
    assert [m.text for m in fake_telegram.messages(staff.id)] == ["one", "two", "three, later"]
    assert fake_telegram.early_retries == []


async def test_long_poll_returns_empty_after_timeout_and_early_on_an_update(
    fake_telegram: FakeTelegram,
) -> None:
    ann = fake_telegram.user(1001, "Ann")
    async with plain_bot(fake_telegram) as bot:
        assert await bot.get_updates(timeout=1) == ()
        waiting = asyncio.create_task(bot.get_updates(timeout=10))
        await fake_telegram.wait_for_call("getUpdates")  # the first, empty poll
        update_id = await fake_telegram.send_text(ann.id, ann, "/start")
        updates = await asyncio.wait_for(waiting, timeout=3)
    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message is not None and message.text == "/start"
    assert message.entities[0].type == "bot_command"


async def test_offset_confirms_and_redelivery_repeats_an_update(
    fake_telegram: FakeTelegram,
) -> None:
    ann = fake_telegram.user(1001, "Ann")
    app = echo_app(fake_telegram)
    async with polling(app):
        update_id = await fake_telegram.send_text(ann.id, ann, "hello")
        await fake_telegram.wait_for_message(ann.id)
        fake_telegram.redeliver(update_id)
        again = await fake_telegram.wait_for_message(ann.id)
        await fake_telegram.settle()
    assert again.text == "echo: hello"
    assert app.bot_data["seen"] == [update_id, update_id]
    assert fake_telegram.pending_updates() == []


async def test_a_user_photo_can_be_downloaded(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.user(1001, "Ann")
    await fake_telegram.send_photo(ann.id, ann, caption="receipt", content=b"PNG-bytes")
    async with Bot(
        fake_telegram.token,
        base_url=fake_telegram.base_url,
        base_file_url=fake_telegram.base_file_url,
    ) as bot:
        (update,) = await bot.get_updates(timeout=0)
        assert update.message is not None and update.message.caption == "receipt"
        file = await bot.get_file(update.message.photo[-1].file_id)
        assert bytes(await file.download_as_bytearray()) == b"PNG-bytes"


# PTB's default transport, and the bot's own (bot/aiohttp_request.py).
@pytest.mark.parametrize("transport", [HTTPXRequest, AiohttpRequest])
async def test_a_late_answer_times_out_although_the_message_was_sent(
    fake_telegram: FakeTelegram, transport: type[HTTPXRequest] | type[AiohttpRequest]
) -> None:
    ann = fake_telegram.user(1001, "Ann")
    fake_telegram.private_chat(ann)
    fake_telegram.fail_next("sendMessage", delay=0.5)
    request = transport(read_timeout=0.2)
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url, request=request) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(ann.id, "did it arrive?")
    assert [m.text for m in fake_telegram.messages(ann.id)] == ["did it arrive?"]


async def test_wrong_token_is_unauthorized(fake_telegram: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with plain_bot(fake_telegram, token="42:wrong") as bot:
            await bot.get_me()


async def test_unknown_method_and_json_bodies(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.user(1001, "Ann")
    fake_telegram.private_chat(ann)
    base = f"{fake_telegram.base_url}{fake_telegram.token}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/fooBar", json={}) as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.post(f"{base}/sendMessage", json={"chat_id": ann.id, "text": "1"}) as resp:
            body = await resp.json()
    assert body["ok"] and body["result"]["text"] == "1"
    assert fake_telegram.messages(ann.id)[0].text == "1"


async def test_bad_requests_read_like_telegram(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.user(1001, "Ann")
    fake_telegram.private_chat(ann)
    async with plain_bot(fake_telegram) as bot:
        sent = await bot.send_message(ann.id, "<b>Total</b>: 5 &lt; 6", parse_mode="HTML")
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text(
                "<b>Total</b>: 5 &lt; 6", ann.id, sent.message_id, parse_mode="HTML"
            )
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("new", ann.id, 999)
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(ann.id, "x" * 4097)
        with pytest.raises(BadRequest, match="Can't parse entities"):
            await bot.send_message(ann.id, "5 < 6", parse_mode="HTML")
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(-5, "hello")
    assert [m.text for m in fake_telegram.messages(ann.id)] == ["Total: 5 < 6"]


async def test_forum_topics_and_threads(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.user(1001, "Ann")
    staff = fake_telegram.group(-100777, "Staff", is_forum=True)
    async with polling(echo_app(fake_telegram)) as app:
        topic = await app.bot.create_forum_topic(staff.id, "Claim 17")
        await fake_telegram.send_text(
            staff.id, ann, "in the topic", message_thread_id=topic.message_thread_id
        )
        reply = await fake_telegram.wait_for_message(staff.id)
    assert fake_telegram.topics(staff.id) == {topic.message_thread_id: "Claim 17"}
    assert reply.thread_id == topic.message_thread_id


async def test_webhook_post_helper_and_webhook_delivery(fake_telegram: FakeTelegram) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []

    async def hook(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        if secret != "s3cret":
            return web.Response(status=403)
        received.append((secret, await request.json()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        assert await fake_telegram.post_update_to(url, {"update_id": 1}, "s3cret") == (200, "ok")
        assert (await fake_telegram.post_update_to(url, {"update_id": 2}))[0] == 403

        ann = fake_telegram.user(1001, "Ann")
        async with plain_bot(fake_telegram) as bot:
            await bot.set_webhook(url, secret_token="s3cret")
            update_id = await fake_telegram.send_text(ann.id, ann, "via webhook")
            await fake_telegram.settle()
            info = await bot.get_webhook_info()
            await bot.delete_webhook()
    finally:
        await runner.cleanup()
    assert [body["update_id"] for _, body in received] == [1, update_id]
    assert info.url == url and info.pending_update_count == 0
    assert [d.status for d in fake_telegram.webhook_deliveries] == [200]
