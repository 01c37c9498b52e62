"""Money is Decimal, never float: amounts due are a share of what the customer paid."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def pro_rata(amount: Decimal, credits: int, bought: int) -> Decimal:
    """The part of `amount` that `credits` of `bought` credits cost, rounded half up to cents."""
    if bought <= 0:
        return Decimal("0.00")
    return (amount * credits / bought).quantize(CENT, rounding=ROUND_HALF_UP)
