"""The onboarding workbook officials fill in: its layout, reading it, and writing a sample.

The layout follows the rosters districts already keep (one row per compound, one row per unit),
with Chinese headers in the first row. Either sheet may be left out; column order is free; extra
columns are ignored. Required columns are marked *. docs/onboarding.md explains it for officials.

Sheet 小区 (compounds)
    镇街*  社区*  小区名称*  户数*  地址  别名  建成年份  老旧小区  党支部  物业企业  统一社会信用代码  合同开始日期
Sheet 房屋 (units and their owners)
    小区名称*  楼栋*  房号*  建筑面积*  社区  单元  类型  业主姓名  身份证号  开发商未售

This module only reads and writes files; `communities.services.roster_import` applies the rows.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core import xlsx
from core.errors import ValidationError

COMPOUND_SHEET = "小区"
UNIT_SHEET = "房屋"

# key: (header, required)
COMPOUND_COLUMNS: dict[str, tuple[str, bool]] = {
    "subdistrict": ("镇街", True),
    "community": ("社区", True),
    "name": ("小区名称", True),
    "household_count": ("户数", True),
    "address": ("地址", False),
    "aliases": ("别名", False),
    "built_year": ("建成年份", False),
    "is_old": ("老旧小区", False),
    "has_party_branch": ("党支部", False),
    "company": ("物业企业", False),
    "credit_code": ("统一社会信用代码", False),
    "contract_start": ("合同开始日期", False),
}
UNIT_COLUMNS: dict[str, tuple[str, bool]] = {
    "compound": ("小区名称", True),
    "building": ("楼栋", True),
    "room": ("房号", True),
    "area": ("建筑面积", True),
    "community": ("社区", False),
    "entrance": ("单元", False),
    "kind": ("类型", False),
    "owner_names": ("业主姓名", False),
    "id_numbers": ("身份证号", False),
    "developer_unsold": ("开发商未售", False),
}
UNIT_KINDS = {"住宅": "apartment", "商铺": "shop", "其他": "other", "apartment": "apartment", "shop": "shop", "other": "other"}
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", ""}
# Several owners of one unit share a cell, separated by any of these.
SEPARATORS = "、,，;；/"

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000


@dataclass
class Row:
    number: int  # the row number Excel shows
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sheets:
    compounds: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)


class CellError(ValueError):
    """A cell that cannot be read as what its column needs; the message names the column."""


def read(file: IO[bytes]) -> Sheets:
    """Read the two sheets. A file that is not a workbook, or lacks a required column, is refused whole."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(_("The workbook is larger than 20 MB; split it into several files."), field="file")
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError(_("This file is not an Excel workbook (.xlsx)."), field="file") from exc
    except Exception as exc:  # an uploaded file can break the parser in any way: bad input, not a 500
        raise ValidationError(_("The workbook cannot be read; save it again as .xlsx."), field="file") from exc
    try:
        names = [name.strip() for name in book.sheetnames]
        if COMPOUND_SHEET not in names and UNIT_SHEET not in names:
            raise ValidationError(
                _("The workbook needs a sheet named %(a)s or %(b)s.") % {"a": COMPOUND_SHEET, "b": UNIT_SHEET}, field="file"
            )
        sheets = Sheets()
        for sheet_name, columns, target in ((COMPOUND_SHEET, COMPOUND_COLUMNS, sheets.compounds), (UNIT_SHEET, UNIT_COLUMNS, sheets.units)):
            if sheet_name in names:
                target.extend(_rows(book.worksheets[names.index(sheet_name)], sheet_name, columns))
        return sheets
    except ValidationError:
        raise
    except Exception as exc:  # read-only mode parses lazily, so a damaged sheet fails only here
        raise ValidationError(_("The workbook cannot be read; save it again as .xlsx."), field="file") from exc
    finally:
        book.close()


def _rows(sheet, sheet_name: str, columns: dict[str, tuple[str, bool]]) -> Iterator[Row]:
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None) or ()
    position = {str(cell).strip(): i for i, cell in enumerate(header) if cell is not None}
    for _key, (title, required) in columns.items():
        if required and title not in position:
            raise ValidationError(
                _("Sheet %(sheet)s lacks the column %(column)s.") % {"sheet": sheet_name, "column": title},
                field="file",
            )
    wanted = {key: position[title] for key, (title, _required) in columns.items() if title in position}
    for number, line in enumerate(lines, start=2):
        if number > MAX_ROWS:
            raise ValidationError(_("A sheet may have at most 200,000 rows; split the workbook."), field="file")
        if line is None or all(cell is None or str(cell).strip() == "" for cell in line):
            continue
        yield Row(number, {key: (line[i] if i < len(line) else None) for key, i in wanted.items()})


# --- Cell readers: each raises CellError naming the column -------------------------------------------


def text(value: Any, column: str, *, required: bool = False, max_length: int = 200) -> str:
    if value is None:
        result = ""
    elif isinstance(value, float) and value.is_integer():
        result = str(int(value))  # a room number typed as 101 arrives as 101.0
    else:
        result = str(value).strip()
    if required and not result:
        raise CellError(_("%(column)s is empty.") % {"column": column})
    if len(result) > max_length:
        raise CellError(_("%(column)s is longer than %(n)s characters.") % {"column": column, "n": max_length})
    return result


def whole_number(value: Any, column: str, *, low: int, high: int) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or number != number.to_integral_value() or not low <= number <= high:
        raise CellError(_("%(column)s must be a whole number from %(low)s to %(high)s.") % {"column": column, "low": low, "high": high})
    return int(number)


def area(value: Any, column: str) -> Decimal:
    try:
        number = Decimal(str(value).strip()) if value is not None and not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not Decimal("0") < number < Decimal("100000"):
        raise CellError(_("%(column)s must be a floor area in square metres, more than 0.") % {"column": column})
    if number != number.quantize(Decimal("0.01")):
        raise CellError(_("%(column)s has more than two decimals.") % {"column": column})
    return number.quantize(Decimal("0.01"))


def yes_no(value: Any, column: str) -> bool | None:
    """是/否 (also Y/N, 1/0, TRUE/FALSE); an empty cell is None (keep what is stored)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word == "":
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("%(column)s must be 是 or 否.") % {"column": column})


def date(value: Any, column: str) -> dt.date | None:
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip().replace("/", "-").replace(".", "-"))
    except ValueError as exc:
        raise CellError(_("%(column)s must be a date such as 2024-01-01.") % {"column": column}) from exc


def several(value: Any) -> list[str]:
    """Split a cell holding several names or numbers."""
    cell = text(value, "", max_length=2000)
    for sep in SEPARATORS[1:]:
        cell = cell.replace(sep, SEPARATORS[0])
    return [part.strip() for part in cell.split(SEPARATORS[0]) if part.strip()]


# --- Writing ---------------------------------------------------------------------------------------


# Column kinds in the written workbook (core.xlsx): dates as dates, areas and counts as numbers.
_KINDS = {"contract_start": "date", "household_count": "integer", "built_year": "integer", "area": "number"}


def build(compounds: list[dict[str, Any]], units: list[dict[str, Any]]) -> bytes:
    """A workbook in the layout above from rows keyed like COMPOUND_COLUMNS / UNIT_COLUMNS (core.xlsx: typed
    cells, widths, the header row frozen)."""
    book = xlsx.workbook()
    for sheet_name, columns, rows in ((COMPOUND_SHEET, COMPOUND_COLUMNS, compounds), (UNIT_SHEET, UNIT_COLUMNS, units)):
        keys = list(columns)
        cols = [xlsx.Col(columns[key][0], _KINDS.get(key, xlsx.TEXT), width=max(10, len(columns[key][0]) * 3)) for key in keys]
        sheet = xlsx.Sheet(book, sheet_name, cols)
        for row in rows:
            sheet.append([row.get(key) for key in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sample() -> bytes:
    """The sample in docs/samples/onboarding.xlsx: two new compounds of the demo district with their units.

    Importing it as `district` (or `town_houlong` for the first compound only) shows imported rows;
    importing it again shows every row unchanged.
    """
    compounds = [
        {
            "subdistrict": "后龙镇",
            "community": "福炼社区",
            "name": "海韵花园",
            "household_count": 6,
            "address": "后龙镇海韵路8号",
            "built_year": 2018,
            "is_old": "否",
            "has_party_branch": "是",
            "company": "泉港海韵物业服务有限公司",
            "credit_code": "91350505MA2Y3K4L5N",
            "contract_start": dt.date(2024, 1, 1),
        },
        {
            "subdistrict": "界山镇",
            "community": "界山社区",
            "name": "港湾新苑",
            "household_count": 3,
            "address": "界山镇港湾路2号",
            "aliases": "港湾新村",
            "built_year": 1996,
            "is_old": "是",
            "has_party_branch": "否",
        },
    ]
    units = [
        {"community": "福炼社区", "compound": "海韵花园", "building": "1幢", "entrance": "1单元", "room": "101", "area": 89.5,
         "owner_names": "陈志明", "id_numbers": "350505198003120012"},
        {"community": "福炼社区", "compound": "海韵花园", "building": "1幢", "entrance": "1单元", "room": "102", "area": 96.25,
         "owner_names": "林秀英、黄建国", "id_numbers": "350505197511230029、350505197402150011"},
        {"community": "福炼社区", "compound": "海韵花园", "building": "1幢", "entrance": "1单元", "room": "201", "area": 89.5,
         "owner_names": "陈志明", "id_numbers": "350505198003120012"},
        {"community": "福炼社区", "compound": "海韵花园", "building": "1幢", "entrance": "1单元", "room": "202", "area": 96.25,
         "owner_names": "郑丽华", "id_numbers": "350505198806070020"},
        {"community": "福炼社区", "compound": "海韵花园", "building": "1幢", "entrance": "", "room": "商铺1", "kind": "商铺", "area": 45,
         "owner_names": "泉港海韵商贸有限公司", "id_numbers": "91350505MA2Y3K4M7X"},
        {"community": "福炼社区", "compound": "海韵花园", "building": "1幢", "entrance": "1单元", "room": "301", "area": 118,
         "owner_names": "泉港海韵置业有限公司", "developer_unsold": "是"},
        {"community": "界山社区", "compound": "港湾新苑", "building": "A栋", "room": "101", "area": 72.3, "owner_names": "苏海涛"},
        {"community": "界山社区", "compound": "港湾新苑", "building": "A栋", "room": "102", "area": 72.3, "owner_names": "苏海涛"},
        {"community": "界山社区", "compound": "港湾新苑", "building": "A栋", "room": "201", "area": 80, "owner_names": "洪梅",
         "id_numbers": "35050519651201004X"},
    ]  # fmt: skip
    return build(compounds, units)
