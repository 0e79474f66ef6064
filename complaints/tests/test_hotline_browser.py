from pathlib import Path

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "docs/samples/12345_hotline_sample.csv"


def test_district_imports_the_sample_12345_file_in_the_portal(world, login, page):
    from communities.tests import factories as f

    world.jinxiang.address = "山腰街道锦祥路6号"
    world.jinxiang.save()
    f.CompoundFactory(community=world.jinxiang_community, name="圭东小区", household_count=214)
    login("district")
    menu = page.locator("nav.mainnav .menu", has_text="12345 导入")  # the complaints menu opens on hover
    menu.hover()
    menu.locator("text=12345 导入").click()
    page.set_input_files("#hotline-upload input[type=file]", str(SAMPLE))
    page.click("#hotline-upload button.primary")
    expect(page.locator("#hotline-batch")).to_contain_text("7 / 7")  # waits for the batch page

    facts = page.locator("#hotline-batch").inner_text()
    assert "已完成" in facts and "7 / 7" in facts
    rows = page.locator("#hotline-rows").inner_text()
    assert "QZ12345-20261102-0001" in rows and "匹配不到任何小区" in rows and "诉求内容为空" in rows
    assert Complaint.objects.filter(channel="hotline").count() == 5
