"""Telegram's flood limits as sliding windows, on a clock that tests may compress."""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field

DEFAULT_LIMITED_METHODS = frozenset({"sendMessage", "editMessageText"})


@dataclass
class _Rule:
    max_calls: int
    window: float
    """Telegram seconds."""
    groups_only: bool


@dataclass
class FloodLimits:
    """Counts accepted calls per chat and says when one more would exceed a limit."""

    time_scale: float = 1.0
    methods: frozenset[str] = DEFAULT_LIMITED_METHODS
    _rules: list[_Rule] = field(default_factory=list)
    # The bot's overall rate, over every chat: (max_calls, window in Telegram seconds).
    overall: tuple[int, float] | None = None
    _all: deque[float] = field(default_factory=deque)
    _sent: defaultdict[int | str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def add_rule(self, max_calls: int, window: float, groups_only: bool) -> None:
        """Enforce at most max_calls per chat in any window (Telegram seconds)."""
        self._rules.append(_Rule(max_calls, window, groups_only))

    def applies(self, method: str, chat_id: int | str | None) -> bool:
        """Whether this call counts against the limits at all."""
        has_rules = bool(self._rules) or self.overall is not None
        return has_rules and chat_id is not None and method in self.methods

    def check(self, chat_id: int | str, now: float) -> int | None:
        """Real seconds (ceil, at least 1) until the call would be allowed, or None and count it."""
        sent = self._sent[chat_id]
        is_group = isinstance(chat_id, str) or chat_id < 0
        longest = max((r.window for r in self._rules), default=1.0) / self.time_scale
        while sent and sent[0] <= now - longest:
            sent.popleft()
        wait = 0.0
        for rule in self._rules:
            if rule.groups_only and not is_group:
                continue
            window = rule.window / self.time_scale
            in_window = [t for t in sent if t > now - window]
            if len(in_window) >= rule.max_calls:
                frees_at = in_window[len(in_window) - rule.max_calls] + window
                wait = max(wait, frees_at - now)
        if self.overall is not None:
            max_calls, window = self.overall[0], self.overall[1] / self.time_scale
            while self._all and self._all[0] <= now - window:
                self._all.popleft()
            if len(self._all) >= max_calls:
                wait = max(wait, self._all[len(self._all) - max_calls] + window - now)
        if wait > 0:
            return max(1, math.ceil(wait))
        sent.append(now)
        if self.overall is not None:
            self._all.append(now)
        return None
