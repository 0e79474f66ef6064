"""GET /api/v1/metrics/: snapshots by level, area and months, scoped to the user."""

import pytest

from ratings import engine
from ratings.models import MetricSnapshot
from ratings.tests.factories import complaint, local

NOW = local(2026, 11, 20)


@pytest.fixture
def computed(world):
    complaint(world.fulian, local(2026, 10, 5))
    complaint(world.tianma, local(2026, 10, 5))
    engine.compute(full=True, now=NOW)
    return world


def ids(client, **params):
    body = client.get("/api/v1/metrics/", params | {"page_size": 200}).json()
    return {(r["level"], r["area_id"]) for r in body["results"]}


def test_filters_by_level_area_and_months(computed, api):
    w = computed
    body = (
        api.as_user(w.district)
        .get("/api/v1/metrics/", {"level": "compound", "area": w.fulian.pk, "month_from": "2026-10-01", "month_to": "2026-10-31"})
        .json()
    )
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["area_name"], row["month"], row["complaints"], row["households"]) == ("福炼小区", "2026-10-01", 1, 486)
    assert row["complaint_ratio"] == "0.205761"


def test_district_official_sees_every_level(computed, api):
    seen = ids(api.as_user(computed.district), month_from="2026-10-01", month_to="2026-10-01")
    assert ("district", computed.district_area.pk) in seen
    assert ("subdistrict", computed.jieshan.pk) in seen
    assert ("compound", computed.jinxiang.pk) in seen


def test_town_official_sees_only_their_town(computed, api):
    w = computed
    seen = ids(api.as_user(w.town_houlong), month_from="2026-10-01", month_to="2026-10-01")
    assert seen == {("subdistrict", w.houlong.pk), ("community", w.fulian_community.pk), ("compound", w.fulian.pk)}
    other = MetricSnapshot.objects.get(level="subdistrict", area_id=w.jieshan.pk, month="2026-10-01")
    district = MetricSnapshot.objects.get(level="district", area_id=w.district_area.pk, month="2026-10-01")
    assert api.as_user(w.town_houlong).get(f"/api/v1/metrics/{other.pk}/").status_code == 404
    assert api.as_user(w.town_houlong).get(f"/api/v1/metrics/{district.pk}/").status_code == 404


def test_staff_see_only_their_compounds(computed, api):
    w = computed
    seen = ids(api.as_user(w.staff_yifang), month_from="2026-10-01", month_to="2026-10-01")
    assert seen == {("compound", w.fulian.pk)}
    tianma = MetricSnapshot.objects.get(level="compound", area_id=w.tianma.pk, month="2026-10-01")
    assert api.as_user(w.staff_yifang).get(f"/api/v1/metrics/{tianma.pk}/").status_code == 404


def test_residents_see_their_own_compound_only(computed, api):
    w = computed
    assert ids(api.as_user(w.resident_tianma), month_from="2026-10-01", month_to="2026-10-01") == {("compound", w.tianma.pk)}
    fulian = MetricSnapshot.objects.get(level="compound", area_id=w.fulian.pk, month="2026-10-01")
    assert api.as_user(w.resident_tianma).get(f"/api/v1/metrics/{fulian.pk}/").status_code == 404


def test_anonymous_gets_401(computed, api):
    assert api.get("/api/v1/metrics/").status_code == 401


def test_list_query_count_does_not_grow_with_page_size(computed, api, django_assert_max_num_queries):
    client = api.as_user(computed.district)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/metrics/", {"page_size": 200}).status_code == 200
