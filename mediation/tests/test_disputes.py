"""Dispute cases: registration, sessions, outcomes, bad input, and who sees them."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints.models import Category, Complaint
from mediation.models import DisputeCase, DisputeParty
from mediation.tests.factories import DisputeFactory

pytestmark = pytest.mark.django_db


def ids(resp):
    assert resp.status_code == 200, resp.content
    return {row["id"] for row in resp.json()["results"]}


def _case(compound, **extra):
    return {
        "compound": compound.id,
        "type": "leak",
        "source": "walk_in",
        "summary": "楼上漏水到楼下",
        "parties": [{"name": "王红", "side": "applicant"}, {"name": "李四", "side": "respondent"}],
        "mediators": [{"kind": "community_cadre", "name": "庄开桂"}, {"kind": "legal_worker", "name": "郑律师"}],
        **extra,
    }


def test_mediator_registers_mediates_and_closes_with_an_agreement(world, api):
    client = api.as_user(world.mediator_shanyao)
    resp = client.post("/api/v1/disputes/", _case(world.jinxiang), format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "open" and len(body["parties"]) == 2 and len(body["mediators"]) == 2
    case_id = body["id"]
    resp = client.post(f"/api/v1/disputes/{case_id}/sessions/", {"held_on": timezone.localdate(), "notes": "双方到场"}, format="json")
    assert resp.status_code == 201
    resp = client.post(
        f"/api/v1/disputes/{case_id}/close/", {"outcome": "agreement", "agreement_text": "楼上修复防水层，赔偿500元"}, format="json"
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "closed" and resp.json()["outcome"] == "agreement" and resp.json()["closed_on"]
    assert client.post(f"/api/v1/disputes/{case_id}/close/", {"outcome": "withdrawn"}, format="json").status_code == 409
    assert client.post(f"/api/v1/disputes/{case_id}/sessions/", {"held_on": timezone.localdate()}, format="json").status_code == 409


@pytest.mark.parametrize(
    ("outcome", "note"), [("court", "起诉至泉港区人民法院"), ("arbitration", "申请劳动仲裁"), ("withdrawn", "申请人撤回")]
)
def test_other_outcomes_close_the_case_without_an_agreement(world, api, outcome, note):
    case = DisputeFactory(compound=world.jinxiang)
    resp = api.as_user(world.mediator_shanyao).post(
        f"/api/v1/disputes/{case.id}/close/", {"outcome": outcome, "note": note, "agreement_text": "ignored"}, format="json"
    )
    assert resp.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.outcome, case.outcome_note, case.agreement_text, case.is_resolved) == ("closed", outcome, note, "", False)


def test_an_agreement_needs_its_text(world, api):
    case = DisputeFactory(compound=world.jinxiang)
    resp = api.as_user(world.mediator_shanyao).post(f"/api/v1/disputes/{case.id}/close/", {"outcome": "agreement"}, format="json")
    assert resp.status_code == 400 and "agreement_text" in resp.json()
    case.refresh_from_db()
    assert case.status == "open"


def test_an_agreement_without_parties_is_400(world, api):
    case = DisputeFactory(compound=world.jinxiang)
    DisputeParty.objects.filter(case=case).delete()
    resp = api.as_user(world.mediator_shanyao).post(
        f"/api/v1/disputes/{case.id}/close/", {"outcome": "agreement", "agreement_text": "和解"}, format="json"
    )
    assert resp.status_code == 400 and "parties" in resp.json()
    case.refresh_from_db()
    assert case.status == "open" and case.outcome == ""


def test_recording_a_settled_case_without_parties_writes_nothing(world, api):
    body = _case(world.jinxiang, parties=[], outcome="agreement", agreement_text="和解")
    resp = api.as_user(world.mediator_shanyao).post("/api/v1/disputes/", body, format="json")
    assert resp.status_code == 400 and "parties" in resp.json()
    assert not DisputeCase.objects.exists()


def test_recording_an_already_settled_case_in_one_step(world, api):
    body = _case(world.jinxiang, outcome="agreement", agreement_text="和解", closed_on=timezone.localdate())
    resp = api.as_user(world.mediator_shanyao).post("/api/v1/disputes/", body, format="json")
    assert resp.status_code == 201 and resp.json()["status"] == "closed"


def test_closing_before_registration_is_refused(world, api):
    case = DisputeFactory(compound=world.jinxiang)
    resp = api.as_user(world.mediator_shanyao).post(
        f"/api/v1/disputes/{case.id}/close/",
        {"outcome": "withdrawn", "closed_on": case.registered_on - dt.timedelta(days=1)},
        format="json",
    )
    assert resp.status_code == 400 and "closed_on" in resp.json()


def test_case_from_a_complaint_links_it(world, api):
    category = Category.objects.get_or_create(code="leak", defaults={"name_zh": "漏水", "name_en": "Water leaks"})[0]
    complaint = Complaint.objects.create(
        number="C1", compound=world.jinxiang, category=category, description="漏水", made_at=timezone.now()
    )
    client = api.as_user(world.mediator_shanyao)
    assert client.post("/api/v1/disputes/", _case(world.jinxiang, source="complaint"), format="json").status_code == 400
    resp = client.post("/api/v1/disputes/", _case(world.jinxiang, source="complaint", complaint=complaint.id), format="json")
    assert resp.status_code == 201 and resp.json()["complaint"] == complaint.id
    assert DisputeCase.objects.get().complaint == complaint


def test_community_worker_sees_their_community_only(world, api):
    fulian = DisputeFactory(compound=world.fulian)
    DisputeFactory(compound=world.jinxiang)
    assert ids(api.as_user(world.community_fulian).get("/api/v1/disputes/")) == {fulian.id}


@pytest.mark.parametrize("username", ["mediator_houlong", "town_jieshan", "resident_fulian", "committee_fulian", "staff_yifang"])
def test_outsiders_get_404_for_a_jinxiang_dispute(world, api, username):
    case = DisputeFactory(compound=world.jinxiang)
    client = api.as_user(getattr(world, username))
    assert client.get(f"/api/v1/disputes/{case.id}/").status_code == 404
    assert case.id not in ids(client.get("/api/v1/disputes/"))
    assert client.post(f"/api/v1/disputes/{case.id}/close/", {"outcome": "withdrawn"}, format="json").status_code == 404


def test_mediator_cannot_register_a_case_outside_their_area(world, api):
    resp = api.as_user(world.mediator_houlong).post("/api/v1/disputes/", _case(world.jinxiang), format="json")
    assert resp.status_code == 400 and "compound" in resp.json()
    assert not DisputeCase.objects.exists()


def test_dispute_list_uses_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api.as_user(world.mediator_shanyao)
    DisputeFactory(compound=world.jinxiang)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/disputes/")
    for _ in range(4):
        DisputeFactory(compound=world.jinxiang)
    with django_assert_max_num_queries(len(one)):
        assert client.get("/api/v1/disputes/").json()["count"] == 5
