"""A large export in the browser: the queue's link starts a job, its page shows it ready, the bell says so,
and the file downloads (tasks run eagerly in tests, so the job is done by the time the page loads)."""

import io

import pytest
from openpyxl import load_workbook

from complaints.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_official_exports_the_queue_through_a_job_and_downloads_it(world, login, page, settings):
    settings.LINLI_EXPORT_SYNC_MAX_ROWS = 1
    for i in range(3):
        f.complaint(world, description=f"楼道{i}号灯不亮")
    login("district")
    page.goto("/complaints/")
    page.click("text=导出 Excel")
    page.wait_for_url("**/downloads/*/")
    facts = page.locator("#export-job")
    assert facts.get_attribute("data-status") == "done"
    assert "已生成" in facts.inner_text() and "3 / 3" in facts.inner_text()
    with page.expect_download() as info:
        page.click("#export-download")
    sheet = load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active
    assert sheet.max_row == 4 and sheet.freeze_panes == "A2"
    page.goto("/notifications/")
    assert "导出文件已生成" in page.locator("table.notifications").inner_text()
