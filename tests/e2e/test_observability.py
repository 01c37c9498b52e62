"""/healthz and /metrics over real HTTP (webhook port, and METRICS_PORT when polling); JSON logs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.inbox import store_updates
from bot.metrics import Metrics
from bot.web import WebServer
from storage.database import Database
from tests.e2e.processes import BotProcess, free_port, wait_listening, webhook_env
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


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text()


def _samples(text: str) -> dict[str, float]:
    """Prometheus text as {'name{label="v"}': value}."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


async def test_webhook_port_serves_health_and_metrics(
    fake_telegram: FakeTelegram, base_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**webhook_env(base_env, port), "LOG_FORMAT": "json"}
    user = fake_telegram.user(CUSTOMER, "Pat")
    fake_telegram.private_chat(user)
    process = await BotProcess.start(env, tmp_path)
    try:
        await fake_telegram.wait_for_call("setWebhook", timeout=30)
        await wait_listening(port)
        status, body = await _get(f"{base}/healthz")
        assert status == 200
        health = json.loads(body)
        assert health["database"] == "ok"
        assert health["inbox_waiting"] == 0

        update_id = await fake_telegram.send_text(CUSTOMER, user, "/start")
        await fake_telegram.wait_for_message(CUSTOMER, timeout=15)
        await fake_telegram.settle()
        status, text = await _get(f"{base}/metrics")
        assert status == 200
        samples = _samples(text)
        assert samples["refundbot_updates_received_total"] == 1
        assert samples['refundbot_updates_processed_total{result="ok"}'] == 1
        assert samples["refundbot_turn_seconds_count"] == 1
        assert samples["refundbot_inbox_depth"] == 0
        assert samples["refundbot_outbox_depth"] == 0
        assert "refundbot_telegram_429_total" in samples
    finally:
        output = await process.stop()
    assert process.process.returncode == 0, output

    # LOG_FORMAT=json: every line is an object with update_id and claim_id.
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert all({"update_id", "claim_id", "level", "msg"} <= line.keys() for line in lines)
    assert any(line["update_id"] == update_id for line in lines)
    assert fake_telegram.token not in output


async def test_polling_serves_health_and_metrics_on_metrics_port(
    fake_telegram: FakeTelegram, base_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    process = await BotProcess.start({**base_env, "METRICS_PORT": str(port)}, tmp_path)
    try:
        await wait_listening(port, timeout=30)
        status, body = await _get(f"http://127.0.0.1:{port}/healthz")
        assert (status, json.loads(body)["database"]) == (200, "ok")
        status, text = await _get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert "refundbot_outbox_oldest_age_seconds" in _samples(text)
    finally:
        output = await process.stop()
    assert process.process.returncode == 0, output


@pytest.fixture
async def server_for() -> AsyncIterator[list[WebServer]]:
    servers: list[WebServer] = []
    yield servers
    for server in servers:
        await server.stop()


async def _serve(servers: list[WebServer], db: Database) -> str:
    port = free_port()
    server = WebServer(db, Metrics(), lambda: datetime.now(UTC))
    await server.start("127.0.0.1", port)
    servers.append(server)
    return f"http://127.0.0.1:{port}"


async def test_health_is_503_when_updates_wait_too_long(
    db: Database, server_for: list[WebServer]
) -> None:
    base = await _serve(server_for, db)
    # Stored five minutes ago and never taken: no worker is processing the inbox.
    then = datetime.now(UTC) - timedelta(minutes=5)
    await store_updates(db, [(1, 77, {"update_id": 1})], then)
    status, body = await _get(f"{base}/healthz")
    assert status == 503
    health = json.loads(body)
    assert health["inbox_waiting"] == 1
    assert health["inbox_oldest_age_seconds"] >= 300


async def test_health_is_503_when_the_database_is_unreachable(
    tmp_path: Path, server_for: list[WebServer]
) -> None:
    closed = free_port()
    gone = Database(f"postgresql+asyncpg://postgres@127.0.0.1:{closed}/nothing")
    try:
        base = await _serve(server_for, gone)
        status, body = await _get(f"{base}/healthz")
        assert (status, json.loads(body)["database"]) == (503, "unreachable")
        status, _ = await _get(f"{base}/metrics")
        assert status == 503
    finally:
        await gone.dispose()
