"""FAQ topics and the menu's groups, loaded from the package data file faq.json."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Final

NEXT_STEPS: Final = frozenset({"claim", "status", "human", "menu", "faq"})
MAX_TITLE_LENGTH: Final = 30  # a Telegram button label that fits on a phone
# Six buttons fit a phone screen without scrolling; one of them is the way back.
MAX_GROUP_TOPICS: Final = 5


@dataclass(frozen=True)
class FaqTopic:
    id: str
    title: str
    answer: str
    next_step: str  # one of NEXT_STEPS: what the chat offers after the answer
    small_talk: bool = False  # a greeting or thanks: answered, never listed or offered


@dataclass(frozen=True)
class TopicRule:
    """What the matcher needs to know about a topic besides its trained weights."""

    topic_id: str
    related: tuple[str, ...]  # offered alongside when the matcher is unsure


@dataclass(frozen=True)
class FaqGroup:
    """One button of the FAQ menu, opening a screen of its topics."""

    id: str
    title: str
    topic_ids: tuple[str, ...]


@dataclass(frozen=True)
class FaqData:
    topics: tuple[FaqTopic, ...]
    rules: Mapping[str, TopicRule]
    groups: tuple[FaqGroup, ...]


@cache
def _shipped_faq_data() -> FaqData:
    text = resources.files("conversations").joinpath("data", "faq.json").read_text("utf-8")
    return parse_faq_data(json.loads(text))


# The operator's answers (conversations.faq.overrides), when any were loaded at start.
_overridden: list[FaqData] = []


def load_faq_data() -> FaqData:
    """The parsed and checked contents of conversations/data/faq.json, with the operator's
    answers in place of the shipped ones when they were set."""
    return _overridden[-1] if _overridden else _shipped_faq_data()


def set_answers(answers: Mapping[str, str]) -> None:
    """Use these English answers (topic id -> answer) instead of the shipped ones."""
    shipped = _shipped_faq_data()
    topics = tuple(
        replace(t, answer=answers[t.id]) if t.id in answers else t for t in shipped.topics
    )
    _overridden[:] = [replace(shipped, topics=topics)] if answers else []


def load_topics() -> tuple[FaqTopic, ...]:
    """All FAQ topics, in menu order, small talk included."""
    return load_faq_data().topics


def get_topic(topic_id: str) -> FaqTopic | None:
    """The topic with this id, or None."""
    return next((t for t in load_topics() if t.id == topic_id), None)


def load_groups() -> tuple[FaqGroup, ...]:
    """The FAQ menu's groups, in menu order."""
    return load_faq_data().groups


def get_group(group_id: str) -> FaqGroup | None:
    """The group with this id, or None."""
    return next((g for g in load_groups() if g.id == group_id), None)


def parse_faq_data(raw: Any) -> FaqData:
    """Check the shape of the FAQ document; a broken data file fails loudly at start-up."""
    doc = _mapping(raw, "faq.json")
    topics: list[FaqTopic] = []
    rules: dict[str, TopicRule] = {}
    raw_topics = doc.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise ValueError("faq.json: 'topics' must be a non-empty list")
    for index, item in enumerate(raw_topics):
        topic, rule = _parse_topic(_mapping(item, f"topics[{index}]"))
        if topic.id in rules:
            raise ValueError(f"faq.json: duplicate topic id {topic.id!r}")
        topics.append(topic)
        rules[topic.id] = rule
    for rule in rules.values():
        missing = sorted(set(rule.related) - set(rules))
        if missing:
            raise ValueError(f"faq.json: topic {rule.topic_id!r} relates to unknown {missing}")
    groups = _parse_groups(doc.get("groups"), topics)
    return FaqData(tuple(topics), rules, groups)


def _parse_topic(item: Mapping[str, Any]) -> tuple[FaqTopic, TopicRule]:
    topic_id = _str(item.get("id"), "topic id")
    where = f"topic {topic_id!r}"
    small_talk = item.get("small_talk", False)
    if not isinstance(small_talk, bool):
        raise ValueError(f"faq.json: {where} small_talk must be true or false")
    topic = FaqTopic(
        id=topic_id,
        title=_str(item.get("title"), f"{where} title"),
        answer=_str(item.get("answer"), f"{where} answer"),
        next_step=_str(item.get("next_step"), f"{where} next_step"),
        small_talk=small_talk,
    )
    if len(topic.title) > MAX_TITLE_LENGTH:
        raise ValueError(f"faq.json: {where} title is longer than {MAX_TITLE_LENGTH} characters")
    if topic.next_step not in NEXT_STEPS:
        raise ValueError(f"faq.json: {where} next_step must be one of {sorted(NEXT_STEPS)}")
    related = tuple(_str_list(item.get("related", []), f"{where} related"))
    return topic, TopicRule(topic_id=topic_id, related=related)


def _parse_groups(raw: Any, topics: list[FaqTopic]) -> tuple[FaqGroup, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError("faq.json: 'groups' must be a non-empty list")
    groups: list[FaqGroup] = []
    for index, item in enumerate(raw):
        doc = _mapping(item, f"groups[{index}]")
        group = FaqGroup(
            id=_str(doc.get("id"), "group id"),
            title=_str(doc.get("title"), f"group {index} title"),
            topic_ids=tuple(_str_list(doc.get("topics"), f"group {index} topics")),
        )
        if len(group.title) > MAX_TITLE_LENGTH:
            raise ValueError(
                f"faq.json: group {group.id!r} title is longer than {MAX_TITLE_LENGTH}"
            )
        if not 0 < len(group.topic_ids) <= MAX_GROUP_TOPICS:
            raise ValueError(f"faq.json: group {group.id!r} needs 1 to {MAX_GROUP_TOPICS} topics")
        groups.append(group)
    listed = [topic_id for g in groups for topic_id in g.topic_ids]
    menu = [t.id for t in topics if not t.small_talk]
    if sorted(listed) != sorted(menu):
        raise ValueError(
            "faq.json: the groups must list every topic except small talk exactly once "
            f"(missing {sorted(set(menu) - set(listed))}, extra {sorted(set(listed) - set(menu))})"
        )
    return tuple(groups)


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"faq.json: {where} must be an object")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"faq.json: {where} must be a non-empty string")
    return value


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(f"faq.json: {where} must be a list of strings")
    return [_str(v, where) for v in value]
