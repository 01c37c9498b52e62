"""FAQ self-service: the topics and a matcher from a free-text question to a topic."""

from conversations.faq.matcher import FaqMatch, FaqMatcher, default_matcher
from conversations.faq.topics import (
    FaqGroup,
    FaqTopic,
    get_group,
    get_topic,
    load_groups,
    load_topics,
)

__all__ = [
    "FaqGroup",
    "FaqMatch",
    "FaqMatcher",
    "FaqTopic",
    "default_matcher",
    "get_group",
    "get_topic",
    "load_groups",
    "load_topics",
]
