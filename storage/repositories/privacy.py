"""Privacy: what is held about a Telegram user, erasing it, and the retention purges (SQL only)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import ERASED_USER_ID, AuditEntry, ClaimStatus
from storage.repositories._dialect import rowcount, upsert_insert
from storage.repositories.claims import audit_entry
from storage.tables import (
    claim_audit,
    claim_ratings,
    claims,
    conversations,
    customer_languages,
    erasures,
    evidence,
    faq_misses,
    inbox,
    message_refs,
    outbox,
    ownership_attempts,
    privacy_exports,
    purchases,
)

# What a closed claim is (retention anonymises these after CLOSED_CLAIM_DAYS).
CLOSED = (
    ClaimStatus.INELIGIBLE.value,
    ClaimStatus.REJECTED.value,
    ClaimStatus.REFUNDED.value,
    ClaimStatus.CANCELLED.value,
)
# A claim whose customer was erased carries this name (then " #<erasure>").
ERASED = "erased"
# The Telegram user and chat id of an erased claim or rating: no Telegram user or private chat
# has it, and unlike 0 (an update without a user, bot/updates.py) no event carries it.
ERASED_ID = ERASED_USER_ID
# The ref of a /mydata document in the outbox: its copy is dropped as soon as it is sent.
MYDATA_REF = "mydata"
# The kind of the applied updates of anyone an erasure sweeps (not only the person's).
SWEPT = "applied_updates"
# The shortest name or contact searched for in other people's messages.
MIN_NEEDLE = 4


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _texts_of(payload: Any) -> list[str]:
    """What a person typed in an update: a message's text or caption, a shared contact."""
    found: list[str] = []
    if not isinstance(payload, dict):
        return found
    for key in ("message", "edited_message"):
        message = payload.get(key)
        if not isinstance(message, dict):
            continue
        for field in ("text", "caption"):
            value = message.get(field)
            if isinstance(value, str) and value:
                found.append(value)
        contact = message.get("contact")
        if isinstance(contact, dict) and isinstance(contact.get("phone_number"), str):
            found.append(contact["phone_number"])
    return found


def _names_in(payload: Any, user_id: int) -> set[str]:
    """The user's names and username, and any phone number they shared, in an update."""
    found: set[str] = set()
    if not isinstance(payload, dict):
        return found
    for value in payload.values():
        if not isinstance(value, dict):
            continue
        sender = value.get("from")
        if isinstance(sender, dict) and sender.get("id") == user_id:
            for key in ("first_name", "last_name", "username"):
                if isinstance(sender.get(key), str):
                    found.add(sender[key])
            full = " ".join(
                sender[k] for k in ("first_name", "last_name") if isinstance(sender.get(k), str)
            )
            found.add(full)
        contact = value.get("contact")
        if isinstance(contact, dict) and isinstance(contact.get("phone_number"), str):
            found.add(contact["phone_number"])
    return found


class PrivacyRepository:
    """The PrivacyStore port (conversations.services.privacy) and the retention purges."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # /mydata ----------------------------------------------------------------------------------

    async def take_export(self, user_id: int, now: datetime, every: timedelta) -> bool:
        """Count one /mydata at `now`; False (nothing changed) when the last was within `every`.

        One statement each way, so two presses at once cannot both pass.
        """
        result = await self._session.execute(
            update(privacy_exports)
            .where(
                privacy_exports.c.telegram_user_id == user_id,
                privacy_exports.c.last_at <= now - every,
            )
            .values(last_at=now)
        )
        if rowcount(result) == 1:
            return True
        insert_row = upsert_insert(self._session, privacy_exports)
        result = await self._session.execute(
            insert_row.values(telegram_user_id=user_id, last_at=now).on_conflict_do_nothing(
                index_elements=[privacy_exports.c.telegram_user_id]
            )
        )
        return rowcount(result) == 1

    async def last_export(self, user_id: int) -> datetime | None:
        row = (
            await self._session.execute(
                select(privacy_exports.c.last_at).where(
                    privacy_exports.c.telegram_user_id == user_id
                )
            )
        ).first()
        return None if row is None else row.last_at

    async def chats_of(self, user_id: int) -> list[int]:
        """The user's private chat and every chat their claims answer to."""
        rows = await self._session.execute(
            select(claims.c.chat_id).where(claims.c.telegram_user_id == user_id).distinct()
        )
        return sorted({user_id, *(int(r.chat_id) for r in rows)})

    async def held(self, user_id: int, chats: Collection[int]) -> dict[str, Any]:
        """Everything stored about the user, as JSON-able parts (claims come from the caller)."""
        return {
            **await self._profile_held(user_id, chats),
            **await self._messages_held(chats),
            "wrong_ownership_answers": await self._attempts_held(user_id),
        }

    async def _profile_held(self, user_id: int, chats: Collection[int]) -> dict[str, Any]:
        s = self._session
        language = (
            await s.execute(
                select(customer_languages).where(customer_languages.c.telegram_user_id == user_id)
            )
        ).first()
        states = await s.execute(select(conversations).where(conversations.c.chat_id.in_(chats)))
        files = await s.execute(
            select(evidence)
            .where(evidence.c.telegram_user_id == user_id)
            .order_by(evidence.c.received_at, evidence.c.id)
        )
        ratings = await s.execute(
            select(claim_ratings).where(claim_ratings.c.telegram_user_id == user_id)
        )
        return {
            "language": None
            if language is None
            else {
                "language": language.language,
                "chosen": bool(language.chosen),
                "updated_at": _iso(language.updated_at),
            },
            "conversations": [
                {
                    "chat_id": int(r.chat_id),
                    "step": r.step,
                    "slots": r.slots,
                    "updated_at": _iso(r.updated_at),
                }
                for r in states
            ],
            "files": [
                {
                    "claim_id": r.claim_id,
                    "kind": r.kind,
                    "file_name": r.file_name or None,
                    "caption": r.caption or None,
                    "size": r.size,
                    "received_at": _iso(r.received_at),
                    "telegram_file_id": r.file_id,
                }
                for r in files
            ],
            "ratings": [
                {
                    "claim_id": r.claim_id,
                    "stars": r.stars,
                    "comment": r.comment,
                    "rated_at": _iso(r.rated_at),
                }
                for r in ratings
            ],
        }

    async def _messages_held(self, chats: Collection[int]) -> dict[str, Any]:
        s = self._session
        sent_to_you = await s.execute(
            select(outbox.c.created_at, outbox.c.sent_at, outbox.c.text)
            .where(outbox.c.chat_id.in_(chats), outbox.c.text != "")
            .order_by(outbox.c.id)
        )
        relayed = await s.execute(
            select(outbox.c.created_at, outbox.c.text)
            .where(
                outbox.c.ref.in_([f"relay:{c}" for c in chats]),
                outbox.c.text != "",
            )
            .order_by(outbox.c.id)
        )
        updates = await s.execute(
            select(inbox.c.received_at, inbox.c.payload)
            .where(inbox.c.chat_id.in_(chats))
            .order_by(inbox.c.update_id)
        )
        return {
            "messages_to_you": [
                {"at": _iso(r.created_at), "sent_at": _iso(r.sent_at), "text": r.text}
                for r in sent_to_you
            ],
            "messages_relayed_to_staff": [
                {"at": _iso(r.created_at), "text": r.text} for r in relayed
            ],
            "messages_from_you": [
                {"at": _iso(r.received_at), "text": text}
                for r in updates
                for text in _texts_of(r.payload)
            ],
        }

    async def _attempts_held(self, user_id: int) -> dict[str, Any] | None:
        attempts = (
            await self._session.execute(
                select(ownership_attempts).where(ownership_attempts.c.subject == f"user:{user_id}")
            )
        ).first()
        if attempts is None:
            return None
        return {"misses": attempts.misses, "last_at": _iso(attempts.last_miss_at)}

    # /forget ----------------------------------------------------------------------------------

    async def typed_texts(self, chats: Collection[int]) -> list[str]:
        """Everything the user typed that the inbox still holds (to find its scrubbed copies)."""
        rows = await self._session.execute(
            select(inbox.c.payload).where(inbox.c.chat_id.in_(chats))
        )
        return [text for r in rows for text in _texts_of(r.payload)]

    async def identifiers(
        self, user_id: int, chats: Collection[int], transaction_ids: Collection[str]
    ) -> list[str]:
        """The user's names, usernames, phone numbers and e-mails, wherever the desk saw them."""
        s = self._session
        found: set[str] = set()
        rows = await s.execute(
            select(claims.c.customer_name, claims.c.customer_username).where(
                claims.c.telegram_user_id == user_id
            )
        )
        for r in rows:
            found.update(v for v in (r.customer_name, r.customer_username) if v)
        if transaction_ids:
            bought = await s.execute(
                select(purchases.c.account_phone, purchases.c.account_email).where(
                    purchases.c.transaction_id.in_(transaction_ids)
                )
            )
            for r in bought:
                found.update(v for v in (r.account_phone, r.account_email) if v)
        payloads = await s.execute(select(inbox.c.payload).where(inbox.c.chat_id.in_(chats)))
        for r in payloads:
            found.update(_names_in(r.payload, user_id))
        # Too short a needle would blank other people's messages too ("Al" is in "Alice").
        return sorted(v for v in found if len(v.strip()) >= MIN_NEEDLE)

    async def claims_of(self, user_id: int) -> list[tuple[int, str]]:
        """(claim id, transaction id) of every claim still under the user's id."""
        rows = await self._session.execute(
            select(claims.c.id, claims.c.transaction_id)
            .where(claims.c.telegram_user_id == user_id)
            .order_by(claims.c.id)
        )
        return [(int(r.id), str(r.transaction_id)) for r in rows]

    async def begin_erasure(self, at: datetime, by: str) -> int:
        """Record an erasure (its kinds filled in by finish_erasure); its number."""
        result = await self._session.execute(
            insert(erasures).values(at=at, by=by[:256], kinds={}, claims=0).returning(erasures.c.id)
        )
        return int(result.scalar_one())

    async def finish_erasure(self, erasure_id: int, kinds: dict[str, int], count: int) -> None:
        await self._session.execute(
            update(erasures).where(erasures.c.id == erasure_id).values(kinds=kinds, claims=count)
        )

    async def erasure(self, erasure_id: int) -> dict[str, Any] | None:
        row = (
            await self._session.execute(select(erasures).where(erasures.c.id == erasure_id))
        ).first()
        if row is None:
            return None
        return {
            "id": row.id,
            "at": _iso(row.at),
            "by": row.by,
            "kinds": dict(row.kinds),
            "claims": row.claims,
        }

    async def audit_entries(self, claim_ids: Collection[int]) -> list[tuple[int, AuditEntry]]:
        rows = await self._session.execute(
            select(claim_audit).where(claim_audit.c.claim_id.in_(claim_ids))
        )
        return [(int(row.id), audit_entry(row)) for row in rows]

    async def rewrite_audit(
        self, claim_ids: Collection[int], user_id: int | None, erased: dict[int, AuditEntry]
    ) -> int:
        """Replace audit entries' words by id, and drop the customer's id from the trails."""
        for audit_id, entry in erased.items():
            await self._session.execute(
                update(claim_audit)
                .where(claim_audit.c.id == audit_id)
                .values(text=entry.text, note=entry.note)
            )
        if claim_ids:
            # The customer's id on their own entries (all customers' when user_id is None).
            whose = (
                claim_audit.c.actor_id == user_id
                if user_id is not None
                else claim_audit.c.actor == "customer"
            )
            await self._session.execute(
                update(claim_audit)
                .where(claim_audit.c.claim_id.in_(claim_ids), whose)
                .values(actor_id=None)
            )
        return len(erased)

    async def anonymise_claims(self, claim_ids: Collection[int], label: str) -> int:
        """Keep the claims for finance; drop who filed them and every free text."""
        if not claim_ids:
            return 0
        result = await self._session.execute(
            update(claims)
            .where(claims.c.id.in_(claim_ids))
            .values(
                customer_name=label,
                customer_username=None,
                telegram_user_id=ERASED_ID,
                chat_id=ERASED_ID,
                description=None,
                pending_question=None,
            )
        )
        # A rejection keeps that it had a reason, not its words (which may quote the customer).
        await self._session.execute(
            update(claims)
            .where(claims.c.id.in_(claim_ids), claims.c.reject_reason.is_not(None))
            .values(reject_reason="[erased]")
        )
        return rowcount(result)

    async def erase_user_rows(
        self,
        user_id: int,
        chats: Collection[int],
        claim_ids: Collection[int],
        transaction_ids: Collection[str],
        misses: Collection[str],
        needles: Collection[str],
        keep_chat: int | None,
    ) -> dict[str, int]:
        """Remove or blank every other row about the user; counts per kind of data."""
        counts = _Counts(self._session)
        await _erase_profile(counts, user_id, claim_ids)
        await _erase_conversations(counts, chats, keep_chat)
        await _erase_updates(counts, chats)
        await _erase_messages(counts, chats, claim_ids, needles)
        if transaction_ids:
            # The ledger's contact details of the purchases they claimed on: what proved them
            # the owner. (A re-import of the ledger brings them back: erase at the source too.)
            await counts.run(
                "ledger_contacts",
                update(purchases)
                .where(purchases.c.transaction_id.in_(transaction_ids))
                .values(account_phone="", account_email=""),
            )
        # Their FAQ questions: by chat, and by text for rows kept before misses named a chat.
        asked: ColumnElement[bool] = faq_misses.c.chat_id.in_(chats)
        if misses:
            asked = or_(asked, faq_misses.c.text.in_(misses))
        await counts.run("faq_questions", delete(faq_misses).where(asked))
        return counts.nonzero()

    # Retention --------------------------------------------------------------------------------

    async def _ids(self, statement: Any) -> list[int]:
        return [int(r[0]) for r in await self._session.execute(statement)]

    async def drop_inbox_payloads(self, before: datetime, limit: int) -> int:
        """Applied updates' payloads, down to id and chat; failed ones stay for `inbox retry`."""
        ids = await self._ids(
            select(inbox.c.update_id)
            .where(
                inbox.c.processed_at.is_not(None),
                inbox.c.processed_at < before,
                inbox.c.error.is_(None),
                cast(inbox.c.payload, String) != "{}",
            )
            .limit(limit)
        )
        if not ids:
            return 0
        await self._session.execute(
            update(inbox).where(inbox.c.update_id.in_(ids)).values(payload={})
        )
        return len(ids)

    async def blank_outbox(self, before: datetime, limit: int) -> int:
        """Sent texts queued before `before` (no longer edited), and sent /mydata copies at once."""
        # By when it was queued: the sender stamps sent_at from its own clock.
        old = and_(outbox.c.sent_at.is_not(None), outbox.c.created_at < before, outbox.c.text != "")
        mydata = and_(
            outbox.c.sent_at.is_not(None),
            outbox.c.ref.like(f"{MYDATA_REF}:%"),
            outbox.c.attachment.is_not(None),
        )
        ids = await self._ids(select(outbox.c.id).where(or_(old, mydata)).limit(limit))
        if not ids:
            return 0
        await self._session.execute(
            update(outbox).where(outbox.c.id.in_(ids)).values(text="", buttons=[], attachment=None)
        )
        return len(ids)

    async def delete_faq_misses(self, before: datetime, limit: int) -> int:
        ids = await self._ids(select(faq_misses.c.id).where(faq_misses.c.at < before).limit(limit))
        if not ids:
            return 0
        await self._session.execute(delete(faq_misses).where(faq_misses.c.id.in_(ids)))
        return len(ids)

    async def closed_claims_due(self, before: datetime, limit: int) -> list[int]:
        """Claims closed before `before` that still name their customer or hold free text."""
        return await self._ids(
            select(claims.c.id)
            .where(
                claims.c.status.in_(CLOSED),
                claims.c.updated_at < before,
                claims.c.telegram_user_id != ERASED_ID,
            )
            .order_by(claims.c.id)
            .limit(limit)
        )

    async def erase_claim_rows(self, claim_ids: Collection[int]) -> dict[str, int]:
        """A claim's own files, rating comment and staff-chat messages (retention)."""
        s = self._session
        counts: dict[str, int] = {}
        if not claim_ids:
            return counts
        files = await s.execute(delete(evidence).where(evidence.c.claim_id.in_(claim_ids)))
        counts["files"] = rowcount(files)
        rated = await s.execute(
            update(claim_ratings)
            .where(claim_ratings.c.claim_id.in_(claim_ids))
            .values(telegram_user_id=ERASED_ID, comment=None)
        )
        counts["ratings"] = rowcount(rated)
        about = [f"{kind}:{n}" for n in claim_ids for kind in ("card", "topic")]
        mine = or_(
            outbox.c.ref.in_(about), outbox.c.edit_ref.in_(about), outbox.c.reply_ref.in_(about)
        )
        blanked = await s.execute(
            update(outbox)
            .where(mine, outbox.c.sent_at.is_not(None), outbox.c.text != "")
            .values(text="", buttons=[], attachment=None)
        )
        counts["outbox"] = rowcount(blanked)
        return {k: v for k, v in counts.items() if v}


__all__: Sequence[str] = ("ERASED", "MYDATA_REF", "PrivacyRepository")


class _Counts:
    """Runs the erasure's statements and counts the rows each kind of data lost."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._counts: dict[str, int] = {}

    async def run(self, kind: str, statement: Any) -> None:
        done = rowcount(await self._session.execute(statement))
        self._counts[kind] = self._counts.get(kind, 0) + done

    def nonzero(self) -> dict[str, int]:
        return {kind: n for kind, n in self._counts.items() if n}


async def _erase_profile(counts: _Counts, user_id: int, claim_ids: Collection[int]) -> None:
    """Files, ratings, language, the /mydata limit and ownership misses."""
    by_user_or_claim = or_(
        evidence.c.telegram_user_id == user_id, evidence.c.claim_id.in_(claim_ids)
    )
    await counts.run("files", delete(evidence).where(by_user_or_claim))
    await counts.run(
        "ratings",
        update(claim_ratings)
        .where(
            or_(
                claim_ratings.c.telegram_user_id == user_id,
                claim_ratings.c.claim_id.in_(claim_ids),
            )
        )
        .values(telegram_user_id=ERASED_ID, comment=None),
    )
    await counts.run(
        "language",
        delete(customer_languages).where(customer_languages.c.telegram_user_id == user_id),
    )
    await counts.run(
        "mydata_limit",
        delete(privacy_exports).where(privacy_exports.c.telegram_user_id == user_id),
    )
    await counts.run(
        "ownership_misses",
        delete(ownership_attempts).where(ownership_attempts.c.subject == f"user:{user_id}"),
    )


async def _erase_conversations(
    counts: _Counts, chats: Collection[int], keep_chat: int | None
) -> None:
    gone = [c for c in chats if c != keep_chat]
    await counts.run("conversation", delete(conversations).where(conversations.c.chat_id.in_(gone)))
    if keep_chat is not None:
        # The chat being answered keeps its row (the turn saves it, reset, by its version).
        await counts.run(
            "conversation",
            update(conversations)
            .where(conversations.c.chat_id == keep_chat)
            .values(step="menu", slots={}),
        )


async def _erase_updates(counts: _Counts, chats: Collection[int]) -> None:
    # Every update the customer sent, down to its id and chat (kept against re-delivery).
    await counts.run(
        "inbox",
        update(inbox)
        .where(inbox.c.chat_id.in_(chats), inbox.c.processed_at.is_not(None))
        .values(payload={}),
    )
    # Applied updates anywhere (a staff member's press quotes the card, a reply quotes the
    # relayed message): no longer needed once applied, so none is kept.
    await counts.run(
        SWEPT,
        update(inbox)
        .where(
            inbox.c.processed_at.is_not(None),
            inbox.c.error.is_(None),
            cast(inbox.c.payload, String) != "{}",
        )
        .values(payload={}),
    )


async def _erase_messages(
    counts: _Counts, chats: Collection[int], claim_ids: Collection[int], needles: Collection[str]
) -> None:
    about = [f"relay:{c}" for c in chats]
    about += [f"{kind}:{n}" for n in claim_ids for kind in ("card", "topic")]
    mine = or_(
        outbox.c.chat_id.in_(chats),
        outbox.c.ref.in_(about),
        outbox.c.edit_ref.in_(about),
        outbox.c.reply_ref.in_(about),
        # Messages that name them elsewhere (a /find answer, a digest).
        *(outbox.c.text.contains(n, autoescape=True) for n in needles),
    )
    # Sent: blanked (the row stays for the sender's bookkeeping); not yet sent: dropped.
    await counts.run(
        "outbox",
        update(outbox)
        .where(mine, outbox.c.sent_at.is_not(None))
        .values(text="", buttons=[], attachment=None),
    )
    await counts.run("outbox", delete(outbox).where(mine, outbox.c.sent_at.is_(None)))
    await counts.run("message_refs", delete(message_refs).where(message_refs.c.chat_id.in_(chats)))
