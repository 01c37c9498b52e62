"""Files the bot sends, drawn or written from what the core described (see domain.Attachment)."""

from __future__ import annotations

import io
from datetime import date

from bot.spreadsheet import write_rows
from conversations.claims.finance import COLUMNS
from conversations.domain import Attachment, AttachmentKind


def render(attachment: Attachment) -> bytes:
    """The file's bytes: a PNG chart or a spreadsheet-safe CSV."""
    if attachment.kind is AttachmentKind.CLAIMS_CHART:
        return _chart(attachment.data)
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
