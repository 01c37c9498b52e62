"""The `fake_telegram` pytest fixture: a started fake Bot API server, stopped afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .server import FakeTelegram


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A fresh fake Telegram server on an ephemeral 127.0.0.1 port."""
    async with FakeTelegram() as fake:
        yield fake
