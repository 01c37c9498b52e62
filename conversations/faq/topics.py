"""FAQ topics and the matching vocabulary, loaded from the package data file faq.json."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

NEXT_STEPS: Final = frozenset({"claim", "status", "human", "menu", "faq"})
MAX_TITLE_LENGTH: Final = 30  # a Telegram button label that fits on a phone


@dataclass(frozen=True)
class FaqTopic:
    id: str
    title: str
    answer: str
    next_step: str  # one of NEXT_STEPS: what the chat offers after the answer


@dataclass(frozen=True)
class TopicRule:
    """How the matcher recognises one topic."""

    topic_id: str
    # Any one group whose concepts are all present opens the topic; without that it scores 0.
    requires: tuple[frozenset[str], ...]
    keywords: Mapping[str, float]  # concept -> weight; a negative weight points away
    related: tuple[str, ...]  # offered alongside when the matcher is unsure
    examples: tuple[str, ...]


@dataclass(frozen=True)
class FaqData:
    topics: tuple[FaqTopic, ...]
    rules: Mapping[str, TopicRule]
    spellings: Mapping[str, str]  # variant spelling -> canonical word
    concepts: Mapping[str, tuple[str, ...]]  # concept -> phrases
    implies: Mapping[str, tuple[str, ...]]  # concept -> concepts it brings along


@cache
def load_faq_data() -> FaqData:
    """The parsed and checked contents of conversations/data/faq.json."""
    text = resources.files("conversations").joinpath("data", "faq.json").read_text("utf-8")
    return parse_faq_data(json.loads(text))


def load_topics() -> tuple[FaqTopic, ...]:
    """All FAQ topics, in menu order."""
    return load_faq_data().topics


def get_topic(topic_id: str) -> FaqTopic | None:
    """The topic with this id, or None."""
    return next((t for t in load_topics() if t.id == topic_id), None)


def parse_faq_data(raw: Any) -> FaqData:
    """Check the shape of the FAQ document; a broken data file fails loudly at start-up."""
    doc = _mapping(raw, "faq.json")
    spellings: dict[str, str] = {}
    for canonical, variants in _mapping(doc.get("spellings", {}), "spellings").items():
        for variant in _str_list(variants, f"spellings.{canonical}"):
            spellings[variant] = canonical
    concepts = {
        name: tuple(_str_list(phrases, f"concepts.{name}"))
        for name, phrases in _mapping(doc.get("concepts"), "concepts").items()
    }
    implies = {
        name: tuple(_str_list(targets, f"implies.{name}"))
        for name, targets in _mapping(doc.get("implies", {}), "implies").items()
    }
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
    _check_references(rules, concepts, implies)
    return FaqData(tuple(topics), rules, spellings, concepts, implies)


def _parse_topic(item: Mapping[str, Any]) -> tuple[FaqTopic, TopicRule]:
    topic_id = _str(item.get("id"), "topic id")
    where = f"topic {topic_id!r}"
    topic = FaqTopic(
        id=topic_id,
        title=_str(item.get("title"), f"{where} title"),
        answer=_str(item.get("answer"), f"{where} answer"),
        next_step=_str(item.get("next_step"), f"{where} next_step"),
    )
    if len(topic.title) > MAX_TITLE_LENGTH:
        raise ValueError(f"faq.json: {where} title is longer than {MAX_TITLE_LENGTH} characters")
    if topic.next_step not in NEXT_STEPS:
        raise ValueError(f"faq.json: {where} next_step must be one of {sorted(NEXT_STEPS)}")
    raw_requires = item.get("requires")
    if not isinstance(raw_requires, list) or not raw_requires:
        raise ValueError(f"faq.json: {where} requires must be a non-empty list")
    keywords: dict[str, float] = {}
    for concept, weight in _mapping(item.get("keywords"), f"{where} keywords").items():
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise ValueError(f"faq.json: {where} keyword {concept!r} needs a number")
        keywords[concept] = float(weight)
    rule = TopicRule(
        topic_id=topic_id,
        requires=tuple(frozenset(_str_list(group, f"{where} requires")) for group in raw_requires),
        keywords=keywords,
        related=tuple(_str_list(item.get("related", []), f"{where} related")),
        examples=tuple(_str_list(item.get("examples", []), f"{where} examples")),
    )
    return topic, rule


def _check_references(
    rules: Mapping[str, TopicRule],
    concepts: Mapping[str, tuple[str, ...]],
    implies: Mapping[str, tuple[str, ...]],
) -> None:
    for rule in rules.values():
        named = set(rule.keywords).union(*rule.requires)
        unknown = sorted(named - set(concepts))
        if unknown:
            raise ValueError(f"faq.json: topic {rule.topic_id!r} names unknown concepts {unknown}")
        missing = sorted(set(rule.related) - set(rules))
        if missing:
            raise ValueError(f"faq.json: topic {rule.topic_id!r} relates to unknown {missing}")
    for name, targets in implies.items():
        unknown = sorted(({name} | set(targets)) - set(concepts))
        if unknown:
            raise ValueError(f"faq.json: implies names unknown concepts {unknown}")


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
