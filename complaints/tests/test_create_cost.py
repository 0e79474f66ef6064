"""What filing a complaint costs the database, and that the cheaper paths change no output (SPEC §8)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from complaints.api.serializers import ComplaintDetailSerializer, EventSerializer, TemplateFieldsMixin
from complaints.api.views import ComplaintCreateThrottle
from complaints.models import Complaint
from complaints.tests import factories as f
from core.models import Notification

URL = "/api/v1/complaints/"
# Over JWT: the user with their roles (1), the compound with its company and that company's staff and
# the category (1), the complaint (1), its two events (1), every notification (1), and the test's
# savepoint around the view's transaction (2). Force-authenticated, the roles take the first query.
MAX_QUERIES = 7


@pytest.fixture(autouse=True)
def _fresh_throttle(monkeypatch):
    from django.core.cache.backends.locmem import LocMemCache

    monkeypatch.setattr(ComplaintCreateThrottle, "cache", LocMemCache("throttle-cost-test", {}))


def payload(world, **kw):
    return {"compound": world.fulian.pk, "category": f.category("elevator").pk, "description": "3号楼电梯停运两天了", **kw}


def test_filing_a_complaint_issues_at_most_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    client, body = api.as_user(world.resident_fulian), payload(world)
    with django_assert_max_num_queries(MAX_QUERIES):
        r = client.post(URL, body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["actions"] == ["comment"]


def test_filing_over_jwt_issues_the_same_fixed_number_of_queries(world, django_assert_max_num_queries):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(world.resident_fulian)}")
    body = payload(world)
    with django_assert_max_num_queries(MAX_QUERIES) as queries:
        r = client.post(URL, body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["actions"] == ["comment"] and r.json()["reporter_name"] == "王红"
    assert sum(q["sql"].startswith("SELECT") for q in queries.captured_queries) == 2


def test_filing_writes_the_notifications_in_one_insert_and_no_update(world, api):
    world.staff_yifang.email = "staff@example.com"
    world.staff_yifang.save()
    client, body = api.as_user(world.resident_fulian), payload(world)
    with CaptureQueriesContext(connection) as queries:
        r = client.post(URL, body, format="json")
    assert r.status_code == 201, r.content
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum(s.startswith('INSERT INTO "core_notification"') for s in sql) == 1
    assert not any(s.startswith("UPDATE") for s in sql)
    kinds = set(Notification.objects.values_list("user_id", "kind"))
    assert (world.resident_fulian.pk, "complaint.dispatched") in kinds
    assert (world.staff_yifang.pk, "complaint.assigned") in kinds


def test_the_database_numbers_a_complaint_from_its_date_and_id(world, api):
    r = api.as_user(world.resident_fulian).post(URL, payload(world), format="json")
    c = Complaint.objects.get(pk=r.json()["id"])
    assert c.number == r.json()["number"] == f"TS{timezone.localtime(c.made_at):%Y%m%d}{c.pk:06d}"


def test_a_number_given_by_the_caller_is_kept(world):
    [c] = f.bulk(world, 1)
    assert not c.number.startswith("TS") and Complaint.objects.get(pk=c.pk).number == c.number


def rendered_as_plain_drf_renders_it(complaint: Complaint, viewer) -> dict:
    """The detail as `viewer` gets it, checked equal to what plain DRF (no template fields) renders."""
    request = APIRequestFactory().get("/")
    request.user = viewer
    serializer = ComplaintDetailSerializer(complaint, context={"request": request})
    fast = serializer.data
    plain = super(TemplateFieldsMixin, serializer).to_representation(complaint)
    hidden = complaint.reporter_id if serializer._hidden(complaint) else None
    events = EventSerializer(context={**serializer.context, "hide_actor_id": hidden})
    plain["events"] = [super(TemplateFieldsMixin, events).to_representation(e) for e in complaint.events.all()]
    assert dict(fast) == dict(plain)
    return fast


@pytest.mark.parametrize("viewer", ["resident_fulian", "staff_yifang", "community_fulian"])
def test_detail_rendering_with_template_fields_equals_plain_drf(world, api, viewer):
    created = api.as_user(world.resident_fulian).post(URL, payload(world, is_anonymous=True), format="json").json()
    complaint = Complaint.objects.prefetch_related("events", "photos").get(pk=created["id"])
    fast = rendered_as_plain_drf_renders_it(complaint, getattr(world, viewer))
    assert (fast["reporter_name"] == "") == (viewer == "staff_yifang")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_display_labels_are_the_models_labels_in_the_request_language(world, api, language):
    from django.utils import translation

    # The override restores this thread's language afterwards (the request's LocaleMiddleware activates its own).
    with translation.override(language):
        r = api.as_user(world.resident_fulian).post(URL, payload(world), format="json", HTTP_ACCEPT_LANGUAGE=language)
        body = r.json()
        complaint = Complaint.objects.prefetch_related("events").get(pk=body["id"])
        assert body["status_display"] == complaint.get_status_display()
        assert body["channel_display"] == complaint.get_channel_display()
        assert [e["kind_display"] for e in body["events"]] == [e.get_kind_display() for e in complaint.events.all()]
    assert (body["status_display"] == "dispatched") == (language == "en")


@pytest.mark.parametrize("status", ["closed", "rejected", "submitted"])
def test_template_field_rendering_equals_plain_drf_further_along_the_workflow(world, status):
    """Closed (every timestamp, a rating, photos), rejected as a duplicate, returned (no assignee): still DRF's output."""
    from complaints import services

    photo = f.image()
    c = f.complaint(world, status="closed" if status == "closed" else "dispatched", photos=[photo], is_anonymous=True)
    if status == "rejected":
        original = f.complaint(world)
        c = services.complaint_reject(complaint=c, actor=world.district, reason="duplicate", duplicate_of=original)
    elif status == "submitted":
        c = services.complaint_return(complaint=c, actor=world.staff_yifang, reason="非本公司管理范围")
    complaint = Complaint.objects.select_related("compound__community__subdistrict", "duplicate_of").prefetch_related("events", "photos")
    complaint = complaint.get(pk=c.pk)
    for viewer in (world.resident_fulian, world.staff_yifang, world.district):
        fast = rendered_as_plain_drf_renders_it(complaint, viewer)
    assert (fast["duplicate_of"] is not None) == (status == "rejected")
    assert len(fast["photos"]) == 1 and (fast["rating"] == "satisfied") == (status == "closed")
