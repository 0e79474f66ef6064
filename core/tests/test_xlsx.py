"""The shared Excel helper (core.xlsx): real dates in Asia/Shanghai, numbers, percent-formatted rates,
widths and a frozen header row, read back with openpyxl."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from core import xlsx

UTC = dt.UTC


def _sheet(columns, rows, notes=()):
    book = xlsx.workbook()
    sheet = xlsx.Sheet(book, "表/一[1]", columns)
    sheet.extend(rows)
    sheet.notes(notes)
    buffer = io.BytesIO()
    book.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue())).active


def test_cells_are_typed_formatted_and_local():
    columns = [
        xlsx.Col("编号", width=20),
        xlsx.Col("受理时间", xlsx.DATETIME),
        xlsx.Col("日期", xlsx.DATE),
        xlsx.Col("月份", xlsx.MONTH),
        xlsx.Col("件数", xlsx.INTEGER),
        xlsx.Col("投诉比", xlsx.NUMBER),
        xlsx.Col("满意率", xlsx.PERCENT),
    ]
    made = dt.datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 01:30 on 1 December in Shanghai
    sheet = _sheet(
        columns, [["T-1", made, made, dt.date(2026, 11, 1), 12, Decimal("1.25"), Decimal("83.14")], ["T-2", None, "", None, 0, None, None]]
    )
    row = [c for c in sheet[2]]
    assert row[0].value == "T-1" and row[0].data_type == "s"
    assert row[1].value == dt.datetime(2026, 12, 1, 1, 30) and row[1].value.tzinfo is None and row[1].number_format == "yyyy-mm-dd hh:mm"
    assert row[1].is_date and row[2].is_date and row[2].number_format == "yyyy-mm-dd"
    assert row[2].value == dt.datetime(2026, 12, 1)  # the local day, not the UTC one
    assert row[3].number_format == "yyyy-mm" and row[3].value == dt.datetime(2026, 11, 1)
    assert row[4].value == 12 and row[4].data_type == "n" and row[4].number_format == "0"
    assert row[5].value == 1.25 and row[5].number_format == "0.00"
    assert row[6].value == pytest.approx(0.8314) and row[6].number_format == "0.00%"
    assert [c.value for c in sheet[3]] == ["T-2", None, None, None, 0, None, None]


def test_header_is_frozen_bold_and_columns_have_widths():
    sheet = _sheet([xlsx.Col("编号", width=20), xlsx.Col("受理时间", xlsx.DATETIME), xlsx.Col("一个很长的中文列标题")], [["a", None, "b"]])
    assert sheet.freeze_panes == "A2"
    assert sheet.title == "表_一_1_"
    assert [c.value for c in sheet[1]] == ["编号", "受理时间", "一个很长的中文列标题"] and sheet["A1"].font.b
    widths = {k: sheet.column_dimensions[k].width for k in "ABC"}
    assert widths["A"] == 20 and widths["B"] == 17 and widths["C"] >= 20  # CJK characters count double


def test_a_cell_may_carry_its_own_kind_and_notes_follow_the_table():
    sheet = _sheet(
        [xlsx.Col("指标"), xlsx.Col("值")],
        [
            ["满意率", xlsx.Cell(Decimal("50"), xlsx.PERCENT)],
            ["件数", xlsx.Cell(7, xlsx.INTEGER)],
            ["说明", xlsx.Cell("很多", xlsx.INTEGER)],
        ],
        notes=["统计期：2026年11月"],
    )
    assert sheet["B2"].value == 0.5 and sheet["B2"].number_format == "0.00%"
    assert sheet["B3"].value == 7 and sheet["B3"].number_format == "0"
    assert sheet["B4"].value == "很多"  # not a number: kept as text rather than refused
    assert sheet["A5"].value is None and sheet["A6"].value == "统计期：2026年11月"


def test_naive_datetimes_are_taken_as_written_and_the_zone_is_shanghai():
    assert xlsx.excel_value(dt.datetime(2026, 1, 1, 8, 0), xlsx.DATETIME) == dt.datetime(2026, 1, 1, 8, 0)
    aware = dt.datetime(2026, 1, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert xlsx.excel_value(aware.astimezone(UTC), xlsx.DATETIME) == dt.datetime(2026, 1, 1, 8, 0)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        xlsx.Col("x", "money")


def test_every_row_keeps_its_own_values_in_formatted_columns():
    # Formatted cells are reused from row to row (write-only sheets serialise each row at once).
    sheet = _sheet([xlsx.Col("日期", xlsx.DATE), xlsx.Col("比例", xlsx.PERCENT)], [[dt.date(2026, 1, i), i * 10] for i in range(1, 4)])
    assert [(r[0].value.day, r[1].value) for r in sheet.iter_rows(min_row=2)] == [(1, 0.1), (2, 0.2), (3, 0.3)]
