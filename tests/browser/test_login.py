import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_signs_in_and_sees_compound_list_in_chinese(world, login, page):
    login("district")
    page.goto("/compounds/")
    table = page.locator("#compound-table")
    assert "福炼小区" in table.inner_text()
    assert "天马华耀城" in table.inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "小区" in page.locator("h1").inner_text()
