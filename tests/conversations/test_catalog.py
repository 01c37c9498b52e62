"""The customer message catalog: every sentence has its Urdu, with the same placeholders."""

from __future__ import annotations

import ast
import gettext
import re
import string
import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from conversations import i18n, policy
from conversations.catalog import customer as t
from conversations.catalog import policy_text
from conversations.catalog.policy_text import explain, explain_en
from conversations.i18n_extract import constants, faq_strings

ROOT = Path(__file__).resolve().parents[2]
PO = i18n.LOCALE_DIR / "ur" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What `pybabel extract -F babel.cfg` finds in the source today."""
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(out), str(ROOT)]
    )
    with out.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def urdu() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale="ur")


def _forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _symbols(text: str) -> list[str]:
    """Emoji and other pictographs (not letters, digits or punctuation)."""
    return sorted(c for c in text if unicodedata.category(c) == "So")


def test_every_message_id_has_an_urdu_translation(extracted: Catalog, urdu: Catalog) -> None:
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = urdu.get(message.id)
        if translated is None or translated.fuzzy or not all(_forms(translated)):
            missing.append(message.id)
    assert not missing, (
        f"{len(missing)} customer sentences have no Urdu: run pybabel extract/update, translate "
        f"them in {PO.relative_to(ROOT)} and run pybabel compile (docs/how-it-works.md): "
        f"{missing[:10]}"
    )


def test_translations_keep_the_placeholders_and_emoji(urdu: Catalog) -> None:
    wrong = []
    for message in urdu:
        if not message.id:
            continue
        english = _ids(message)
        for index, form in enumerate(_forms(message)):
            source = english[min(index, len(english) - 1)]
            if form and (_fields(form) != _fields(source) or _symbols(form) != _symbols(source)):
                wrong.append((source, form))
    assert not wrong, wrong[:5]


def test_translations_are_in_urdu_script(urdu: Catalog) -> None:
    """A sentence with English words in it is translated, not copied."""
    copied = []
    for message in urdu:
        words = re.sub(r"\{\w+\}|/\w+|TX-\d+|CMP-\d+|\S+@\S+|SMS|PTA|UTC", "", _ids(message)[0])
        if len(re.findall(r"[A-Za-z]{2,}", words)) >= 1:
            copied += [
                form
                for form in _forms(message)
                if not i18n.written_in_urdu(re.sub(r"\{\w+\}", "", form))
            ]
    assert not copied, copied[:5]


def test_the_compiled_catalog_is_the_current_po(urdu: Catalog) -> None:
    """pybabel compile was run after the last change to the .po (the .mo is what ships)."""
    compiled = gettext.translation(i18n.DOMAIN, i18n.LOCALE_DIR, [i18n.URDU])
    stale = []
    for message in urdu:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            got = [compiled.ngettext(message.id[0], message.id[1], n) for n in (1, 2)]
            if got != _forms(message):
                stale.append(message.id)
        elif compiled.gettext(message.id) != message.string:
            stale.append(message.id)
    assert not stale, f"run pybabel compile -d conversations/locale: {stale[:5]}"


def test_the_extractor_finds_every_constant_of_a_catalog_module() -> None:
    source = """
PLAIN = "A new sentence."
_PRIVATE = "not said"
LABELS = {"key": "Shown label"}
PAIRS = (("start", "Start over"),)
"""
    assert [text for _, text in constants(source)] == [
        "A new sentence.",
        "Shown label",
        "Start over",
    ]


def test_faq_titles_and_answers_are_messages() -> None:
    data = {
        "topics": [{"id": "x", "title": "A title", "answer": "An answer", "next_step": "menu"}],
        "groups": [{"id": "g", "title": "A group", "topics": ["x"]}],
    }
    assert list(faq_strings(data)) == ["A title", "An answer", "A group"]


def test_lookup_is_by_the_english_text_in_the_current_language() -> None:
    assert i18n._(t.MENU_PROMPT) == t.MENU_PROMPT
    with i18n.use(i18n.URDU):
        assert i18n._(t.MENU_PROMPT) == "آپ کیا کرنا چاہیں گے؟"
        with i18n.use(i18n.ENGLISH):
            assert i18n._(t.MENU_PROMPT) == t.MENU_PROMPT
        assert i18n.ngettext("{n} hour", "{n} hours", 1).format(n=1) == "1 گھنٹہ"
        assert i18n.ngettext("{n} hour", "{n} hours", 5).format(n=5) == "5 گھنٹے"
    assert i18n.current() == i18n.ENGLISH


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("ur", "ur"),
        ("ur-PK", "ur"),
        ("UR", "ur"),
        ("en", "en"),
        ("en-GB", "en"),
        ("pa", "en"),
        (None, "en"),
    ],
)
def test_telegram_language_code(code: str | None, language: str) -> None:
    assert i18n.language_for(code) == language


@pytest.mark.parametrize(
    ("text", "urdu"),
    [
        ("ریفنڈ کب ملے گا؟", True),
        ("TX-1001 کا ریفنڈ", True),
        ("refund kab milega", False),
        ("how do I get my refund back? ٹھیک", False),
        ("؟", False),
    ],
)
def test_urdu_script_is_recognised(text: str, urdu: bool) -> None:
    assert i18n.written_in_urdu(text) is urdu


def test_english_dates_and_numbers_are_as_before() -> None:
    moment = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert i18n.when(moment) == "25 Nov 2026, 14:00 UTC"
    assert i18n.day(date(2026, 12, 1)) == "Tue 1 Dec 2026"
    assert i18n.number(1234567) == "1,234,567"
    assert i18n.money(Decimal("1234.5"), "PKR") == "1,234.50 PKR"
    assert policy_text.format_age(timedelta(days=2, seconds=1)) == "2 days 1 second"


def test_urdu_dates_and_numbers_follow_ur_pk() -> None:
    with i18n.use(i18n.URDU):
        assert i18n.when(datetime(2026, 11, 25, 14, 0, tzinfo=UTC)) == "25 نومبر 2026، 14:00 UTC"
        assert i18n.day(date(2026, 12, 1)) == "منگل 1 دسمبر 2026"
        assert i18n.number(1234567) == "1,234,567"
        assert i18n.money(Decimal("1234.5"), "PKR") == "Rs1,234.50"
        assert policy_text.age(timedelta(days=2, seconds=1)) == "2 دن 1 سیکنڈ"
        assert policy_text.age(timedelta(days=1, hours=4, seconds=3)) == "1 دن 4 گھنٹے سے زیادہ"
        # The staff side's forms stay English whatever the turn's language.
        assert policy_text.format_when(datetime(2026, 11, 25, 14, tzinfo=UTC)).endswith("UTC")
        assert policy_text.format_age(timedelta(hours=3)) == "3 hours"


def test_a_decision_is_recorded_in_english_with_the_urdu_beside_it() -> None:
    from conversations.domain import ClaimRequest, Kind, Purchase, Reason

    now = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)
    purchase = Purchase(
        transaction_id="TX-9",
        account_id="A-1",
        account_phone="+923001110001",
        account_email="a@example.com",
        purchased_at=now - timedelta(days=5),
        kind=Kind.PACKAGE,
        credits=100,
        credits_used=0,
        amount=Decimal("10"),
        currency="USD",
    )
    request = ClaimRequest("TX-9", Reason.OUTAGE, now)
    with i18n.use(i18n.URDU):  # whatever language the turn is in
        decision = policy.decide(request, purchase, None, ())
    failed = decision.failed_clause
    assert failed is not None and failed.id == "C-WINDOW"
    # The decision holds facts; each reader's language words them when shown.
    assert explain(failed).startswith("You bought these credits 5 days ago")
    with i18n.use("ur"):
        assert explain(failed).startswith("آپ نے یہ کریڈٹس 5 دن پہلے")
    assert explain_en(failed) == explain(failed)


# Customer catalogs, and the uses of them that are deliberately not translated where they stand.
_CUSTOMER_CATALOGS = {"customer", "decisions", "faq_text", "language", "policy_text"}
_UNTRANSLATED_ON_PURPOSE = {
    ("conversations/chat/keyboards.py", "BTN_CLAIM"),  # _NEXT_STEP_BUTTONS, labels for _b()
    ("conversations/chat/keyboards.py", "BTN_STATUS"),
    ("conversations/chat/keyboards.py", "BTN_HUMAN"),
    ("conversations/dialogue/language.py", "SWITCH_OFFER"),  # the English half of the offer
}
_TRANSLATING = {"_", "_b", "ngettext"}


def _calls_translation(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name in _TRANSLATING


def test_customer_sentences_are_said_through_the_catalog() -> None:
    """`t.WELCOME` is said as `_(t.WELCOME)`: a bare use would reach an Urdu customer in English.

    The staff side (conversations/staff, staff_desk, the staff catalog) is English and not checked.
    """
    bare = []
    for path in sorted([*(ROOT / "conversations").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(
            ("conversations/catalog/", "conversations/staff/", "conversations/staff_desk/")
        ):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "conversations.catalog"
            for alias in node.names
            if alias.name in _CUSTOMER_CATALOGS
        }
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.isupper()
            ):
                continue
            if (relative, node.attr) in _UNTRANSLATED_ON_PURPOSE:
                continue
            ancestor: ast.AST | None = parents.get(node)
            while ancestor is not None and not _calls_translation(ancestor):
                ancestor = parents.get(ancestor)
            if ancestor is None:
                bare.append(f"{relative}:{node.lineno} {node.value.id}.{node.attr}")
    assert not bare, bare
