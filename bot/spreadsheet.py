"""CSV that is safe to open in a spreadsheet (OWASP: CSV injection)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell's text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_rows(out: TextIO, header: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    writer = csv.writer(out)
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
