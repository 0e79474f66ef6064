"""`/api/v1/notifications/`: each user reads and marks only their own notifications."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Notification, User
from core.notifications import notify

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/"


def test_notifications_are_the_users_own_and_can_be_marked_read(world, api):
    notify(users=[world.staff_yifang], kind="assigned", title="新工单", url="/complaints/1/")
    notify(users=[world.staff_yifang], kind="supervised", title="督办", url="/complaints/1/")
    mine = api.as_user(world.staff_yifang).get(URL).json()
    assert mine["count"] == 2
    nid = mine["results"][0]["id"]
    assert api.as_user(world.resident_tianma).get(f"{URL}{nid}/").status_code == 404
    assert api.as_user(world.resident_tianma).post(f"{URL}{nid}/read/").status_code == 404
    assert api.as_user(world.resident_tianma).get(URL).json()["count"] == 0
    r = api.as_user(world.staff_yifang).post(f"{URL}{nid}/read/")
    assert r.status_code == 200 and r.json()["is_read"]
    assert api.as_user(world.staff_yifang).get(URL, {"unread": "true"}).json()["count"] == 1
    assert api.as_user(world.staff_yifang).post(f"{URL}read-all/").json() == {"marked": 1}
    assert not Notification.objects.filter(user=world.staff_yifang, read_at__isnull=True).exists()
    assert api.as_user(world.staff_yifang).get(URL, {"unread": "true"}).json()["count"] == 0


def test_residents_read_theirs_through_the_api(world, api):
    notify(users=[world.resident_fulian], kind="status", title="您的投诉已办结", url="/api/v1/complaints/7/")
    rows = api.as_user(world.resident_fulian).get(URL).json()["results"]
    assert [(n["title"], n["url"], n["is_read"]) for n in rows] == [("您的投诉已办结", "/api/v1/complaints/7/", False)]


def test_anonymous_gets_401(api):
    assert api.get(URL).status_code == 401


def test_notification_list_issues_the_same_number_of_queries_for_5_and_50_rows(world, api):
    def count(n):
        Notification.objects.filter(user=world.staff_yifang).delete()
        for _ in range(n):
            notify(users=[world.staff_yifang], kind="x", title="t")
        client = api.as_user(User.objects.get(pk=world.staff_yifang.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"page_size": 100}).json()["count"] == n
        return len(ctx.captured_queries)

    assert count(5) == count(50)
