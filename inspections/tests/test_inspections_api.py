from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inspections.models import Finding, FindingPhoto, Inspection, InspectionScore
from inspections.tests import factories as f

pytestmark = pytest.mark.django_db


def _draft(api, user, compound):
    res = api.as_user(user).post(
        "/api/v1/inspections/", {"compound": compound.pk, "inspected_on": str(timezone.localdate()), "summary": "季度检查"}, format="json"
    )
    assert res.status_code == 201, res.content
    return res.json()


def _all_scores(template, minus=Decimal("0")):
    return [{"item": s.item_id, "score": str(s.score)} for s in f.full_scores(template, minus=minus)]


def test_tablet_flow_draft_scores_findings_submit(world, api, template):
    client = api.as_user(world.town_houlong)
    draft = _draft(api, world.town_houlong, world.fulian)
    assert draft["status"] == "draft" and draft["inspectors"] == [world.town_houlong.pk]
    assert draft["company_name"] == "一方物业"

    res = client.put(f"/api/v1/inspections/{draft['id']}/scores/", {"scores": _all_scores(template, Decimal("1.5"))}, format="json")
    assert res.status_code == 200, res.content
    assert len(res.json()["scores"]) == 92

    item = template.items.order_by("order")[5]
    res = client.post(
        f"/api/v1/inspections/{draft['id']}/findings/",
        {"item": item.pk, "severity": "serious", "description": "消防通道被电动车堵塞", "photos": [f.png("a.png"), f.png("b.png")]},
        format="multipart",
    )
    assert res.status_code == 201, res.content
    assert len(res.json()["photos"]) == 2

    res = client.post(f"/api/v1/inspections/{draft['id']}/submit/")
    assert res.status_code == 200
    body = res.json()
    assert body["status"] == "submitted"
    assert body["total_score"] == "98.50" and body["max_total"] == "100.00" and body["percentage"] == "98.50"
    # The photo is served only inside scope.
    photo_url = body["findings"][0]["photos"][0]
    assert client.get(photo_url).status_code == 200


def test_percentage_is_total_over_the_checklists_maximum(world, template):
    inspection = f.make_inspection(world.town_houlong, world.fulian)  # 0.5 off one item
    assert inspection.percentage == Decimal("99.50")


def test_score_above_an_items_maximum_is_400_naming_the_item_and_writes_nothing(world, api, template):
    draft = _draft(api, world.town_houlong, world.fulian)
    item = template.items.get(code="2.03")
    scores = _all_scores(template)
    for s in scores:
        if s["item"] == item.pk:
            s["score"] = str(item.max_score + Decimal("0.5"))
    res = api.as_user(world.town_houlong).put(f"/api/v1/inspections/{draft['id']}/scores/", {"scores": scores}, format="json")
    assert res.status_code == 400
    assert "2.03" in str(res.json()["scores"])
    assert not InspectionScore.objects.filter(inspection_id=draft["id"]).exists()


def test_negative_score_and_unknown_item_are_400(world, api, template):
    draft = _draft(api, world.town_houlong, world.fulian)
    client = api.as_user(world.town_houlong)
    item = template.items.first()
    res = client.put(f"/api/v1/inspections/{draft['id']}/scores/", {"scores": [{"item": item.pk, "score": "-1"}]}, format="json")
    assert res.status_code == 400
    res = client.put(f"/api/v1/inspections/{draft['id']}/scores/", {"scores": [{"item": 999999, "score": "1"}]}, format="json")
    assert res.status_code == 400 and "999999" in str(res.json())
    assert not InspectionScore.objects.filter(inspection_id=draft["id"]).exists()


def test_submit_with_unscored_items_is_409(world, api, template):
    draft = _draft(api, world.town_houlong, world.fulian)
    client = api.as_user(world.town_houlong)
    client.put(f"/api/v1/inspections/{draft['id']}/scores/", {"scores": _all_scores(template)[:90]}, format="json")
    res = client.post(f"/api/v1/inspections/{draft['id']}/submit/")
    assert res.status_code == 409 and "2" in res.json()["detail"]
    assert Inspection.objects.get(pk=draft["id"]).status == "draft"


def test_submitted_inspection_is_read_only(world, api, template):
    inspection = f.make_inspection(world.town_houlong, world.fulian)
    client = api.as_user(world.town_houlong)
    item = template.items.first()
    url = f"/api/v1/inspections/{inspection.pk}/"
    assert client.put(url + "scores/", {"scores": [{"item": item.pk, "score": "0"}]}, format="json").status_code == 409
    assert client.post(url + "findings/", {"item": item.pk, "description": "x"}, format="multipart").status_code == 409
    assert client.patch(url, {"summary": "改"}, format="json").status_code == 409
    assert client.post(url + "submit/").status_code == 409
    assert InspectionScore.objects.get(inspection=inspection, item=item).score == item.max_score - Decimal("0.5")
    assert inspection.findings.count() == 2


def test_finding_with_a_fake_image_is_400_and_writes_nothing(world, api, template):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = _draft(api, world.town_houlong, world.fulian)
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    res = api.as_user(world.town_houlong).post(
        f"/api/v1/inspections/{draft['id']}/findings/",
        {"item": template.items.first().pk, "description": "墙皮脱落", "photos": [f.png(), fake]},
        format="multipart",
    )
    assert res.status_code == 400
    assert not Finding.objects.exists() and not FindingPhoto.objects.exists()


def test_future_inspection_date_is_400(world, api, template):
    res = api.as_user(world.town_houlong).post(
        "/api/v1/inspections/", {"compound": world.fulian.pk, "inspected_on": str(timezone.localdate() + timedelta(days=1))}, format="json"
    )
    assert res.status_code == 400 and "inspected_on" in res.json()


def test_official_outside_the_area_gets_404_on_inspections(world, api, template):
    inspection = f.make_inspection(world.town_houlong, world.fulian, submit=False)
    first = template.items.first().pk
    for outsider in (world.town_jieshan, world.staff_yifang, world.resident_fulian, world.committee_fulian):
        client = api.as_user(outsider)
        assert client.get("/api/v1/inspections/").json()["count"] == 0
        url = f"/api/v1/inspections/{inspection.pk}/"
        assert client.get(url).status_code == 404
        assert client.patch(url, {"summary": "x"}, format="json").status_code == 404
        assert client.put(url + "scores/", {"scores": [{"item": first, "score": "0"}]}, format="json").status_code == 404
        assert client.post(url + "findings/", {"item": first, "description": "x"}, format="multipart").status_code == 404
        assert client.post(url + "submit/").status_code == 404
    res = api.as_user(world.town_jieshan).post(
        "/api/v1/inspections/", {"compound": world.fulian.pk, "inspected_on": str(timezone.localdate())}, format="json"
    )
    assert res.status_code == 404
    # The district and the community official see it.
    assert api.as_user(world.district).get(f"/api/v1/inspections/{inspection.pk}/").status_code == 200
    assert api.as_user(world.community_fulian).get(f"/api/v1/inspections/{inspection.pk}/").status_code == 200


def test_inspection_list_uses_a_fixed_number_of_queries(world, api, template, django_assert_max_num_queries):
    for _ in range(4):
        f.make_inspection(world.town_houlong, world.fulian, findings=1)
    with django_assert_max_num_queries(6):
        assert api.as_user(world.district).get("/api/v1/inspections/").json()["count"] == 4
