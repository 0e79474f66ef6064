"""我也遇到: similar open complaints suggested before filing, and residents joining one as supporters."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from communities.tests import factories as f
from complaints import selectors, services
from complaints.models import Complaint, ComplaintSupporter
from complaints.tests.factories import category, complaint
from core.models import Notification

pytestmark = pytest.mark.django_db

ELEVATOR = "3号楼电梯停运两天了，老人上下楼很困难"


@pytest.fixture
def neighbour(world):
    """A second owner in 福炼小区 (王红's compound), who has the same problem."""
    user = f.UserFactory(username="resident_fulian2", display_name="陈刚", phone="13905955678")
    f.role(user, "resident")
    f.give_unit(user, world.fulian)
    return user


def _similar(api, user, compound, code, text):
    return api.as_user(user).get("/api/v1/complaints/similar/", {"compound": compound.pk, "category": category(code).pk, "text": text})


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


# --- suggestions ------------------------------------------------------------------------------------
def test_similar_open_complaints_of_the_compound_and_category_come_most_similar_first(world, api, neighbour):
    assert connection.vendor == "postgresql"  # trigram similarity; test_sqlite_fallback covers the other path
    close = complaint(world, code="elevator", description="3号楼电梯停运两天了，没人来修")
    looser = complaint(world, code="elevator", description="3号楼的电梯又坏了停运")
    complaint(world, code="elevator", description="地下车库入口路灯不亮")  # unrelated text
    complaint(world, code="lighting", description=ELEVATOR)  # other category
    complaint(world, compound=world.tianma, reporter=world.resident_tianma, code="elevator", description=ELEVATOR)  # other compound
    complaint(world, code="elevator", description=ELEVATOR, status="resolved")  # no longer open
    old = complaint(world, code="elevator", description=ELEVATOR)
    Complaint.objects.filter(pk=old.pk).update(made_at=timezone.now() - timedelta(days=15))  # older than 14 days

    response = _similar(api, neighbour, world.fulian, "elevator", ELEVATOR)

    assert response.status_code == 200
    rows = response.json()
    assert [r["number"] for r in rows] == [close.number, looser.number]
    assert rows[0]["similarity"] > rows[1]["similarity"] > 0
    assert rows[0]["supporter_count"] == 0 and rows[0]["supported"] is False
    # What a suggestion shows: the problem and its state, never who reported it or where they live.
    assert set(rows[0]) == {
        "id", "number", "status", "status_display", "compound", "category", "description",
        "made_at", "resolved_at", "closed_at", "supporter_count", "similarity", "supported",
    }  # fmt: skip
    assert "王红" not in response.content.decode() and "13905951234" not in response.content.decode()


def test_equal_texts_rank_the_most_supported_first(world, neighbour):
    quiet = complaint(world, code="elevator", description=ELEVATOR)
    busy = complaint(world, code="elevator", description=ELEVATOR)
    services.complaint_support(complaint=busy, actor=neighbour)

    found = selectors.similar_complaints(
        world.community_fulian, compound_id=world.fulian.pk, category_id=category("elevator").pk, text=ELEVATOR, roles=["official"]
    )

    assert [s.complaint.pk for s in found] == [busy.pk, quiet.pk]


def test_a_resident_is_not_offered_their_own_complaint(world, api):
    complaint(world, code="elevator", description=ELEVATOR)
    assert _similar(api, world.resident_fulian, world.fulian, "elevator", ELEVATOR).json() == []


def test_a_compound_the_resident_does_not_live_in_offers_nothing(world, api):
    complaint(world, code="elevator", description=ELEVATOR)
    assert _similar(api, world.resident_tianma, world.fulian, "elevator", ELEVATOR).json() == []


def test_similar_needs_compound_category_and_text(world, api):
    response = api.as_user(world.resident_fulian).get("/api/v1/complaints/similar/", {"compound": "x"})
    assert response.status_code == 400
    assert {"compound", "category", "text"} <= set(response.json())


def test_sqlite_fallback_ranks_by_shared_character_pairs(world, neighbour, monkeypatch):
    """Without PostgreSQL (`make run`), icontains on the text's character pairs finds the candidates."""
    close = complaint(world, code="elevator", description="3号楼电梯停运两天了，没人来修")
    complaint(world, code="elevator", description="地下车库入口路灯不亮")
    monkeypatch.setattr(connection, "vendor", "sqlite")

    found = selectors.similar_complaints(
        neighbour, compound_id=world.fulian.pk, category_id=category("elevator").pk, text=ELEVATOR, roles=["resident"]
    )

    assert [s.complaint.pk for s in found] == [close.pk]


# --- joining ----------------------------------------------------------------------------------------
def test_a_neighbour_joins_without_creating_a_complaint_and_joining_twice_changes_nothing(world, api, neighbour):
    c = complaint(world, code="elevator", description=ELEVATOR)
    before = Complaint.objects.count()
    client = api.as_user(neighbour)

    first = client.post(f"/api/v1/complaints/{c.pk}/support/")
    again = client.post(f"/api/v1/complaints/{c.pk}/support/")

    assert first.status_code == 201 and first.json()["joined"] is True
    assert first.json()["complaint"]["supporter_count"] == 1 and first.json()["complaint"]["supported"] is True
    assert again.status_code == 200 and again.json()["joined"] is False
    assert again.json()["complaint"]["supporter_count"] == 1
    assert Complaint.objects.count() == before
    assert ComplaintSupporter.objects.filter(complaint=c).count() == 1
    c.refresh_from_db()
    assert c.supporter_count == 1
    # The suggestion now says so, and the resident finds it among the complaints they joined.
    row = _similar(api, neighbour, world.fulian, "elevator", ELEVATOR).json()[0]
    assert row["supported"] is True and row["supporter_count"] == 1
    supported = client.get("/api/v1/complaints/supported/").json()
    assert [r["number"] for r in supported["results"]] == [c.number]
    # Officials and the handler see the count in their lists and on the complaint.
    listed = api.as_user(world.community_fulian).get("/api/v1/complaints/").json()["results"]
    assert [r["supporter_count"] for r in listed if r["id"] == c.pk] == [1]
    assert api.as_user(world.staff_yifang).get(f"/api/v1/complaints/{c.pk}/").json()["supporter_count"] == 1


def test_joining_does_not_let_the_supporter_see_the_complaint_itself(world, api, neighbour):
    c = complaint(world, code="elevator", description=ELEVATOR)
    services.complaint_support(complaint=c, actor=neighbour)
    client = api.as_user(neighbour)
    assert client.get(f"/api/v1/complaints/{c.pk}/").status_code == 404  # the reporter's name and phone are there
    assert client.get("/api/v1/complaints/").json()["count"] == 0


def test_a_resident_of_another_compound_gets_404(world, api):
    c = complaint(world, code="elevator", description=ELEVATOR)
    response = api.as_user(world.resident_tianma).post(f"/api/v1/complaints/{c.pk}/support/")
    assert response.status_code == 404
    assert not ComplaintSupporter.objects.exists()


@pytest.mark.parametrize("who", ["staff_yifang", "committee_fulian", "community_fulian"])
def test_only_residents_join_through_the_api(world, api, who):
    c = complaint(world, code="elevator", description=ELEVATOR)
    assert api.as_user(getattr(world, who)).post(f"/api/v1/complaints/{c.pk}/support/").status_code == 404
    assert not ComplaintSupporter.objects.exists()


def test_own_and_finished_complaints_cannot_be_joined(world, api, neighbour):
    own = complaint(world, code="elevator", description=ELEVATOR)
    assert api.as_user(world.resident_fulian).post(f"/api/v1/complaints/{own.pk}/support/").status_code == 409
    for state in ("resolved", "closed", "rejected"):
        done = complaint(world, code="elevator", description=ELEVATOR, status=state)
        assert api.as_user(neighbour).post(f"/api/v1/complaints/{done.pk}/support/").status_code == 409, state
    assert not ComplaintSupporter.objects.exists()
    assert Complaint.objects.filter(supporter_count__gt=0).count() == 0


def test_supporters_are_notified_at_each_step_like_the_reporter(world, neighbour):
    c = complaint(world, code="elevator", description=ELEVATOR)
    services.complaint_support(complaint=c, actor=neighbour)
    assert _kinds(neighbour) == []

    c = services.complaint_accept(complaint=c, actor=world.staff_yifang)
    c = services.complaint_resolve(complaint=c, actor=world.staff_yifang, note="已更换电梯主板")
    c = services.complaint_reopen(complaint=c, actor=world.resident_fulian, note="又停了")
    c = services.complaint_accept(complaint=c, actor=world.staff_yifang)
    c = services.complaint_resolve(complaint=c, actor=world.staff_yifang, note="已更换电机")
    services.complaint_confirm(complaint=c, actor=world.resident_fulian, rating="satisfied")

    steps = ["complaint.accepted", "complaint.resolved", "complaint.reopened", "complaint.accepted", "complaint.resolved"]
    assert _kinds(neighbour) == [*steps, "complaint.confirmed"]
    # The reporter hears of the same steps they did not take themselves.
    assert _kinds(world.resident_fulian) == ["complaint.dispatched", *[s for s in steps if s != "complaint.reopened"]]
    resolved = Notification.objects.filter(user=neighbour, kind="complaint.resolved").order_by("id").first()
    assert c.number in resolved.title and "已更换电梯主板" in resolved.body
    assert "rate" not in resolved.title and "评价" not in resolved.title  # only the reporter rates it
    assert resolved.url == ""  # the complaint's page is the reporter's, not theirs


def test_supporters_hear_of_a_return_reassignment_and_rejection(world, neighbour):
    c = complaint(world, code="elevator", description=ELEVATOR)
    services.complaint_support(complaint=c, actor=neighbour)
    c = services.complaint_return(complaint=c, actor=world.staff_yifang, reason="非本公司管理范围")
    c = services.complaint_reassign(complaint=c, actor=world.district, company=world.yifang)
    services.complaint_reject(complaint=c, actor=world.district, reason="invalid")
    assert _kinds(neighbour) == ["complaint.returned", "complaint.reassigned", "complaint.rejected"]


def test_a_community_worker_records_a_walk_in_supporter_once_per_phone(world):
    c = complaint(world, code="elevator", description=ELEVATOR)

    _row, joined = services.complaint_support_walk_in(complaint=c, actor=world.community_fulian, name="张伯", phone="13800001111")
    _row, again = services.complaint_support_walk_in(complaint=c, actor=world.community_fulian, name="张伯", phone="13800001111")

    assert (joined, again) == (True, False)
    c.refresh_from_db()
    assert c.supporter_count == 1
    other = complaint(world, compound=world.tianma, reporter=world.resident_tianma, code="elevator", description=ELEVATOR)
    with pytest.raises(services.errors.ScopeError):
        services.complaint_support_walk_in(complaint=other, actor=world.community_fulian, name="张伯")
    with pytest.raises(services.errors.PermissionDenied):
        services.complaint_support_walk_in(complaint=c, actor=world.staff_yifang, name="张伯")


# --- metrics ----------------------------------------------------------------------------------------
def test_supporters_leave_the_metrics_unchanged(world, neighbour):
    """A complaint counts once however many residents join it (SPEC §5): the snapshots are the same."""
    from ratings import engine
    from ratings.models import MetricSnapshot

    fields = [fld.name for fld in MetricSnapshot._meta.fields if fld.name not in ("id", "computed_at", "updated_at")]

    def snapshots():
        return sorted(tuple(row) for row in MetricSnapshot.objects.values_list(*fields))

    c = complaint(world, code="elevator", description=ELEVATOR)
    complaint(world, code="noise", description="夜间施工噪声")
    engine.compute(full=True)
    before = snapshots()
    assert before

    services.complaint_support(complaint=c, actor=neighbour)
    services.complaint_support_walk_in(complaint=c, actor=world.community_fulian, name="张伯", phone="13800001111")
    engine.compute()  # the incremental run sees the complaint's month touched
    assert snapshots() == before
    engine.compute(full=True)
    assert snapshots() == before


# --- the portal's walk-in form ------------------------------------------------------------------------
def _walk_in(client, world, **extra):
    data = {"compound": world.fulian.pk, "category": category("elevator").pk, "description": ELEVATOR, "reporter_name": "张伯"}
    return client.post("/complaints/walk-in/", {**data, "reporter_phone": "13800001111", **extra})


def test_walk_in_form_offers_similar_complaints_before_filing(world, client):
    c = complaint(world, code="elevator", description="3号楼电梯停运两天了，没人来修")
    client.force_login(world.community_fulian)

    response = _walk_in(client, world)

    html = response.content.decode()
    assert response.status_code == 200 and 'id="similar-complaints"' in html
    assert c.number in html and f'name="join" value="{c.pk}"' in html
    assert "王红" not in html and "13905951234" not in html  # the reporter of the suggestion stays hidden
    assert Complaint.objects.count() == 1  # nothing filed yet


def test_walk_in_joins_a_suggestion_instead_of_filing(world, client):
    c = complaint(world, code="elevator", description=ELEVATOR)
    client.force_login(world.community_fulian)

    response = _walk_in(client, world, join=c.pk)

    assert response.status_code == 302 and response.url == f"/complaints/{c.pk}/"
    assert Complaint.objects.count() == 1
    row = ComplaintSupporter.objects.get()
    assert (row.complaint_id, row.name, row.phone, row.channel, row.user) == (c.pk, "张伯", "13800001111", "walkin", None)
    page = client.get(f"/complaints/{c.pk}/").content.decode()
    assert '<dd id="supporter-count">1 ' in page
    queue = client.get("/complaints/supervision/").content.decode()
    assert "badge supporters" in queue and "+1" in queue  # the badge in the supervision list


def test_walk_in_files_anew_when_the_worker_says_it_is_not_the_same(world, client):
    complaint(world, code="elevator", description=ELEVATOR)
    client.force_login(world.community_fulian)
    response = _walk_in(client, world, decision="new")
    assert response.status_code == 302
    assert Complaint.objects.filter(channel="walkin").count() == 1
    assert not ComplaintSupporter.objects.exists()


def test_walk_in_with_nothing_similar_files_at_once(world, client):
    client.force_login(world.community_fulian)
    assert _walk_in(client, world).status_code == 302
    assert Complaint.objects.filter(channel="walkin").count() == 1


def test_walk_in_join_outside_the_area_is_404(world, client):
    other = complaint(world, compound=world.tianma, reporter=world.resident_tianma, code="elevator", description=ELEVATOR)
    client.force_login(world.community_fulian)
    assert _walk_in(client, world, join=other.pk).status_code == 404
    assert not ComplaintSupporter.objects.exists()
