"""12345 hotline import: parsing, matching, the per-row report, re-import, scope, API and portal."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from complaints.hotline import service as hotline
from complaints.models import Complaint, HotlineImport, HotlineImportRow
from core import errors

SH = ZoneInfo("Asia/Shanghai")
HEADER = "工单编号,来电时间,诉求内容,诉求类别,地址,来电号码"
GOOD_ROWS = [
    "GD20261101001,2026-11-01 09:15:00,3号楼电梯停运两天，老人上下楼困难,电梯故障,后龙镇福炼小区3号楼,13905951111",
    "GD20261101002,2026/11/2 20:40,小区路灯坏了一整排，晚上太暗,,泉港区后龙镇福炼新村,13905952222",
    "GD20261101003,2026年11月3日 08:00,物业人员态度问题,投诉,后龙镇福炼路1号,",
]


def csv_file(lines: list[str], *, encoding: str = "utf-8", name: str = "12345.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join([HEADER, *lines]).encode(encoding), content_type="text/csv")


def outcomes(batch: HotlineImport) -> dict[int, tuple[str, str]]:
    return {r.row_number: (r.outcome, r.reason) for r in batch.rows.all()}


@pytest.fixture
def official(world):
    return world.district


def test_good_file_becomes_hotline_complaints_with_call_time_and_ticket(world, official):
    batch = hotline.hotline_import_create(file=csv_file(GOOD_ROWS), uploaded_by=official)

    assert batch.status == HotlineImport.Status.DONE
    assert (batch.total_rows, batch.processed_rows, batch.imported, batch.refused) == (3, 3, 3, 0)
    c1, c2, c3 = (Complaint.objects.get(hotline_ticket=t) for t in ("GD20261101001", "GD20261101002", "GD20261101003"))
    assert {c.channel for c in (c1, c2, c3)} == {Complaint.Channel.HOTLINE}
    # made_at is the call time on the ticket (Asia/Shanghai), not the import time.
    assert c1.made_at == datetime(2026, 11, 1, 9, 15, tzinfo=SH)
    assert c2.made_at == datetime(2026, 11, 2, 20, 40, tzinfo=SH)
    assert c3.made_at == datetime(2026, 11, 3, 8, 0, tzinfo=SH)
    # Compound by name in the address, by alias (福炼新村), by the compound's own address.
    assert {c1.compound, c2.compound, c3.compound} == {world.fulian}
    # Category by name, by keyword in the content (路灯), and "other" as the fallback.
    assert (c1.category.code, c2.category.code, c3.category.code) == ("elevator", "lighting", "other")
    assert c1.reporter_phone == "13905951111"
    assert c1.assigned_company == world.yifang
    row = batch.rows.get(row_number=2)
    assert (row.outcome, row.ticket, row.complaint) == (HotlineImportRow.Outcome.IMPORTED, "GD20261101001", c1)


def test_bad_rows_are_refused_with_their_reason_and_good_rows_still_imported(world, official):
    lines = [
        GOOD_ROWS[0],
        "GD002,2026-11-01 10:00,,电梯故障,福炼小区,",  # empty content
        "GD003,昨天上午,楼道堆放杂物,消防通道堵塞,福炼小区,",  # unreadable time
        "GD004,2026-11-01 10:00,垃圾没人清运,环境卫生,泉港区某某花园,",  # no compound
        "GD005,2099-01-01 10:00,垃圾没人清运,环境卫生,福炼小区,",  # in the future
        ",2026-11-01 10:00,垃圾没人清运,环境卫生,福炼小区,",  # no ticket number
        "GD20261101001,2026-11-01 09:15,同一工单再次出现,电梯故障,福炼小区,",  # same ticket twice in the file
    ]
    batch = hotline.hotline_import_create(file=csv_file(lines), uploaded_by=official)

    got = outcomes(batch)
    assert len(got) == len(lines)  # no row dropped silently
    assert got[2][0] == "imported"
    assert got[3] == ("refused", "诉求内容为空。")
    assert got[4][0] == "refused" and "昨天上午" in got[4][1]
    assert got[5][0] == "refused" and "泉港区某某花园" in got[5][1]
    assert got[6] == ("refused", "来电时间晚于当前时间。")
    assert got[7] == ("refused", "工单编号为空。")
    assert got[8] == ("duplicate", "与本文件第 2 行是同一工单。")
    assert (batch.imported, batch.duplicates, batch.refused) == (1, 1, 5)
    assert Complaint.objects.count() == 1


def test_reimporting_the_same_file_creates_nothing(world, official):
    hotline.hotline_import_create(file=csv_file(GOOD_ROWS), uploaded_by=official)
    again = hotline.hotline_import_create(file=csv_file(GOOD_ROWS), uploaded_by=official)

    assert Complaint.objects.count() == 3
    assert (again.imported, again.duplicates, again.refused) == (0, 3, 0)
    first = Complaint.objects.get(hotline_ticket="GD20261101001")
    row = again.rows.get(row_number=2)
    assert row.outcome == "duplicate" and first.number in row.reason and row.complaint == first


def test_gbk_csv_is_detected_and_read(world, official):
    batch = hotline.hotline_import_create(file=csv_file(GOOD_ROWS, encoding="gbk"), uploaded_by=official)

    assert batch.imported == 3
    assert Complaint.objects.get(hotline_ticket="GD20261101001").description == "3号楼电梯停运两天，老人上下楼困难"


def test_excel_export_with_date_cells_and_numeric_ticket(world, official):
    book = Workbook()
    sheet = book.active
    sheet.append(["工单编号", "来电时间", "诉求内容", "诉求类别", "地址", "来电号码"])
    sheet.append([20261105001, datetime(2026, 11, 5, 14, 30), "消防通道被车辆堵住", "", "界山镇天马华耀城", 13905953333])
    sheet.append(["GD-X-2", "2026-11-05 15:00", "楼上装修噪音很大", "噪声扰民", "锦祥安置小区", ""])
    buf = io.BytesIO()
    book.save(buf)
    upload = SimpleUploadedFile("export.xlsx", buf.getvalue())

    batch = hotline.hotline_import_create(file=upload, uploaded_by=official)

    assert batch.imported == 2, outcomes(batch)
    fire = Complaint.objects.get(hotline_ticket="20261105001")
    assert (fire.compound, fire.category.code, fire.reporter_phone) == (world.tianma, "fire-lane", "13905953333")
    assert fire.made_at == datetime(2026, 11, 5, 14, 30, tzinfo=SH)
    noise = Complaint.objects.get(hotline_ticket="GD-X-2")
    # A self-managed compound's complaint goes to its community.
    assert (noise.compound, noise.assigned_community) == (world.jinxiang, world.jinxiang_community)


def test_official_imports_only_tickets_of_their_area(world):
    lines = [GOOD_ROWS[0], "GD-TM-1,2026-11-01 10:00,电梯困人,电梯困人,界山镇天马华耀城,"]
    batch = hotline.hotline_import_create(file=csv_file(lines), uploaded_by=world.town_houlong)

    got = outcomes(batch)
    assert got[2][0] == "imported"
    assert got[3] == ("refused", "天马华耀城不在您的管辖范围内。")
    assert not Complaint.objects.filter(compound=world.tianma).exists()


def test_non_official_cannot_import(world):
    with pytest.raises(errors.PermissionDenied):
        hotline.hotline_import_create(file=csv_file(GOOD_ROWS), uploaded_by=world.staff_yifang)
    assert not HotlineImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        ("工单编号,诉求内容\nA1,漏水\n".encode(), "缺少列：来电时间、地址"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xlsx"),
    ],
)
def test_unreadable_file_is_refused_whole_and_nothing_stored(world, official, content, message):
    with pytest.raises(errors.ValidationError) as exc:
        hotline.hotline_import_create(file=SimpleUploadedFile("x.csv", content), uploaded_by=official)
    assert message in exc.value.message and exc.value.field == "file"
    assert not HotlineImport.objects.exists()


def test_ambiguous_compound_name_is_narrowed_by_the_community_or_refused(world, official):
    from communities.tests import factories as f

    twin = f.CompoundFactory(community=world.jieshan_community, name="福炼小区", household_count=10)
    lines = [
        "T-1,2026-11-01 10:00,漏水,漏水渗水,福炼小区,",
        "T-2,2026-11-01 10:00,漏水,漏水渗水,界山镇界山社区福炼小区,",
    ]
    batch = hotline.hotline_import_create(file=csv_file(lines), uploaded_by=official)

    got = outcomes(batch)
    assert got[2][0] == "refused" and "界山社区" in got[2][1]
    assert Complaint.objects.get(hotline_ticket="T-2").compound == twin


def test_large_file_runs_as_task_with_progress(world, official, django_capture_on_commit_callbacks):
    lines = [f"BIG-{i:04d},2026-11-01 10:00,第{i}号楼道垃圾堆放,环境卫生,福炼小区,139{i:08d}" for i in range(hotline.ASYNC_THRESHOLD + 5)]
    with django_capture_on_commit_callbacks(execute=True):
        batch = hotline.hotline_import_create(file=csv_file(lines, name="big.csv"), uploaded_by=official)
        assert batch.status == HotlineImport.Status.QUEUED  # not imported inside the request

    batch.refresh_from_db()
    assert batch.status == HotlineImport.Status.DONE
    assert batch.processed_rows == batch.total_rows == len(lines)
    assert batch.imported == len(lines)
    # Running the task again (a retry, a duplicate delivery) changes nothing.
    from complaints.hotline.tasks import run_hotline_import

    run_hotline_import(batch.pk)
    assert Complaint.objects.count() == len(lines)


# --- API ------------------------------------------------------------------------------------


def test_api_upload_returns_the_batch_and_rows(world, api):
    client = api.as_user(world.town_houlong)
    resp = client.post("/api/v1/hotline-imports/", {"file": csv_file(GOOD_ROWS)}, format="multipart")

    assert resp.status_code == 201, resp.content
    assert resp.json()["imported"] == 3 and resp.json()["status"] == "done"
    rows = client.get(f"/api/v1/hotline-imports/{resp.json()['id']}/rows/").json()
    assert rows["count"] == 3 and rows["results"][0]["complaint_number"].startswith("TS")


def test_api_bad_file_is_400_naming_the_file(world, api):
    bad = SimpleUploadedFile("x.csv", b"a,b\n1,2\n")
    resp = api.as_user(world.district).post("/api/v1/hotline-imports/", {"file": bad}, format="multipart")
    assert resp.status_code == 400
    assert "file" in resp.json()


def test_api_staff_may_not_import(world, api):
    resp = api.as_user(world.staff_yifang).post("/api/v1/hotline-imports/", {"file": csv_file(GOOD_ROWS)}, format="multipart")
    assert resp.status_code == 403
    assert not HotlineImport.objects.exists()


def test_api_other_officials_and_staff_get_404_for_a_batch(world, api):
    batch = hotline.hotline_import_create(file=csv_file(GOOD_ROWS), uploaded_by=world.town_houlong)
    for user in (world.town_jieshan, world.staff_yifang, world.resident_fulian):
        client = api.as_user(user)
        assert client.get("/api/v1/hotline-imports/").json()["count"] == 0
        assert client.get(f"/api/v1/hotline-imports/{batch.pk}/").status_code == 404
        assert client.get(f"/api/v1/hotline-imports/{batch.pk}/rows/").status_code == 404


# --- Portal ---------------------------------------------------------------------------------


def test_portal_upload_redirects_to_the_report(world, client):
    client.force_login(world.town_houlong)
    page = client.get("/complaints/hotline/")
    assert page.status_code == 200 and "12345 工单导入" in page.content.decode()

    resp = client.post("/complaints/hotline/", {"file": csv_file(GOOD_ROWS)})
    batch = HotlineImport.objects.get()
    assert resp.status_code == 302 and resp.url == f"/complaints/hotline/{batch.pk}/"
    report = client.get(resp.url).content.decode()
    assert "GD20261101002" in report and "已导入" in report


def test_portal_shows_a_bad_file_error_on_the_form(world, client):
    client.force_login(world.district)
    resp = client.post("/complaints/hotline/", {"file": SimpleUploadedFile("x.csv", "编号\n1\n".encode())})
    assert resp.status_code == 200 and "缺少列" in resp.content.decode()


def test_portal_running_batch_page_refreshes_itself(world, client):
    batch = HotlineImport.objects.create(original_name="big.csv", uploaded_by=world.district, total_rows=500, processed_rows=125)
    client.force_login(world.district)
    html = client.get(f"/complaints/hotline/{batch.pk}/").content.decode()
    assert 'http-equiv="refresh"' in html and "125 / 500" in html


def test_portal_pages_are_404_for_non_officials_and_other_officials(world, client):
    batch = hotline.hotline_import_create(file=csv_file(GOOD_ROWS), uploaded_by=world.town_houlong)
    client.force_login(world.staff_yifang)
    assert client.get("/complaints/hotline/").status_code == 404
    client.force_login(world.town_jieshan)
    assert client.get(f"/complaints/hotline/{batch.pk}/").status_code == 404


def test_the_documented_sample_file_imports_as_described(world, official):
    from pathlib import Path

    from communities.tests import factories as f

    world.jinxiang.address = "山腰街道锦祥路6号"
    world.jinxiang.save()
    f.CompoundFactory(community=world.jinxiang_community, name="圭东小区", household_count=214)
    sample = Path(__file__).resolve().parents[2] / "docs/samples/12345_hotline_sample.csv"
    batch = hotline.hotline_import_create(file=SimpleUploadedFile(sample.name, sample.read_bytes()), uploaded_by=official)

    assert (batch.imported, batch.duplicates, batch.refused) == (5, 0, 2)
    got = outcomes(batch)
    assert got[7][0] == got[8][0] == "refused"
    assert Complaint.objects.get(hotline_ticket="QZ12345-20261104-0004").compound == world.jinxiang


def test_demo_open311_clients_seed_twice_without_duplicates(db):
    import io as _io

    from complaints import demo_integrations
    from complaints.models import Open311Client

    demo_integrations.seed(_io.StringIO())
    demo_integrations.seed(_io.StringIO())
    assert Open311Client.objects.filter(is_active=True).count() == len(demo_integrations.CLIENTS)


def test_a_batch_stuck_in_the_queue_can_be_queued_again(world, client, django_capture_on_commit_callbacks):
    lines = [f"Q-{i:04d},2026-11-01 10:00,垃圾堆放,环境卫生,福炼小区," for i in range(hotline.ASYNC_THRESHOLD + 1)]
    # The broker was down at upload: the on-commit enqueue never ran (callbacks not executed).
    batch = hotline.hotline_import_create(file=csv_file(lines), uploaded_by=world.district)
    assert HotlineImport.objects.get(pk=batch.pk).status == "queued"

    client.force_login(world.district)
    assert "重新排队" in client.get(f"/complaints/hotline/{batch.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/complaints/hotline/{batch.pk}/retry/")
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == ("done", len(lines))
    # Retrying a finished batch does nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(f"/complaints/hotline/{batch.pk}/retry/")
    assert callbacks == [] and Complaint.objects.count() == len(lines)


def test_admin_lists_imports_read_only(world, official, client):
    from core.models import User

    batch = hotline.hotline_import_create(file=csv_file(GOOD_ROWS), uploaded_by=official)
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    assert client.get("/admin/complaints/hotlineimport/").status_code == 200
    page = client.get(f"/admin/complaints/hotlineimport/{batch.pk}/change/").content.decode()
    assert "GD20261101003" in page


def test_an_excel_file_that_inflates_beyond_the_limit_is_refused(world, official, monkeypatch):
    monkeypatch.setattr(hotline, "MAX_UNZIPPED_BYTES", 1000)
    book = Workbook()
    book.active.append(["工单编号", "来电时间", "诉求内容", "地址"])
    book.active.append(["T1", "2026-11-01 10:00", "漏" * 2000, "福炼小区"])
    buf = io.BytesIO()
    book.save(buf)
    with pytest.raises(errors.ValidationError, match="解压"):
        hotline.hotline_import_create(file=SimpleUploadedFile("big.xlsx", buf.getvalue()), uploaded_by=official)


def test_batch_report_shows_the_matched_compound_and_category_on_the_page_and_in_excel(world, client):
    from openpyxl import load_workbook

    lines = [*GOOD_ROWS, "GD20261101009,2026-11-04 10:00,不知道是哪里的问题,噪音,火星路1号,"]
    batch = hotline.hotline_import_create(file=csv_file(lines), uploaded_by=world.district)
    client.force_login(world.district)
    html = client.get(f"/complaints/hotline/{batch.pk}/").content.decode()
    assert "匹配小区" in html and "匹配类别" in html
    expected = {r.row_number: (r.complaint.compound.name, str(r.complaint.category)) for r in batch.rows.exclude(complaint=None)}
    assert len(expected) == 3 and all(name == "福炼小区" for name, _ in expected.values())
    for _name, category in expected.values():
        assert f"<td>{category}</td>" in html

    response = client.get(f"/complaints/hotline/{batch.pk}/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert len(header) == 8
    compound, category, made = header.index("匹配小区"), header.index("匹配类别"), header.index("投诉时间")
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2) if isinstance(r[0].value, int)}
    assert {n: (r[compound].value, r[category].value) for n, r in rows.items() if r[compound].value} == expected
    refused = next(r for r in rows.values() if not r[compound].value)
    assert refused[category].value is None and refused[3].value  # a refused row keeps its reason
    first = rows[min(expected)]
    assert first[made].is_date and first[made].value == datetime(2026, 11, 1, 9, 15)  # the call time, local
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["F"].width == 22
    client.force_login(world.staff_yifang)
    assert client.get(f"/complaints/hotline/{batch.pk}/", {"export": "xlsx"}).status_code == 404
