"""Bad input answers 400 naming the field and writes nothing (issue 2, "Bad input")."""

import pytest

from communities.models import OwnershipClaim, PropertyCompany
from communities.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "新公司", "credit_code": "91350505MA2Y3K4P8Q"}, "credit_code"),  # wrong check character
        ({"name": "新公司", "credit_code": "91350505MA2Y3K4P8"}, "credit_code"),  # 17 characters
        ({"name": "新公司", "credit_code": "91350505MA2Y3K4POZ"}, "credit_code"),  # O and Z are not in the alphabet
        ({"name": "新公司", "credit_code": 913505051234567890}, "credit_code"),  # a number, wrong type
        ({"credit_code": "91350505MA2Y3K4P8U"}, "name"),
        ({"name": ["a"], "credit_code": "91350505MA2Y3K4P8U"}, "name"),
    ],
)
def test_company_with_bad_fields_is_400(world, api, body, field):
    before = PropertyCompany.objects.count()
    resp = api.as_user(world.district).post("/api/v1/companies/", body, format="json")
    assert resp.status_code == 400 and field in resp.json(), resp.json()
    assert PropertyCompany.objects.count() == before


def test_company_with_valid_code_is_created_and_a_duplicate_code_is_400(world, api):
    from communities.credit_code import make_code

    code = make_code("91350505MA2Y3K4P8")
    client = api.as_user(world.district)
    assert client.post("/api/v1/companies/", {"name": "新公司", "credit_code": code}, format="json").status_code == 201
    dup = client.post("/api/v1/companies/", {"name": "另一公司", "credit_code": code}, format="json")
    assert dup.status_code == 400 and "credit_code" in dup.json()
    assert PropertyCompany.objects.filter(credit_code=code).count() == 1


@pytest.mark.parametrize(
    "path", ["/api/v1/companies/", "/api/v1/ownership-claims/", "/api/v1/accounts/", "/api/v1/auth/register/", "/api/v1/auth/token/"]
)
def test_malformed_json_is_400(world, api, path):
    resp = api.as_user(world.district).post(path, '{"name": ', content_type="application/json")
    assert resp.status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit": "abc", "owner_name": "张三"}, "unit"),
        ({"unit": 999999, "owner_name": "张三"}, "unit"),
        ({"unit": -1, "owner_name": "张三"}, "unit"),
        ({"unit": None, "owner_name": "张三"}, "unit"),
        ({"unit": 1}, "owner_name"),
        ({"unit": 1, "owner_name": "x" * 101}, "owner_name"),
    ],
)
def test_claim_with_bad_fields_is_400(world, api, body, field):
    unit = UnitFactory(compound=world.fulian)
    if body.get("unit") == 1:
        body["unit"] = unit.pk
    resp = api.as_user(world.resident_tianma).post("/api/v1/ownership-claims/", body, format="json")
    assert resp.status_code == 400 and field in resp.json(), resp.json()
    assert not OwnershipClaim.objects.exists()


def test_claim_decision_with_wrong_types_is_400_and_decides_nothing(world, api):
    claim = OwnershipClaim.objects.create(user=world.resident_tianma, unit=UnitFactory(compound=world.fulian), owner_name="李明")
    client = api.as_user(world.community_fulian)
    for body, field in [({"approve": "maybe"}, "approve"), ({}, "approve"), ({"approve": False}, "reason")]:
        resp = client.post(f"/api/v1/ownership-claims/{claim.pk}/decide/", body, format="json")
        assert resp.status_code == 400 and field in resp.json(), (body, resp.json())
    claim.refresh_from_db()
    assert claim.status == OwnershipClaim.Status.PENDING


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/compounds/", {"subdistrict": "abc"}),
        ("/api/v1/compounds/", {"is_old": "perhaps"}),
        ("/api/v1/communities/", {"subdistrict": "x"}),
        ("/api/v1/units/", {"compound": "1.5"}),
        ("/api/v1/accounts/", {"role": "king"}),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(world, api, path, params):
    resp = api.as_user(world.district).get(path, params)
    assert resp.status_code == 400 and set(params) <= set(resp.json()), resp.json()


def test_unknown_ids_in_urls_are_404(world, api):
    client = api.as_user(world.district)
    for path in ["compounds/999999/", "units/abc/", "ownership-claims/999999/decide/", "accounts/999999/deactivate/"]:
        method = client.post if path.endswith(("decide/", "deactivate/")) else client.get
        assert method(f"/api/v1/{path}", {}, format="json").status_code == 404, path
