"""Excel workbooks people can use: one helper behind every export (complaints, dashboards, counts, reports).

Each column says what it holds, and the helper writes real cells for it: dates and times as Excel
dates in Asia/Shanghai (tz-naive, which is all Excel knows) with a date format, numbers as numbers,
percentages as fractions with a percent format (83.14% is the number 0.8314, so it sums and charts),
a width per column and the header row frozen. Workbooks are written in openpyxl's write-only mode, so a
sheet of a million rows takes the memory of one row.

    book = xlsx.workbook()
    sheet = xlsx.Sheet(book, "投诉", [xlsx.Col("编号", width=18), xlsx.Col("受理时间", xlsx.DATETIME)])
    for row in rows:
        sheet.append(row)
    return xlsx.response(book, "complaints-20260101")
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXT = "text"
INTEGER = "integer"
NUMBER = "number"  # two decimals
PERCENT = "percent"  # given in percentage points (83.14), stored as 0.8314
DATETIME = "datetime"
DATE = "date"
MONTH = "month"  # a date shown as 2026-03

FORMATS = {
    INTEGER: "0",
    NUMBER: "0.00",
    PERCENT: "0.00%",
    DATETIME: "yyyy-mm-dd hh:mm",
    DATE: "yyyy-mm-dd",
    MONTH: "yyyy-mm",
}
# Widths in Excel's character units when a column does not give its own.
DEFAULT_WIDTHS = {TEXT: 16, INTEGER: 10, NUMBER: 12, PERCENT: 12, DATETIME: 17, DATE: 12, MONTH: 10}
SHEET_TITLE_MAX = 31  # Excel's limit
_FORBIDDEN_IN_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})


def text_width(text: str) -> int:
    """The column width that shows `text` whole: a CJK character takes about two character units, plus a margin."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2


@dataclass(frozen=True)
class Col:
    """One column: its header, what its cells hold (TEXT, INTEGER, NUMBER, PERCENT, DATETIME, DATE, MONTH) and a width."""

    header: str
    kind: str = TEXT
    width: float | None = None

    def __post_init__(self) -> None:
        if self.kind != TEXT and self.kind not in FORMATS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    @property
    def column_width(self) -> float:
        if self.width is not None:
            return self.width
        return max(DEFAULT_WIDTHS[self.kind], text_width(str(self.header)))


@dataclass(frozen=True)
class Cell:
    """A value whose kind differs from its column's (a table whose columns mix counts and rates)."""

    value: Any
    kind: str = TEXT


@functools.cache
def local_zone() -> ZoneInfo:
    """The zone of every date in a file: the district's (settings.TIME_ZONE, Asia/Shanghai), whoever exports."""
    return ZoneInfo(settings.TIME_ZONE)


def workbook() -> Workbook:
    return Workbook(write_only=True)


def sheet_title(title: str) -> str:
    return str(title).translate(_FORBIDDEN_IN_TITLE)[:SHEET_TITLE_MAX] or "Sheet1"


def excel_value(value: Any, kind: str) -> Any:
    """The cell value for `value` in a column of `kind` (None stays an empty cell)."""
    if value is None or value == "":
        return None
    if kind in (DATETIME, DATE, MONTH):
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(local_zone())
            value = value.replace(tzinfo=None)
            return value.date() if kind in (DATE, MONTH) else value
        return value  # a date
    try:
        if kind == PERCENT:
            return float(Decimal(str(value)) / 100)
        if kind == INTEGER:
            return int(value)
        if kind == NUMBER:
            return float(value)
    except (ValueError, TypeError, ArithmeticError):
        return str(value)  # not a number after all (a sheet of bad rows for a test): kept as written
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float | dt.date):
        return value
    return str(value)


class Sheet:
    """A write-only sheet with typed columns, widths and a frozen header row."""

    def __init__(self, book: Workbook, title: str, columns: Sequence[Col]) -> None:
        self.columns = list(columns)
        self.sheet = book.create_sheet(sheet_title(title))
        # Widths and panes must be set before the first row of a write-only sheet.
        for i, col in enumerate(self.columns, start=1):
            self.sheet.column_dimensions[get_column_letter(i)].width = col.column_width
        self.sheet.freeze_panes = "A2"
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="EEF2F7")
        header = []
        for col in self.columns:
            cell = WriteOnlyCell(self.sheet, value=str(col.header))
            cell.font, cell.fill, cell.alignment = bold, fill, Alignment(vertical="center", wrap_text=True)
            header.append(cell)
        self.sheet.append(header)
        self.rows = 0
        self._cells: dict[tuple[int, str], WriteOnlyCell] = {}

    def append(self, values: Sequence[Any]) -> None:
        """Append one row, each value converted for its column (dates localised, percentages as fractions)."""
        row: list[Any] = []
        for i, (col, value) in enumerate(zip(self.columns, values, strict=False)):
            kind = col.kind
            if isinstance(value, Cell):
                value, kind = value.value, value.kind
            cell_value = excel_value(value, kind)
            if kind in FORMATS and cell_value is not None and not isinstance(cell_value, str):
                row.append(self._formatted(i, kind, cell_value))
            else:
                row.append(cell_value)
        row.extend(excel_value(v.value if isinstance(v, Cell) else v, TEXT) for v in values[len(self.columns) :])
        self.sheet.append(row)
        self.rows += 1

    def _formatted(self, i: int, kind: str, value: Any) -> WriteOnlyCell:
        # A write-only sheet serialises each row as it is appended, so one formatted cell per column and
        # kind is reused with each row's value: styling a new cell per value costs more than the rest of it.
        cell = self._cells.get((i, kind))
        if cell is None:
            cell = self._cells[(i, kind)] = WriteOnlyCell(self.sheet)
            cell.number_format = FORMATS[kind]
        cell.value = value
        return cell

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for values in rows:
            self.append(values)

    def notes(self, lines: Iterable[str]) -> None:
        """A blank row and then one note a row below the table (the period covered, how to read it)."""
        lines = [str(line) for line in lines if line]
        if lines:
            self.sheet.append([])
            for line in lines:
                self.sheet.append([line])


def save(book: Workbook, target: IO[bytes] | str) -> None:
    book.save(target)


def response(book: Workbook, filename: str) -> HttpResponse:
    """The workbook as a download named `filename`.xlsx (Chinese names kept, RFC 5987)."""
    from io import BytesIO

    buffer = BytesIO()
    book.save(buffer)
    out = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPE)
    out["Content-Disposition"] = content_disposition(f"{filename}.xlsx")
    return out


def content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
