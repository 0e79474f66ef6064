import pytest

from communities.credit_code import check_character, is_valid, make_code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000802100433B", "91310000775785552L"])
def test_real_codes_are_valid(code):
    assert is_valid(code)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y430",  # 19 characters
        "91350100I000100Y43",  # I is not in the alphabet
        "",
    ],
)
def test_bad_codes_are_invalid(code):
    assert not is_valid(code)


def test_make_code_appends_the_check_character():
    code = make_code("91350505MA2XABCD0")
    assert len(code) == 18 and code[-1] == check_character(code[:17]) and is_valid(code)


@pytest.mark.django_db
def test_official_registers_company_and_bad_code_is_400(world, api):
    client = api.as_user(world.district)
    bad = client.post("/api/v1/companies/", {"name": "新物业", "credit_code": "91350100M000100Y44"}, format="json")
    assert bad.status_code == 400 and "credit_code" in bad.json()
    good = client.post("/api/v1/companies/", {"name": "新物业", "credit_code": "91350100M000100Y43"}, format="json")
    assert good.status_code == 201
    assert good.json()["credit_code"] == "91350100M000100Y43"


@pytest.mark.django_db
def test_staff_cannot_register_companies(world, api):
    resp = api.as_user(world.staff_yifang).post("/api/v1/companies/", {"name": "x", "credit_code": "91350100M000100Y43"}, format="json")
    assert resp.status_code == 403
