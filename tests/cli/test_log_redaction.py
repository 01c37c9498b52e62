"""Logs never hold the bot token, a full phone number or a full e-mail address."""

from __future__ import annotations

import logging
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
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
        ("phone +92.300.1234567 matched", "1234567", "•••567"),
        ("phone 3001234567 matched", "3001234567", "•••567"),
        ("phone 300 1234567 matched", "1234567", "•••567"),
        ("phone 92 300 7654321 matched", "7654321", "•••321"),
        ("phone 0300-1234567 matched", "1234567", "•••567"),
        ("phone (0300) 123 4567 matched", "123 4567", "•••567"),
        ("phone 0092 300 1234567 matched", "1234567", "•••567"),
        ("phone +44 20 7946 0958 matched", "7946 0958", "•••958"),
        ("phone +1 (415) 555-0100 matched", "555-0100", "•••100"),
        ("{'phone_number': '3001234567', 'user_id': 5000000001}", "3001234567", "•••567"),
        ("mail ayşe.yılmaz@örnek.com.tr", "ayşe.yılmaz", "a•••@örnek.com.tr"),
        ("mail user@пример.рф", "user@", "u•••@пример.рф"),
        ("mail अजय@डाटा.भारत", "अजय", "अ•••@डाटा.भारत"),
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
        "chat 3001234567: lost a race; user_id=3001234567; {'id': 3001234567}",
        "listening on 127.0.0.1:8443, peer 192.168.100.200",
        "sent to @refund_desk_bot",
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


_SEPARATORS = st.sampled_from(["", " ", "-", ".", "  ", " - "])
_AROUND = st.sampled_from([("", ""), ("'", "'"), ('"', '"'), ("(", ")"), ("", ","), ("", ".")])
_WORDS = st.text(st.characters(categories=("Ll", "Lu")), min_size=1, max_size=8)


@st.composite
def pakistani_mobiles(draw: st.DrawFn) -> tuple[str, str]:
    """A PK mobile written any common way, and its national significant number."""
    number = (
        "3"
        + draw(st.sampled_from("0123456789"))
        + draw(st.text("0123456789", min_size=8, max_size=8))
    )
    prefix = draw(st.sampled_from(["+92", "0092", "92", "0", "", "+92 (0)"]))
    split = draw(st.sampled_from([(3, 7), (3, 3, 4), (10,)]))
    groups, at = [], 0
    for size in split:
        groups.append(number[at : at + size])
        at += size
    sep = draw(_SEPARATORS)
    if prefix == "0" and draw(st.booleans()):
        return f"(0{groups[0]}){sep or ' '}{sep.join(groups[1:])}", number
    head = f"{prefix}{draw(_SEPARATORS)}" if prefix else ""
    return head + sep.join(groups), number


@st.composite
def international_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """A foreign number with its +country code, grouped and separated at random."""
    country = draw(st.sampled_from(["1", "44", "49", "86", "971", "966", "880", "91"]))
    rest = draw(st.text("0123456789", min_size=8, max_size=10).filter(lambda d: d[0] != "0"))
    cuts = sorted(draw(st.sets(st.integers(1, len(rest) - 1), max_size=3)))
    parts = [rest[a:b] for a, b in zip([0, *cuts], [*cuts, len(rest)], strict=True)]
    sep = draw(_SEPARATORS)
    return f"+{country}{draw(_SEPARATORS)}{sep.join(parts)}", country + rest


@given(st.one_of(pakistani_mobiles(), international_numbers()), _AROUND, _WORDS, _WORDS)
def test_no_run_of_a_phone_numbers_digits_survives_however_it_is_written(
    written: tuple[str, str], around: tuple[str, str], before: str, after: str
) -> None:
    text, digits = written
    masked = redact(f"{before} {around[0]}{text}{around[1]} {after}")

    assert "•••" in masked
    assert "".join(c for c in masked if c.isdigit()) == digits[-3:], masked


_LETTERS = st.characters(categories=("Ll", "Lu", "Lo"))
_LOCAL_PART = st.text(
    st.one_of(_LETTERS, st.sampled_from("0123456789._+-")), min_size=2, max_size=20
)
_DOMAIN = st.lists(st.text(_LETTERS, min_size=1, max_size=10), min_size=2, max_size=3).map(".".join)


@given(_LOCAL_PART, _DOMAIN, _AROUND)
def test_any_e_mail_address_loses_its_local_part(
    local: str, domain: str, around: tuple[str, str]
) -> None:
    text = f"customer wrote {around[0]}{local}@{domain}{around[1]} today"

    assert redact(text) == f"customer wrote {around[0]}{local[0]}•••@{domain}{around[1]} today"
