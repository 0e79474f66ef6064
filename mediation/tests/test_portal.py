"""Portal pages: scoped, Chinese by default, and writes go through the services."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.models import ActionItem, DisputeCase, Meeting, Topic
from mediation.tests.factories import ActionItemFactory, DisputeFactory, MeetingFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "mediation:home",
    "mediation:meeting_list",
    "mediation:meeting_create",
    "mediation:action_item_list",
    "mediation:rule_list",
    "mediation:venue_list",
    "mediation:dispute_list",
    "mediation:dispute_create",
    "mediation:liaison_list",
    "mediation:consultation_list",
    "mediation:screening_list",
    "mediation:counts",
]


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_in_chinese_for_a_mediator(world, client, name):
    client.force_login(world.mediator_shanyao)
    resp = client.get(reverse(name))
    assert resp.status_code == 200
    assert "调解" in resp.content.decode() or "议事" in resp.content.decode()


def test_mediator_desk_shows_overdue_action_items_of_their_area_only(world, client):
    mine = ActionItemFactory(
        meeting=MeetingFactory(compound=world.jinxiang), title="修复路灯", due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    ActionItemFactory(
        meeting=MeetingFactory(compound=world.fulian), title="疏通污水管", due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    client.force_login(world.mediator_shanyao)
    body = client.get(reverse("mediation:home")).content.decode()
    assert mine.title in body and "疏通污水管" not in body


def test_residents_and_staff_do_not_get_the_desk(world, client):
    for user in (world.resident_fulian, world.staff_yifang):
        client.force_login(user)
        assert client.get(reverse("mediation:home")).status_code == 404
        assert client.get(reverse("mediation:dispute_list")).status_code == 404


@pytest.mark.parametrize("username", ["mediator_shanyao", "town_jieshan", "resident_tianma", "staff_yifang"])
def test_outsiders_get_404_for_fulian_pages(world, client, username):
    meeting = MeetingFactory(compound=world.fulian)
    case = DisputeFactory(compound=world.fulian)
    client.force_login(getattr(world, username))
    assert client.get(reverse("mediation:meeting_detail", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("mediation:dispute_detail", args=[case.pk])).status_code == 404
    resp = client.post(reverse("mediation:meeting_topic", args=[meeting.pk]), {"topic-title": "x"})
    assert resp.status_code == 404 and not Topic.objects.exists()


def test_committee_member_reads_but_cannot_write_a_meeting(world, client):
    meeting = MeetingFactory(compound=world.fulian)
    client.force_login(world.committee_fulian)
    assert client.get(reverse("mediation:meeting_detail", args=[meeting.pk])).status_code == 200
    assert (
        client.post(
            reverse("mediation:meeting_action_item", args=[meeting.pk]),
            {"item-title": "x", "item-owner_name": "y", "item-due_date": "2026-12-01"},
        ).status_code
        == 403
    )
    assert not ActionItem.objects.exists()


def test_past_meeting_marked_upcoming_in_the_portal_is_refused(world, client):
    client.force_login(world.community_fulian)
    past = (timezone.localtime() - dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    resp = client.post(
        reverse("mediation:meeting_create"),
        {"kind": "deliberation_day", "compound": world.fulian.pk, "title": "福炼议事日", "starts_at": past, "status": "upcoming"},
    )
    assert resp.status_code == 200 and "不能" in resp.content.decode()
    assert not Meeting.objects.exists()


def test_dispute_registered_and_closed_in_the_portal(world, client):
    client.force_login(world.mediator_shanyao)
    resp = client.post(
        reverse("mediation:dispute_create"),
        {
            "compound": world.jinxiang.pk,
            "type": "parking",
            "source": "deliberation_day",
            "summary": "车位被占",
            "applicant": "张三",
            "respondent": "李四",
            "mediator_kind": "community_cadre",
            "mediator_name": "庄开桂",
        },
    )
    case = DisputeCase.objects.get()
    assert resp.status_code == 302 and case.parties.count() == 2 and case.mediators.count() == 1
    client.post(reverse("mediation:dispute_close", args=[case.pk]), {"close-outcome": "agreement", "close-agreement_text": "错峰停车"})
    case.refresh_from_db()
    assert case.outcome == "agreement" and case.status == "closed"


def test_counts_page_shows_town_rows(world, client):
    MeetingFactory(compound=world.jinxiang, kind="micro_consultation", status="held", starts_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(world.district)
    body = client.get(reverse("mediation:counts")).content.decode()
    assert "山腰街道" in body and "微协商" in body
