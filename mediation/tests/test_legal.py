"""Legal links (公检法司): liaisons, consultations, police cases, judges' workstation screenings and hazards; venues."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from mediation.models import Hazard, LegalConsultation, Screening, Venue
from mediation.tests.factories import LiaisonFactory, VenueFactory

pytestmark = pytest.mark.django_db


def ids(resp):
    assert resp.status_code == 200, resp.content
    return {row["id"] for row in resp.json()["results"]}


@pytest.fixture
def workstation(world):
    return Venue.objects.create(kind="judges_workstation", name="山腰法官工作站", community=world.jinxiang_community)


def test_venue_belongs_to_exactly_one_compound_or_community(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Venue.objects.create(kind="pavilion", name="两头都挂", compound=world.jinxiang, community=world.jinxiang_community)
    with pytest.raises(IntegrityError), transaction.atomic():
        Venue.objects.create(kind="pavilion", name="哪都不挂")


def test_venue_api_refuses_both_places_and_outsiders(world, api):
    client = api.as_user(world.mediator_shanyao)
    both = {"kind": "pavilion", "name": "邻里议事亭", "compound": world.jinxiang.id, "community": world.jinxiang_community.id}
    assert client.post("/api/v1/venues/", both, format="json").status_code == 400
    resp = client.post("/api/v1/venues/", {"kind": "pavilion", "name": "邻里议事亭", "compound": world.jinxiang.id}, format="json")
    assert resp.status_code == 201
    other = api.as_user(world.mediator_houlong)
    assert other.get(f"/api/v1/venues/{resp.json()['id']}/").status_code == 404
    assert ids(other.get("/api/v1/venues/")) == set()
    # Residents see the venues of their own compound and community.
    hall = VenueFactory(kind="hall", name="居民议事厅", compound=None, community=world.fulian_community)
    assert ids(api.as_user(world.resident_fulian).get("/api/v1/venues/")) == {hall.id}


def test_liaison_links_compounds_and_answers_consultations(world, api):
    client = api.as_user(world.mediator_shanyao)
    resp = client.post(
        "/api/v1/liaisons/",
        {"name": "郑律师", "kind": "legal_worker", "organisation": "泉港律师事务所", "compounds": [world.jinxiang.id]},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    liaison_id = resp.json()["id"]
    resp = client.post(
        "/api/v1/consultations/", {"compound": world.jinxiang.id, "liaison": liaison_id, "question": "物业费拖欠怎么处理？"}, format="json"
    )
    assert resp.status_code == 201 and resp.json()["given_on"] == str(timezone.localdate())
    # A liaison not linked to the compound cannot have answered there.
    resp = client.post("/api/v1/consultations/", {"compound": world.tianma.id, "liaison": liaison_id, "question": "x"}, format="json")
    assert resp.status_code == 400
    assert LegalConsultation.objects.count() == 1


def test_liaison_for_a_compound_outside_the_area_is_refused(world, api):
    resp = api.as_user(world.mediator_houlong).post(
        "/api/v1/liaisons/", {"name": "民警", "kind": "police_officer", "compounds": [world.jinxiang.id]}, format="json"
    )
    assert resp.status_code == 400 and "compounds" in resp.json()


def test_police_case_needs_a_police_officer(world, api):
    lawyer = LiaisonFactory(compounds=[world.jinxiang])
    police = LiaisonFactory(kind="police_officer", name="民警黄", compounds=[world.jinxiang])
    client = api.as_user(world.mediator_shanyao)
    assert client.post("/api/v1/police-cases/", {"compound": world.jinxiang.id, "liaison": lawyer.id, "summary": "盗窃"}).status_code == 400
    assert client.post("/api/v1/police-cases/", {"compound": world.jinxiang.id, "liaison": police.id, "summary": "盗窃"}).status_code == 201


def test_screening_logs_hazards_and_what_became_of_them(world, api, workstation):
    client = api.as_user(world.mediator_shanyao)
    resp = client.post(
        "/api/v1/screenings/",
        {
            "subdistrict": world.shanyao.id,
            "workstation": workstation.id,
            "held_on": timezone.localdate() - dt.timedelta(days=5),
            "hazards": [{"compound": world.jinxiang.id, "description": "消防通道被占用", "severity": "major"}],
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    screening = resp.json()
    assert screening["compounds"] == [world.jinxiang.id] and screening["hazards"][0]["status"] == "open"
    hazard_id = screening["hazards"][0]["id"]
    url = f"/api/v1/screenings/{screening['id']}/hazards/{hazard_id}/resolve/"
    assert client.post(url, {"status": "handled", "outcome": ""}, format="json").status_code == 400
    resp = client.post(url, {"status": "handled", "outcome": "清理占道车辆，设置隔离桩"}, format="json")
    assert resp.status_code == 200 and resp.json()["handled_on"] == str(timezone.localdate())
    assert client.post(url, {"status": "referred", "outcome": "x"}, format="json").status_code == 409
    assert Hazard.objects.get().status == "handled"


def test_screening_with_a_workstation_of_another_town_is_refused(world, api, workstation):
    resp = api.as_user(world.district).post(
        "/api/v1/screenings/",
        {"subdistrict": world.houlong.id, "workstation": workstation.id, "held_on": timezone.localdate()},
        format="json",
    )
    assert resp.status_code == 400 and "workstation" in resp.json()
    assert not Screening.objects.exists()


@pytest.mark.parametrize("username", ["mediator_houlong", "town_jieshan", "community_fulian", "resident_fulian", "staff_yifang"])
def test_outsiders_get_404_for_shanyao_legal_links(world, api, workstation, username):
    liaison = LiaisonFactory(compounds=[world.jinxiang])
    consultation = LegalConsultation.objects.create(compound=world.jinxiang, given_on=timezone.localdate(), question="咨询")
    screening = Screening.objects.create(subdistrict=world.shanyao, workstation=workstation, held_on=timezone.localdate())
    screening.compounds.add(world.jinxiang)
    client = api.as_user(getattr(world, username))
    for path, obj in [("liaisons", liaison), ("consultations", consultation), ("screenings", screening)]:
        assert client.get(f"/api/v1/{path}/{obj.id}/").status_code == 404, path
        assert obj.id not in ids(client.get(f"/api/v1/{path}/")), path


def test_insiders_see_shanyao_legal_links(world, api, workstation):
    liaison = LiaisonFactory(compounds=[world.jinxiang])
    screening = Screening.objects.create(subdistrict=world.shanyao, workstation=workstation, held_on=timezone.localdate())
    for user in (world.mediator_shanyao, world.district):
        client = api.as_user(user)
        assert ids(client.get("/api/v1/liaisons/")) == {liaison.id}
        # The town's own screening is visible to the town's mediator even before it names a compound.
        assert ids(client.get("/api/v1/screenings/")) == {screening.id}


def test_screening_hazard_in_a_compound_outside_the_area_writes_nothing(world, api):
    ws = Venue.objects.create(kind="judges_workstation", name="后龙法官工作站", community=world.fulian_community)
    resp = api.as_user(world.community_fulian).post(
        "/api/v1/screenings/",
        {
            "subdistrict": world.houlong.id,
            "workstation": ws.id,
            "held_on": timezone.localdate(),
            "compounds": [world.fulian.id],
            "hazards": [{"compound": world.jinxiang.id, "description": "不是本社区"}],
        },
        format="json",
    )
    assert resp.status_code == 400 and "hazards" in resp.json()
    assert not Screening.objects.exists() and not Hazard.objects.exists()
