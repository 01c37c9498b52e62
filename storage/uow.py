"""One transaction over all repositories: a turn commits together or not at all."""

from __future__ import annotations

from functools import cached_property
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories.attempts import OwnershipAttemptRepository
from storage.repositories.claim_search import ClaimSearch
from storage.repositories.claims import ClaimRepositorySql
from storage.repositories.conversations import ConversationRepositorySql
from storage.repositories.events import EventRepository
from storage.repositories.evidence import EvidenceRepository, RatingRepository
from storage.repositories.faq_log import FaqLogRepository
from storage.repositories.inbox import InboxRepository
from storage.repositories.incidents import IncidentRepository
from storage.repositories.languages import LanguageRepository
from storage.repositories.ledger import LedgerRepository
from storage.repositories.messages import MessageRefRepository
from storage.repositories.ops import OpsQueries
from storage.repositories.outbox import OutboxRepositorySql
from storage.repositories.privacy import PrivacyRepository
from storage.repositories.replies import CannedReplyRepository

# The execution option that marks a unit of work as reading only.
READ_ONLY = "refundbot_read_only"


class SqlUnitOfWork:
    """`async with db.uow() as uow: ...; await uow.commit()`; leaving without commit rolls back.

    Each repository is made when first used: a turn uses a few of them.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, read_only: bool = False
    ) -> None:
        self._sessions = sessions
        self._read_only = read_only
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside 'async with'")
        return self._session

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._session is not None:
            raise RuntimeError("a unit of work cannot be entered twice")
        session = self._sessions()
        await session.begin()
        if self._read_only:
            # Read by storage.database's "begin" hook: a plain BEGIN on SQLite, not IMMEDIATE.
            await session.connection(execution_options={READ_ONLY: True})
        self._session = session
        return self

    @cached_property
    def ledger(self) -> LedgerRepository:
        return LedgerRepository(self.session)

    @cached_property
    def claims(self) -> ClaimRepositorySql:
        return ClaimRepositorySql(self.session)

    @cached_property
    def conversations(self) -> ConversationRepositorySql:
        return ConversationRepositorySql(self.session)

    @cached_property
    def outbox(self) -> OutboxRepositorySql:
        return OutboxRepositorySql(self.session)

    @cached_property
    def messages(self) -> MessageRefRepository:
        return MessageRefRepository(self.session)

    @cached_property
    def replies(self) -> CannedReplyRepository:
        return CannedReplyRepository(self.session)

    @cached_property
    def faq(self) -> FaqLogRepository:
        return FaqLogRepository(self.session)

    @cached_property
    def languages(self) -> LanguageRepository:
        return LanguageRepository(self.session)

    @cached_property
    def evidence(self) -> EvidenceRepository:
        return EvidenceRepository(self.session)

    @cached_property
    def ratings(self) -> RatingRepository:
        return RatingRepository(self.session)

    @cached_property
    def attempts(self) -> OwnershipAttemptRepository:
        return OwnershipAttemptRepository(self.session)

    @cached_property
    def inbox(self) -> InboxRepository:
        return InboxRepository(self.session)

    @cached_property
    def ops(self) -> OpsQueries:
        return OpsQueries(self.session)

    @cached_property
    def claim_search(self) -> ClaimSearch:
        return ClaimSearch(self.session)

    @cached_property
    def events(self) -> EventRepository:
        return EventRepository(self.session)

    @cached_property
    def incidents(self) -> IncidentRepository:
        return IncidentRepository(self.session)

    @cached_property
    def privacy(self) -> PrivacyRepository:
        return PrivacyRepository(self.session)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            await session.rollback()
        finally:
            await session.close()
            self._session = None

    async def serialize(self, key: str) -> None:
        """Hold a lock named `key` until this transaction ends, so such sections run one at a time.

        SQLite needs nothing: BEGIN IMMEDIATE already runs one writer at a time. On PostgreSQL a
        transaction-scoped advisory lock makes the next holder read what the previous committed.
        """
        session = self.session
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            await session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key}
            )

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
