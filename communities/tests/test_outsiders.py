"""Every endpoint of the foundation answers 404 to an outsider of each role, in lists and details alike.

The objects all belong to 福炼小区 / 福炼社区 / 后龙镇 / 一方物业; each outsider holds a role somewhere
else (界山镇, 怡家园物业, 天马华耀城, 山腰街道, or a resident of 天马华耀城). Residents may browse the
public directory (towns, communities, compound cards, companies), so they are no outsiders there.
"""

import pytest

from communities.models import OwnershipClaim, RoleAssignment
from communities.tests import factories as f

pytestmark = pytest.mark.django_db

OFFICIAL, STAFF, COMMITTEE, MEDIATOR = "town_jieshan", "staff_yijiayuan", "committee_tianma", "mediator_shanyao"
RESIDENT = "resident_tianma"


def claim_on_fulian(world):
    claimant = f.UserFactory(username="claimant")
    f.role(claimant, "resident")
    return OwnershipClaim.objects.create(user=claimant, unit=f.UnitFactory(compound=world.fulian), owner_name="张三")


# endpoint, how to find the object, outsiders (usernames), POST actions that must 404 too
ENDPOINTS = [
    ("subdistricts", lambda w: w.houlong, [OFFICIAL, STAFF, COMMITTEE, MEDIATOR], []),
    ("communities", lambda w: w.fulian_community, [OFFICIAL, STAFF, COMMITTEE, MEDIATOR], []),
    ("compounds", lambda w: w.fulian, [OFFICIAL, STAFF, COMMITTEE, MEDIATOR], []),
    ("companies", lambda w: w.yifang, [OFFICIAL, STAFF, COMMITTEE, MEDIATOR], []),
    ("units", lambda w: w.resident_fulian_unit, [OFFICIAL, STAFF, COMMITTEE, MEDIATOR, RESIDENT, "staff_yifang"], []),
    ("my-units", lambda w: w.resident_fulian_unit, [OFFICIAL, STAFF, COMMITTEE, MEDIATOR, RESIDENT, "district"], []),
    (
        "ownership-claims",
        claim_on_fulian,
        [OFFICIAL, STAFF, COMMITTEE, MEDIATOR, RESIDENT, "staff_yifang", "committee_fulian", "resident_fulian", "mediator_houlong"],
        [("decide", {"approve": True})],
    ),
    (
        "accounts",
        lambda w: RoleAssignment.objects.get(user=w.mediator_houlong),
        [OFFICIAL, STAFF, COMMITTEE, MEDIATOR, RESIDENT, "staff_yifang", "community_fulian", "resident_fulian"],
        [("deactivate", {}), ("reactivate", {})],
    ),
]
CASES = [(endpoint, find, user, actions) for endpoint, find, users, actions in ENDPOINTS for user in users]


@pytest.mark.parametrize(("endpoint", "find", "username", "actions"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_outsider_gets_404_in_list_and_detail(world, api, endpoint, find, username, actions):
    obj = find(world)
    client = api.as_user(getattr(world, username))
    listed = client.get(f"/api/v1/{endpoint}/", {"page_size": 200})
    assert listed.status_code == 200
    assert obj.pk not in {row["id"] for row in listed.json()["results"]}
    assert client.get(f"/api/v1/{endpoint}/{obj.pk}/").status_code == 404
    for action, body in actions:
        assert client.post(f"/api/v1/{endpoint}/{obj.pk}/{action}/", body, format="json").status_code == 404


INSIDERS = [
    ("subdistricts", lambda w: w.houlong, ["district", "town_houlong", "community_fulian", "staff_yifang", "committee_fulian"]),
    ("compounds", lambda w: w.fulian, ["district", "community_fulian", "staff_yifang", "committee_fulian", "resident_fulian"]),
    ("units", lambda w: w.resident_fulian_unit, ["district", "town_houlong", "community_fulian", "committee_fulian", "resident_fulian"]),
    ("accounts", lambda w: RoleAssignment.objects.get(user=w.mediator_houlong), ["district", "town_houlong"]),
]


@pytest.mark.parametrize(
    ("endpoint", "find", "username"),
    [(e, fn, u) for e, fn, users in INSIDERS for u in users],
    ids=[f"{e}-{u}" for e, _fn, users in INSIDERS for u in users],
)
def test_insider_sees_it(world, api, endpoint, find, username):
    """The other half of each outsider test: the same object is there for those in scope."""
    obj = find(world)
    assert api.as_user(getattr(world, username)).get(f"/api/v1/{endpoint}/{obj.pk}/").status_code == 200


@pytest.mark.parametrize("username", ["district", "staff_yifang", "resident_fulian", "committee_tianma", "mediator_shanyao"])
def test_me_shows_only_the_signed_in_user(world, api, username):
    user = getattr(world, username)
    body = api.as_user(user).get("/api/v1/me/").json()
    assert body["username"] == username
    assert {r["role"] for r in body["roles"]} == set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))


@pytest.mark.parametrize(
    "path", ["/api/v1/me/", "/api/v1/accounts/", "/api/v1/my-units/", "/api/v1/ownership-claims/", "/api/v1/subdistricts/"]
)
def test_anonymous_gets_401(client, db, path):
    assert client.get(path).status_code == 401
    assert client.post("/api/v1/imports/roster/").status_code == 401
