"""A fake Telegram Bot API server for end-to-end tests with the real PTB client."""

from .models import (
    ApiError,
    CallbackAnswer,
    EarlyRetry,
    FakeChat,
    FakeUser,
    RateLimitHit,
    RecordedCall,
    RecordedMessage,
    WebhookDelivery,
)
from .server import DEFAULT_TOKEN, FakeTelegram

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "CallbackAnswer",
    "EarlyRetry",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "RateLimitHit",
    "RecordedCall",
    "RecordedMessage",
    "WebhookDelivery",
]
