"""Meetings through the API: the agenda workflow, the four-party check, action-item follow-up, bad input."""

import datetime as dt

import pytest
from django.utils import timezone

from mediation import selectors, services
from mediation.models import ActionItem, Meeting, Topic
from mediation.tests.factories import ActionItemFactory, MeetingFactory, TopicFactory

pytestmark = pytest.mark.django_db

FOUR = ["community_party", "party_branch", "property_company", "owners_committee"]


def ids(resp):
    assert resp.status_code == 200, resp.content
    return {row["id"] for row in resp.json()["results"]}


def _past(days=2):
    return (timezone.now() - dt.timedelta(days=days)).isoformat()


# --- recording a meeting ------------------------------------------------------------------------
def test_community_worker_records_a_held_deliberation_day(world, api):
    client = api.as_user(world.community_fulian)
    resp = client.post(
        "/api/v1/meetings/",
        {"kind": "deliberation_day", "compound": world.fulian.id, "title": "福炼议事日", "starts_at": _past(), "status": "held"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    meeting = Meeting.objects.get()
    assert meeting.recorded_by == world.community_fulian and meeting.status == "held"


def test_a_past_meeting_cannot_be_created_upcoming(world, api):
    resp = api.as_user(world.community_fulian).post(
        "/api/v1/meetings/",
        {"kind": "micro_consultation", "compound": world.fulian.id, "title": "微协商", "starts_at": _past(), "status": "upcoming"},
        format="json",
    )
    assert resp.status_code == 400 and "status" in resp.json()
    assert not Meeting.objects.exists()


def test_a_past_meeting_cannot_be_marked_upcoming(world, api):
    meeting = MeetingFactory(compound=world.fulian, starts_at=timezone.now() - dt.timedelta(days=1), status="held", minutes="纪要")
    resp = api.as_user(world.community_fulian).patch(f"/api/v1/meetings/{meeting.id}/", {"status": "upcoming"}, format="json")
    assert resp.status_code == 400 and "status" in resp.json()
    meeting.refresh_from_db()
    assert meeting.status == "held"


def test_meeting_can_be_held_with_minutes(world, api):
    meeting = MeetingFactory(compound=world.fulian, starts_at=timezone.now() - dt.timedelta(hours=2))
    resp = api.as_user(world.community_fulian).patch(
        f"/api/v1/meetings/{meeting.id}/", {"status": "held", "minutes": "议定三件事"}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["minutes"] == "议定三件事"


def test_meeting_for_a_compound_outside_the_area_is_400_and_writes_nothing(world, api):
    resp = api.as_user(world.community_fulian).post(
        "/api/v1/meetings/",
        {"kind": "tea_house", "compound": world.tianma.id, "title": "业主茶馆", "starts_at": _past(), "status": "held"},
        format="json",
    )
    assert resp.status_code == 400 and "compound" in resp.json()
    assert not Meeting.objects.exists()


# --- four-party check ---------------------------------------------------------------------------
def test_four_party_meeting_without_all_four_parties_is_flagged(world, api):
    client = api.as_user(world.community_fulian)
    meeting = MeetingFactory(compound=world.fulian, kind="four_party", status="held", starts_at=timezone.now() - dt.timedelta(days=1))
    for name, party in [("刘俊辉", "community_party"), ("支部书记", "party_branch"), ("陈欢", "property_company")]:
        assert client.post(f"/api/v1/meetings/{meeting.id}/attendees/", {"name": name, "party": party}).status_code == 201
    detail = client.get(f"/api/v1/meetings/{meeting.id}/").json()
    assert detail["four_parties_present"] == 3 and detail["missing_parties"] == ["owners_committee"]
    assert ids(client.get("/api/v1/meetings/", {"missing_parties": "true"})) == {meeting.id}

    client.post(f"/api/v1/meetings/{meeting.id}/attendees/", {"name": "蔡主任", "party": "owners_committee"})
    detail = client.get(f"/api/v1/meetings/{meeting.id}/").json()
    assert detail["four_parties_present"] == 4 and detail["missing_parties"] == []
    assert ids(client.get("/api/v1/meetings/", {"missing_parties": "true"})) == set()


def test_residents_at_a_four_party_meeting_do_not_stand_in_for_a_party(world):
    meeting = MeetingFactory(compound=world.fulian, kind="four_party", status="held", starts_at=timezone.now() - dt.timedelta(days=1))
    for i, party in enumerate([*FOUR[:3], "resident", "resident"]):
        services.attendee_add(actor=world.community_fulian, meeting_id=meeting.id, name=f"人{i}", party=party)
    assert list(selectors.meetings_missing_parties(Meeting.objects.all())) == [meeting]


def test_other_meeting_kinds_are_never_flagged(world):
    MeetingFactory(compound=world.fulian, kind="deliberation_day", status="held", starts_at=timezone.now() - dt.timedelta(days=1))
    assert not selectors.meetings_missing_parties(Meeting.objects.all()).exists()


# --- topics -------------------------------------------------------------------------------------
def test_resident_proposes_a_topic_for_their_compound(world, api):
    meeting = MeetingFactory(compound=world.fulian)
    client = api.as_user(world.resident_fulian)
    resp = client.post(f"/api/v1/meetings/{meeting.id}/topics/", {"title": "污水管该疏通了"}, format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["status"] == "proposed" and resp.json()["proposed_by_me"] is True
    resp = client.post("/api/v1/topics/", {"compound": world.fulian.id, "title": "多建充电桩"}, format="json")
    assert resp.status_code == 201
    assert ids(client.get("/api/v1/topics/", {"mine": "true"})) == set(Topic.objects.values_list("id", flat=True))


def test_resident_cannot_propose_for_a_compound_they_do_not_live_in(world, api):
    client = api.as_user(world.resident_fulian)
    resp = client.post("/api/v1/topics/", {"compound": world.tianma.id, "title": "不是我的小区"}, format="json")
    assert resp.status_code == 400 and "compound" in resp.json()
    meeting = MeetingFactory(compound=world.tianma)
    assert client.post(f"/api/v1/meetings/{meeting.id}/topics/", {"title": "x"}, format="json").status_code == 404
    assert not Topic.objects.exists()


def test_resident_cannot_decide_topics(world, api):
    topic = TopicFactory(meeting=MeetingFactory(compound=world.fulian))
    resp = api.as_user(world.resident_fulian).post(f"/api/v1/topics/{topic.id}/accept/", {}, format="json")
    assert resp.status_code == 403


def test_staff_accept_merge_decline_and_settle_topics(world, api):
    meeting = MeetingFactory(compound=world.fulian)
    a, b, c = (TopicFactory(meeting=None, compound=world.fulian, proposed_by=world.resident_fulian) for _ in range(3))
    client = api.as_user(world.community_fulian)
    resp = client.post(f"/api/v1/topics/{a.id}/accept/", {"meeting": meeting.id}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "accepted" and resp.json()["meeting"] == meeting.id
    resp = client.post(f"/api/v1/topics/{b.id}/merge/", {"into": a.id}, format="json")
    assert resp.json()["status"] == "merged" and resp.json()["merged_into"] == a.id
    assert client.post(f"/api/v1/topics/{c.id}/decline/", {"reason": ""}, format="json").status_code == 400
    resp = client.post(f"/api/v1/topics/{c.id}/decline/", {"reason": "属于物业日常维修，已转工单"}, format="json")
    assert resp.json()["status"] == "declined"
    resp = client.post(f"/api/v1/topics/{a.id}/settle/", {"resolution": "物业本月疏通"}, format="json")
    assert resp.json()["status"] == "settled" and resp.json()["settled_at"]
    # A settled topic cannot be declined: 409 saying why.
    resp = client.post(f"/api/v1/topics/{a.id}/decline/", {"reason": "x"}, format="json")
    assert resp.status_code == 409


def test_topic_cannot_merge_into_itself_or_a_closed_topic(world, api):
    a = TopicFactory(meeting=MeetingFactory(compound=world.fulian))
    closed = TopicFactory(meeting=a.meeting, status="declined", decline_reason="重复")
    client = api.as_user(world.community_fulian)
    assert client.post(f"/api/v1/topics/{a.id}/merge/", {"into": a.id}, format="json").status_code == 400
    assert client.post(f"/api/v1/topics/{a.id}/merge/", {"into": closed.id}, format="json").status_code == 400
    a.refresh_from_db()
    assert a.status == "proposed"


def test_resident_sees_own_compound_topics_without_proposers(world, api):
    mine = TopicFactory(meeting=MeetingFactory(compound=world.fulian), proposed_by=world.resident_fulian)
    neighbour = TopicFactory(meeting=mine.meeting, proposed_by=world.committee_fulian)
    other = TopicFactory(meeting=MeetingFactory(compound=world.tianma))
    client = api.as_user(world.resident_fulian)
    rows = client.get("/api/v1/topics/").json()["results"]
    assert {r["id"] for r in rows} == {mine.id, neighbour.id}
    assert "proposed_by" not in rows[0]
    assert {r["id"]: r["proposed_by_me"] for r in rows} == {mine.id: True, neighbour.id: False}
    assert client.get(f"/api/v1/topics/{other.id}/").status_code == 404


# --- action items -------------------------------------------------------------------------------
def test_action_item_is_followed_until_done(world, api):
    meeting = MeetingFactory(compound=world.fulian, status="held", starts_at=timezone.now() - dt.timedelta(days=20))
    client = api.as_user(world.community_fulian)
    due = timezone.localdate() - dt.timedelta(days=1)
    resp = client.post(
        f"/api/v1/meetings/{meeting.id}/action-items/",
        {"title": "疏通污水管", "owner_name": "一方物业 陈欢", "due_date": due},
        format="json",
    )
    assert resp.status_code == 201 and resp.json()["is_overdue"] is True
    item_id = resp.json()["id"]
    assert ids(client.get("/api/v1/action-items/", {"overdue": "true"})) == {item_id}
    assert [i.id for i in selectors.action_items_overdue(world.community_fulian)] == [item_id]

    assert client.post(f"/api/v1/action-items/{item_id}/status/", {"status": "in_progress"}, format="json").json()["is_overdue"] is True
    done = client.post(f"/api/v1/action-items/{item_id}/status/", {"status": "done", "note": "已疏通"}, format="json").json()
    assert done["status"] == "done" and done["done_at"] and done["is_overdue"] is False
    assert ids(client.get("/api/v1/action-items/", {"overdue": "true"})) == set()
    assert client.post(f"/api/v1/action-items/{item_id}/status/", {"status": "done"}, format="json").status_code == 409


def test_overdue_is_due_before_today_not_on_it(world):
    today = timezone.localdate()
    ActionItemFactory(meeting=MeetingFactory(compound=world.fulian), due_date=today)
    late = ActionItemFactory(meeting=MeetingFactory(compound=world.fulian), due_date=today - dt.timedelta(days=3))
    ActionItemFactory(
        meeting=MeetingFactory(compound=world.fulian), due_date=today - dt.timedelta(days=3), status="done", done_at=timezone.now()
    )
    assert list(selectors.action_items_overdue(world.district)) == [late]


def test_reopening_a_done_item_clears_its_done_time(world):
    item = ActionItemFactory(meeting=MeetingFactory(compound=world.fulian))
    services.action_item_set_status(actor=world.community_fulian, item_id=item.id, status="done")
    item = services.action_item_set_status(actor=world.community_fulian, item_id=item.id, status="open")
    assert item.done_at is None and ActionItem.objects.get().status == "open"


# --- who sees meetings --------------------------------------------------------------------------
def test_meeting_visibility(world, api):
    fulian = MeetingFactory(compound=world.fulian)
    jinxiang = MeetingFactory(compound=world.jinxiang)
    expect = {
        "district": {fulian.id, jinxiang.id},
        "community_fulian": {fulian.id},
        "resident_fulian": {fulian.id},
        "committee_fulian": {fulian.id},
        "mediator_shanyao": {jinxiang.id},
        "mediator_houlong": {fulian.id},
        "resident_tianma": set(),
        "staff_yifang": set(),
    }
    for username, expected in expect.items():
        assert ids(api.as_user(getattr(world, username)).get("/api/v1/meetings/")) == expected, username


@pytest.mark.parametrize("username", ["resident_tianma", "committee_tianma", "mediator_shanyao", "town_jieshan", "staff_yifang"])
def test_outsiders_get_404_for_a_fulian_meeting_and_its_parts(world, api, username):
    meeting = MeetingFactory(compound=world.fulian)
    topic = TopicFactory(meeting=meeting)
    item = ActionItemFactory(meeting=meeting)
    client = api.as_user(getattr(world, username))
    assert client.get(f"/api/v1/meetings/{meeting.id}/").status_code == 404
    assert client.get(f"/api/v1/meetings/{meeting.id}/topics/").status_code == 404
    assert client.get(f"/api/v1/topics/{topic.id}/").status_code == 404
    assert client.get(f"/api/v1/action-items/{item.id}/").status_code == 404
    assert topic.id not in ids(client.get("/api/v1/topics/"))
    assert item.id not in ids(client.get("/api/v1/action-items/"))
    assert client.post(f"/api/v1/topics/{topic.id}/accept/", {}, format="json").status_code == 404


def test_a_meeting_in_year_one_is_400_not_500(world, api):
    resp = api.as_user(world.community_fulian).post(
        "/api/v1/meetings/",
        {"kind": "tea_house", "compound": world.fulian.id, "title": "x", "starts_at": "0001-01-01T00:00:00", "status": "held"},
        format="json",
    )
    assert resp.status_code == 400 and "starts_at" in resp.json()


@pytest.mark.parametrize("path", ["meetings", "topics", "action-items"])
def test_meeting_lists_use_a_fixed_number_of_queries(world, api, django_assert_max_num_queries, path):
    client = api.as_user(world.community_fulian)

    def grow():
        meeting = MeetingFactory(compound=world.fulian, kind="four_party")
        TopicFactory(meeting=meeting)
        ActionItemFactory(meeting=meeting)
        services.attendee_add(actor=world.community_fulian, meeting_id=meeting.id, name="刘", party="community_party")

    grow()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(f"/api/v1/{path}/")
    for _ in range(4):
        grow()
    with django_assert_max_num_queries(len(one)):
        resp = client.get(f"/api/v1/{path}/")
    assert resp.json()["count"] == 5
