"""District targets (five rises, two falls): actual from the snapshots, achieved / on track."""

from datetime import date
from decimal import Decimal

from communities.tests import factories as f
from ratings import engine
from ratings.models import Target
from ratings.selectors import target_status
from ratings.tests.factories import complaint, local, response, survey

NOW = local(2026, 11, 20)


def _ratio_world(world):
    # 泉港区: 486 + 1268 + 932 = 2686 households; 100-household compound added → 2786.
    c = f.CompoundFactory(community=world.fulian_community, name="百户小区", household_count=214)  # total 2900
    for month, n in ((1, 29), (2, 29), (9, 15), (10, 14)):
        for _ in range(n):
            complaint(c, local(2026, month, 10))
    engine.compute(full=True, now=NOW)


def test_fall_target_uses_the_monthly_average_and_the_measured_baseline(world, api):
    _ratio_world(world)
    r = api.as_user(world.district).post(
        "/api/v1/targets/",
        {
            "district": world.district_area.pk,
            "indicator": "complaint_ratio",
            "direction": "fall",
            "target": "0.7",
            "baseline_from": "2026-01-01",
            "baseline_to": "2026-02-01",
            "month_from": "2026-09-01",
            "month_to": "2026-10-01",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert Decimal(body["baseline"]) == Decimal("1.0000")  # 29 / 2900 × 100 in January and in February
    assert Decimal(body["actual"]) == Decimal("0.500000")  # (15 + 14) / 2 / 2900 × 100
    assert body["achieved"] is True and body["on_track"] is True


def test_rise_target_improving_but_not_reached_is_on_track(world):
    rnd = survey(world, month=(2026, 10))
    response(rnd, world.resident_fulian_unit, "satisfied")
    response(rnd, world.resident_tianma_unit, "dissatisfied")  # 50%
    engine.compute(full=True, now=NOW)
    target = Target.objects.create(
        district=world.district_area,
        indicator="satisfaction_rate",
        direction="rise",
        baseline=Decimal(40),
        target=Decimal(90),
        month_from=date(2026, 1, 1),
    )
    status = target_status(target)
    assert status.actual == Decimal(50)
    assert (status.achieved, status.on_track) == (False, True)
    target.baseline = Decimal(60)
    assert target_status(target).on_track is False


def test_a_rise_target_below_its_baseline_is_refused(world, api):
    r = api.as_user(world.district).post(
        "/api/v1/targets/",
        {
            "district": world.district_area.pk,
            "indicator": "response_rate",
            "direction": "rise",
            "baseline": "90",
            "target": "80",
            "month_from": "2026-01-01",
        },
    )
    assert r.status_code == 400
    assert "target" in r.json()


def test_only_district_officials_set_targets_and_officials_see_them(world, api):
    payload = {
        "district": world.district_area.pk,
        "indicator": "resolution_rate",
        "direction": "rise",
        "baseline": "80",
        "target": "92",
        "month_from": "2026-01-01",
    }
    assert api.as_user(world.town_houlong).post("/api/v1/targets/", payload).status_code == 403
    assert api.as_user(world.staff_yifang).post("/api/v1/targets/", payload).status_code == 404
    r = api.as_user(world.district).post("/api/v1/targets/", payload)
    assert r.status_code == 201
    pk = r.json()["id"]
    assert api.as_user(world.town_houlong).get(f"/api/v1/targets/{pk}/").status_code == 200
    for outsider in (world.staff_yifang, world.resident_fulian, world.mediator_houlong):
        assert api.as_user(outsider).get(f"/api/v1/targets/{pk}/").status_code == 404
        assert api.as_user(outsider).get("/api/v1/targets/").json()["count"] == 0
