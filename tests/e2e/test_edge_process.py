"""`refundbot run` as a process meets bad input; `refundbot inbox` lists what it skipped."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from tests.cli.cli_process import ProcessCli
from tests.e2e.processes import WEBHOOK_SECRET, Spawn, free_port, wait_listening, webhook_env
from tests.e2e.test_edge import OLD_POLL, contact_without_first_name, post_head, raw_request
from tests.fake_telegram import FakeTelegram

CUSTOMER = 4343


@pytest.fixture
def base_env(fake_telegram: FakeTelegram, database_url: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        "DATABASE_URL": database_url,
        "STAFF_CHAT_ID": "",
    }


def assert_quiet_about_it(output: str, update_id: int) -> None:
    """One line about the update, and nothing of what it held."""
    lines = [line for line in output.splitlines() if f"update {update_id} cannot be read" in line]
    assert len(lines) == 1, output
    assert "CRITICAL" not in output and "Error while parsing" not in output, output
    assert "phone_number" not in output and "Traceback" not in output, output


async def test_a_polling_bot_skips_an_unreadable_update_and_lists_it(
    fake_telegram: FakeTelegram,
    base_env: dict[str, str],
    spawn: Spawn,
    database_url: str,
    tmp_path: Path,
) -> None:
    user = fake_telegram.user(CUSTOMER, "Pat")
    fake_telegram.private_chat(user)
    bad = fake_telegram.queue_raw_update(contact_without_first_name(CUSTOMER))
    poll = fake_telegram.queue_raw_update(OLD_POLL)
    await fake_telegram.send_text(CUSTOMER, user, "/start")
    bot = await spawn(base_env)
    reply = await fake_telegram.wait_for_message(CUSTOMER, timeout=30)
    assert "refund desk" in reply.text
    await fake_telegram.wait_until_confirmed(poll, timeout=10)
    output = await bot.stop()
    assert bot.process.returncode == 0, output
    assert_quiet_about_it(output, bad)
    assert_quiet_about_it(output, poll)
    assert "open-file limit" in output

    cli = ProcessCli(database_url, tmp_path)
    listed = cli("inbox", "failed", "--json")
    assert listed.code == 0, listed.err
    rows = {row["update_id"]: row for row in listed.json()}
    assert set(rows) == {bad, poll}
    assert rows[bad]["chat_id"] == CUSTOMER
    assert "Contact" in rows[bad]["reason"]
    assert "3001234567" not in listed.out

    text = cli("inbox", "failed")
    assert f"{bad}  " in text.out and f"chat {CUSTOMER}" in text.out
    assert "2 failed update(s)" in text.out

    retried = cli("inbox", "retry", str(poll))
    assert retried.code == 0, retried.err
    assert [row["update_id"] for row in cli("inbox", "failed", "--json").json()] == [bad]
    # Still unreadable: the next start reads it again, skips it again and lists it again.
    bot = await spawn(base_env)
    await fake_telegram.settle(quiet=1.0, timeout=30)
    for _ in range(50):
        if len(cli("inbox", "failed", "--json").json()) == 2:
            break
        await asyncio.sleep(0.2)
    assert {row["update_id"] for row in cli("inbox", "failed", "--json").json()} == {bad, poll}
    await bot.stop()

    missing = cli("inbox", "retry", "123")
    assert missing.code == 1
    assert "no failed update 123" in missing.err


async def test_a_webhook_bot_answers_200_to_an_unreadable_update_and_403_to_any_bad_secret(
    fake_telegram: FakeTelegram, base_env: dict[str, str], spawn: Spawn
) -> None:
    port = free_port()
    bot = await spawn(webhook_env(base_env, port))
    await fake_telegram.wait_for_call("setWebhook", timeout=30)
    await wait_listening(port)
    url = f"http://127.0.0.1:{port}/hook"
    body = b'{"update_id": 1, "message": {}}'
    for secret in ("wrong-ä".encode(), b"\xff\xfe", WEBHOOK_SECRET.encode() + b"\x80"):
        assert await raw_request(port, post_head(body, secret), body) == 403
    bad = {"update_id": 880001, **contact_without_first_name(CUSTOMER)}
    status, _ = await fake_telegram.post_update_to(url, bad, secret_token=WEBHOOK_SECRET)
    assert status == 200
    user = fake_telegram.user(CUSTOMER, "Pat")
    fake_telegram.private_chat(user)
    await fake_telegram.send_text(CUSTOMER, user, "/help")
    reply = await fake_telegram.wait_for_message(CUSTOMER, timeout=15)
    assert "/claim" in reply.text
    # Clients halfway through a request do not hold up SIGTERM.
    tricklers = [await asyncio.open_connection("127.0.0.1", port) for _ in range(5)]
    for _, writer in tricklers:
        writer.write(b"POST /hook HTTP/1.1\r\nHost: x\r\n")
    loop = asyncio.get_running_loop()
    stopping = loop.time()
    output = await bot.stop()
    assert loop.time() - stopping < 8, output
    assert bot.process.returncode == 0, output
    assert_quiet_about_it(output, 880001)
    for _, writer in tricklers:
        writer.close()


def _listening_on(port: int) -> set[str]:
    """The local addresses a TCP socket listens on at this port (Linux's /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/net/tcp")
@pytest.mark.parametrize(("listen", "expected"), [(None, "127.0.0.1"), ("0.0.0.0", "0.0.0.0")])
async def test_metrics_in_polling_mode_listen_on_this_host_only_unless_told(
    base_env: dict[str, str], spawn: Spawn, listen: str | None, expected: str
) -> None:
    port = free_port()
    env = {**base_env, "METRICS_PORT": str(port)}
    if listen is not None:
        env["METRICS_LISTEN"] = listen
    bot = await spawn(env)
    await wait_listening(port)
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        assert response.status == 200
    assert _listening_on(port) == {expected}
    output = await bot.stop()
    assert f"metrics on {expected}:{port}" in output


class TcpProxy:
    """Forwards a port to PostgreSQL until cut, as a network or server failure would."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers += [writer, up_writer]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        await self._server.wait_closed()


async def test_a_database_outage_under_a_webhook_storm_logs_a_line_a_second(
    fake_telegram: FakeTelegram, base_env: dict[str, str], spawn: Spawn, database_url: str
) -> None:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("cuts the connection to PostgreSQL")
    proxy = TcpProxy(url.port or 5432)
    await proxy.start()
    through_proxy = url.set(host="127.0.0.1", port=proxy.port)
    env = {**base_env, "DATABASE_URL": through_proxy.render_as_string(hide_password=False)}
    port = free_port()
    bot = await spawn(webhook_env(env, port))
    await fake_telegram.wait_for_call("setWebhook", timeout=30)
    await wait_listening(port)
    hook = f"http://127.0.0.1:{port}/hook"
    await proxy.cut()
    outage_started = len(bot.output().splitlines())
    statuses = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    n = 0
    while loop.time() - started < 3.0:
        n += 1
        update = {"update_id": 870000 + n, **contact_without_first_name(CUSTOMER)}
        update["message"]["contact"]["first_name"] = "Pat"
        status, _ = await fake_telegram.post_update_to(hook, update, secret_token=WEBHOOK_SECRET)
        statuses.append(status)
    output = await bot.stop()
    during = output.splitlines()[outage_started:]
    assert set(statuses) == {503}, statuses
    store_lines = [line for line in during if "storing updates" in line]
    assert 1 <= len(store_lines) <= 5, "\n".join(during)
    assert "phone_number" not in output and "INSERT" not in "\n".join(store_lines)
    # Hundreds of posts, and not one traceback from the door that refused them.
    assert n > 50
    assert "bot/web.py" not in output
