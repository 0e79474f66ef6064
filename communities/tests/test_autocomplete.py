"""The searchable place filters: /api/v1/autocomplete/<kind>/ is scoped like the lists, and list pages no
longer carry every compound of the area."""

import pytest
from django.test import Client

from communities.tests import factories as f

URL = "/api/v1/autocomplete/{}/"


@pytest.mark.django_db
def test_compounds_match_by_name_within_the_users_area(world, api):
    town = api.as_user(world.town_houlong)
    names = [row["name"] for row in town.get(URL.format("compound"), {"q": "小区"}).json()]
    assert names == ["福炼小区"]  # 锦祥安置小区 lies in another town
    district = api.as_user(world.district)
    assert {row["name"] for row in district.get(URL.format("compound"), {"q": "小区"}).json()} == {"福炼小区", "锦祥安置小区"}
    row = district.get(URL.format("compound"), {"q": "福炼"}).json()[0]
    assert row == {"id": world.fulian.pk, "name": "福炼小区", "detail": "福炼社区"}


@pytest.mark.django_db
def test_staff_see_only_their_companys_compounds_and_company(world, api):
    client = api.as_user(world.staff_yifang)
    assert [r["name"] for r in client.get(URL.format("compound")).json()] == ["福炼小区"]
    assert [r["name"] for r in client.get(URL.format("company"), {"q": "物业"}).json()] == ["一方物业"]


@pytest.mark.django_db
def test_communities_and_towns_are_scoped_too(world, api):
    town = api.as_user(world.town_jieshan)
    assert [r["name"] for r in town.get(URL.format("community")).json()] == ["界山社区"]
    assert [r["name"] for r in town.get(URL.format("subdistrict")).json()] == ["界山镇"]


@pytest.mark.django_db
def test_unknown_kind_is_404_long_query_400_anonymous_401(world, api):
    client = api.as_user(world.district)
    assert client.get(URL.format("unit")).status_code == 404
    assert client.get(URL.format("compound"), {"q": "x" * 101}).status_code == 400
    assert Client().get(URL.format("compound")).status_code in (401, 403)


@pytest.mark.django_db
def test_at_most_twenty_suggestions(world, api):
    for i in range(30):
        f.CompoundFactory(community=world.fulian_community, name=f"后龙新村{i:02d}")
    assert len(api.as_user(world.district).get(URL.format("compound"), {"q": "后龙新村"}).json()) == 20


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/complaints/", "/complaints/supervision/"])
def test_list_page_html_does_not_grow_with_compounds(world, url):
    client = Client()
    client.force_login(world.district)
    before = len(client.get(url).content)
    for i in range(300):
        f.CompoundFactory(community=world.fulian_community, name=f"新建小区{i:03d}")
    html = client.get(url).content.decode()
    assert len(html.encode()) == before
    assert "新建小区" not in html
    chosen = client.get(url, {"compound": world.fulian.pk}).content.decode()
    assert 'value="福炼小区"' in chosen  # the chosen compound is shown by name in its search input
