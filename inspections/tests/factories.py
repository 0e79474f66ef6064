"""Helpers that build inspections and rectification lists through the services (the real path)."""

from __future__ import annotations

import importlib
import io
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from inspections import services
from inspections.models import ChecklistTemplate, Inspection, RectificationList

SEED = importlib.import_module("inspections.migrations.0002_seed_checklist")


def seeded_template() -> ChecklistTemplate:
    """The checklist seeded by migration 0002 (re-seeded if a transactional test flushed it)."""
    template = ChecklistTemplate.objects.filter(name=SEED.NAME, version=1).first()
    if template is None:
        SEED.seed(apps, None)
        template = ChecklistTemplate.objects.get(name=SEED.NAME, version=1)
    return template


def png(name: str = "photo.png", size: tuple[int, int] = (8, 8), color: str = "red") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def full_scores(template: ChecklistTemplate, *, minus: Decimal = Decimal("0")) -> list[services.ScoreInput]:
    """Every item scored at its maximum, less `minus` on the first item."""
    rows = []
    for n, item in enumerate(template.items.order_by("order")):
        score = item.max_score - (minus if n == 0 else 0)
        rows.append(services.ScoreInput(item_id=item.pk, score=score))
    return rows


def make_inspection(
    actor, compound, *, submit: bool = True, findings: int = 2, on: date | None = None, minus: Decimal = Decimal("0.5")
) -> Inspection:
    template = seeded_template()
    inspection = services.inspection_create(actor=actor, compound_id=compound.pk, inspected_on=on or timezone.localdate())
    services.inspection_scores_set(actor=actor, inspection_id=inspection.pk, scores=full_scores(template, minus=minus))
    items = list(template.items.order_by("order")[:findings])
    for n, item in enumerate(items):
        services.finding_add(actor=actor, inspection_id=inspection.pk, item_id=item.pk, description=f"问题{n + 1}：消防通道堆放杂物")
    if submit:
        inspection = services.inspection_submit(actor=actor, inspection_id=inspection.pk)
    return inspection


def issue_list(actor, inspection: Inspection, *, days: int = 14, **extra) -> RectificationList:
    return services.rectification_list_issue(
        actor=actor,
        inspection_id=inspection.pk,
        finding_ids=list(inspection.findings.values_list("id", flat=True)),
        deadline=timezone.localdate() + timedelta(days=days),
        **extra,
    )


def actions_for(rect: RectificationList, *, photos: bool = True) -> list[services.ActionInput]:
    return [
        services.ActionInput(item_id=item.pk, action=f"已整改第{item.order}项", photos=[png(f"after{item.pk}.png")] if photos else [])
        for item in rect.items.order_by("order")
    ]
