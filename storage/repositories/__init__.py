"""Repositories: one module per port, all SQL behind them."""

from storage.repositories.claims import ClaimRepositorySql
from storage.repositories.conversations import ConversationRepositorySql
from storage.repositories.ledger import LedgerRepository
from storage.repositories.messages import MessageRefRepository
from storage.repositories.outbox import OutboxRepositorySql

__all__ = [
    "ClaimRepositorySql",
    "ConversationRepositorySql",
    "LedgerRepository",
    "MessageRefRepository",
    "OutboxRepositorySql",
]
