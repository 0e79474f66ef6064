"""Excel export of any table the portal shows, through the shared helper (core.xlsx): counts and rates are
numbers (a rate is a fraction with a percent format, so it sums and charts), the header row is frozen and
every column has a width."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpResponse

from core import xlsx


def xlsx_response(filename: str, title: str, headers: Sequence, rows: Sequence[Sequence], *, notes: Sequence[str] = ()) -> HttpResponse:
    """The table on one sheet: the header row first, the rows, then a blank row and the notes (the period the
    figures cover, what a partial month means), so the header stays in row 1 for whoever reads the sheet.

    A header may be an `xlsx.Col` (with its kind and width) or a text; a cell may be an `xlsx.Cell`."""
    columns = [h if isinstance(h, xlsx.Col) else xlsx.Col(str(h), width=max(10, xlsx.text_width(str(h)))) for h in headers]
    book = xlsx.workbook()
    sheet = xlsx.Sheet(book, title, columns)
    sheet.extend(rows)
    sheet.notes(notes)
    return xlsx.response(book, filename)
