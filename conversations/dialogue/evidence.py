"""Photos and documents from the customer: kept with a claim, or passed to a person."""

from __future__ import annotations

from datetime import datetime, timedelta

from conversations import i18n, refs
from conversations.catalog import customer as t
from conversations.catalog import staff as s
from conversations.chat import keyboards as kb
from conversations.chat.events import FileRef
from conversations.chat.slots import PendingFile
from conversations.chat.steps import Step
from conversations.chat.turn import Turn
from conversations.claims.transitions import CUSTOMER
from conversations.domain import (
    OPEN_STATUSES,
    AuditEntry,
    AuditKind,
    Claim,
    Evidence,
    OutgoingMessage,
)
from conversations.i18n import _
from conversations.staff import card

MAX_FILES = 10  # per claim: enough for a few screenshots and a report, not an archive
MAX_MB = 20  # what the Bot API lets a bot download (getFile), should the team ever need to
RELAYED_PER_HOUR = 10  # files a /human conversation passes to staff in any hour
RELAY_WINDOW = timedelta(hours=1)
_IMAGES = {"jpg", "jpeg", "png", "webp", "heic"}
# What a person can open safely on a phone, by file name extension, with the mime types that
# may come with it. Both must be on the list and agree: Telegram passes on whatever mime type
# the sender's app claims, so "payload.exe" sent as image/png is refused for its name, and
# "photo.png" sent as application/x-msdownload for its type.
ACCEPTED: dict[str, frozenset[str]] = {
    "jpg": frozenset({"image/jpeg", "image/pjpeg"}),
    "jpeg": frozenset({"image/jpeg", "image/pjpeg"}),
    "png": frozenset({"image/png"}),
    "webp": frozenset({"image/webp"}),
    "heic": frozenset({"image/heic", "image/heif"}),
    "pdf": frozenset({"application/pdf"}),
    # Windows names a CSV file's type after Excel.
    "csv": frozenset(
        {"text/csv", "text/plain", "application/csv", "text/comma-separated-values"}
        | {"application/vnd.ms-excel"}
    ),
    "xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    "txt": frozenset({"text/plain"}),
}
# Steps of a claim at which its transaction is known and proven the customer's.
FILING_STEPS = frozenset({Step.REASON, Step.CAMPAIGN, Step.DESCRIPTION, Step.CONFIRM})


def what(file: FileRef) -> str:
    """How the customer's file is named back to them: "photo" or “report.pdf”, in their language."""
    return _(t.FILE_NAMED).format(name=file.name[:64]) if file.name else _(t.FILE_PHOTO)


def refusal(file: FileRef) -> str | None:
    """Why this file cannot be kept (too big, of unknown size, or not a kind on the list), if so.

    A photo is Telegram's own re-encoded picture; a document is judged by its name and type.
    """
    if file.too_big or (file.size is not None and file.size > MAX_MB * 1024 * 1024):
        if file.size is None:
            return _(t.FILE_TOO_BIG_UNKNOWN).format(limit=i18n.number(MAX_MB))
        return _(t.FILE_TOO_BIG).format(
            size=f"{file.size / 1024 / 1024:.1f}", limit=i18n.number(MAX_MB)
        )
    if file.kind != "document":
        return None
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    types = ACCEPTED.get(extension)
    if types is None:
        return _(t.FILE_WRONG_TYPE)
    if file.mime_type.split(";", 1)[0].strip().lower() not in types:
        return _(t.FILE_TYPE_MISMATCH).format(name=file.name[:64])
    if file.size is None:
        # Neither the update nor getFile said: staff would be opening a file of any size.
        return _(t.FILE_SIZE_UNKNOWN)
    return None


def keep_for_claim(turn: Turn) -> None:
    """While the claim is being filled in: kept in the conversation, attached when it is sent."""
    file = turn.event.file
    assert file is not None
    slots = turn.slots
    if any(p.file.unique_id == file.unique_id for p in slots.files):
        turn.say(_(t.FILE_SEEN))
        return
    if len(slots.files) >= MAX_FILES:
        turn.say(_(t.FILE_TOO_MANY_PENDING).format(limit=i18n.number(MAX_FILES)))
        return
    slots.files.append(PendingFile(file, turn.event.text[:1000], turn.now))
    turn.say(
        _(t.FILE_KEPT).format(
            what=what(file), count=i18n.number(len(slots.files)), limit=i18n.number(MAX_FILES)
        )
    )


async def attach_pending(turn: Turn, claim: Claim) -> list[Evidence]:
    """The files sent while filing, stored with the claim that was just filed."""
    assert claim.id is not None
    stored: list[Evidence] = []
    for pending in turn.slots.files:
        item = _evidence(turn, pending.file, pending.caption, claim.id, pending.at)
        await turn.uow.evidence.add(item)
        stored.append(item)
    return stored


def copies_for_staff(turn: Turn, claim: Claim, files: list[Evidence]) -> None:
    """Each file, sent on to the staff chat under the claim's card."""
    staff_chat = turn.config.staff_chat_id
    if staff_chat is None or claim.id is None:
        return
    for item in files:
        turn.send_to(card.evidence_message(item, claim.id, turn.event.author.display, staff_chat))


async def add_to_claim(turn: Turn) -> None:
    """Adding information to an open claim from /status: the file goes to staff at once."""
    file = turn.event.file
    assert file is not None
    claim_id = turn.slots.info_claim
    claim = await turn.uow.claims.get(claim_id) if claim_id is not None else None
    if claim is None or claim.id is None or claim.status not in OPEN_STATUSES:
        turn.reset()
        turn.say(_(t.FILE_OUTSIDE), kb.main_menu())
        return
    item = await _store(turn, claim)
    if item is None:
        return
    turn.slots.info_files += 1
    count = len(await turn.uow.evidence.for_claim(claim.id))
    turn.say(
        _(t.FILE_ATTACHED).format(
            what=what(file),
            claim_id=claim.id,
            count=i18n.number(count),
            limit=i18n.number(MAX_FILES),
        ),
        kb.add_info_done(claim.id),
    )
    copies_for_staff(turn, claim, [item])
    if turn.config.staff_chat_id is not None:
        turn.send_to(await card.card_message(turn.uow, claim, turn.now, turn.config, edit=True))


async def store_answer(turn: Turn, claim: Claim) -> Evidence | None:
    """A file that answers a staff question about the claim (e.g. "send a screenshot")."""
    return await _store(turn, claim)


async def relay(turn: Turn, staff_chat: int) -> None:
    """In a /human conversation: the file goes to the staff chat, where a reply answers it.

    It belongs to no claim, but is kept on record like any other file the customer sent.
    """
    file = turn.event.file
    assert file is not None
    author = turn.event.author
    window = await turn.uow.evidence.relayed_since(author.user_id, turn.now - RELAY_WINDOW)
    if len(window) >= RELAYED_PER_HOUR:
        # The oldest file in the window leaves it first; from then one more may go.
        free_at = window[-RELAYED_PER_HOUR] + RELAY_WINDOW
        turn.say(
            _(t.FILE_RELAY_LIMIT).format(
                limit=i18n.number(RELAYED_PER_HOUR), what=what(file), when=i18n.when(free_at)
            )
        )
        return
    caption = turn.event.text[:600]
    item = _evidence(turn, file, caption, None, turn.now)
    await turn.uow.evidence.add(item)
    turn.send_to(
        OutgoingMessage(
            chat_id=staff_chat,
            text=s.RELAYED_FILE.format(
                name=author.first_name or "?",
                username=f" (@{author.username})" if author.username else "",
                user_id=author.user_id,
                what=item.label,  # staff text: English
                caption=s.EVIDENCE_CAPTION.format(caption=caption) if caption else "",
            ),
            ref=refs.relay(turn.chat_id),
            attachment=card.evidence_attachment(item),
        )
    )
    turn.say(_(t.FILE_RELAYED).format(what=what(file)))


async def _store(turn: Turn, claim: Claim) -> Evidence | None:
    """Store the event's file with the claim, unless it is there already or the claim is full."""
    file = turn.event.file
    assert file is not None and claim.id is not None
    files = await turn.uow.evidence.for_claim(claim.id)
    if any(f.unique_id == file.unique_id for f in files):
        turn.say(_(t.FILE_SEEN))
        return None
    if len(files) >= MAX_FILES:
        turn.say(_(t.FILE_TOO_MANY).format(claim_id=claim.id, limit=i18n.number(MAX_FILES)))
        return None
    item = _evidence(turn, file, turn.event.text[:1000], claim.id, turn.now)
    await turn.uow.evidence.add(item)
    await turn.uow.claims.add_audit(
        AuditEntry(
            claim.id,
            turn.now,
            CUSTOMER,
            turn.event.author.user_id,
            None,
            None,
            AuditKind.ADDED,
            "📎 " + item.label,
        )
    )
    return item


def _evidence(
    turn: Turn, file: FileRef, caption: str, claim_id: int | None, at: datetime
) -> Evidence:
    return Evidence(
        claim_id=claim_id,
        chat_id=turn.chat_id,
        telegram_user_id=turn.event.author.user_id,
        kind=file.kind,
        file_id=file.file_id,
        unique_id=file.unique_id,
        received_at=at,
        file_name=file.name,
        mime_type=file.mime_type,
        size=file.size,
        caption=caption,
    )
