"""The Excel roster import (issue 2, item 7): good sheets, bad rows, repeats, scope."""

import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from communities import workbook
from communities.credit_code import make_code
from communities.id_numbers import make_resident_id
from communities.models import Compound, ManagementContract, Owner, Ownership, PropertyCompany, Unit
from communities.services import roster_import
from core.errors import PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "onboarding.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(content: bytes, name: str = "roster.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def compound(name: str, households, *, town: str = "后龙镇", community: str = "福炼社区", **extra) -> dict:
    return {"subdistrict": town, "community": community, "name": name, "household_count": households, **extra}


def unit(compound_name: str, room: str, area, *, building: str = "1幢", **extra) -> dict:
    return {"compound": compound_name, "building": building, "room": room, "area": area, **extra}


def outcomes(report) -> list[tuple[str, int, str]]:
    return [(r.sheet, r.row, r.outcome) for r in report.rows]


def table_sizes() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Compound, Unit, Owner, Ownership, PropertyCompany, ManagementContract))


def test_committed_sample_is_the_generated_one():
    from openpyxl import load_workbook

    committed = load_workbook(SAMPLE, read_only=True)
    generated = load_workbook(io.BytesIO(workbook.sample()), read_only=True)
    for name in (workbook.COMPOUND_SHEET, workbook.UNIT_SHEET):
        assert list(committed[name].iter_rows(values_only=True)) == list(generated[name].iter_rows(values_only=True))


def test_good_sheet_is_imported(world):
    report = roster_import(actor=world.district, file=upload(SAMPLE.read_bytes()))

    assert report.counts == {"imported": 11, "updated": 0, "unchanged": 0, "refused": 0}
    haiyun = Compound.objects.get(name="海韵花园", community=world.fulian_community)
    assert (haiyun.household_count, haiyun.built_year, haiyun.is_old, haiyun.has_party_branch) == (6, 2018, False, True)
    assert haiyun.current_company.credit_code == "91350505MA2Y3K4L5N"
    assert str(haiyun.current_contract().start) == "2024-01-01"
    gangwan = Compound.objects.get(name="港湾新苑", community=world.jieshan_community)
    assert gangwan.is_self_managed and gangwan.aliases == "港湾新村"
    assert Unit.objects.get(compound=haiyun, room="102").area == Decimal("96.25")
    assert Unit.objects.get(compound=haiyun, room="商铺1").kind == Unit.Kind.SHOP
    # One buyer with two units is one owner, found by the digest of the ID number; the number itself is not stored.
    chen = Owner.objects.get(name="陈志明")
    assert chen.id_number_hash == hashlib.sha256(b"350505198003120012").hexdigest()
    assert sorted(chen.units.values_list("room", flat=True)) == ["101", "201"]
    assert not Owner.objects.filter(name__contains="350505").exists()
    # Co-owners share a cell; the developer's unsold unit belongs to one developer owner.
    assert set(Unit.objects.get(compound=haiyun, room="102").owners.values_list("name", flat=True)) == {"林秀英", "黄建国"}
    unsold = Unit.objects.get(compound=haiyun, room="301")
    assert unsold.is_developer_unsold and unsold.owners.get().is_developer


def test_repeated_import_changes_nothing(world):
    roster_import(actor=world.district, file=upload(SAMPLE.read_bytes()))
    before = table_sizes()
    stamps = list(Unit.objects.order_by("id").values_list("updated_at", flat=True))

    again = roster_import(actor=world.district, file=upload(SAMPLE.read_bytes()))

    assert again.counts == {"imported": 0, "updated": 0, "unchanged": 11, "refused": 0}
    assert table_sizes() == before
    assert list(Unit.objects.order_by("id").values_list("updated_at", flat=True)) == stamps


def test_changed_rows_are_reported_as_updated(world):
    unit = world.resident_fulian_unit
    book = workbook.build(
        [{"subdistrict": "后龙镇", "community": "福炼社区", "name": "福炼小区", "household_count": 490, "built_year": 1991}],
        [
            {
                "compound": "福炼小区",
                "building": unit.building,
                "entrance": unit.entrance,
                "room": unit.room,
                "area": "101.50",
                "owner_names": world.resident_fulian.display_name,
            }
        ],
    )
    report = roster_import(actor=world.community_fulian, file=upload(book))

    assert outcomes(report) == [("小区", 2, "updated"), ("房屋", 2, "updated")]
    assert "户数" in report.rows[0].detail or "household" in report.rows[0].detail
    world.fulian.refresh_from_db()
    unit.refresh_from_db()
    assert (world.fulian.household_count, world.fulian.built_year, unit.area) == (490, 1991, Decimal("101.50"))
    # The verified resident stays the owner: matched by name within the unit.
    assert list(unit.owners.values_list("user", flat=True)) == [world.resident_fulian.pk]


def test_bad_rows_are_refused_with_reasons_and_good_rows_still_imported(world):
    good_code = make_code("91350505MA2Y3K4P8")
    book = workbook.build(
        [
            compound("新建小区", 20, company="新物业", credit_code=good_code),
            compound("甲小区", 10, community="不存在社区"),
            compound("乙小区", 10, company="坏物业", credit_code="91350505MA2Y3K4P8Q"),
            compound("丙小区", "很多"),
            compound("新建小区", 20),
            compound("丁小区", 5, company="无码物业"),
        ],
        [
            unit("新建小区", "101", 88, owner_names="张伟", id_numbers=make_resident_id("35050519900101001")),
            unit("新建小区", "102", "abc"),
            unit("新建小区", "103", -5),
            unit("新建小区", "104", 0),
            unit("新建小区", "105", 80.123),
            unit("新建小区", "101", 88),
            unit("新建小区", "106", 70, owner_names="李四", id_numbers="350505199001010010"),
            unit("新建小区", "107", 70, owner_names="李四、王五", id_numbers=make_resident_id("35050519900101002")),
            unit("没有的小区", "101", 70),
            unit("新建小区", "108", 70, building=""),
            unit("新建小区", "109", 70, kind="别墅"),
        ],
    )
    before = table_sizes()
    report = roster_import(actor=world.town_houlong, file=upload(book))

    assert outcomes(report) == [
        ("小区", 2, "imported"),
        ("小区", 3, "refused"),
        ("小区", 4, "refused"),
        ("小区", 5, "refused"),
        ("小区", 6, "refused"),
        ("小区", 7, "refused"),
        ("房屋", 2, "imported"),
        *[("房屋", n, "refused") for n in range(3, 13)],
    ]
    reasons = {(r.sheet, r.row): r.detail for r in report.rows}
    assert "不存在社区" in reasons[("小区", 3)]
    assert "统一社会信用代码" in reasons[("小区", 4)]
    assert "户数" in reasons[("小区", 5)]
    assert "2" in reasons[("小区", 6)]  # duplicate of row 2
    assert "无码物业" in reasons[("小区", 7)]
    for row in (3, 4, 5, 6):
        assert "建筑面积" in reasons[("房屋", row)]
    assert "2" in reasons[("房屋", 7)]  # duplicate of row 2
    assert "ID" in reasons[("房屋", 8)] or "身份证" in reasons[("房屋", 8)]
    assert reasons[("房屋", 9)]  # two names, one number
    assert "没有的小区" in reasons[("房屋", 10)]
    assert "楼栋" in reasons[("房屋", 11)]
    assert "类型" in reasons[("房屋", 12)]
    # Exactly the two good rows were written (and the company and contract of the first).
    assert table_sizes() == tuple(a + b for a, b in zip(before, (1, 1, 1, 1, 1, 1), strict=True))
    assert not PropertyCompany.objects.filter(name__in=["坏物业", "无码物业"]).exists()


def test_a_contract_starting_later_is_recorded_once(world):
    import datetime as dt

    start = dt.date.today() + dt.timedelta(days=60)
    book = workbook.build([compound("新盘", 30, company="一方物业", contract_start=start)], [])
    first = roster_import(actor=world.district, file=upload(book))
    again = roster_import(actor=world.district, file=upload(book))

    assert [first.rows[0].outcome, again.rows[0].outcome] == ["imported", "unchanged"]
    assert ManagementContract.objects.filter(compound__name="新盘", start=start).count() == 1


def test_a_refused_row_is_never_half_written(world):
    # The compound row changes the household count, then fails on the company: nothing of it stays.
    book = workbook.build(
        [{"subdistrict": "后龙镇", "community": "福炼社区", "name": "福炼小区", "household_count": 999, "company": "怡家园物业"}], []
    )
    report = roster_import(actor=world.district, file=upload(book))

    assert report.rows[0].outcome == "refused" and "一方物业" in report.rows[0].detail
    world.fulian.refresh_from_db()
    assert world.fulian.household_count == 486


def test_rows_outside_the_officials_area_are_refused(world):
    book = workbook.build(
        [
            {"subdistrict": "界山镇", "community": "界山社区", "name": "天马华耀城", "household_count": 1},
            {"subdistrict": "界山镇", "community": "界山社区", "name": "新楼盘", "household_count": 1},
        ],
        [{"compound": "天马华耀城", "building": "9幢", "room": "901", "area": 90, "owner_names": "外人"}],
    )
    before = table_sizes()
    report = roster_import(actor=world.town_houlong, file=upload(book))

    assert [r.outcome for r in report.rows] == ["refused", "refused", "refused"]
    assert table_sizes() == before
    world.tianma.refresh_from_db()
    assert world.tianma.household_count == 1268
    # A community worker may not reach the rest of the town either.
    other = workbook.build([{"subdistrict": "后龙镇", "community": "后龙社区", "name": "x", "household_count": 1}], [])
    assert roster_import(actor=world.community_fulian, file=upload(other)).rows[0].outcome == "refused"


def test_one_buyer_across_rows_and_imports_is_one_owner(world):
    number = make_resident_id("35050519700101003")
    first = workbook.build([], [unit("福炼小区", "801", 90, building="8幢", owner_names="蔡一", id_numbers=number)])
    second = workbook.build([], [unit("锦祥安置小区", "201", 70, building="2幢", owner_names="蔡一", id_numbers=number)])
    roster_import(actor=world.district, file=upload(first))
    roster_import(actor=world.district, file=upload(second))

    owner = Owner.objects.get(name="蔡一")
    assert owner.units.count() == 2


def test_not_a_workbook_or_missing_column_is_refused_whole(world):
    with pytest.raises(ValidationError) as exc:
        roster_import(actor=world.district, file=upload(b"name,area\n", "roster.csv"))
    assert exc.value.field == "file"
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "房屋"
    book.active.append(["小区名称", "楼栋", "房号"])  # no 建筑面积
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValidationError) as exc:
        roster_import(actor=world.district, file=upload(out.getvalue()))
    assert "建筑面积" in exc.value.message


def test_a_damaged_workbook_is_400_not_500(world):
    import zipfile

    for member, content in [("xl/workbook.xml", b"<not xml"), ("xl/worksheets/sheet1.xml", b"\x00\x01garbage")]:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(SAMPLE.read_bytes())) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                dst.writestr(item, content if item.filename == member else src.read(item.filename))
        with pytest.raises(ValidationError) as exc:
            roster_import(actor=world.district, file=upload(out.getvalue()))
        assert exc.value.field == "file"


@pytest.mark.parametrize("username", ["staff_yifang", "resident_fulian", "committee_fulian", "mediator_houlong"])
def test_only_officials_import(world, username):
    with pytest.raises(PermissionDenied):
        roster_import(actor=getattr(world, username), file=upload(SAMPLE.read_bytes()))


def test_import_api_returns_the_report(world, api):
    client = api.as_user(world.district)
    resp = client.post("/api/v1/imports/roster/", {"file": upload(SAMPLE.read_bytes())}, format="multipart")
    assert resp.status_code == 200
    body = resp.json()
    assert body["counts"]["imported"] == 11 and body["rows"][0] == {
        "sheet": "小区",
        "row": 2,
        "label": "海韵花园",
        "outcome": "imported",
        "detail": "",
    } | {"detail": body["rows"][0]["detail"]}
    bad = client.post("/api/v1/imports/roster/", {"file": upload(b"junk")}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    missing = client.post("/api/v1/imports/roster/", {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()
    resident = api.as_user(world.resident_fulian).post("/api/v1/imports/roster/", {"file": upload(SAMPLE.read_bytes())}, format="multipart")
    assert resident.status_code == 403
    assert Compound.objects.filter(name="海韵花园").count() == 1


def test_import_page_shows_the_report_in_chinese(world, client):
    client.force_login(world.district)
    page = client.get("/imports/roster/")
    assert page.status_code == 200 and "导入" in page.content.decode()
    resp = client.post("/imports/roster/", {"file": upload(SAMPLE.read_bytes())})
    body = resp.content.decode()
    assert resp.status_code == 200 and 'id="import-report"' in body and "海韵花园" in body and "已导入" in body
    again = client.post("/imports/roster/", {"file": upload(SAMPLE.read_bytes())}).content.decode()
    assert "海韵花园" not in again.split('id="import-report"', 1)[1]  # unchanged rows are counted, not listed
    assert "11 行无变化" in again
    sample = client.get("/imports/roster/sample.xlsx")
    assert sample.status_code == 200 and sample["Content-Type"] == XLSX


def test_import_page_is_for_officials_only(world, client):
    client.force_login(world.staff_yifang)
    assert client.get("/imports/roster/").status_code == 403


def test_written_workbook_has_typed_cells_widths_and_a_frozen_header():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbook.sample()))
    compounds, units = book[workbook.COMPOUND_SHEET], book[workbook.UNIT_SHEET]
    assert compounds.freeze_panes == units.freeze_panes == "A2"
    assert compounds.column_dimensions["A"].width >= 10
    header = [c.value for c in compounds[1]]
    households = compounds.cell(row=2, column=header.index("户数") + 1)
    assert households.data_type == "n" and households.number_format == "0"
    area = units.cell(row=2, column=[c.value for c in units[1]].index("建筑面积") + 1)
    assert area.data_type == "n" and area.number_format == "0.00"
