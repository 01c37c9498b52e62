"""Bad input at either door (getUpdates, the webhook) is stored, logged once and skipped.

The real application polls the fake Bot API; the webhook door is the real WebServer attached
to the same application, posted to by the fake (as Telegram would) or by raw sockets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.metrics import Metrics
from bot.web import WebServer
from storage.database import Database
from tests.e2e.harness import Customer, Running
from tests.e2e.processes import free_port
from tests.storage.rows import waiting_updates

PHONE = "+923001234567"
SECRET = "s3cret-token"


def contact_without_first_name(chat_id: int) -> dict[str, Any]:
    """A shared contact in a shape PTB cannot read (no first_name): it carries a phone."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Pat"}
    return {
        "message": {
            "message_id": 77,
            "date": 1_800_000_000,
            "chat": {"id": chat_id, "type": "private", "first_name": "Pat"},
            "from": user,
            "contact": {"phone_number": PHONE, "user_id": chat_id},
        }
    }


# A poll as an older or self-hosted Bot API server sends it (options without voter_count).
OLD_POLL: dict[str, Any] = {
    "poll": {"id": "5", "question": "Refund?", "options": [{"text": "yes"}], "is_closed": False}
}


async def failed_rows(db: Database) -> list[Any]:
    async with db.reader() as uow:
        return await uow.inbox.failed()


def watch_logs(caplog: pytest.LogCaptureFixture) -> None:
    """INFO from everything; DEBUG from PTB, which would dump a raw update there."""
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="telegram")


def assert_no_personal_data(records: list[logging.LogRecord]) -> None:
    for record in records:
        text = record.getMessage() + (record.exc_text or "")
        assert "3001234567" not in text, text
        assert record.levelno < logging.CRITICAL, text


async def test_an_unreadable_update_is_stored_failed_and_polling_goes_on(
    bot: Running, caplog: pytest.LogCaptureFixture
) -> None:
    watch_logs(caplog)
    pat = Customer(bot.fake, 5101, "Pat")
    bad = bot.fake.queue_raw_update(contact_without_first_name(pat.chat_id))
    poll = bot.fake.queue_raw_update(OLD_POLL)
    # The same batch as the unreadable ones: before, none of them was ever stored.
    reply = await pat.says("/help")
    assert "/claim" in reply.text
    await bot.fake.wait_until_confirmed(poll)
    await bot.fake.settle()

    rows = {r.update_id: r for r in await failed_rows(bot.db)}
    assert set(rows) == {bad, poll}
    assert rows[bad].chat_id == pat.chat_id
    assert rows[bad].reason.startswith("unreadable update: TypeError")
    assert rows[poll].chat_id == 0
    assert await waiting_updates(bot.db) == []
    # Never applied: the customer was not told "something went wrong" either.
    assert not any("went wrong" in t for t in pat.texts())
    # One line each, naming the update, with neither the phone nor PTB's raw dump.
    lines = [r.getMessage() for r in caplog.records if "cannot be read" in r.getMessage()]
    assert len(lines) == 2 and str(bad) in lines[0] and str(poll) in lines[1], lines
    assert_no_personal_data(caplog.records)


async def test_ptbs_own_get_updates_would_not_dump_the_update_in_the_log_either(
    bot: Running, caplog: pytest.LogCaptureFixture
) -> None:
    watch_logs(caplog)
    await bot.poller.stop()
    bot.fake.queue_raw_update(contact_without_first_name(5105))
    with pytest.raises(TypeError):
        await bot.application.bot.get_updates(timeout=0)
    assert_no_personal_data(caplog.records)
    assert not any("phone_number" in r.getMessage() for r in caplog.records)


@pytest.fixture
async def webhook(bot: Running) -> AsyncIterator[tuple[WebServer, str]]:
    """The webhook door of the same application, with the poller stopped."""
    await bot.poller.stop()
    services = bot.services
    server = WebServer(
        bot.db,
        services.metrics,
        bot.clock,
        bot=bot.application.bot,
        inbox=services.inbox,
        webhook_path="hook",
        secret=SECRET,
        read_timeout=1.0,
        keepalive_timeout=2.0,
        max_connections=20,
    )
    port = free_port()
    await server.start("127.0.0.1", port)
    try:
        yield server, f"http://127.0.0.1:{port}/hook"
    finally:
        await server.stop()


async def raw_request(port: int, head: bytes, body: bytes = b"") -> int:
    """Send bytes as they are (any header bytes at all); the HTTP status that comes back."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head + body)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 5)
        return int(status_line.split()[1])
    finally:
        writer.close()


def post_head(body: bytes, secret: bytes) -> bytes:
    return (
        b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"X-Telegram-Bot-Api-Secret-Token: " + secret + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )


def port_of(url: str) -> int:
    return int(url.split(":")[2].split("/")[0])


async def test_the_webhook_stores_an_unreadable_update_as_failed_and_answers_200(
    bot: Running, webhook: tuple[WebServer, str], caplog: pytest.LogCaptureFixture
) -> None:
    watch_logs(caplog)
    _, url = webhook
    pat = Customer(bot.fake, 5102, "Pat")
    bad = {"update_id": 990001, **contact_without_first_name(pat.chat_id)}
    status, _ = await bot.fake.post_update_to(url, bad, secret_token=SECRET)
    # 200: Telegram would otherwise post it again, forever.
    assert status == 200
    status, _ = await bot.fake.post_update_to(url, bad, secret_token=SECRET)
    assert status == 200
    rows = await failed_rows(bot.db)
    assert [(r.update_id, r.chat_id) for r in rows] == [(990001, pat.chat_id)]

    # A body that is not JSON, or JSON that is no update, is refused: Telegram never sends it.
    port = port_of(url)
    assert await raw_request(port, post_head(b"{not json", SECRET.encode()), b"{not json") == 400
    assert await raw_request(port, post_head(b"[1, 2]", SECRET.encode()), b"[1, 2]") == 400

    await bot.fake.send_text(pat.chat_id, pat.user, "/help")
    update = bot.fake.pending_updates()[-1]
    status, _ = await bot.fake.post_update_to(url, update, secret_token=SECRET)
    assert status == 200
    reply = await bot.fake.wait_for_message(pat.chat_id)
    assert "/claim" in reply.text
    lines = [r.getMessage() for r in caplog.records if "cannot be read" in r.getMessage()]
    assert len(lines) == 2 and "990001" in lines[0], lines
    assert_no_personal_data(caplog.records)


@pytest.mark.parametrize(
    "secret",
    [b"", b"wrong", "s3cret-tökén".encode(), b"\xff\xfe\x80", SECRET.encode() + b"\xc3\xa9"],
)
async def test_a_wrong_secret_of_any_bytes_gets_403(
    bot: Running, webhook: tuple[WebServer, str], secret: bytes
) -> None:
    _, url = webhook
    body = b'{"update_id": 990002, "message": {"message_id": 1, "date": 1, "chat": {"id": 1}}}'
    assert await raw_request(port_of(url), post_head(body, secret), body) == 403
    assert await waiting_updates(bot.db) == []


async def test_trickling_clients_are_closed_and_a_real_update_gets_through(
    bot: Running, webhook: tuple[WebServer, str]
) -> None:
    server, url = webhook
    port = port_of(url)
    # More half-open sockets than the server takes: some send half a head, some a head and
    # half a body, some nothing at all.
    sockets = []
    for i in range(30):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        if i % 3 == 1:
            writer.write(b"POST /hook HTTP/1.1\r\nHost: x\r\nX-Slow")
        elif i % 3 == 2:
            writer.write(post_head(b"x" * 100, SECRET.encode()) + b'{"update_id"')
        await writer.drain()
        sockets.append((reader, writer))
    await asyncio.sleep(0.1)
    assert server.guard.open_connections <= 20

    # Telegram's post gets in at once: the oldest trickler makes room for it.
    pat = Customer(bot.fake, 5103, "Pat")
    await bot.fake.send_text(pat.chat_id, pat.user, "/help")
    status, _ = await bot.fake.post_update_to(
        url, bot.fake.pending_updates()[-1], secret_token=SECRET
    )
    assert status == 200
    reply = await bot.fake.wait_for_message(pat.chat_id)
    assert "/claim" in reply.text

    # Every trickler is closed within the read timeout (1 s here), plus the sweep.
    async def closed(reader: asyncio.StreamReader) -> bool:
        try:
            data = await asyncio.wait_for(reader.read(), 3.0)
        except (ConnectionError, TimeoutError):
            return isinstance(reader.exception(), ConnectionError)
        return b"HTTP/1.1 200" not in data

    started = asyncio.get_running_loop().time()
    results = await asyncio.gather(*(closed(r) for r, _ in sockets))
    elapsed = asyncio.get_running_loop().time() - started
    assert all(results)
    assert elapsed < 2.5
    assert server.guard.open_connections == 0
    for _, writer in sockets:
        writer.close()


@pytest.mark.parametrize("outage", ["postgresql", "sqlite"])
async def test_a_database_outage_logs_a_line_a_second_not_a_traceback_per_update(
    bot: Running, caplog: pytest.LogCaptureFixture, tmp_path: Path, outage: str
) -> None:
    if outage == "postgresql":
        # Nothing listens on port 1.
        unreachable = Database("postgresql+asyncpg://postgres@127.0.0.1:1/refundbot")
    else:
        folder = tmp_path / "not-a-file.db"
        folder.mkdir()
        unreachable = Database(f"sqlite+aiosqlite:///{folder}")
    await bot.poller.stop()
    services = bot.services
    server = WebServer(
        unreachable,
        Metrics(),
        bot.clock,
        bot=bot.application.bot,
        inbox=services.inbox,
        webhook_path="hook",
        secret=SECRET,
    )
    port = free_port()
    await server.start("127.0.0.1", port)
    caplog.set_level(logging.INFO)
    url = f"http://127.0.0.1:{port}/hook"
    try:
        pat = Customer(bot.fake, 5104, "Pat")
        loop = asyncio.get_running_loop()
        started = loop.time()
        statuses = []
        n = 0
        while loop.time() - started < 2.5:
            n += 1
            update = {"update_id": 991000 + n, **contact_without_first_name(pat.chat_id)}
            update["message"]["contact"]["first_name"] = "Pat"
            status, _ = await bot.fake.post_update_to(url, update, secret_token=SECRET)
            statuses.append(status)
    finally:
        await server.stop()
        await unreachable.dispose()
    # Not stored, so not acknowledged: Telegram posts them again later.
    assert set(statuses) == {503}
    assert n >= 10
    lines = [r for r in caplog.records if r.name == "bot.web"]
    assert 1 <= len(lines) <= 4, [r.getMessage() for r in lines]
    assert all(r.exc_info is None and r.exc_text is None for r in lines)
    assert "failed 1 time(s)" in lines[0].getMessage()
    counted = sum(int(r.getMessage().split(" failed ")[1].split()[0]) for r in lines)
    assert counted + server._store_failures.unreported == n
    for record in lines:
        assert "3001234567" not in record.getMessage()
        assert "INSERT" not in record.getMessage()
