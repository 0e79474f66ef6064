import pytest

from complaints.tests import factories as f
from core.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, world):
    admin = User.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    return client


def test_admin_pages_open(admin_client_, world):
    c = f.complaint(world)
    for url in (
        "/admin/complaints/category/",
        "/admin/complaints/complaint/",
        f"/admin/complaints/complaint/{c.pk}/change/",
        "/admin/complaints/open311client/add/",
    ):
        assert admin_client_.get(url).status_code == 200, url


def test_complaints_cannot_be_edited_in_the_admin(admin_client_, world):
    c = f.complaint(world)
    r = admin_client_.post(f"/admin/complaints/complaint/{c.pk}/change/", {"status": "closed"})
    c.refresh_from_db()
    assert c.status == "dispatched" and r.status_code in (302, 403, 200)
    assert admin_client_.get(f"/admin/complaints/complaint/{c.pk}/delete/").status_code == 403
