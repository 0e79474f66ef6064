from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from complaints import services
from complaints.models import Category, Complaint, ComplaintEvent
from core import errors
from core.models import Notification

pytestmark = pytest.mark.django_db


def jpeg(name="a.jpg"):
    buf = BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def test_categories_exist_after_migrate():
    codes = set(Category.objects.values_list("code", flat=True))
    assert {"ebike", "elevator", "parking", "road", "lighting", "fire-lane", "sewage", "leak", "sanitation", "greenery"} <= codes
    assert {"noise", "fees", "other"} <= codes
    assert Category.objects.get(code="fire-lane").is_urgent


def test_create_dispatches_to_managing_company_with_events_and_notifications(world):
    cat = Category.objects.get(code="elevator")
    c = services.complaint_create(
        compound=world.fulian, category=cat, description="3号楼电梯停运", reporter=world.resident_fulian, photos=[jpeg()]
    )
    c.refresh_from_db()
    assert c.status == Complaint.Status.DISPATCHED
    assert c.assigned_company == world.yifang and c.assigned_community is None
    assert c.number.startswith("TS") and c.response_due < c.resolve_due
    assert c.reporter_name == "王红"
    assert list(c.events.values_list("kind", flat=True)) == [ComplaintEvent.Kind.CREATE, ComplaintEvent.Kind.DISPATCH]
    assert c.photos.count() == 1
    assert Notification.objects.filter(user=world.staff_yifang, kind="complaint.assigned").exists()
    assert Notification.objects.filter(user=world.resident_fulian).exists()


def test_self_managed_compound_goes_to_its_community(world):
    c = services.complaint_create(compound=world.jinxiang, category=Category.objects.get(code="other"), description="路灯不亮")
    assert c.assigned_company is None and c.assigned_community == world.jinxiang_community


@pytest.mark.parametrize("text", ["", "   ", "长" * 2001])
def test_bad_description_is_refused_and_nothing_saved(world, text):
    with pytest.raises(errors.ValidationError) as exc:
        services.complaint_create(compound=world.fulian, category=Category.objects.get(code="other"), description=text)
    assert exc.value.field == "description"
    assert not Complaint.objects.exists()
