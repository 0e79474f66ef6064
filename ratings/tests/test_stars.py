"""Star ratings: score from the snapshots, proposal, confirmation with reasons, publication."""

from datetime import date
from decimal import Decimal

import pytest

from communities.models import Compound
from communities.tests import factories as f
from ratings import engine, services
from ratings.models import StarRating, StarRatingRound
from ratings.tests.factories import complaint, local, response, survey

NOW = local(2026, 11, 20)


def test_score_is_the_weighted_mean_of_the_components(world):
    star_round = StarRatingRound(title="t", district=world.district_area, month_from=date(2026, 1, 1), month_to=date(2026, 10, 1))
    # Defaults: satisfaction 50, inspection 25, complaints 15, rectification 10; penalty 10 points per complaint per 100 households.
    score = services.star_score(
        star_round, satisfaction=Decimal(90), inspection=Decimal(80), complaint_ratio=Decimal("0.5"), rectification=Decimal(100)
    )
    assert score == Decimal("89.2500")  # (50·90 + 25·80 + 15·(100 − 10·0.5) + 10·100) / 100
    assert star_round.stars_for(score) == 4


def test_missing_components_leave_their_weight_out(world):
    star_round = StarRatingRound(title="t", district=world.district_area, month_from=date(2026, 1, 1), month_to=date(2026, 10, 1))
    score = services.star_score(star_round, satisfaction=Decimal(96), inspection=None, complaint_ratio=Decimal(1), rectification=None)
    assert score == Decimal("94.6154")  # (50·96 + 15·(100 − 10·1)) / 65 = 6150 / 65 = 94.6154
    assert star_round.stars_for(score) == 5


@pytest.fixture
def proposed(world):
    rnd = survey(world, month=(2026, 10))
    for _ in range(9):
        response(rnd, f.UnitFactory(compound=world.fulian), "satisfied")
    response(rnd, world.resident_fulian_unit, "dissatisfied")  # 福炼小区 90%
    response(rnd, world.resident_tianma_unit, "dissatisfied")  # 天马华耀城 0%
    for _ in range(5):
        complaint(world.tianma, local(2026, 10, 3))
    engine.compute(full=True, now=NOW)
    star_round = services.star_round_create(
        actor=world.district,
        district_id=world.district_area.pk,
        title="2026星级评定",
        month_from=date(2026, 10, 1),
        month_to=date(2026, 10, 1),
    )
    services.star_round_propose(actor=world.district, round_id=star_round.pk)
    return star_round


def test_proposal_rates_every_managed_compound_with_its_breakdown(world, proposed):
    ratings = {r.compound_id: r for r in StarRating.objects.filter(round=proposed)}
    assert set(ratings) == {world.fulian.pk, world.tianma.pk}  # 锦祥安置小区 is self-managed
    fulian = ratings[world.fulian.pk]
    assert fulian.satisfaction_rate == Decimal("90.000000")
    assert fulian.complaint_ratio == Decimal("0.000000")
    assert fulian.score == Decimal("92.3077")  # (50·90 + 15·100) / 65
    assert fulian.proposed_stars == 5
    tianma = ratings[world.tianma.pk]
    assert tianma.complaint_ratio == Decimal("0.394322")  # 5 / 1268 × 100
    assert tianma.proposed_stars == 1


def test_adjusting_stars_needs_a_reason(world, api, proposed):
    rating = StarRating.objects.get(round=proposed, compound=world.fulian)
    url = f"/api/v1/star-ratings/{rating.pk}/confirm/"
    r = api.as_user(world.district).post(url, {"stars": 4})
    assert r.status_code == 400
    assert "reason" in r.json()
    r = api.as_user(world.district).post(url, {"stars": 4, "reason": "消防通道占用尚未整改"})
    assert r.status_code == 200
    assert (r.json()["stars"], r.json()["reason"]) == (4, "消防通道占用尚未整改")


def test_publishing_needs_every_rating_confirmed_then_writes_the_compounds(world, api, proposed):
    base = f"/api/v1/star-rating-rounds/{proposed.pk}"
    rating = StarRating.objects.get(round=proposed, compound=world.fulian)
    api.as_user(world.district).post(f"/api/v1/star-ratings/{rating.pk}/confirm/", {})
    assert api.as_user(world.district).post(f"{base}/publish/").status_code == 409
    assert api.as_user(world.district).post(f"{base}/confirm-all/").json() == {"count": 1}
    r = api.as_user(world.district).post(f"{base}/publish/")
    assert r.status_code == 200
    assert r.json()["status"] == "published"
    assert Compound.objects.get(pk=world.fulian.pk).published_stars == 5
    assert Compound.objects.get(pk=world.tianma.pk).published_stars == 1
    assert Compound.objects.get(pk=world.jinxiang.pk).published_stars is None
    assert api.as_user(world.district).post(f"{base}/propose/").status_code == 409


def test_town_official_sees_the_round_but_may_not_publish(world, api, proposed):
    assert api.as_user(world.town_houlong).get(f"/api/v1/star-rating-rounds/{proposed.pk}/").status_code == 200
    assert api.as_user(world.town_houlong).post(f"/api/v1/star-rating-rounds/{proposed.pk}/confirm-all/").status_code == 403


def test_outsiders_get_404_for_rounds_and_ratings(world, api, proposed):
    rating = StarRating.objects.get(round=proposed, compound=world.fulian)
    for user in (world.staff_yijiayuan, world.resident_tianma):
        client = api.as_user(user)
        assert client.get(f"/api/v1/star-ratings/{rating.pk}/").status_code == 404
        assert rating.pk not in [r["id"] for r in client.get("/api/v1/star-ratings/").json()["results"]]
        assert client.get(f"/api/v1/star-rating-rounds/{proposed.pk}/").status_code == 404
        assert client.post(f"/api/v1/star-rating-rounds/{proposed.pk}/publish/").status_code == 404


def test_staff_see_their_compounds_ratings_and_residents_only_published_ones(world, api, proposed):
    rating = StarRating.objects.get(round=proposed, compound=world.fulian)
    assert api.as_user(world.staff_yifang).get(f"/api/v1/star-ratings/{rating.pk}/").status_code == 200
    assert api.as_user(world.resident_fulian).get(f"/api/v1/star-ratings/{rating.pk}/").status_code == 404
    services.star_round_confirm_all(actor=world.district, round_id=proposed.pk)
    services.star_round_publish(actor=world.district, round_id=proposed.pk)
    assert api.as_user(world.resident_fulian).get(f"/api/v1/star-ratings/{rating.pk}/").json()["stars"] == 5


def test_cutoffs_must_descend(world, api):
    r = api.as_user(world.district).post(
        "/api/v1/star-rating-rounds/",
        {"title": "x", "district": world.district_area.pk, "month_from": "2026-01-01", "month_to": "2026-10-01", "cut_5": 70, "cut_4": 80},
    )
    assert r.status_code == 400
    assert "cut_5" in r.json()


def test_distribution_by_town(world, api, proposed):
    body = api.as_user(world.town_houlong).get(f"/api/v1/star-rating-rounds/{proposed.pk}/distribution/").json()
    by_town = {row["subdistrict_name"]: row for row in body}
    assert by_town["后龙镇"]["stars_5"] == 1
    assert by_town["界山镇"]["stars_1"] == 1
    assert api.as_user(world.staff_yifang).get(f"/api/v1/star-rating-rounds/{proposed.pk}/distribution/").status_code == 404


def test_outsiders_see_no_rounds_in_the_list(world, api, proposed):
    for user in (world.staff_yifang, world.resident_fulian, world.mediator_houlong, world.committee_fulian):
        assert api.as_user(user).get("/api/v1/star-rating-rounds/").json()["count"] == 0
    assert api.as_user(world.town_jieshan).get("/api/v1/star-rating-rounds/").json()["count"] == 1


def test_only_district_officials_create_rounds(world, api):
    payload = {"title": "x", "district": world.district_area.pk, "month_from": "2026-01-01", "month_to": "2026-10-01"}
    assert api.as_user(world.town_houlong).post("/api/v1/star-rating-rounds/", payload).status_code == 403
    assert api.as_user(world.staff_yifang).post("/api/v1/star-rating-rounds/", payload).status_code == 404
    assert api.as_user(world.district).post("/api/v1/star-rating-rounds/", payload).status_code == 201


def test_demo_panel_grades_close_scores_by_rank(world, proposed):
    """Two scores within 0.01 of each other share every two-decimal cut-off; the demo's panel still
    publishes exactly the counts it was given, adjusting by rank with a reason."""
    from ratings.demo import grade_by_rank

    StarRating.objects.filter(round=proposed, compound=world.fulian).update(score=Decimal("80.1250"), proposed_stars=3)
    StarRating.objects.filter(round=proposed, compound=world.tianma).update(score=Decimal("80.1210"), proposed_stars=3)
    grade_by_rank(world.district, proposed, {4: 1})
    (kept,) = StarRating.objects.filter(round=proposed)
    assert (kept.compound_id, kept.stars, kept.reason) == (world.fulian.pk, 4, "评审组复核：分数相近，按名次定级")
    services.star_round_confirm_all(actor=world.district, round_id=proposed.pk)
    services.star_round_publish(actor=world.district, round_id=proposed.pk)
    assert dict(Compound.objects.filter(published_stars__isnull=False).values_list("pk", "published_stars")) == {world.fulian.pk: 4}
