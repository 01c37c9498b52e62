"""Kept for importers of the old path; the events live in conversations.chat.events."""

from conversations.chat.events import EventKind, Inbound, Sender

__all__ = ["EventKind", "Inbound", "Sender"]
