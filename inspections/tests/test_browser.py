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


def test_a_refused_report_keeps_its_overview_and_shows_the_error_next_to_the_photo(world, login, page, tmp_path):
    f.seeded_template()
    rect = f.issue_list(world.town_houlong, f.make_inspection(world.town_houlong, world.fulian, findings=1))
    item = rect.items.get()
    scan = tmp_path / "scan.png"
    scan.write_bytes(b"this is not a picture")

    login("staff_yifang")
    page.goto(f"/inspections/lists/{rect.pk}/report/")
    page.fill(f"#id_action_{item.pk}", "已清理消防通道并施划禁停标线")
    page.set_input_files(f"#id_photos_{item.pk}", str(scan))
    page.fill("#id_summary", "本轮整改共清理杂物三车，消防通道全部畅通")
    page.click("#submit-report")

    errors = page.locator(f"#id_photos_{item.pk}_error")
    expect(errors).to_contain_text("scan.png 不是 JPEG、PNG 或 WebP 图片")
    # Every typed text is back; the summary of errors is inside the form and has the focus (scrolled to).
    expect(page.locator("#id_summary")).to_have_value("本轮整改共清理杂物三车，消防通道全部畅通")
    expect(page.locator(f"#id_action_{item.pk}")).to_have_value("已清理消防通道并施划禁停标线")
    assert "概览" in page.locator("label[for=id_summary]").inner_text()
    summary = page.locator("#report-form .form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    # The error sits right by its input (the same field group), not at the top of the page.
    photo_input, error_box = page.locator(f"#id_photos_{item.pk}").bounding_box(), errors.bounding_box()
    assert abs(photo_input["y"] - error_box["y"]) < 120
    rect.refresh_from_db()
    assert rect.status == RectificationList.Status.ISSUED and not rect.reports.exists()
