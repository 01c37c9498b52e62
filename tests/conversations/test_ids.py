"""Ids as customers type them."""

from __future__ import annotations

import pytest

from conversations.ids import is_bare_id, looks_like_transaction, variants


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("TX-1001", "TX-1001"),
        ("tx-1001", "TX-1001"),
        ("tx 1001", "TX-1001"),
        ("TX1001", "TX-1001"),
        ("#TX_1001", "TX-1001"),
        ("cmp 1006", "CMP-1006"),
        ("my transaction id is tx 1001", "TX-1001"),
        ("TX-1001.", "TX-1001"),
        ("ORD-2025-0042", "ORD-2025-0042"),
    ],
)
def test_what_a_customer_types_includes_the_id_they_mean(typed: str, meant: str) -> None:
    assert meant in variants(typed)


def test_the_literal_form_is_tried_first_and_nonsense_gives_nothing() -> None:
    assert variants("TX1001")[0] == "TX1001"
    assert variants("what is this??") == []
    assert variants("") == []


@pytest.mark.parametrize(
    ("typed", "bare", "transaction"),
    [
        ("TX-1001", True, True),
        ("tx 1001", True, True),
        ("#TX1001.", True, True),
        ("CMP-2001", True, False),
        ("hi5", True, False),
        ("how long does a refund take?", False, False),
        ("my transaction is TX-1001", False, False),
        ("0300 1234567", False, False),
        ("hello", False, False),
    ],
)
def test_a_message_that_is_only_an_id(typed: str, bare: bool, transaction: bool) -> None:
    assert is_bare_id(typed) is bare
    assert looks_like_transaction(typed) is transaction
