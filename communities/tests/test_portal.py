import pytest

pytestmark = pytest.mark.django_db


def test_compound_list_scoped_and_in_chinese(world, client):
    client.force_login(world.town_houlong)
    resp = client.get("/compounds/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "福炼小区" in body and "天马华耀城" not in body
    assert "小区" in body and 'lang="zh-hans"' in body


def test_compound_page_outside_scope_is_404(world, client):
    client.force_login(world.town_houlong)
    assert client.get(f"/compounds/{world.tianma.id}/").status_code == 404
    assert client.get(f"/compounds/{world.fulian.id}/").status_code == 200


def test_language_switch_to_english(world, client):
    client.force_login(world.district)
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/compounds/"})
    assert resp.status_code == 302
    body = client.get("/compounds/").content.decode()
    assert 'lang="en"' in body and "Compounds" in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/compounds/"})
    assert 'lang="zh-hans"' in client.get("/compounds/").content.decode()


def test_login_required(client, db):
    resp = client.get("/compounds/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]
