"""Figures the district reports: issued, closed on time, overdue, by town and company; the on-time rate."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inspections import selectors, services
from inspections.models import RectificationList
from inspections.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(world, template):
    """福炼 (后龙镇, 一方): one closed on time, one closed late, one overdue, one open.
    天马 (界山镇, 怡家园): one closed on time."""
    today = timezone.localdate()
    fulian = f.make_inspection(world.town_houlong, world.fulian)
    tianma = f.make_inspection(world.town_jieshan, world.tianma)
    made = {name: f.issue_list(world.town_houlong, fulian) for name in ("on_time", "late", "overdue", "open")}
    made["tianma"] = f.issue_list(world.town_jieshan, tianma)
    for name in ("on_time", "late", "tianma"):
        rect = made[name]
        official = world.town_jieshan if name == "tianma" else world.town_houlong
        staff = world.staff_yijiayuan if name == "tianma" else world.staff_yifang
        services.rectification_report_file(actor=staff, list_id=rect.pk, actions=f.actions_for(rect))
        services.rectification_report_review(actor=official, list_id=rect.pk, decision="accept")
    RectificationList.objects.filter(pk=made["late"].pk).update(deadline=today - timedelta(days=3))
    RectificationList.objects.filter(pk=made["overdue"].pk).update(deadline=today - timedelta(days=1))
    return made


def test_figures_by_town_and_company_for_the_district(world, lists):
    by_town = selectors.rectification_figures(world.district, by="town")
    rows = {r["name"]: r for r in by_town["rows"]}
    houlong = rows["后龙镇"]
    assert (houlong["issued"], houlong["closed_on_time"], houlong["closed_late"], houlong["overdue"], houlong["open"]) == (4, 1, 1, 1, 1)
    # due = accepted (2) + past deadline unaccepted (1); on time 1 of 3
    assert houlong["due"] == 3 and houlong["on_time_rate"] == Decimal("33.33")
    assert rows["界山镇"]["on_time_rate"] == Decimal("100.00")
    assert by_town["total"]["issued"] == 5 and by_town["total"]["on_time_rate"] == Decimal("50.00")
    by_company = {r["name"]: r for r in selectors.rectification_figures(world.district, by="company")["rows"]}
    assert by_company["一方物业"]["issued"] == 4 and by_company["怡家园物业"]["closed_on_time"] == 1


def test_figures_are_scoped_to_the_viewer(world, api, lists):
    town = selectors.rectification_figures(world.town_jieshan, by="town")
    assert [r["name"] for r in town["rows"]] == ["界山镇"]
    res = api.as_user(world.staff_yijiayuan).get("/api/v1/rectification-lists/figures/?by=company")
    assert res.status_code == 200
    assert [r["name"] for r in res.json()["rows"]] == ["怡家园物业"]
    assert api.as_user(world.resident_fulian).get("/api/v1/rectification-lists/figures/").status_code == 403


def test_figures_endpoint_for_officials(world, api, lists):
    res = api.as_user(world.district).get("/api/v1/rectification-lists/figures/?by=town")
    assert res.status_code == 200
    assert res.json()["total"]["overdue"] == 1 and res.json()["total"]["on_time_rate"] == "50.00"
    assert api.as_user(world.district).get("/api/v1/rectification-lists/figures/?by=nonsense").status_code == 400


def test_on_time_rate_for_the_ratings_app(world, lists):
    per = selectors.rectification_timeliness()
    assert per[world.fulian.pk].due == 3 and per[world.fulian.pk].on_time == 1
    assert per[world.fulian.pk].rate == Decimal("33.33")
    assert per[world.tianma.pk].rate == Decimal("100.00")
    assert selectors.on_time_rectification_rate() == Decimal("50.00")
    assert selectors.on_time_rectification_rate(compound_ids=[world.jinxiang.pk]) is None


def test_latest_inspection_percentage_per_compound(world, template):
    f.make_inspection(world.town_houlong, world.fulian, on=timezone.localdate() - timedelta(days=30), minus=Decimal("1"))
    f.make_inspection(world.town_houlong, world.fulian, on=timezone.localdate() - timedelta(days=60), minus=Decimal("0"))
    f.make_inspection(world.town_houlong, world.fulian, submit=False)  # drafts do not count
    assert selectors.latest_inspection_percentages() == {world.fulian.pk: Decimal("99.00")}
    earlier = timezone.localdate() - timedelta(days=45)
    assert selectors.latest_inspection_percentages(on=earlier) == {world.fulian.pk: Decimal("100.00")}


def test_on_time_rate_counts_lists_by_deadline_window(world, lists):
    today = timezone.localdate()
    window = selectors.rectification_timeliness(end=today - timedelta(days=1))
    # Only the late list (deadline today-3) and the overdue one (today-1) fall in the window: 0 of 2 on time.
    assert window[world.fulian.pk].due == 2 and window[world.fulian.pk].on_time == 0
    assert world.tianma.pk not in window
    assert selectors.on_time_rectification_rate(start=today) == Decimal("100.00")
