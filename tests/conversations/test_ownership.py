"""C-OWNER: the customer proves a purchase is theirs with its phone number or e-mail."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from conversations.domain import Kind, Purchase
from conversations.ownership import (
    looks_like_contact,
    normalise_phone,
    proves_ownership,
)

PURCHASE = Purchase(
    transaction_id="TX-1",
    account_id="ACC-1",
    account_phone="+923001234567",
    account_email="Ali.Khan@Example.com",
    purchased_at=datetime(2026, 11, 25, 14, 0, tzinfo=UTC),
    kind=Kind.PACKAGE,
    credits=10_000,
    credits_used=0,
    amount=Decimal("50.00"),
    currency="USD",
)


@pytest.mark.parametrize(
    "text",
    [
        "0300 1234567",
        "+92 300 1234567",
        "923001234567",
        "0092 300 1234567",
        "00923001234567",
        "  0300-123-4567 ",
        "(0300) 1234567",
    ],
)
def test_usual_pakistani_formats_normalise_to_e164(text: str) -> None:
    assert normalise_phone(text) == "+923001234567"
    assert proves_ownership(text, PURCHASE)
    assert looks_like_contact(text)


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+44 7911 123456", "PK", "+447911123456"),
        ("07911 123456", "GB", "+447911123456"),
        ("hello", "PK", None),
        ("123", "PK", None),
        ("12345", "PK", None),
        ("", "PK", None),
        ("0300 1234567 and 0300 7654321 and 0300 1111111", "PK", None),
        ("ali@example.com", "PK", None),
    ],
)
def test_normalise_phone(text: str, region: str, expected: str | None) -> None:
    assert normalise_phone(text, region) == expected


@pytest.mark.parametrize(
    ("answer", "proves"),
    [
        ("ali.khan@example.com", True),
        ("  ALI.KHAN@EXAMPLE.COM  ", True),
        ("ali@example.com", False),
        ("0300 1234568", False),  # one digit off
        ("+44 300 1234567", False),  # same digits, another country
        ("garbage", False),
        ("", False),
    ],
)
def test_proves_ownership(answer: str, proves: bool) -> None:
    assert proves_ownership(answer, PURCHASE) is proves


def test_home_country_decides_how_local_numbers_are_read() -> None:
    british = replace(PURCHASE, account_phone="+447911123456")

    assert proves_ownership("07911 123456", british, home_country="GB")
    assert not proves_ownership("07911 123456", british, home_country="PK")


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("ali@example.com", True),
        ("0300 1234568", True),  # a phone number, just not the right one
        ("hello there", False),
        ("ali@", False),
        ("TX-12345", False),
        ("42", False),
    ],
)
def test_looks_like_contact(text: str, contact: bool) -> None:
    assert looks_like_contact(text) is contact
