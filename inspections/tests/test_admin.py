import pytest
from django.test import Client

from communities.tests import factories as cf

pytestmark = pytest.mark.django_db


def test_admin_pages_render_and_a_used_checklist_is_read_only(world, fulian_list, template):
    admin = cf.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    for model in ("checklisttemplate", "checklistitem", "inspection", "rectificationlist", "rectificationreport"):
        assert client.get(f"/admin/inspections/{model}/").status_code == 200, model
    assert client.get(f"/admin/inspections/rectificationlist/{fulian_list.pk}/history/").status_code == 200
    item = template.items.first()
    res = client.post(f"/admin/inspections/checklistitem/{item.pk}/change/", {"description": "改", "max_score": "9", "code": item.code})
    assert res.status_code == 403
    item.refresh_from_db()
    assert item.description != "改"
