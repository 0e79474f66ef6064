"""Portal pages: officials record and review, companies read and report; outsiders get 404."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inspections.models import Inspection, RectificationList, RectificationReport
from inspections.tests import factories as f

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_official_records_an_inspection_in_the_portal(world, template):
    client = _client(world.town_houlong)
    page = client.get(reverse("inspections:inspection_list"))
    assert page.status_code == 200 and "检查" in page.content.decode()
    res = client.post(reverse("inspections:inspection_create"), {"compound": world.fulian.pk, "inspected_on": str(timezone.localdate())})
    inspection = Inspection.objects.get()
    assert res.status_code == 302 and res["Location"] == reverse("inspections:inspection_detail", args=[inspection.pk])
    form = {f"score_{s.item_id}": str(s.score) for s in f.full_scores(template)}
    item = template.items.get(code="3.07")
    form[f"score_{item.pk}"] = "9"
    client.post(reverse("inspections:inspection_scores", args=[inspection.pk]), form)
    assert not inspection.scores.exists()  # one score above its maximum: nothing saved
    form[f"score_{item.pk}"] = "1"
    client.post(reverse("inspections:inspection_scores", args=[inspection.pk]), form)
    assert inspection.scores.count() == 92
    client.post(
        reverse("inspections:inspection_finding", args=[inspection.pk]),
        {"item": item.pk, "severity": "serious", "description": "消防车通道被占用", "photos": [f.png()]},
    )
    client.post(reverse("inspections:inspection_submit", args=[inspection.pk]))
    inspection.refresh_from_db()
    assert inspection.status == "submitted" and str(inspection.percentage) == "99.50"
    detail = client.get(reverse("inspections:inspection_detail", args=[inspection.pk])).content.decode()
    assert "整改清单" in detail and "99.50" in detail
    res = client.post(
        reverse("inspections:inspection_issue", args=[inspection.pk]),
        {"findings": [inspection.findings.get().pk], "deadline": str(timezone.localdate() + timedelta(days=7))},
    )
    rect = RectificationList.objects.get()
    assert res["Location"] == reverse("inspections:list_detail", args=[rect.pk])


def test_past_deadline_in_the_portal_shows_an_error_and_issues_nothing(world, template):
    inspection = f.make_inspection(world.town_houlong, world.fulian)
    client = _client(world.town_houlong)
    res = client.post(
        reverse("inspections:inspection_issue", args=[inspection.pk]),
        {"findings": list(inspection.findings.values_list("id", flat=True)), "deadline": str(timezone.localdate() - timedelta(days=1))},
        follow=True,
    )
    assert "期限不能早于今天" in res.content.decode() or "截止" in res.content.decode()
    assert not RectificationList.objects.exists()


def test_company_files_a_report_from_the_phone_form_and_reads_the_review(world, fulian_list):
    staff = _client(world.staff_yifang)
    form_page = staff.get(reverse("inspections:report_form", args=[fulian_list.pk])).content.decode()
    assert 'accept="image/*"' in form_page and "capture" in form_page
    data = {"summary": "已整改"}
    for item in fulian_list.items.all():
        data[f"action_{item.pk}"] = "已清理完毕"
        data[f"photos_{item.pk}"] = f.png(f"p{item.pk}.png")
    res = staff.post(reverse("inspections:report_form", args=[fulian_list.pk]), data)
    assert res.status_code == 302
    report = RectificationReport.objects.get()
    assert report.actions.count() == 2 and all(a.photos.count() == 1 for a in report.actions.all())

    official = _client(world.town_houlong)
    queue = official.get(reverse("inspections:review_queue")).content.decode()
    assert fulian_list.number in queue
    official.post(reverse("inspections:list_review", args=[fulian_list.pk]), {"decision": "return", "comment": "请补充对比照片"})
    page = staff.get(reverse("inspections:list_detail", args=[fulian_list.pk])).content.decode()
    assert "请补充对比照片" in page and "审计" not in page  # the audit trail is for officials
    official_page = official.get(reverse("inspections:list_detail", args=[fulian_list.pk])).content.decode()
    assert 'id="history"' in official_page


def test_printable_notice(world, fulian_list):
    page = _client(world.staff_yifang).get(reverse("inspections:list_notice", args=[fulian_list.pk])).content.decode()
    assert "整改通知书" in page and fulian_list.number in page and "一方物业" in page
    assert "inspections/notice.css" in page


def test_staff_of_another_company_gets_404_on_every_page_of_the_list(world, fulian_list):
    client = _client(world.staff_yijiayuan)
    assert fulian_list.number not in client.get(reverse("inspections:list_list")).content.decode()
    for name in ("list_detail", "list_notice", "report_form"):
        assert client.get(reverse(f"inspections:{name}", args=[fulian_list.pk])).status_code == 404
    assert client.post(reverse("inspections:list_review", args=[fulian_list.pk]), {"decision": "accept"}).status_code == 404
    assert client.post(reverse("inspections:report_form", args=[fulian_list.pk]), {}).status_code == 404
    assert not RectificationReport.objects.exists()


def test_official_pages_are_404_for_staff_and_outside_officials(world, fulian_list):
    staff = _client(world.staff_yifang)
    for url in (reverse("inspections:inspection_list"), reverse("inspections:review_queue")):
        assert staff.get(url).status_code == 404
    assert staff.get(reverse("inspections:inspection_detail", args=[fulian_list.inspection_id])).status_code == 404
    outsider = _client(world.town_jieshan)
    assert outsider.get(reverse("inspections:inspection_detail", args=[fulian_list.inspection_id])).status_code == 404
    assert outsider.get(reverse("inspections:list_detail", args=[fulian_list.pk])).status_code == 404
    assert _client(world.resident_fulian).get(reverse("inspections:figures")).status_code == 404


def test_figures_page_shows_tables_by_town_and_company(world, fulian_list):
    page = _client(world.district).get(reverse("inspections:figures")).content.decode()
    assert 'id="figures-town"' in page and 'id="figures-company"' in page and "后龙镇" in page and "一方物业" in page
