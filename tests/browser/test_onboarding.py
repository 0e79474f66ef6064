from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "onboarding.xlsx"


def test_town_official_uploads_a_roster_and_reads_the_report(world, login, page):
    login("town_houlong")
    # The import sits in the communities menu, which opens on hover.
    menu = page.locator("nav.mainnav .menu", has=page.locator(f"a[href='{reverse('communities:roster_import')}']"))
    menu.hover()
    menu.locator(f"a[href='{reverse('communities:roster_import')}']").click()
    page.set_input_files("#roster-form input[type=file]", str(SAMPLE))
    page.click("#roster-form button[type=submit]")
    report = page.locator("#import-report")
    text = report.inner_text()
    # 后龙镇's official imports 海韵花园 and its units; 港湾新苑 lies in 界山镇, outside the town.
    assert "海韵花园" in text and "已导入" in text
    assert "港湾新苑" in text and "未导入" in text
    assert page.locator("html").get_attribute("lang") == "zh-hans"
