"""The FAQ model every worker answers with: taught phrasings in, retrained models out.

A retrained model is stored in the database; each worker compares the newest stored version
with its own (one small query, `refresh`) and loads the weights only when they changed, so a
model accepted by any process is in use everywhere within one check interval, no restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.heap import freeze_long_lived
from conversations import i18n
from conversations.catalog import teach as tt
from conversations.domain import OutgoingMessage
from conversations.faq.matcher import (
    ActiveModel,
    FaqMatcher,
    active_model,
    install_model,
    reset_model,
)
from conversations.faq.model import parse_model
from conversations.faq.retrain import (
    FROZEN_PATH,
    Score,
    check_teachable,
    load_judged,
    retrain,
    score,
)
from storage.database import Database
from storage.repositories.faq_taught import FaqTeachingRepository

log = logging.getLogger(__name__)


def use_answers(path: Path | None) -> None:
    """Answer with the operator's FAQ answers file, if one is set (checked by the settings)."""
    if path is not None:
        from conversations.faq.overrides import apply_answers, load_answers

        apply_answers(load_answers(path))
        reset_model()  # the shipped matcher is rebuilt with the new answers
        log.info("FAQ answers from %s", path.name)


async def teach(db: Database, text: str, topic_id: str, taught_by: str, now: datetime) -> bool:
    """Store a taught phrasing (checked first); False when it was taught already."""
    cleaned = check_teachable(text, topic_id)
    async with db.uow() as uow:
        added = await FaqTeachingRepository(uow.session).teach(cleaned, topic_id, taught_by, now)
        await uow.commit()
    return added


async def refresh(db: Database) -> ActiveModel:
    """Use the newest stored model if it is not the one in use; the model in use."""
    current = active_model()
    async with db.uow() as uow:
        repo = FaqTeachingRepository(uow.session)
        head = await repo.head()
        if head is None or head.version == current.version:
            return current
        stored = await repo.model(head.version)
    assert stored is not None
    # Parsing a few MB of JSON takes a moment: off the event loop, so chats keep flowing.
    model = await asyncio.to_thread(parse_model, json.loads(stored.body))
    log.info("FAQ model %d in use (%d taught phrasings)", stored.version, stored.taught_count)
    active = install_model(stored.version, model, stored.created_at, stored.taught_count)
    freeze_long_lived(collect=False)  # a full collection now would pause every chat
    return active


@dataclass(frozen=True)
class RetrainOutcome:
    """What a retrain did: accepted (a new version), refused (worse), or nothing to learn."""

    accepted: bool
    version: int  # the model in use afterwards
    new: Score | None
    old: Score | None
    taught_count: int

    def describe(self) -> str:
        """One or two lines for the operator or the staff chat."""
        if self.new is None or self.old is None:
            return f"No new phrasings to learn; model {self.version} stays in use."
        figures = (
            f"frozen test: top-1 {_pct(self.new.top1)} (was {_pct(self.old.top1)}), "
            f"off-topic rejected {_pct(self.new.rejected)} (was {_pct(self.old.rejected)})"
        )
        if self.accepted:
            return (
                f"Model {self.version} accepted, trained with {self.taught_count} taught "
                f"phrasings; {figures}."
            )
        top1, rejected = self.new.below(self.old)
        return (
            f"Refused: the retrained model scores lower on the frozen test "
            f"(top-1 {top1:.1f} points lower, off-topic rejected {rejected:.1f} points lower). "
            f"Model {self.version} stays in use; {figures}."
        )

    def staff_notice(self) -> str | None:
        """What the staff chat reads after the periodic retrain; None when none was tried."""
        if self.new is None or self.old is None:
            return None
        if self.accepted:
            return tt.RETRAIN_ACCEPTED.format(
                version=self.version,
                count=i18n.number(self.taught_count),
                top1=_pct(self.new.top1),
                rejected=_pct(self.new.rejected),
            )
        top1, rejected = self.new.below(self.old)
        return tt.RETRAIN_REFUSED.format(
            version=self.version, top1_drop=f"{top1:.1f}", rejected_drop=f"{rejected:.1f}"
        )


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


async def retrain_and_store(
    db: Database, now: datetime, judge: Path = FROZEN_PATH, force: bool = False
) -> RetrainOutcome:
    """Retrain on the shipped data plus every taught phrasing; keep the model only if it
    scores no lower than the one in use on the judged set (the frozen test by default).

    Without force, nothing happens unless phrasings were taught since the newest model.
    """
    current = await refresh(db)
    async with db.uow() as uow:
        repo = FaqTeachingRepository(uow.session)
        taught = await repo.taught()
        head = await repo.head()
    newest = taught[-1].id if taught else 0
    if not force and newest <= (head.taught_upto if head else 0):
        return RetrainOutcome(False, current.version, None, None, len(taught))
    judged = load_judged(judge)
    pairs: Sequence[tuple[str, str]] = [(t.text, t.topic_id) for t in taught]
    # A fit takes seconds to a minute of CPU: in a thread, so the worker's chats keep moving.
    made = await asyncio.to_thread(retrain, pairs, current.matcher.model)
    old = score(current.matcher, judged)
    new = score(FaqMatcher(model=made.model), judged)
    if new.worse_than(old):
        log.warning("FAQ retrain refused: frozen test %s -> %s", old, new)
        return RetrainOutcome(False, current.version, new, old, made.taught_count)
    async with db.uow() as uow:
        version = await FaqTeachingRepository(uow.session).store_model(
            made.body, now, newest, made.taught_count, new.top1, new.rejected
        )
        await uow.commit()
    install_model(version, made.model, now, made.taught_count)
    # Training leaves cycles behind: collected once (a pause of a fraction of a second, at
    # most once a retrain), not frozen with the model.
    freeze_long_lived()
    return RetrainOutcome(True, version, new, old, made.taught_count)


class FaqModelJob:
    """The periodic FAQ job of one worker: pick up a newer model; retrain when phrasings wait.

    A refused retrain is not tried again until something new is taught: the same inputs
    would give the same model (training is deterministic).
    """

    def __init__(
        self,
        check_seconds: float,
        retrain_minutes: float,
        staff_chat: Callable[[], int | None] = lambda: None,
        judge: Path = FROZEN_PATH,
    ) -> None:
        self.check_seconds = check_seconds
        self._judge = judge
        # Read when needed: the staff chat's id changes when Telegram moves the group.
        self._staff_chat = staff_chat
        self._retrain_seconds = retrain_minutes * 60
        self._last_retrain: datetime | None = None
        self._refused_upto = 0
        self.last_outcome: RetrainOutcome | None = None
        self._training: asyncio.Task[None] | None = None

    async def run(self, db: Database, now: datetime) -> None:
        """One check: a newer stored model is used at once; a due retrain starts beside it."""
        try:
            await refresh(db)
        except Exception:  # a database hiccup: the next check tries again
            log.exception("FAQ model check failed")
            return
        # A retrain takes a while: the checks go on meanwhile, and only one runs at a time.
        if self._due(now) and (self._training is None or self._training.done()):
            self._training = asyncio.create_task(self._guarded_retrain(db, now))

    async def stop(self) -> None:
        """Abandon a retrain in progress: nothing is stored; the next start tries again."""
        if self._training is not None and not self._training.done():
            self._training.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._training

    async def _guarded_retrain(self, db: Database, now: datetime) -> None:
        try:
            await self._retrain(db, now)
        except Exception:
            log.exception("FAQ retrain failed")

    def _due(self, now: datetime) -> bool:
        if self._last_retrain is None:
            return True
        return (now - self._last_retrain).total_seconds() >= self._retrain_seconds

    async def _retrain(self, db: Database, now: datetime) -> None:
        async with db.uow() as uow:
            repo = FaqTeachingRepository(uow.session)
            newest = await repo.newest_taught_id()
            head = await repo.head()
        if newest <= max(head.taught_upto if head else 0, self._refused_upto):
            return  # nothing waits
        try:
            import sklearn  # noqa: F401
        except ImportError:
            log.warning("taught FAQ phrasings wait: run `refundbot faq retrain` (train extra)")
            self._refused_upto = newest
            return
        self._last_retrain = now
        outcome = await retrain_and_store(db, now, self._judge)
        self.last_outcome = outcome
        log.info("FAQ retrain: %s", outcome.describe())
        if not outcome.accepted:
            self._refused_upto = newest
        await self._tell_staff(db, outcome, now)

    async def _tell_staff(self, db: Database, outcome: RetrainOutcome, now: datetime) -> None:
        """Staff taught these phrasings in their chat: they hear there whether they were learnt."""
        notice, chat_id = outcome.staff_notice(), self._staff_chat()
        if notice is None or chat_id is None:
            return
        async with db.uow() as uow:  # through the outbox, so a send that fails is retried
            await uow.outbox.put(OutgoingMessage(chat_id, notice), now)
            await uow.commit()
