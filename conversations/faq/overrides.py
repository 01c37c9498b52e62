"""Answers the operator writes instead of the shipped ones, in English and Urdu, checked at start.

The file (FAQ_ANSWERS_FILE) is JSON: {"processing-time": {"en": "...", "ur": "..."}, ...}.
Both languages are required for every topic named: a customer reading Urdu must never get
an English answer because an operator forgot the translation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from conversations import i18n
from conversations.faq.topics import load_faq_data, set_answers

MAX_ANSWER: Final = 3000  # well inside Telegram's 4,096 characters, with the intro above it


@dataclass(frozen=True)
class Answer:
    english: str
    urdu: str


def _has_urdu(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def parse_answers(raw: Any, where: str = "FAQ answers") -> dict[str, Answer]:
    """Checked answers by topic id; ValueError naming every problem found."""
    if not isinstance(raw, Mapping):
        raise ValueError(f'{where}: expected an object {{"topic-id": {{"en": …, "ur": …}}}}')
    known = [t.id for t in load_faq_data().topics]
    problems: list[str] = []
    out: dict[str, Answer] = {}
    for topic_id, item in raw.items():
        if topic_id not in known:
            problems.append(f"unknown topic {topic_id!r} (topics: {', '.join(known)})")
            continue
        if not isinstance(item, Mapping):
            problems.append(f"{topic_id}: expected {{'en': …, 'ur': …}}")
            continue
        english, urdu = item.get("en"), item.get("ur")
        for language, text in (("en", english), ("ur", urdu)):
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{topic_id}: the {language!r} answer is missing")
            elif len(text) > MAX_ANSWER:
                problems.append(f"{topic_id}: the {language!r} answer is over {MAX_ANSWER} chars")
        if isinstance(urdu, str) and urdu.strip() and not _has_urdu(urdu):
            problems.append(f"{topic_id}: the 'ur' answer is not in Urdu script")
        if isinstance(english, str) and isinstance(urdu, str) and english.strip() and urdu.strip():
            out[topic_id] = Answer(english.strip(), urdu.strip())
    if problems:
        raise ValueError(f"{where}: " + "; ".join(problems))
    return out


def load_answers(path: Path) -> dict[str, Answer]:
    """Read and check an answers file."""
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: cannot read the FAQ answers: {error}") from error
    return parse_answers(raw, str(path))


def apply_answers(answers: Mapping[str, Answer]) -> None:
    """Answer with these from now on, in both languages (call before the matcher is built)."""
    set_answers({topic_id: a.english for topic_id, a in answers.items()})
    i18n.set_added_translations(i18n.URDU, {a.english: a.urdu for a in answers.values()})


def reset_answers() -> None:
    """Back to the shipped answers (tests)."""
    apply_answers({})
