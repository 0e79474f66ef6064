from decimal import Decimal

import pytest
from django.db.models import Sum

from core.errors import WorkflowError
from inspections import services
from inspections.models import ChecklistItem, InspectionScore
from inspections.tests import factories as f

pytestmark = pytest.mark.django_db


def test_seeded_checklist_has_six_areas_92_items_and_100_points(template):
    areas = list(template.areas.order_by("order").values_list("name", flat=True))
    assert areas == ["基础管理服务", "清洁卫生", "秩序维护", "绿化养护", "共用部位", "共用设施设备"]
    assert template.items.count() == 92
    assert template.items.aggregate(t=Sum("max_score"))["t"] == Decimal("100.00")
    assert template.is_current
    assert template.items.filter(description__contains="消防车通道").exists()


def test_checklist_api_lists_versions_and_shows_items(world, api, template):
    client = api.as_user(world.staff_yifang)
    listed = client.get("/api/v1/checklist-templates/").json()["results"]
    assert listed[0]["item_count"] == 92 and Decimal(listed[0]["max_total"]) == 100
    detail = client.get(f"/api/v1/checklist-templates/{template.pk}/").json()
    assert detail["areas"][0]["name"] == "基础管理服务"
    assert sum(len(a["items"]) for a in detail["areas"]) == 92


def test_changing_the_checklist_after_an_inspection_leaves_that_inspection_unchanged(world, template):
    inspection = f.make_inspection(world.town_houlong, world.fulian)
    before = (inspection.total_score, inspection.max_total, inspection.percentage)
    scored_items = set(inspection.scores.values_list("item_id", "score"))

    # The used version cannot be edited in place ...
    first = template.items.order_by("order").first()
    with pytest.raises(WorkflowError):
        services.checklist_item_update(item_id=first.pk, max_score=Decimal("5"))
    # ... a new version is published and edited instead.
    v2 = services.checklist_template_new_version(template_id=template.pk)
    v2_first = v2.items.get(code=first.code)
    services.checklist_item_update(item_id=v2_first.pk, description="新版条目", max_score=Decimal("5"))
    ChecklistItem.objects.filter(template=v2, code="6.18").delete()

    inspection.refresh_from_db()
    template.refresh_from_db()
    assert inspection.template_id == template.pk and not template.is_current and v2.is_current
    assert (inspection.total_score, inspection.max_total, inspection.percentage) == before
    assert set(inspection.scores.values_list("item_id", "score")) == scored_items
    first.refresh_from_db()
    assert first.max_score != Decimal("5") and first.description != "新版条目"
    # New inspections use the new version.
    fresh = services.inspection_create(actor=world.town_houlong, compound_id=world.fulian.pk, inspected_on=inspection.inspected_on)
    assert fresh.template_id == v2.pk


def test_database_refuses_a_score_above_the_items_maximum(world, template):
    from django.db import IntegrityError, transaction

    inspection = f.make_inspection(world.town_houlong, world.fulian, submit=False)
    item = template.items.order_by("order").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionScore.objects.filter(inspection=inspection, item=item).update(score=item.max_score + 1)
