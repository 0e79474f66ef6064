"""In a real browser (issue 14): each role's home page after the demo, a send-back reaching the
company's bell, and the English top bar on one row at 1440 px."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from complaints.tests import factories as cf
from core import desk
from core.models import User
from inspections.tests import factories as inf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO_PASSWORD = "linli-demo-2026"


def shown_counts(page) -> dict[str, int]:
    cards = page.locator("[data-task]")
    return {cards.nth(i).get_attribute("data-task"): int(cards.nth(i).locator("[data-count]").inner_text()) for i in range(cards.count())}


def test_each_role_home_page_counts_after_the_demo(login, page):
    # The data migrations' reference rows (complaint categories, the checklist) are emptied by the flush
    # that ends any earlier transactional test; `make run` has them from migrate, so restore them first.
    cf.ensure_categories()
    inf.seeded_template()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    expected_nonzero = {
        "district": ["complaints.supervision", "complaints.returned", "inspections.past_deadline", "inspections.to_review"],
        "town_houlong": ["complaints.supervision"],
        "community_fulian": ["committees.paper_ballots"],
        "staff_yifang": ["complaints.staff.to_sign", "complaints.staff.overdue", "inspections.to_answer"],
        "resident_fulian": ["committees.open_votes"],
        "committee_fulian": ["committees.open_votes"],
        "mediator_shanyao": ["mediation.open_cases"],
    }
    for username, nonzero in expected_nonzero.items():
        page.context.clear_cookies()
        login(username, DEMO_PASSWORD)
        page.goto("/")
        shown = shown_counts(page)
        user = User.objects.get(username=username)
        selector = {t.key: t.count for d in desk.tasks_waiting(user) for t in d.tasks}
        assert shown == selector, username
        assert all(shown[key] > 0 for key in nonzero), (username, shown)
        assert int(page.locator("#desk-total").inner_text()) == sum(shown.values())
        # Every count links to where the work is done (a page the user may open, after any redirect).
        link = page.locator(f"[data-task='{nonzero[0]}'] a.task-link")
        with page.expect_navigation() as navigation:
            link.click()
        assert navigation.value.status == 200, (username, link.get_attribute("href"))
    # Staff: the 待签收 count is the queue filtered by status.
    page.context.clear_cookies()
    login("staff_yifang", DEMO_PASSWORD)
    page.goto("/")
    assert "待签收" in page.locator("[data-task='complaints.staff.to_sign']").inner_text()


def test_a_send_back_reaches_the_company_bell(world, login, page, tmp_path):
    from inspections import services

    inf.seeded_template()
    rect = inf.issue_list(world.town_houlong, inf.make_inspection(world.town_houlong, world.fulian, findings=1))
    services.rectification_report_file(actor=world.staff_yifang, list_id=rect.pk, actions=inf.actions_for(rect))

    login("town_houlong")
    page.goto(f"/inspections/lists/{rect.pk}/")
    page.fill("#id_comment", "照片看不清，请重新拍摄")
    page.click("#return-report")
    expect(page.locator("#list-status")).to_contain_text("退回")
    page.wait_for_load_state("networkidle")  # the top bar's count is fetched after load

    page.context.clear_cookies()
    login("staff_yifang")
    page.goto("/")
    expect(page.locator("[data-task='inspections.sent_back'] [data-count]")).to_have_text("1")
    bell = page.locator("#unread-count")
    unread = int(bell.inner_text())
    assert unread >= 1
    page.click("a.bell")
    row = page.locator("tr.unread", has_text="整改报告")
    expect(row).to_have_count(1)
    row.locator("button.note-title").click()
    page.wait_for_url(re.compile(rf"/inspections/lists/{rect.pk}/$"))
    # Read now: the bell counts one fewer.
    if unread == 1:
        expect(page.locator("#unread-count")).to_have_count(0)
    else:
        expect(page.locator("#unread-count")).to_have_text(str(unread - 1))


@pytest.mark.parametrize("username", ["district", "staff_yifang", "community_fulian"])
def test_the_english_top_bar_fits_one_row_at_1440(world, login, page, username):
    page.set_viewport_size({"width": 1440, "height": 900})
    login(username)
    page.click(".langswitch button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] < 70  # one row of 15 px text with its padding; two rows would be ~100
    parts = [page.locator("a.brand"), page.locator(".tools")] + [
        page.locator(".menu-title").nth(i) for i in range(page.locator(".menu-title").count())
    ]
    tops = [p.bounding_box()["y"] for p in parts]
    assert max(tops) - min(tops) < 12, tops
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    # The grouped menus open with their links.
    first = page.locator(".menu:has(.menu-links)").first
    if first.count():
        first.hover()
        expect(first.locator(".menu-links a").first).to_be_visible()


def test_a_list_page_without_a_cached_count_fills_the_top_bar_after_loading(world, login, page):
    """With no number cached (expired, or dropped by the user's own write) the page renders without the
    desk's counts and the browser fetches the number: the badge shows the exact count once loaded."""
    cf.complaint(world)
    cf.complaint(world)
    login("staff_yifang")
    desk.forget_total(world.staff_yifang.pk)
    response = page.goto("/complaints/")
    assert 'data-count-url="/desk/count/"' in response.text()  # the page itself did not count
    badge = page.locator("#desk-total")
    expect(badge).to_have_text("2")
    expect(badge).to_have_class(re.compile(r"\bbad\b"))
    assert badge.get_attribute("data-count-url") is None
    # Fetched once, then cached: the next page has the number in its HTML.
    html = page.request.get("/complaints/").text()
    assert re.search(r'id="desk-total">2<', html)
