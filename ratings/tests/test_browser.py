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
