"""The policy's numbers (refund window, report window, processing days), set by the operator.

The published policy's are the defaults. The composition root sets the deployment's once
(`configure`, from DeskConfig); the rules, business days and the texts read `current()`. The
texts written with the published numbers are reworded at the edge (catalog/policy_text.reword).
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class PolicyNumbers:
    refund_window_hours: int = 48
    report_window_hours: int = 24
    first_payment_day: int = 5
    last_payment_day: int = 7

    @property
    def refund_window(self) -> timedelta:
        return timedelta(hours=self.refund_window_hours)

    @property
    def report_window(self) -> timedelta:
        return timedelta(hours=self.report_window_hours)


PUBLISHED = PolicyNumbers()
_default = PUBLISHED
_current: ContextVar[PolicyNumbers | None] = ContextVar("policy_numbers", default=None)


def configure(numbers: PolicyNumbers) -> None:
    """Set the deployment's numbers (the composition root, once at start)."""
    global _default
    _default = numbers


def current() -> PolicyNumbers:
    return _current.get() or _default


def parse_days(text: str) -> tuple[int, int]:
    """PROCESSING_DAYS: "5-7" (or "5–7", or one number "5") as (first, last) business day."""
    parts = re.split(r"\s*[-–]\s*", text.strip())
    if len(parts) > 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"expected business days like 5-7, got {text!r}")
    first, last = int(parts[0]), int(parts[-1])
    if not 1 <= first <= last <= 60:
        raise ValueError(f"expected 1 <= first <= last <= 60 business days, got {text!r}")
    return first, last
