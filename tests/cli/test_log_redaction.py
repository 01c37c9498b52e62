"""Logs never hold the bot token, a full phone number or a full e-mail address."""

from __future__ import annotations

import logging
import sys

import pytest
from telegram.error import NetworkError

from bot.logging_setup import RedactingFilter, redact

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        (f"POST https://api.telegram.org/bot{TOKEN}/getMe", TOKEN, "/getMe"),
        ("phone +923001234567 matched", "3001234567", "•••567"),
        ("phone +92 300 1234567 matched", "300 1234567", "•••567"),
        ("phone 0300 1234567 matched", "1234567", "•••567"),
        ("phone (0300) 123-4567 matched", "123-4567", "•••567"),
        ("phone 923001234567 matched", "923001234567", "•••567"),
        ("phone tel:+447700900123", "7700900123", "•••123"),
        ("mail Ayesha.Khan@example.com", "Ayesha.Khan", "A•••@example.com"),
    ],
)
def test_secrets_and_personal_data_are_masked(text: str, hidden: str, kept: str) -> None:
    masked = redact(text)

    assert hidden not in masked
    assert kept in masked


@pytest.mark.parametrize(
    "text",
    [
        "claim 12 escalated at 2025-03-01 12:00:00+00:00",
        "purchased 2025-03-01T05:00:00Z",
        "chat -1001234567890 user 5000000001 update 812345678",
        "transaction TX-1001 account ACC-1234567890123",
        "took 1234 ms, 3 retries",
    ],
)
def test_times_and_telegram_ids_stay_readable(text: str) -> None:
    assert redact(text) == text


def test_configured_secrets_are_removed_wherever_they_appear() -> None:
    assert redact("webhook secret is s3cr3t-value!", ("s3cr3t-value",)) == (
        "webhook secret is [secret]!"
    )


def test_the_filter_masks_arguments_and_tracebacks() -> None:
    record = logging.LogRecord(
        "bot", logging.ERROR, __file__, 1, "customer %s sent %s", ("+923001234567", "x"), None
    )
    try:
        raise ValueError(f"bad token {TOKEN} for a@example.com")
    except ValueError:
        record.exc_info = sys.exc_info()

    RedactingFilter().filter(record)
    text = logging.Formatter().format(record)

    assert "3001234567" not in text
    assert TOKEN not in text
    assert "a@example.com" not in text
    assert "Traceback" in text, "a bug's traceback is kept, masked"


def test_telegram_network_trouble_is_logged_as_one_line() -> None:
    record = logging.LogRecord(
        "telegram.ext", logging.ERROR, __file__, 1, "Network Retry Loop: Aborting.", None, None
    )
    try:
        raise NetworkError(f"httpx.ConnectError: cannot reach /bot{TOKEN}/getMe")
    except NetworkError:
        record.exc_info = sys.exc_info()

    RedactingFilter().filter(record)
    text = logging.Formatter().format(record)

    assert "Traceback" not in text
    assert len(text.splitlines()) == 2
    assert "NetworkError: httpx.ConnectError" in text
    assert TOKEN not in text
