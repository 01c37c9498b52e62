"""The finance export: what is owed for each claim, computed in the core for every entry point."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from conversations.business_days import refund_window
from conversations.domain import ClaimStatus
from conversations.money import pro_rata
from conversations.ports import UnitOfWork

# The export's columns, in order: the CSV header, the JSON keys.
COLUMNS = (
    "claim_id",
    "transaction_id",
    "account_id",
    "credits",
    "amount_due",
    "currency",
    "approved_at",
    "refund_from",
    "refund_by",
)


@dataclass(frozen=True)
class FinanceRow:
    claim_id: int
    transaction_id: str
    account_id: str
    credits: int
    amount_due: Decimal | None  # None when the purchase is no longer in the ledger
    currency: str
    approved_at: datetime | None
    refund_from: date | None
    refund_by: date | None

    def as_json(self) -> dict[str, int | str | None]:
        """The row by column; the amount as text, since a JSON number is a float."""
        return {
            "claim_id": self.claim_id,
            "transaction_id": self.transaction_id,
            "account_id": self.account_id,
            "credits": self.credits,
            "amount_due": None if self.amount_due is None else str(self.amount_due),
            "currency": self.currency,
            "approved_at": self.approved_at.isoformat() if self.approved_at else None,
            "refund_from": self.refund_from.isoformat() if self.refund_from else None,
            "refund_by": self.refund_by.isoformat() if self.refund_by else None,
        }

    def cells(self) -> list[int | str]:
        """The row as CSV cells, in COLUMNS order; blank where there is nothing."""
        values = self.as_json()
        return [value if value is not None else "" for value in (values[c] for c in COLUMNS)]


async def finance_rows(uow: UnitOfWork, status: ClaimStatus, home_country: str) -> list[FinanceRow]:
    """One row per claim in `status`, newest first, with the pro-rata amount due."""
    claims = list(await uow.claims.list(status))
    purchases = await uow.ledger.purchases_by_id({c.transaction_id for c in claims})
    rows: list[FinanceRow] = []
    for claim in claims:
        assert claim.id is not None
        purchase = purchases.get(claim.transaction_id)
        window = refund_window(claim.decided_at, home_country) if claim.decided_at else None
        rows.append(
            FinanceRow(
                claim_id=claim.id,
                transaction_id=claim.transaction_id,
                account_id=purchase.account_id if purchase else "",
                credits=claim.refundable_credits,
                amount_due=(
                    pro_rata(purchase.amount, claim.refundable_credits, purchase.credits)
                    if purchase
                    else None
                ),
                currency=purchase.currency if purchase else "",
                approved_at=claim.decided_at,
                refund_from=window[0] if window else None,
                refund_by=window[1] if window else None,
            )
        )
    return rows
