"""12345 call times in the forms real exports use; naive times are Shanghai time; unreadable ones are refused.

Also: a refused row's `complaint_number` is null in `/api/v1/hotline-imports/<id>/rows/`, and the schema
says so.
"""

import io
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from drf_spectacular.generators import SchemaGenerator
from openpyxl import Workbook

from complaints.hotline import service as hotline
from complaints.models import Complaint, HotlineImportRow

SH = ZoneInfo("Asia/Shanghai")
CALL = datetime(2026, 11, 30, 23, 45, tzinfo=SH)  # late at night: a UTC reading would be the wrong day
CALL_S = datetime(2026, 11, 30, 23, 45, 30, tzinfo=SH)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-30 23:45:00", CALL),
        ("2026-11-30 23:45", CALL),
        ("2026-11-30 23:45:30", CALL_S),
        ("2026/11/30 23:45", CALL),
        ("2026/11/30 23:45:30", CALL_S),
        ("2026/1/5 9:05", datetime(2026, 1, 5, 9, 5, tzinfo=SH)),
        ("2026年11月30日23时45分", CALL),
        ("2026年11月30日 23时45分", CALL),
        ("2026 年 11 月 30 日 23 时 45 分", CALL),
        ("2026年11月30日23时45分30秒", CALL_S),
        ("2026年11月30日 23时45分30秒", CALL_S),
        ("2026年11月30日23点45分", CALL),
        ("２０２６年１１月３０日　２３：４５", CALL),  # full-width digits, space and colon
        ("2026-11-30T23:45:00+08:00", CALL),
        ("2026-11-30T15:45:00Z", CALL),
        ("2026-11-30T15:45:00+00:00", CALL),
        ("2026-11-30T10:45:30-05:00", CALL_S),
        ("2026-11-30 23:45:00+0800", CALL),
        ("2026-11-30T23:45:30.000+08:00", CALL_S),
        ("2026-11-30T23:45", CALL),
        ("20261130234500", CALL),
        ("46356.98958333333", CALL),  # an Excel date cell exported to CSV as its serial number
        (46356.98958333333, CALL),  # an unformatted Excel cell
        (datetime(2026, 11, 30, 23, 44, 59, 999_999), CALL),  # Excel's fraction of a day, rounded
        (datetime(2026, 11, 30, 23, 45), CALL),
        (datetime(2026, 11, 30, 15, 45, tzinfo=UTC), CALL),
        (date(2026, 11, 30), datetime(2026, 11, 30, tzinfo=SH)),
    ],
)
def test_call_time_forms(value, expected):
    got = hotline.parse_call_time(value)
    assert got == expected
    assert got.utcoffset() is not None


@pytest.mark.parametrize(
    "value", ["昨天晚上", "2026-13-01 10:00", "2026年11月31日 10时00分", "30/11/2026 23:45", "12345", 1.5, "", None, time(23, 45), True]
)
def test_unreadable_call_times(value):
    assert hotline.parse_call_time(value) is None


HEADER = "工单编号,来电时间,诉求内容,诉求类别,地址,来电号码"


def test_a_csv_in_every_text_form_imports_each_call_time_as_shanghai_time(world):
    forms = [
        "2026-11-30 23:45:00",
        "2026/11/30 23:45",
        "2026年11月30日23时45分",
        "2026年11月30日 23时45分00秒",
        "2026-11-30T15:45:00Z",
        "2026-11-30T23:45:00+08:00",
    ]
    lines = [f"T-{i},{v},{i}号楼道灯不亮,公共照明,后龙镇福炼小区,1390595{i:04d}" for i, v in enumerate(forms)]
    lines.append("T-BAD,十一月底某天夜里,电梯停运,电梯故障,后龙镇福炼小区,13905950000")
    upload = SimpleUploadedFile("12345.csv", "\n".join([HEADER, *lines]).encode(), content_type="text/csv")

    batch = hotline.hotline_import_create(file=upload, uploaded_by=world.district)

    assert batch.imported == len(forms) and batch.refused == 1
    made = {c.hotline_ticket: c.made_at for c in Complaint.objects.filter(hotline_ticket__startswith="T-")}
    assert made == {f"T-{i}": CALL for i in range(len(forms))}
    refused = HotlineImportRow.objects.get(batch=batch, ticket="T-BAD")
    assert refused.outcome == HotlineImportRow.Outcome.REFUSED and refused.complaint is None
    assert refused.reason == _("The call time “%(value)s” cannot be read.") % {"value": "十一月底某天夜里"}


def test_an_excel_export_with_date_cells_serials_and_text(world):
    book = Workbook()
    sheet = book.active
    sheet.append(["工单编号", "来电时间", "诉求内容", "诉求类别", "地址", "来电号码"])
    sheet.append(["X-1", datetime(2026, 11, 30, 23, 45), "消防通道被堵", "", "界山镇天马华耀城", ""])
    sheet.cell(row=2, column=2).number_format = "yyyy/m/d h:mm"
    sheet.append(["X-2", 46356.98958333333, "楼道堆放杂物", "", "界山镇天马华耀城", ""])  # a cell left as a number
    sheet.append(["X-3", "2026年11月30日 23时45分", "路灯不亮", "", "界山镇天马华耀城", ""])
    sheet.append(["X-4", time(23, 45), "电梯异响", "", "界山镇天马华耀城", ""])  # a time without a day
    buf = io.BytesIO()
    book.save(buf)

    batch = hotline.hotline_import_create(file=SimpleUploadedFile("export.xlsx", buf.getvalue()), uploaded_by=world.district)

    assert batch.imported == 3 and batch.refused == 1
    for ticket in ("X-1", "X-2", "X-3"):
        assert Complaint.objects.get(hotline_ticket=ticket).made_at == CALL
    assert HotlineImportRow.objects.get(batch=batch, ticket="X-4").outcome == HotlineImportRow.Outcome.REFUSED


def test_a_refused_rows_complaint_number_is_null_as_the_schema_says(world, api):
    lines = [
        "OK-1,2026-11-30 23:45,楼道灯坏了,公共照明,后龙镇福炼小区,",
        "NO-1,不详,电梯停运,电梯故障,后龙镇福炼小区,",
    ]
    upload = SimpleUploadedFile("12345.csv", "\n".join([HEADER, *lines]).encode(), content_type="text/csv")
    client = api.as_user(world.district)
    batch = client.post("/api/v1/hotline-imports/", {"file": upload}, format="multipart").json()
    rows = {r["ticket"]: r for r in client.get(f"/api/v1/hotline-imports/{batch['id']}/rows/").json()["results"]}
    assert rows["OK-1"]["complaint_number"].startswith("TS")
    assert rows["NO-1"]["outcome"] == "refused" and rows["NO-1"]["complaint_number"] is None

    schema = SchemaGenerator().get_schema(request=None, public=True)
    field = schema["components"]["schemas"]["HotlineImportRow"]["properties"]["complaint_number"]
    assert field["type"] == "string" and field.get("nullable") is True
