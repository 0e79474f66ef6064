"""Company staff read their compounds' star breakdown on a page of their own (issue 14, item 11)."""

import re

import pytest

from ratings.tests.factories import star_round


def run_round(world, *, publish: bool):
    return star_round(world, publish=publish)


def rows(html: str) -> list[str]:
    body = html.split('<table class="data">', 1)[1].split("</table>", 1)[0]
    return [re.sub(r"<[^>]+>", " ", r) for r in body.split("<tr>")[2:]]


@pytest.mark.django_db
def test_staff_see_the_breakdown_of_their_compounds_only(world, client):
    star_round = run_round(world, publish=True)
    client.force_login(world.staff_yifang)
    response_ = client.get("/ratings/company/stars/")
    assert response_.status_code == 200
    html = response_.content.decode()
    assert "本公司星级" in html and star_round.title in html
    assert [r for r in rows(html) if "福炼小区" in r] and not [r for r in rows(html) if "天马华耀城" in r]
    assert "100.00%" in html  # 福炼小区's satisfaction over the round's month
    assert "95.28 分及以上为五星" in html  # the round's own cut-off, not the default 90
    # The other company sees its own compound, not ours.
    client.force_login(world.staff_yijiayuan)
    html = client.get("/ratings/company/stars/").content.decode()
    assert "天马华耀城" in html and "福炼小区" not in html


@pytest.mark.django_db
def test_unpublished_stars_stay_with_the_district(world, client):
    run_round(world, publish=False)
    client.force_login(world.staff_yifang)
    html = client.get("/ratings/company/stars/").content.decode()
    assert 'id="no-stars"' in html and "福炼小区" not in html


@pytest.mark.django_db
def test_the_round_link_sends_staff_to_their_page_and_others_get_404(world, client):
    star_round = run_round(world, publish=True)
    client.force_login(world.staff_yifang)
    got = client.get(f"/ratings/stars/{star_round.pk}/", follow=True)
    assert got.redirect_chain == [(f"/ratings/company/stars/?round={star_round.pk}", 302)]
    assert "福炼小区" in got.content.decode()
    assert client.get(f"/ratings/stars/{star_round.pk + 1}/").status_code == 404
    assert client.get("/ratings/company/stars/?round=x").status_code == 404
    for outsider in (world.resident_fulian, world.mediator_shanyao, world.district):
        client.force_login(outsider)
        assert client.get("/ratings/company/stars/").status_code == 404


@pytest.mark.django_db
def test_staff_export_their_breakdown(world, client):
    star_round = run_round(world, publish=True)
    client.force_login(world.staff_yifang)
    got = client.get(f"/ratings/company/stars/?export=round-{star_round.pk}")
    assert got.status_code == 200 and got["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.django_db
def test_staff_menu_links_to_their_stars(world, client):
    client.force_login(world.staff_yifang)
    assert 'href="/ratings/company/stars/"' in client.get("/").content.decode()
