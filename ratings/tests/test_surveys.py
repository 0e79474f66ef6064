"""Satisfaction surveys: rounds, one response per household, residents through the API, paper imports."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import IntegrityError
from django.utils import timezone
from openpyxl import Workbook

from communities.tests import factories as f
from ratings.models import SurveyResponse, SurveyRound
from ratings.tests.factories import response

ANSWERS = {
    "overall": "satisfied",
    "governance": "satisfied",
    "environment": "basic",
    "service": "satisfied",
    "public_order": "basic",
    "neighbours": "satisfied",
}


@pytest.fixture
def open_round(world):
    today = timezone.localdate()
    end = today + timedelta(days=30)
    return SurveyRound.objects.create(
        title="满意度调查",
        level="subdistrict",
        subdistrict=world.houlong,
        period_start=today.replace(day=1),
        period_end=end,
        month=end.replace(day=1),
        created_by=world.district,
    )


def test_official_opens_a_round_for_an_area_in_scope(world, api):
    r = api.as_user(world.town_houlong).post(
        "/api/v1/surveys/",
        {
            "title": "后龙镇四季度调查",
            "level": "subdistrict",
            "area_id": world.houlong.pk,
            "period_start": "2026-10-01",
            "period_end": "2026-10-31",
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["month"] == "2026-10-01"
    assert r.json()["area_name"] == "后龙镇"


def test_official_cannot_open_a_round_outside_scope(world, api):
    r = api.as_user(world.town_houlong).post(
        "/api/v1/surveys/",
        {
            "title": "界山镇调查",
            "level": "subdistrict",
            "area_id": world.jieshan.pk,
            "period_start": "2026-10-01",
            "period_end": "2026-10-31",
        },
    )
    assert r.status_code == 404


def test_resident_cannot_open_a_round(world, api):
    r = api.as_user(world.resident_fulian).post(
        "/api/v1/surveys/",
        {"title": "x", "level": "compound", "area_id": world.fulian.pk, "period_start": "2026-10-01", "period_end": "2026-10-31"},
    )
    assert r.status_code == 403


def test_period_must_not_end_before_it_starts(world, api):
    r = api.as_user(world.district).post(
        "/api/v1/surveys/",
        {"title": "x", "level": "district", "area_id": world.district_area.pk, "period_start": "2026-10-31", "period_end": "2026-10-01"},
    )
    assert r.status_code == 400
    assert "period_end" in r.json()


def test_resident_answers_for_own_unit(world, api, open_round):
    r = api.as_user(world.resident_fulian).post(
        f"/api/v1/surveys/{open_round.pk}/responses/", {"unit": world.resident_fulian_unit.pk, **ANSWERS}
    )
    assert r.status_code == 201, r.content
    saved = SurveyResponse.objects.get()
    assert (saved.compound_id, saved.overall, saved.public_order) == (world.fulian.pk, "satisfied", "basic")


def test_one_response_per_household(world, api, open_round):
    co_owner = f.UserFactory(username="co_owner")
    f.role(co_owner, "resident")
    owner = f.OwnerFactory(name="共有人", user=co_owner)
    from communities.models import Ownership

    Ownership.objects.get_or_create(unit=world.resident_fulian_unit, owner=owner)
    url = f"/api/v1/surveys/{open_round.pk}/responses/"
    assert api.as_user(world.resident_fulian).post(url, {"unit": world.resident_fulian_unit.pk, **ANSWERS}).status_code == 201
    again = api.as_user(co_owner).post(url, {"unit": world.resident_fulian_unit.pk, **ANSWERS})
    assert again.status_code == 409
    assert SurveyResponse.objects.count() == 1


def test_database_refuses_a_second_response_of_a_household(world, open_round):
    response(open_round, world.resident_fulian_unit)
    with pytest.raises(IntegrityError):
        response(open_round, world.resident_fulian_unit)


def test_resident_cannot_answer_for_someone_elses_unit(world, api, open_round):
    other = f.UnitFactory(compound=world.fulian)
    r = api.as_user(world.resident_fulian).post(f"/api/v1/surveys/{open_round.pk}/responses/", {"unit": other.pk, **ANSWERS})
    assert r.status_code == 400
    assert "unit" in r.json()


def test_resident_outside_the_round_area_gets_404(world, api, open_round):
    r = api.as_user(world.resident_tianma).post(
        f"/api/v1/surveys/{open_round.pk}/responses/", {"unit": world.resident_tianma_unit.pk, **ANSWERS}
    )
    assert r.status_code == 404
    assert api.as_user(world.resident_tianma).get(f"/api/v1/surveys/{open_round.pk}/").status_code == 404
    assert api.as_user(world.resident_tianma).get("/api/v1/surveys/").json()["count"] == 0


def test_bad_answer_names_the_field(world, api, open_round):
    r = api.as_user(world.resident_fulian).post(
        f"/api/v1/surveys/{open_round.pk}/responses/", {"unit": world.resident_fulian_unit.pk, **ANSWERS, "governance": "great"}
    )
    assert r.status_code == 400
    assert "governance" in r.json()


def test_closed_round_refuses_answers(world, api, open_round):
    SurveyRound.objects.filter(pk=open_round.pk).update(status="closed")
    r = api.as_user(world.resident_fulian).post(
        f"/api/v1/surveys/{open_round.pk}/responses/", {"unit": world.resident_fulian_unit.pk, **ANSWERS}
    )
    assert r.status_code == 409


def test_responses_list_is_scoped(world, api, open_round):
    response(open_round, world.resident_fulian_unit)
    response(open_round, f.UnitFactory(compound=world.fulian), "dissatisfied")
    assert api.as_user(world.town_houlong).get(f"/api/v1/surveys/{open_round.pk}/responses/").json()["count"] == 2
    assert api.as_user(world.resident_fulian).get(f"/api/v1/surveys/{open_round.pk}/responses/").json()["count"] == 1
    assert api.as_user(world.town_jieshan).get(f"/api/v1/surveys/{open_round.pk}/responses/").status_code == 404


def test_town_official_of_another_town_gets_404(world, api, open_round):
    assert api.as_user(world.town_jieshan).get(f"/api/v1/surveys/{open_round.pk}/").status_code == 404
    assert api.as_user(world.town_jieshan).get("/api/v1/surveys/").json()["count"] == 0
    assert api.as_user(world.staff_yifang).get(f"/api/v1/surveys/{open_round.pk}/").status_code == 404


def _workbook(rows) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["小区", "楼栋", "单元", "房号", "总体评价", "治理方式", "居住环境", "服务保障", "公共秩序", "邻里关系", "意见建议"])
    for row in rows:
        sheet.append(row)
    data = BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "paper.xlsx"
    return data


def test_official_imports_paper_results_with_a_row_report(world, api, open_round):
    u1 = f.UnitFactory(compound=world.fulian, building="2幢", entrance="1单元", room="201")
    u2 = f.UnitFactory(compound=world.fulian, building="2幢", entrance="1单元", room="202")
    response(open_round, u2)  # already answered through the app
    file = _workbook(
        [
            ["福炼小区", "2幢", "1单元", "201", "满意", "满意", "基本满意", "满意", "满意", "不满意", "电动车充电桩要多建一些"],
            ["福炼小区", "2幢", "1单元", "202", "不满意", "满意", "满意", "满意", "满意", "满意", ""],
            ["福炼小区", "9幢", "1单元", "901", "满意", "满意", "满意", "满意", "满意", "满意", ""],
            ["天马华耀城", "1幢", "1单元", "101", "满意", "满意", "满意", "满意", "满意", "满意", ""],
            ["福炼小区", "2幢", "1单元", "201", "很好", "满意", "满意", "满意", "满意", "满意", ""],
        ]
    )
    r = api.as_user(world.town_houlong).post(f"/api/v1/surveys/{open_round.pk}/import/", {"file": file}, format="multipart")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["imported"], body["duplicates"], body["refused"]) == (1, 1, 3)
    assert [row["outcome"] for row in body["rows"]] == ["imported", "duplicate", "refused", "refused", "refused"]
    assert body["rows"][0]["row"] == 2
    imported = SurveyResponse.objects.get(unit=u1)
    assert (imported.source, imported.environment, imported.neighbours) == ("paper", "basic", "dissatisfied")
    assert SurveyResponse.objects.filter(unit=u2).count() == 1


def test_import_refuses_a_file_that_is_not_a_workbook(world, api, open_round):
    file = BytesIO(b"not a workbook")
    file.name = "x.xlsx"
    r = api.as_user(world.town_houlong).post(f"/api/v1/surveys/{open_round.pk}/import/", {"file": file}, format="multipart")
    assert r.status_code == 400
    assert "file" in r.json()


def test_import_outside_scope_is_404(world, api, open_round):
    r = api.as_user(world.town_jieshan).post(f"/api/v1/surveys/{open_round.pk}/import/", {"file": _workbook([])}, format="multipart")
    assert r.status_code == 404


def test_only_officials_in_scope_close_a_round(world, api, open_round):
    url = f"/api/v1/surveys/{open_round.pk}/close/"
    assert api.as_user(world.town_jieshan).post(url).status_code == 404
    assert api.as_user(world.resident_fulian).post(url).status_code == 404
    r = api.as_user(world.town_houlong).post(url)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert api.as_user(world.town_houlong).post(url).status_code == 409
