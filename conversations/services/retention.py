"""Retention: nothing personal is kept longer than it is needed (run by the periodic job).

Each purge goes in batches, one short transaction each, so no table is locked for long.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Protocol

from conversations.config import DeskConfig
from conversations.ports import Clock, UnitOfWork
from conversations.services.privacy import PrivacyStore, erase_trails

# An applied update's payload is needed only while it is applied (re-delivery is caught by its
# id, which stays); minutes, not days, so a crash right after still leaves it to inspect.
INBOX_PAYLOAD_MINUTES = 10
BATCH = 500
# Batches per kind per run: the rest waits for the next run, a minute later.
MAX_BATCHES = 20
# What a claim anonymised by retention shows instead of its customer.
RETIRED_LABEL = "erased"


class RetentionStore(PrivacyStore, Protocol):
    async def drop_inbox_payloads(self, before: datetime, limit: int) -> int: ...
    async def blank_outbox(self, before: datetime, limit: int) -> int: ...
    async def delete_faq_misses(self, before: datetime, limit: int) -> int: ...
    async def closed_claims_due(self, before: datetime, limit: int) -> list[int]: ...
    async def erase_claim_rows(self, claim_ids: Collection[int]) -> dict[str, int]: ...


class RetentionUnitOfWork(UnitOfWork, Protocol):
    @property
    def privacy(self) -> RetentionStore: ...


async def purge(
    uow_factory: Callable[[], RetentionUnitOfWork],
    clock: Clock,
    config: DeskConfig,
    *,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
) -> dict[str, int]:
    """Apply every retention period once; rows purged per kind (kinds with none left out)."""
    now = clock()
    counts: dict[str, int] = {}
    cutoffs = {
        "inbox_payloads": now - timedelta(minutes=INBOX_PAYLOAD_MINUTES),
        "outbox_texts": now - timedelta(days=config.outbox_text_days),
        "faq_misses": now - timedelta(days=config.faq_misses_days),
    }
    for kind, before in cutoffs.items():
        for _ in range(max_batches):
            uow = uow_factory()
            async with uow:
                store = uow.privacy
                if kind == "inbox_payloads":
                    done = await store.drop_inbox_payloads(before, batch)
                elif kind == "outbox_texts":
                    done = await store.blank_outbox(before, batch)
                else:
                    done = await store.delete_faq_misses(before, batch)
                await uow.commit()
            if done:
                counts[kind] = counts.get(kind, 0) + done
            if done < batch:
                break
    closed_before = now - timedelta(days=config.closed_claim_days)
    for _ in range(max_batches):
        uow = uow_factory()
        async with uow:
            retired = await _retire_closed_claims(uow, closed_before, batch)
            await uow.commit()
        for kind, n in retired.items():
            counts[kind] = counts.get(kind, 0) + n
        if retired.get("closed_claims", 0) < batch:
            break
    return counts


async def _retire_closed_claims(
    uow: RetentionUnitOfWork, before: datetime, batch: int
) -> dict[str, int]:
    """Closed claims past CLOSED_CLAIM_DAYS: kept for finance, without customer or free text."""
    store = uow.privacy
    ids = await store.closed_claims_due(before, batch)
    if not ids:
        return {}
    await erase_trails(store, ids, None)
    counts = await store.erase_claim_rows(ids)
    counts["closed_claims"] = await store.anonymise_claims(ids, RETIRED_LABEL)
    return counts
