"""FAQ self-service: the topics and a matcher from a free-text question to a topic."""

from conversations.faq.matcher import FaqMatch, FaqMatcher, default_matcher
from conversations.faq.topics import FaqTopic, get_topic, load_topics

__all__ = ["FaqMatch", "FaqMatcher", "FaqTopic", "default_matcher", "get_topic", "load_topics"]
