import pytest

from ratings import engine
from ratings.tests.factories import complaint, local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_drills_down_from_the_dashboard_to_houlong_and_fulian(world, login, page):
    complaint(world.fulian, local(2026, 10, 5))
    engine.compute(full=True)
    login("district")
    page.goto("/ratings/")
    assert "泉港区" in page.locator("h1").inner_text()
    page.locator("#table-children").get_by_role("link", name="后龙镇").click()
    page.wait_for_load_state()
    assert "后龙镇" in page.locator("h1").inner_text()
    page.locator("#table-best").get_by_role("link", name="福炼小区").click()
    page.wait_for_load_state()
    assert "福炼小区" in page.locator("h1").inner_text()
    assert "/ratings/compound/" in page.url
    assert page.locator("img.chart-svg").count() >= 3
    assert page.locator("img.chart-svg").first.evaluate("el => el.naturalWidth") > 0


def test_a_kpi_card_opens_its_definition(world, login, page):
    from ratings.tests.factories import response, survey

    rnd = survey(world, month=(2026, 10))
    response(rnd, world.resident_fulian_unit, "satisfied")
    engine.compute(full=True)
    login("district")
    page.goto("/ratings/")
    card = page.locator("#kpi-satisfaction_rate")
    assert "居民满意率" in card.inner_text() and "调查" in card.locator(".period").inner_text()
    card.get_by_role("link", name="居民满意率").click()
    page.wait_for_url("**/ratings/definitions/#satisfaction_rate")
    section = page.locator("section#satisfaction_rate")
    assert section.is_visible()
    assert "期间内最新一轮调查" in section.inner_text()
    assert "居民满意率" in page.locator("section#satisfaction_rate h2").inner_text()
