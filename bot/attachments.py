"""Files the bot sends, drawn or written from what the core described (see domain.Attachment)."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import replace
from datetime import date

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.spreadsheet import write_rows
from conversations.chat.events import FileRef
from conversations.claims.finance import COLUMNS
from conversations.domain import Attachment, AttachmentKind

log = logging.getLogger(__name__)


def render(attachment: Attachment) -> bytes:
    """The file's bytes: a PNG chart, a spreadsheet-safe CSV or a JSON document."""
    if attachment.kind is AttachmentKind.CLAIMS_CHART:
        return _chart(attachment.data)
    if attachment.kind is AttachmentKind.PRIVACY_JSON:
        return json.dumps(attachment.data["document"], ensure_ascii=False, indent=2).encode()
    out = io.StringIO()
    write_rows(out, COLUMNS, attachment.data["rows"])
    return out.getvalue().encode("utf-8")


def is_photo(attachment: Attachment) -> bool:
    return attachment.kind in (AttachmentKind.CLAIMS_CHART, AttachmentKind.EVIDENCE_PHOTO)


def telegram_file_id(attachment: Attachment) -> str | None:
    """A customer's photo or document is sent on by Telegram's file_id, not drawn or uploaded."""
    if attachment.kind in (AttachmentKind.EVIDENCE_PHOTO, AttachmentKind.EVIDENCE_DOCUMENT):
        return str(attachment.data["file_id"])
    return None


async def measured(bot: Bot, file: FileRef) -> FileRef:
    """A document Telegram sent without its size, with the size getFile reports.

    The bot never downloads a customer's file (it sends it on by file_id), so getFile is the
    only fetch: it returns the size, or refuses a file over the Bot API's 20 MB download limit,
    which the core then refuses too. Still unknown afterwards, the core refuses it.
    """
    if file.kind != "document" or file.size is not None:
        return file
    try:
        info = await bot.get_file(file.file_id)
    except BadRequest as exc:
        if "too big" in exc.message.lower():
            return replace(file, too_big=True)
        log.info("getFile refused a document's size: %s", exc.message)
        return file
    except TelegramError as exc:
        log.info("getFile failed for a document's size: %s", type(exc).__name__)
        return file
    return replace(file, size=info.file_size) if info.file_size else file


def _chart(data: dict[str, object]) -> bytes:
    # Imported here: matplotlib takes a second to load and only /report needs it.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.ticker import MaxNLocator

    days = [date.fromisoformat(str(d)) for d in data["days"]]  # type: ignore[attr-defined]
    series: dict[str, list[int]] = data["series"]  # type: ignore[assignment]
    figure, axes = pyplot.subplots(figsize=(8, 4), dpi=100)
    try:
        bottom = [0] * len(days)
        labels = [f"{d.day} {d:%b}" for d in days]
        for name, counts in series.items():
            axes.bar(labels, counts, bottom=bottom, label=name)
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        axes.set_title(str(data["title"]))
        axes.legend()
        axes.tick_params(axis="x", labelrotation=45)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        pyplot.close(figure)
