import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from complaints.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_yifang_signs_for_and_resolves_a_complaint_in_the_portal(world, login, page):
    c = f.complaint(world, description="5号楼楼道电动车飞线充电")
    login("staff_yifang")
    page.goto("/complaints/")
    page.click(f"text={c.number}")
    assert "5号楼楼道电动车飞线充电" in page.content()
    page.click("#actions button:has-text('签收')")
    # expect() waits for the page the form posts to; networkidle can return before that navigation starts.
    expect(page.locator("#status")).to_have_text("已签收")
    page.fill("#resolve-note", "已拆除飞线，张贴禁止楼道充电告示")
    page.click("#actions button:has-text('办结')")
    expect(page.locator("#status")).to_have_text("已办结")
    timeline = page.locator("#timeline").inner_text()
    assert "签收" in timeline and "已拆除飞线" in timeline
    c.refresh_from_db()
    assert c.status == Complaint.Status.RESOLVED
