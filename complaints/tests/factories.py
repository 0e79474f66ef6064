"""Test helpers for complaints: categories as the data migration seeds them, and complaints filed
through the real service so every test starts from a complaint the workflow itself produced."""

from __future__ import annotations

import importlib
from io import BytesIO

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from complaints import services
from complaints.models import Category, Complaint

_seed_migration = importlib.import_module("complaints.migrations.0004_seed_categories")


def ensure_categories() -> None:
    """The data migration's categories (a transactional test elsewhere may have flushed them)."""
    _seed_migration.seed(apps, None)


def category(code: str = "other") -> Category:
    ensure_categories()
    return Category.objects.get(code=code)


def image(name: str = "photo.jpg", fmt: str = "JPEG", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    buf = BytesIO()
    Image.new("RGB", size, "red").save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


def complaint(world, *, compound=None, reporter=None, code: str = "other", status: str = "dispatched", **kwargs) -> Complaint:
    """A complaint filed by a resident (王红 in 福炼小区 by default), walked to `status` by the services."""
    reporter = reporter if reporter is not None else world.resident_fulian
    c = services.complaint_create(
        compound=compound or world.fulian,
        category=category(code),
        description=kwargs.pop("description", "楼道电动车充电飞线"),
        reporter=reporter,
        **kwargs,
    )
    handler = world.staff_yifang if c.assigned_company_id == world.yifang.pk else world.staff_yijiayuan
    if c.assigned_company_id is None:
        handler = world.district
    if status in ("accepted", "resolved", "closed"):
        c = services.complaint_accept(complaint=c, actor=handler)
    if status in ("resolved", "closed"):
        c = services.complaint_resolve(complaint=c, actor=handler, note="已处理")
    if status == "closed":
        c = services.complaint_confirm(complaint=c, actor=reporter, rating="satisfied")
    if status == "submitted":
        c = services.complaint_return(complaint=c, actor=handler, reason="非本公司管理范围")
    if status == "rejected":
        c = services.complaint_reject(complaint=c, actor=world.district, reason="invalid")
    c.refresh_from_db()
    return c


def bulk(world, n: int, *, compound=None, **fields) -> list[Complaint]:
    """`n` dispatched complaints written directly (for list and query-count tests; no events)."""
    import datetime as dt
    import uuid

    from django.utils import timezone

    cat = category("noise")
    now = timezone.now()
    rows = [
        Complaint(
            number=uuid.uuid4().hex[:20],
            compound=compound or world.fulian,
            category=cat,
            description=f"噪声扰民 {i}",
            reporter=world.resident_fulian,
            reporter_name="王红",
            status=Complaint.Status.DISPATCHED,
            assigned_company=world.yifang,
            made_at=now,
            dispatched_at=now,
            response_due=now + dt.timedelta(hours=4),
            resolve_due=now + dt.timedelta(days=3),
            **fields,
        )
        for i in range(n)
    ]
    return Complaint.objects.bulk_create(rows)
