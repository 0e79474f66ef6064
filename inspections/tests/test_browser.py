"""In a real browser: 一方物业 files a rectification report with a photo; 后龙镇 accepts it."""

import pytest
from playwright.sync_api import expect

from inspections.models import RectificationList
from inspections.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_files_report_with_photo_and_town_official_accepts(world, login, page, tmp_path):
    f.seeded_template()
    inspection = f.make_inspection(world.town_houlong, world.fulian, findings=1)
    rect = f.issue_list(world.town_houlong, inspection)
    photo = tmp_path / "after.png"
    photo.write_bytes(f.png("after.png", size=(32, 24), color="green").read())

    login("staff_yifang")
    page.goto(f"/inspections/lists/{rect.pk}/")
    page.click("#file-report")
    item = rect.items.get()
    page.fill(f"#id_action_{item.pk}", "已清理消防通道并施划禁停标线")
    page.set_input_files(f"#id_photos_{item.pk}", str(photo))
    page.click("#submit-report")
    expect(page.locator(".report img")).to_have_count(1)
    assert "整改报告" in page.content()
    assert page.locator(".report img").count() == 1

    page.context.clear_cookies()
    login("town_houlong")
    page.goto("/inspections/review/")
    page.click(f"text={rect.number}")
    page.fill("#id_comment", "整改到位")
    page.click("#accept-report")
    # Waits for the page the form posts to (networkidle alone can return before the navigation starts).
    expect(page.locator("#list-status")).to_contain_text("已验收")
    rect.refresh_from_db()
    assert rect.status == RectificationList.Status.ACCEPTED
