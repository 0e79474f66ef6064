"""The monthly bulletin: its figures equal the dashboard's for the same month and area, the PDF carries
Chinese text, the Excel workbook its sections, only officials of the area publish, and scoping."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from bulletins import documents, services
from bulletins.models import Bulletin
from core.errors import PermissionDenied, ScopeError, ValidationError, WorkflowError
from core.models import Notification
from ratings import selectors as metrics
from ratings.models import Level, Target
from ratings.services import metrics_compute
from ratings.tests.factories import complaint, local, response, survey
from summons import services as summons_services

pytestmark = pytest.mark.django_db


def months():
    """The last finished month and the one before it (relative to today, so the test never ages)."""
    this = timezone.localdate().replace(day=1)
    last = (this - timedelta(days=1)).replace(day=1)
    return last, (last - timedelta(days=1)).replace(day=1)


@pytest.fixture
def bulletin(world):
    month, before = months()
    for day in (3, 9, 17):
        complaint(world.fulian, local(month.year, month.month, day), status="closed", rating="satisfied")
    for day in (2, 5, 8, 11, 20):
        complaint(world.tianma, local(month.year, month.month, day))
    complaint(world.tianma, local(month.year, month.month, 6), status="rejected")
    for day in (4, 12):
        complaint(world.tianma, local(before.year, before.month, day))
    round_ = survey(world, month=(month.year, month.month))
    response(round_, world.resident_fulian_unit)
    response(round_, world.resident_tianma_unit, overall="dissatisfied")
    Target.objects.create(
        district=world.district_area, indicator="complaint_ratio", direction="fall", baseline=1, target="0.5", month_from=before
    )
    summons_services.summons_record(
        actor=world.district,
        subject="company",
        company_id=world.yijiayuan.pk,
        subdistrict_id=world.jieshan.pk,
        held_on=month.replace(day=10),
        reason="天马华耀城投诉比居全区首位",
        attendees="怡家园物业总经理",
        commitments=[summons_services.CommitmentInput("一个月内更换污水管", month.replace(day=10) + timedelta(days=30))],
    )
    metrics_compute(full=True)
    return services.bulletin_generate(area=metrics.Area(Level.DISTRICT, world.district_area), month=month)


def test_the_bulletins_figures_equal_the_dashboards_for_the_same_month_and_area(world, client, api, bulletin):
    month, _before = months()
    c = bulletin.content
    ours = {f["key"]: f for f in c["headline"]}
    # The API's summary (what the dashboard computes) for the same area and month.
    summary = api.as_user(world.district).get(
        "/api/v1/metrics/summary/",
        {"level": "district", "area": world.district_area.pk, "month_from": f"{month:%Y-%m-%d}", "month_to": f"{month:%Y-%m-%d}"},
    )
    assert summary.status_code == 200
    theirs = {f["key"]: f for f in summary.json()["figures"]}
    for key, fig in ours.items():
        assert (fig["text"], fig["period"]) == (theirs[key]["text"], theirs[key]["period"]), key
    assert ours["complaints"]["text"] == "8" and ours["complaints"]["prev"] == "2"
    assert ours["complaints"]["mom"] == "300.00%"
    # The dashboard page itself for that month: its KPI cards and its towns table.
    client.force_login(world.district)
    page = client.get(f"/ratings/district/{world.district_area.pk}/", {"from": f"{month:%Y-%m}", "to": f"{month:%Y-%m}"})
    for card in page.context["kpis"]:
        if card["key"] in ours:
            assert (card["value"], card["period"]) == (ours[card["key"]]["text"], ours[card["key"]]["period"]), card["key"]
    towns = next(t for t in page.context["tables"] if t.key == "children")
    dashboard_towns = [(row[1][0], row[3].text, row[2].text) for row in towns.rows]  # name, complaint ratio, complaints
    assert [(r["name"], r["figures"]["complaint_ratio"], r["figures"]["complaints"]) for r in c["towns"]] == dashboard_towns
    worst = next(t for t in page.context["tables"] if t.key == "worst")
    assert [r["name"] for r in c["worst"]] == [row[0][0] for row in worst.rows][:5]
    assert c["worst"][0]["name"] == "福炼小区"  # 3 of 486 households against 5 of 1268
    # What only the bulletin adds: the companies, the target, the summonses.
    # Companies ranked like areas, lowest complaint ratio first: 5 of 1268 households, then 3 of 486.
    assert [(r["name"], r["figures"]["complaint_ratio"]) for r in c["companies"]] == [("怡家园物业", "0.39"), ("一方物业", "0.62")]
    assert c["targets"][0]["key"] == "complaint_ratio" and c["targets"][0]["status"] in {"achieved", "on_track", "off_track"}
    assert [(s["subject"], s["commitments"], s["done"]) for s in c["summonses"]] == [(world.yijiayuan.name, 1, 0)]


def test_the_pdf_renders_with_chinese_text(world, client, bulletin):
    client.force_login(world.district)
    response = client.get(f"/bulletins/{bulletin.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = "".join(text.split())
    assert "泉港区物业管理月度通报" in compact
    assert "天马华耀城" in compact and "怡家园物业" in compact and "投诉比" in compact


def test_the_excel_workbook_holds_every_section(world, client, bulletin):
    client.force_login(world.district)
    response = client.get(f"/bulletins/{bulletin.pk}/xlsx/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "主要指标" and "约谈" in book.sheetnames and "物业企业" in book.sheetnames
    main = book["主要指标"]
    rows = {r[0]: r for r in main.iter_rows(min_row=2, values_only=True) if r and r[0]}
    # Figures are numbers people can sum and chart (rates as fractions with a percent format), under a frozen header.
    assert rows["投诉数"][1] == 8 and rows["投诉数"][3] == 2
    assert main.freeze_panes == "A2"
    rate = next(c for r in book["物业企业"].iter_rows(min_row=2) for c in r if c.number_format == "0.00%" and c.value is not None)
    assert isinstance(rate.value, int | float) and 0 <= rate.value <= 1
    companies = [r[1] for r in book["物业企业"].iter_rows(min_row=2, values_only=True) if r and isinstance(r[0], int)]
    assert companies == ["怡家园物业", "一方物业"]


def test_only_officials_of_the_area_publish_and_a_published_bulletin_never_changes(world, client, bulletin):
    for user in (world.town_houlong, world.community_fulian):
        # Drafts of the district are not theirs to see.
        with pytest.raises(ScopeError):
            services.bulletin_publish(actor=user, bulletin_id=bulletin.pk)
    client.force_login(world.town_houlong)
    assert client.post(f"/bulletins/{bulletin.pk}/publish/").status_code == 404
    client.force_login(world.district)
    assert client.post(f"/bulletins/{bulletin.pk}/publish/").status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.PUBLISHED and bulletin.published_by == world.district
    assert Notification.objects.filter(user=world.town_houlong, kind="bulletin.published").exists()
    with pytest.raises(WorkflowError):
        services.bulletin_publish(actor=world.district, bulletin_id=bulletin.pk)
    with pytest.raises(WorkflowError):
        services.bulletin_generate(area=metrics.Area(Level.DISTRICT, world.district_area), month=bulletin.month)
    # Once published, town officials read it, but still may not publish anything of the district.
    client.force_login(world.town_houlong)
    assert client.get(f"/bulletins/{bulletin.pk}/").status_code == 200
    with pytest.raises(PermissionDenied):
        services.bulletin_publish(actor=world.town_houlong, bulletin_id=bulletin.pk)


def test_scoping_and_a_towns_bulletin(world, client, bulletin):
    month, _ = months()
    town = services.bulletin_generate(area=metrics.Area(Level.SUBDISTRICT, world.houlong), month=month)
    assert [r["name"] for r in town.content["communities"]] == ["福炼社区"] and town.content["towns"] == []
    for user in (world.staff_yifang, world.resident_fulian, world.committee_fulian, world.mediator_houlong):
        client.force_login(user)
        assert client.get(f"/bulletins/{bulletin.pk}/").status_code == 404, user
        assert client.get(f"/bulletins/{bulletin.pk}/pdf/").status_code == 404, user
        assert client.get(f"/bulletins/{town.pk}/xlsx/").status_code == 404, user
    client.force_login(world.town_jieshan)
    assert client.get(f"/bulletins/{town.pk}/").status_code == 404  # another town's draft
    client.force_login(world.town_houlong)
    assert client.get(f"/bulletins/{town.pk}/").status_code == 200
    services.bulletin_publish(actor=world.town_houlong, bulletin_id=town.pk)
    client.force_login(world.community_fulian)
    assert client.get(f"/bulletins/{town.pk}/").status_code == 200  # published: read inside the town
    client.force_login(world.town_jieshan)
    assert client.get(f"/bulletins/{town.pk}/").status_code == 404


def test_an_unfinished_month_is_refused_and_the_command_prints_the_bulletin(world, bulletin, capsys):
    with pytest.raises(ValidationError):
        services.bulletin_generate(area=metrics.Area(Level.DISTRICT, world.district_area), month=timezone.localdate())
    month, _ = months()
    call_command("bulletin", "泉港区", f"{month:%Y-%m}")
    out = capsys.readouterr().out
    assert out.startswith("泉港区物业管理月度通报") and "天马华耀城" in out and "约谈" in out
    assert Bulletin.objects.filter(level="district").count() == 1  # regenerated, not duplicated


def test_the_monthly_task_generates_each_area_once(world, bulletin):
    from bulletins.tasks import generate_monthly

    assert generate_monthly.delay().get() == 3  # the three towns; the district's draft exists
    assert generate_monthly.delay().get() == 0
    assert Bulletin.objects.count() == 4


def test_a_draft_waits_on_the_desk_of_the_officials_who_publish_it(world, api, bulletin):
    def count(user):
        roles = api.as_user(user).get("/api/v1/me/tasks/").json()["roles"]
        return {t["key"]: t["count"] for r in roles for t in r["tasks"]}.get("bulletins.to_publish")

    assert count(world.district) == 1
    assert count(world.town_houlong) == 0  # the district's draft is not the town's to publish
    services.bulletin_publish(actor=world.district, bulletin_id=bulletin.pk)
    assert count(world.district) == 0


def test_a_comparison_month_before_the_records_began_reads_a_dash_not_zero(world, bulletin):
    # The world's complaints start the month before the bulletin's: a year earlier there is no record at all,
    # which is not the same as no complaints (the demo's 2026-11 bulletin printed 去年同月0).
    c = bulletin.content
    complaints = next(f for f in c["headline"] if f["key"] == "complaints")
    assert (complaints["prev"], complaints["yoy_value"], complaints["yoy"]) == ("2", "—", "—")
    assert c["problems"] and all((p["last_year"], p["yoy"]) == ("—", "—") for p in c["problems"])
    text = documents.as_text(bulletin)
    assert "去年同月0" not in text and "去年同月—" in text


def test_a_comparison_month_with_records_reads_its_count(world):
    month, _before = months()
    year_ago = month.replace(year=month.year - 1)
    complaint(world.fulian, local(year_ago.year, year_ago.month, 7))
    complaint(world.fulian, local(month.year, month.month, 7))
    metrics_compute(full=True)
    content = services.bulletin_generate(area=metrics.Area(Level.DISTRICT, world.district_area), month=month).content
    complaints = next(f for f in content["headline"] if f["key"] == "complaints")
    assert (complaints["text"], complaints["yoy_value"], complaints["yoy"]) == ("1", "1", "0.00%")
