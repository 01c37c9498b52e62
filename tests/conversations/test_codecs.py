"""The string protocols: staff button data and message refs read back what was written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations import refs
from conversations.staff import callbacks
from conversations.staff.numbers import claim_number, credits, credits_and_reason


@given(
    verb=st.sampled_from(["take", "approve", "approveok", "rj", "credits", "overrule", "q"]),
    target=st.integers(0, 2**31 - 1),
    extra=st.one_of(st.none(), st.integers(0, 10**9), st.sampled_from(["window", "carrier"])),
)
def test_staff_button_data_round_trips(verb: str, target: int, extra: int | str | None) -> None:
    data = callbacks.must(verb, target, extra)

    assert len(data.encode()) <= 64
    assert callbacks.decode(data) == callbacks.StaffPress(
        verb, str(target), "" if extra is None else str(extra)
    )


def test_an_incident_id_keeps_its_colons_and_a_long_one_gets_no_button() -> None:
    data = callbacks.must(callbacks.BULK, "INC:2026:11")

    assert callbacks.decode(data) == callbacks.StaffPress("bulk", "INC:2026:11")
    assert callbacks.encode(callbacks.BULK_CONFIRMED, "I" * 64) is None
    assert callbacks.encode(callbacks.BULK_CONFIRMED, "ش" * 28) is None  # 56 bytes of Urdu


@pytest.mark.parametrize("data", ["", "m:faq", "faq:refund-policy", "st"])
def test_customer_and_broken_data_is_not_staff_data(data: str) -> None:
    assert callbacks.decode(data) is None


@given(number=st.integers(-(10**15), 10**15))
def test_refs_round_trip(number: int) -> None:
    assert refs.parse(refs.relay(number)) == refs.Ref(refs.Kind.RELAY, number)
    if number >= 0:
        assert refs.parse(refs.card(number)) == refs.Ref(refs.Kind.CARD, number)
        assert refs.parse(refs.topic(number)) == refs.Ref(refs.Kind.TOPIC, number)
        for what in refs.Prompt:
            assert refs.parse(refs.prompt(what, number)) == refs.Ref(refs.Kind.PROMPT, number, what)


@pytest.mark.parametrize(
    "ref", ["digest:202611301200", "card:", "card:x", "prompt:dance:3", "prompt:ask:", "nope:1"]
)
def test_refs_that_mean_nothing_parse_to_none(ref: str) -> None:
    assert refs.parse(ref) is None


def test_a_digest_ref_names_its_half_hour() -> None:
    at = datetime(2026, 11, 30, 12, 47, 13, tzinfo=UTC)
    assert refs.digest(at) == "digest:202611301230"


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), ("#12", 12), (" 7 ", 7), ("²", None), ("٣", None), ("9" * 23, None), ("-1", None)],
)
def test_claim_numbers_are_ascii_digits_within_the_database_range(
    text: str, number: int | None
) -> None:
    assert claim_number(text) == number


@pytest.mark.parametrize(
    ("text", "amount"), [("40", 40), ("1,200", 1200), ("1,20", None), ("²", None), ("4 0", None)]
)
def test_credits_as_staff_type_them(text: str, amount: int | None) -> None:
    assert credits(text) == amount


def test_overrule_answers_need_credits_and_words() -> None:
    assert credits_and_reason("40 our route was down") == (40, "our route was down")
    assert credits_and_reason("1,000   the Jazz gateway\nfailed") == (
        1000,
        "the Jazz gateway\nfailed",
    )
    assert credits_and_reason("40") is None
    assert credits_and_reason("lots, the carrier was ours") is None
