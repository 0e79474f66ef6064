"""Officials and company administrators manage workers' accounts (issue 2, item 7)."""

import pytest

from communities.models import RoleAssignment
from communities.tests import factories as f
from core.models import User

pytestmark = pytest.mark.django_db

URL = "/api/v1/accounts/"
PASSWORD = "a-Long-pass-2026"


def new(username: str = "newbie", **fields) -> dict:
    return {"username": username, "password": PASSWORD, "display_name": "新同事", **fields}


def counts() -> tuple[int, int]:
    return User.objects.count(), RoleAssignment.objects.count()


def test_district_creates_a_community_worker_who_can_sign_in(world, api, client):
    resp = api.as_user(world.district).post(URL, new(role="official", community=world.fulian_community.id), format="json")
    assert resp.status_code == 201, resp.json()
    assert resp.json()["role"] == "official" and resp.json()["scope"] == "福炼社区"
    token = client.post("/api/v1/auth/token/", {"username": "newbie", "password": PASSWORD}, content_type="application/json")
    assert token.status_code == 200
    compounds = api.as_user(User.objects.get(username="newbie")).get("/api/v1/compounds/").json()["results"]
    assert [c["name"] for c in compounds] == ["福炼小区"]


def test_town_official_creates_a_mediator_for_own_town(world, api):
    resp = api.as_user(world.town_houlong).post(URL, new(role="mediator", subdistrict=world.houlong.id), format="json")
    assert resp.status_code == 201
    assert RoleAssignment.objects.get(user__username="newbie").subdistrict == world.houlong


@pytest.mark.parametrize(
    ("actor", "body", "field"),
    [
        ("town_houlong", {"role": "mediator", "subdistrict": "shanyao"}, "subdistrict"),
        ("town_houlong", {"role": "mediator", "community": "jieshan_community"}, "community"),
        ("town_houlong", {"role": "mediator", "compound": "tianma"}, "compound"),
        ("town_houlong", {"role": "official", "community": "jinxiang_community"}, "community"),
        ("town_houlong", {"role": "staff", "company": "yijiayuan"}, "company"),
        ("community_fulian", {"role": "official", "subdistrict": "houlong"}, "subdistrict"),
        ("staff_yifang", {"role": "staff", "company": "yijiayuan"}, "company"),
    ],
)
def test_places_outside_the_actors_scope_are_refused_and_nothing_is_written(world, api, actor, body, field):
    body = {k: (getattr(world, v).id if k != "role" else v) for k, v in body.items()}
    before = counts()
    resp = api.as_user(getattr(world, actor)).post(URL, new(**body), format="json")
    assert resp.status_code == 400 and field in resp.json()
    assert counts() == before


def test_unknown_place_answers_like_an_out_of_scope_one(world, api):
    client = api.as_user(world.town_houlong)
    unknown = client.post(URL, new(role="mediator", subdistrict=999999), format="json").json()
    other = client.post(URL, new(role="mediator", subdistrict=world.shanyao.id), format="json").json()
    assert unknown == other


def test_company_admin_adds_own_staff_only(world, api):
    client = api.as_user(world.staff_yifang)
    resp = client.post(URL, new(role="staff", company=world.yifang.id), format="json")
    assert resp.status_code == 201
    assert RoleAssignment.objects.get(user__username="newbie").company == world.yifang
    mediator = client.post(URL, new("other", role="mediator", subdistrict=world.houlong.id), format="json")
    assert mediator.status_code == 403


def test_staff_without_admin_right_cannot_add_staff(world, api):
    plain = f.UserFactory(username="plain_staff")
    f.role(plain, "staff", company=world.yifang)
    before = counts()
    resp = api.as_user(plain).post(URL, new(role="staff", company=world.yifang.id), format="json")
    assert resp.status_code == 403 and counts() == before


@pytest.mark.parametrize("username", ["resident_fulian", "committee_fulian", "mediator_houlong"])
def test_other_roles_cannot_create_accounts(world, api, username):
    resp = api.as_user(getattr(world, username)).post(URL, new(role="staff", company=world.yifang.id), format="json")
    assert resp.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (new("DISTRICT", role="official", community=0), "community"),
        (new("district", role="official"), "community"),
        (new("DISTRICT", role="mediator", subdistrict=1), "username"),
        (new(role="mediator", subdistrict="abc"), "subdistrict"),
        (new(role="boss", subdistrict=1), "role"),
        (new(role="mediator", phone="12345"), "phone"),
        ({"username": "x1x", "password": "password", "role": "mediator", "subdistrict": 1}, "password"),
        (new(role="mediator", company=1), "company"),
        (new(role="mediator", subdistrict=1, is_admin="maybe"), "is_admin"),
    ],
)
def test_bad_input_is_400_naming_the_field(world, api, body, field):
    if body.get("subdistrict") == 1:
        body["subdistrict"] = world.houlong.id
    before = counts()
    resp = api.as_user(world.district).post(URL, body, format="json")
    assert resp.status_code == 400 and field in resp.json(), resp.json()
    assert counts() == before


def test_malformed_json_is_400(world, api):
    resp = api.as_user(world.district).post(URL, "{oops", content_type="application/json")
    assert resp.status_code == 400


def test_lists_are_scoped(world, api):
    names = {a["username"] for a in api.as_user(world.town_houlong).get(URL).json()["results"]}
    assert names == {"town_houlong", "community_fulian", "mediator_houlong", "staff_yifang"}
    names = {a["username"] for a in api.as_user(world.staff_yifang).get(URL).json()["results"]}
    assert names == {"staff_yifang"}
    assert api.as_user(world.resident_fulian).get(URL).json()["count"] == 0


def test_deactivating_withdraws_the_role_and_the_sign_in(world, api, client):
    mediator = RoleAssignment.objects.get(user=world.mediator_houlong)
    resp = api.as_user(world.town_houlong).post(f"{URL}{mediator.id}/deactivate/")
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    world.mediator_houlong.refresh_from_db()
    assert world.mediator_houlong.is_active is False
    credentials = {"username": "mediator_houlong", "password": world.password}
    token = client.post("/api/v1/auth/token/", credentials, content_type="application/json")
    assert token.status_code == 401
    again = api.as_user(world.town_houlong).post(f"{URL}{mediator.id}/deactivate/")
    assert again.status_code == 409


def test_reactivating_gives_the_role_and_the_sign_in_back(world, api, client):
    mediator = RoleAssignment.objects.get(user=world.mediator_houlong)
    official = api.as_user(world.town_houlong)
    assert official.post(f"{URL}{mediator.id}/reactivate/").status_code == 409  # still active
    official.post(f"{URL}{mediator.id}/deactivate/")
    resp = official.post(f"{URL}{mediator.id}/reactivate/")
    assert resp.status_code == 200 and resp.json()["is_active"] and resp.json()["user_is_active"]
    credentials = {"username": "mediator_houlong", "password": world.password}
    assert client.post("/api/v1/auth/token/", credentials, content_type="application/json").status_code == 200


def test_a_user_with_another_active_role_keeps_signing_in(world, api):
    f.role(world.mediator_houlong, "resident")
    mediator = RoleAssignment.objects.get(user=world.mediator_houlong, role="mediator")
    api.as_user(world.town_houlong).post(f"{URL}{mediator.id}/deactivate/")
    world.mediator_houlong.refresh_from_db()
    assert world.mediator_houlong.is_active is True


def test_nobody_deactivates_themselves(world, api):
    own = RoleAssignment.objects.get(user=world.staff_yifang)
    assert api.as_user(world.staff_yifang).post(f"{URL}{own.id}/deactivate/").status_code == 409


@pytest.mark.parametrize(
    ("actor", "target"),
    [("town_jieshan", "mediator_houlong"), ("staff_yijiayuan", "staff_yifang"), ("community_fulian", "town_houlong")],
)
def test_outsiders_cannot_see_or_deactivate(world, api, actor, target):
    assignment = RoleAssignment.objects.get(user=getattr(world, target))
    client = api.as_user(getattr(world, actor))
    assert client.get(f"{URL}{assignment.id}/").status_code == 404
    assert client.post(f"{URL}{assignment.id}/deactivate/").status_code == 404
    assignment.refresh_from_db()
    assert assignment.is_active
    RoleAssignment.objects.filter(pk=assignment.pk).update(is_active=False)
    assert client.post(f"{URL}{assignment.id}/reactivate/").status_code == 404
    assert not RoleAssignment.objects.get(pk=assignment.pk).is_active


# --- Portal pages -----------------------------------------------------------------------------------


def test_account_pages_in_chinese(world, client):
    client.force_login(world.town_houlong)
    body = client.get("/accounts/").content.decode()
    assert "账号" in body and "mediator_houlong" in body and "mediator_shanyao" not in body
    form = client.get("/accounts/new/").content.decode()
    assert f'value="subdistrict:{world.houlong.id}"' in form and f'value="subdistrict:{world.shanyao.id}"' not in form


def test_portal_creates_and_deactivates(world, client):
    client.force_login(world.town_houlong)
    resp = client.post(
        "/accounts/new/",
        {
            "username": "liu_worker",
            "display_name": "刘",
            "role": "official",
            "place": f"community:{world.fulian_community.id}",
            "password": PASSWORD,
        },
    )
    assert resp.status_code == 302
    assignment = RoleAssignment.objects.get(user__username="liu_worker")
    assert assignment.community == world.fulian_community
    assert client.post(f"/accounts/{assignment.id}/deactivate/").status_code == 302
    assignment.refresh_from_db()
    assert not assignment.is_active
    assert "/reactivate/" in client.get("/accounts/", {"active": "0"}).content.decode()
    assert client.post(f"/accounts/{assignment.id}/reactivate/").status_code == 302
    assignment.refresh_from_db()
    assert assignment.is_active


def test_portal_form_shows_service_errors(world, client):
    client.force_login(world.town_houlong)
    before = counts()
    resp = client.post(
        "/accounts/new/",
        {"username": "district", "role": "mediator", "place": f"subdistrict:{world.houlong.id}", "password": PASSWORD},
    )
    assert resp.status_code == 200 and counts() == before
    assert "errorlist" in resp.content.decode()


def test_portal_outsider_deactivation_is_404(world, client):
    client.force_login(world.town_jieshan)
    assignment = RoleAssignment.objects.get(user=world.mediator_houlong)
    assert client.post(f"/accounts/{assignment.id}/deactivate/").status_code == 404


def test_company_admin_sees_staff_page_and_residents_do_not(world, client):
    client.force_login(world.staff_yifang)
    body = client.get("/accounts/").content.decode()
    assert "staff_yifang" in body and "/accounts/" in body
    client.force_login(world.resident_fulian)
    assert client.get("/accounts/").status_code == 403
