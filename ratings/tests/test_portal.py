"""The dashboard and the other portal pages: scoping, drill-down, exports, query counts."""

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from communities.tests import factories as f
from ratings import engine, services
from ratings.tests.factories import complaint, local, response, survey

NOW = local(2026, 11, 20)
SPAN = {"from": "2026-06", "to": "2026-11"}


@pytest.fixture
def computed(world):
    complaint(world.fulian, local(2026, 10, 5))
    complaint(world.tianma, local(2026, 10, 6), is_overdue=True, status="dispatched")
    rnd = survey(world, month=(2026, 10))
    response(rnd, world.resident_fulian_unit, "satisfied")
    response(rnd, world.resident_tianma_unit, "basic")
    engine.compute(full=True, now=NOW)
    return world


def test_district_dashboard_in_chinese_with_kpis_charts_and_towns(computed, client):
    client.force_login(computed.district)
    r = client.get("/ratings/", SPAN)
    body = r.content.decode()
    assert r.status_code == 200
    assert "泉港区" in body and "业委会组建率" in body and "月均投诉比" in body and "满意率" in body
    assert body.count("data:image/svg+xml;base64,") >= 3 and "<script" not in body.split("<main", 1)[1]
    for town in ("后龙镇", "界山镇", "山腰街道"):
        assert town in body
    assert f'href="/ratings/subdistrict/{computed.houlong.pk}/"' in body
    assert "100.00%" in body  # satisfaction: both responses satisfied or basically satisfied


def test_town_official_lands_on_their_town_and_cannot_open_another(computed, client):
    client.force_login(computed.town_houlong)
    body = client.get("/ratings/", SPAN).content.decode()
    assert "后龙镇" in body and "福炼社区" in body
    assert "天马华耀城" not in body
    assert client.get(f"/ratings/subdistrict/{computed.jieshan.pk}/").status_code == 404
    assert client.get(f"/ratings/compound/{computed.tianma.pk}/").status_code == 404
    assert client.get(f"/ratings/district/{computed.district_area.pk}/").status_code == 404
    assert client.get(f"/ratings/compound/{computed.fulian.pk}/").status_code == 200


def test_community_official_sees_their_community(computed, client):
    client.force_login(computed.community_fulian)
    body = client.get("/ratings/", SPAN).content.decode()
    assert "福炼社区" in body and "福炼小区" in body
    assert client.get(f"/ratings/subdistrict/{computed.houlong.pk}/").status_code == 404


def test_drill_down_pages_exist_for_each_level(computed, client):
    client.force_login(computed.district)
    w = computed
    for url in (
        f"/ratings/district/{w.district_area.pk}/",
        f"/ratings/subdistrict/{w.houlong.pk}/",
        f"/ratings/community/{w.fulian_community.pk}/",
        f"/ratings/compound/{w.fulian.pk}/",
    ):
        assert client.get(url, SPAN).status_code == 200, url
    assert client.get("/ratings/subdistrict/999999/").status_code == 404


def test_overdue_complaints_are_listed(computed, client):
    client.force_login(computed.district)
    body = client.get("/ratings/", SPAN).content.decode()
    assert "table-overdue" in body and "天马华耀城" in body.split('id="table-overdue"')[1]


def test_every_table_exports_to_excel(computed, client):
    client.force_login(computed.district)
    for key in ("trend", "children", "best", "worst", "stars", "overdue", "overdue_rect", "overdue_actions"):
        r = client.get("/ratings/", {**SPAN, "export": key})
        assert r.status_code == 200, key
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(BytesIO(r.content)).active
        assert book.freeze_panes == "A2", key  # the header row stays in view
        assert all(book.column_dimensions[c.column_letter].width >= 10 for c in book[1]), key
        # No rate is left as text: "83.14%" would neither sum nor chart.
        assert not [c.value for row in book.iter_rows(min_row=2) for c in row if isinstance(c.value, str) and c.value.endswith("%")], key
    sheet = load_workbook(BytesIO(client.get("/ratings/", {**SPAN, "export": "trend"}).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "月份"
    october = next(r for r in rows if r[0] == "2026-10")
    assert october[1] == 2  # complaints in October
    cells = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "2026-10")
    assert cells[1].data_type == "n" and cells[1].number_format == "0"
    rates = [c for c in cells if c.number_format == "0.00%"]
    assert rates and all(isinstance(c.value, int | float) for c in rates)
    assert client.get("/ratings/", {"export": "nope"}).status_code == 404


def test_staff_see_their_company_page_with_ranks(computed, client):
    client.force_login(computed.staff_yifang)
    r = client.get("/ratings/")
    assert r.status_code == 302 and r["Location"].endswith("/ratings/company/")
    body = client.get("/ratings/company/", SPAN).content.decode()
    assert "福炼小区" in body and "天马华耀城" not in body
    assert "/ 3" in body  # rank among the district's three compounds
    assert client.get(f"/ratings/compound/{computed.fulian.pk}/").status_code == 404
    assert client.get(f"/ratings/subdistrict/{computed.houlong.pk}/").status_code == 404


def test_residents_and_mediators_have_no_dashboard(computed, client):
    for user in (computed.resident_fulian, computed.mediator_houlong, computed.committee_fulian):
        client.force_login(user)
        assert client.get("/ratings/").status_code == 404
        assert client.get(f"/ratings/compound/{computed.fulian.pk}/").status_code == 404
        assert client.get("/ratings/company/").status_code == 404
        assert client.get("/ratings/surveys/").status_code == 404
        assert client.get("/ratings/targets/").status_code == 404


def test_dashboard_query_count_does_not_grow_with_compounds(world, client, django_assert_num_queries):
    complaint(world.fulian, local(2026, 10, 5))
    engine.compute(full=True, now=NOW)
    client.force_login(world.district)
    client.get("/ratings/", SPAN)
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # measure the page computed from the snapshots, not served from the cache
    with CaptureQueriesContext(connection) as few:
        client.get("/ratings/", SPAN)
    for i in range(12):
        c = f.CompoundFactory(community=world.jieshan_community, name=f"新建小区{i}", household_count=100 + i)
        complaint(c, local(2026, 10, 5))
    engine.compute(full=True, now=NOW)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/ratings/", SPAN)


def test_dashboard_shows_new_figures_after_the_next_run(world, client):
    client.force_login(world.district)
    engine.compute(full=True, now=NOW)

    def october_complaints():
        sheet = load_workbook(BytesIO(client.get("/ratings/", {**SPAN, "export": "trend"}).content)).active
        return next(r for r in sheet.iter_rows(values_only=True) if r[0] == "2026-10")[1]

    assert october_complaints() == 0
    complaint(world.fulian, local(2026, 10, 5))
    assert october_complaints() == 0  # the page shows the snapshots, cached until the next run
    engine.compute(full=False)
    assert october_complaints() == 1


def test_star_rating_pages_propose_confirm_publish(computed, client):
    from datetime import date

    star_round = services.star_round_create(
        actor=computed.district,
        district_id=computed.district_area.pk,
        title="星级评定",
        month_from=date(2026, 10, 1),
        month_to=date(2026, 10, 1),
    )
    client.force_login(computed.district)
    base = f"/ratings/stars/{star_round.pk}"
    client.post(f"{base}/propose/")
    client.post(f"{base}/confirm-all/")
    client.post(f"{base}/publish/")
    body = client.get(f"{base}/").content.decode()
    assert "已发布" in body and "福炼小区" in body
    # Staff are sent to their own page for this round's breakdown (ratings/tests/test_company_stars.py).
    client.force_login(computed.staff_yifang)
    assert client.get(f"{base}/").url == f"/ratings/company/stars/?round={star_round.pk}"


def test_survey_pages_show_the_rate_and_refuse_outsiders(computed, client):
    from ratings.models import SurveyRound

    rnd = SurveyRound.objects.get()
    client.force_login(computed.district)
    body = client.get(f"/ratings/surveys/{rnd.pk}/").content.decode()
    assert 'id="survey-rate">100.00%' in body
    client.force_login(computed.town_houlong)
    assert client.get(f"/ratings/surveys/{rnd.pk}/").status_code == 200  # district-wide round covers the town
    client.force_login(computed.staff_yifang)
    assert client.get(f"/ratings/surveys/{rnd.pk}/").status_code == 404


def test_targets_page_lists_the_district_targets(computed, client):
    client.force_login(computed.district)
    r = client.post(
        "/ratings/targets/",
        {
            "district": computed.district_area.pk,
            "indicator": "satisfaction_rate",
            "direction": "rise",
            "baseline": "84.12",
            "target": "95",
            "month_from": "2026-01",
        },
    )
    assert r.status_code == 302
    body = client.get("/ratings/targets/").content.decode()
    assert "五升两降" in body and "84.12%" in body and "已达成" in body


def test_overdue_rectification_lists_are_listed(computed, client):
    from datetime import date

    from django.utils import timezone

    from inspections.models import ChecklistTemplate, Inspection, RectificationList

    template = ChecklistTemplate.objects.create(name="检查表", version=1)
    inspection = Inspection.objects.create(
        compound=computed.fulian,
        template=template,
        inspected_on=date(2026, 9, 1),
        recorded_by=computed.town_houlong,
        status="submitted",
        submitted_at=timezone.now(),
        total_score=80,
        max_total=100,
        percentage=80,
    )
    RectificationList.objects.create(
        number="ZG-OVERDUE",
        inspection=inspection,
        compound=computed.fulian,
        company=computed.yifang,
        issued_by=computed.town_houlong,
        deadline=date(2026, 9, 30),
    )
    engine.compute(full=False)
    client.force_login(computed.town_houlong)
    body = client.get("/ratings/", SPAN).content.decode()
    assert "ZG-OVERDUE" in body.split('id="table-overdue_rect"')[1]
    client.force_login(computed.town_jieshan)
    assert "ZG-OVERDUE" not in client.get("/ratings/", SPAN).content.decode()


def test_overdue_action_items_are_listed(computed, client):
    from datetime import date

    from mediation.models import ActionItem, Meeting

    meeting = Meeting.objects.create(
        kind="four_party", compound=computed.fulian, title="四方联席会议", starts_at=local(2026, 9, 1), status="held"
    )
    ActionItem.objects.create(meeting=meeting, title="疏通污水管", owner_name="一方物业", due_date=date(2026, 9, 30))
    ActionItem.objects.create(
        meeting=meeting, title="已完成事项", owner_name="社区", due_date=date(2026, 9, 30), status="done", done_at=NOW
    )
    client.force_login(computed.town_houlong)
    section = client.get("/ratings/", {**SPAN, "export": ""}).content.decode().split('id="table-overdue_actions"')[1]
    assert "疏通污水管" in section and "已完成事项" not in section


def test_a_refused_survey_keeps_what_was_typed_and_names_the_field(computed, client):
    client.force_login(computed.district)
    data = {"title": "2026年第5轮调查", "level": "district", "area_id": computed.district_area.pk}
    r = client.post("/ratings/surveys/", {**data, "period_start": "2026-12-20", "period_end": "2026-12-01"})
    assert r.status_code == 400
    body = r.content.decode()
    form = body[body.index('id="survey-form"') : body.index("</form>", body.index('id="survey-form"'))]
    assert 'value="2026年第5轮调查"' in form and 'value="2026-12-20"' in form
    assert re.search(r'<ul class="errorlist" id="s-period_end_error"><li>[^<]+</li>', form)


def test_a_target_that_is_not_a_number_is_refused_beside_its_field(computed, client):
    client.force_login(computed.district)
    data = {"district": computed.district_area.pk, "indicator": "satisfaction_rate", "direction": "rise", "target": "九十五"}
    r = client.post("/ratings/targets/", {**data, "month_from": "2026-01", "note": "区里定的"})
    assert r.status_code == 400
    body = r.content.decode()
    form = body[body.index('id="target-form"') : body.index("</form>", body.index('id="target-form"'))]
    assert 'id="t-target_error"' in form and 'value="九十五"' in form and 'value="区里定的"' in form


def test_compound_rankings_say_not_rated_instead_of_an_empty_star_cell(computed, client):
    # No star round has been published in this world: every compound is 未评定, on the page and in the export.
    client.force_login(computed.district)
    body = client.get("/ratings/", SPAN).content.decode()
    best = body.split('id="table-best"')[1].split("</section>")[0]
    assert "福炼小区" in best and "未评定" in best and "★" not in best
    sheet = load_workbook(BytesIO(client.get("/ratings/", {**SPAN, "export": "best"}).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "星级" and {r[-1] for r in rows[1:]} == {"未评定"}
