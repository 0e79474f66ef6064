import pytest
from django.db import IntegrityError, transaction

from communities.models import ManagementContract, OwnershipClaim, RoleAssignment
from core.models import User

pytestmark = pytest.mark.django_db


def ids(resp):
    return {row["id"] for row in resp.json()["results"]}


def test_token_flow_and_me(world, client):
    resp = client.post("/api/v1/auth/token/", {"username": "district", "password": world.password}, content_type="application/json")
    assert resp.status_code == 200
    access, refresh = resp.json()["access"], resp.json()["refresh"]
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert me.json()["username"] == "district" and me.json()["roles"][0]["role"] == "official"
    again = client.post("/api/v1/auth/token/refresh/", {"refresh": refresh}, content_type="application/json")
    assert again.status_code == 200 and "access" in again.json()


def test_unauthenticated_is_401(client):
    assert client.get("/api/v1/compounds/").status_code == 401


def test_official_sees_jurisdiction(world, api):
    assert ids(api.as_user(world.district).get("/api/v1/compounds/")) == {world.fulian.id, world.tianma.id, world.jinxiang.id}
    assert ids(api.as_user(world.town_houlong).get("/api/v1/compounds/")) == {world.fulian.id}
    assert ids(api.as_user(world.community_fulian).get("/api/v1/compounds/")) == {world.fulian.id}


def test_staff_sees_only_managed_compounds(world, api):
    client = api.as_user(world.staff_yifang)
    assert ids(client.get("/api/v1/compounds/")) == {world.fulian.id}
    assert client.get(f"/api/v1/compounds/{world.tianma.id}/").status_code == 404


@pytest.mark.parametrize("username", ["town_jieshan", "staff_yijiayuan", "committee_tianma", "mediator_shanyao"])
def test_outsiders_get_404_for_fulian(world, api, username):
    client = api.as_user(getattr(world, username))
    assert client.get(f"/api/v1/compounds/{world.fulian.id}/").status_code == 404
    assert world.fulian.id not in ids(client.get("/api/v1/compounds/"))


def test_staff_loses_compound_when_contract_ends(world, api):
    ManagementContract.objects.filter(compound=world.fulian).update(end="2021-01-01")
    assert api.as_user(world.staff_yifang).get(f"/api/v1/compounds/{world.fulian.id}/").status_code == 404


def test_resident_searches_all_compounds_with_public_fields_only(world, api):
    client = api.as_user(world.resident_fulian)
    rows = client.get("/api/v1/compounds/", {"search": "天马"}).json()["results"]
    assert [r["name"] for r in rows] == ["天马华耀城"]
    assert set(rows[0]) == {"id", "name", "address", "community", "subdistrict", "company", "published_stars"}
    assert rows[0]["company"]["name"] == "怡家园物业"
    own = client.get(f"/api/v1/compounds/{world.fulian.id}/").json()
    assert own["household_count"] == 486


def test_my_units_are_only_mine(world, api):
    rows = api.as_user(world.resident_fulian).get("/api/v1/my-units/").json()["results"]
    assert [r["id"] for r in rows] == [world.resident_fulian_unit.id]
    assert api.as_user(world.resident_fulian).get(f"/api/v1/my-units/{world.resident_tianma_unit.id}/").status_code == 404
    assert api.as_user(world.resident_fulian).get(f"/api/v1/units/{world.resident_tianma_unit.id}/").status_code == 404


def test_subdistricts_and_communities_scoped(world, api):
    towns = {r["name"] for r in api.as_user(world.town_houlong).get("/api/v1/subdistricts/").json()["results"]}
    assert towns == {"后龙镇"}
    comms = {r["name"] for r in api.as_user(world.staff_yijiayuan).get("/api/v1/communities/").json()["results"]}
    assert comms == {"界山社区"}
    assert api.as_user(world.staff_yijiayuan).get(f"/api/v1/communities/{world.fulian_community.id}/").status_code == 404


def test_companies_scoped_for_staff(world, api):
    names = {r["name"] for r in api.as_user(world.staff_yifang).get("/api/v1/companies/").json()["results"]}
    assert names == {"一方物业"}
    assert api.as_user(world.staff_yifang).get(f"/api/v1/companies/{world.yijiayuan.id}/").status_code == 404


def test_compound_filters(world, api):
    client = api.as_user(world.district)
    assert ids(client.get("/api/v1/compounds/", {"subdistrict": world.jieshan.id})) == {world.tianma.id}
    assert ids(client.get("/api/v1/compounds/", {"search": "福炼新村"})) == {world.fulian.id}


def test_register_then_claim_then_verify(world, api, client):
    resp = client.post(
        "/api/v1/auth/register/",
        {"username": "zhang_san", "password": "a-Long-pass-2026", "display_name": "张三", "phone": "13900001111"},
        content_type="application/json",
    )
    assert resp.status_code == 201
    user = User.objects.get(username="zhang_san")
    assert RoleAssignment.objects.filter(user=user, role="resident").exists()
    resident = api.as_user(user)
    unit = world.resident_tianma_unit
    from communities.tests.factories import UnitFactory

    unit = UnitFactory(compound=world.fulian)
    claim = resident.post("/api/v1/ownership-claims/", {"unit": unit.id, "owner_name": "张三"}, format="json")
    assert claim.status_code == 201
    # Before verification the resident sees no units and only public compound cards.
    assert resident.get("/api/v1/my-units/").json()["count"] == 0
    # An official of another town cannot see or decide the claim.
    outsider = api.__class__()
    outsider.force_authenticate(world.town_jieshan)
    assert outsider.post(f"/api/v1/ownership-claims/{claim.json()['id']}/decide/", {"approve": True}, format="json").status_code == 404
    official = api.__class__()
    official.force_authenticate(world.community_fulian)
    decided = official.post(f"/api/v1/ownership-claims/{claim.json()['id']}/decide/", {"approve": True}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "verified"
    assert [u["id"] for u in resident.get("/api/v1/my-units/").json()["results"]] == [unit.id]
    again = official.post(f"/api/v1/ownership-claims/{claim.json()['id']}/decide/", {"approve": True}, format="json")
    assert again.status_code == 409


def test_register_bad_input_is_400_and_writes_nothing(client, db):
    before = User.objects.count()
    for body in [
        {"username": "ab", "password": "a-Long-pass-2026"},
        {"username": "okname", "password": "short"},
        {"username": "okname", "password": "a-Long-pass-2026", "phone": "12345"},
        {"username": "okname", "password": 12345678901},
    ]:
        resp = client.post("/api/v1/auth/register/", body, content_type="application/json")
        assert resp.status_code == 400, body
    malformed = client.post("/api/v1/auth/register/", "{not json", content_type="application/json")
    assert malformed.status_code == 400
    assert User.objects.count() == before


def test_duplicate_username_is_400(world, client):
    resp = client.post("/api/v1/auth/register/", {"username": "DISTRICT", "password": "a-Long-pass-2026"}, content_type="application/json")
    assert resp.status_code == 400 and "username" in resp.json()


def test_claim_unknown_unit_is_400(world, api):
    resp = api.as_user(world.resident_fulian).post("/api/v1/ownership-claims/", {"unit": 999999, "owner_name": "x"}, format="json")
    assert resp.status_code == 400 and "unit" in resp.json()
    assert not OwnershipClaim.objects.exists()


def test_overlapping_contracts_refused_by_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        ManagementContract.objects.create(compound=world.fulian, company=world.yijiayuan, start="2024-01-01")


def test_healthz_needs_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json() == {"status": "ok"}


def test_schema_and_docs_served(client, db):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()
