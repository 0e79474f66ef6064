"""The complaint queue at a desk (issue 14.4, 15.2): sorting by a column, jumping to a page, and the
searchable compound filter, in Debian's Chromium."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints.models import Complaint
from complaints.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _numbers(page) -> list[str]:
    return page.locator("#complaint-table tbody tr td:first-child a").all_inner_texts()


def test_official_sorts_the_queue_and_jumps_to_a_page(world, login, page):
    rows = f.bulk(world, 95)
    now = timezone.now()
    for i, c in enumerate(rows):  # deadlines in a known order, unlike the ids
        Complaint.objects.filter(pk=c.pk).update(resolve_due=now + dt.timedelta(hours=(i * 37) % 95))
    by_deadline = list(Complaint.objects.order_by("resolve_due", "id").values_list("number", flat=True))
    login("district")
    page.goto("/complaints/")
    page.click('#complaint-table a[data-sort="resolve_due"]')  # first click: latest deadline first
    page.wait_for_url("**ordering=-resolve_due**")
    assert _numbers(page) == list(reversed(by_deadline))[:30]
    page.click('#complaint-table a[data-sort="resolve_due"]')  # second click: nearest deadline first
    page.wait_for_url("**ordering=resolve_due**")
    assert _numbers(page) == by_deadline[:30]
    page.fill('#jump-to-page input[name="page"]', "3")
    page.click('#jump-to-page button[type="submit"]')
    page.wait_for_url("**page=3**")
    assert "ordering=resolve_due" in page.url  # the sort survives the jump
    assert _numbers(page) == by_deadline[60:90]
    assert page.locator('#pager strong[aria-current="page"]').inner_text() == "3"
    page.click('#pager a[rel="next"]')  # past the numbered pages: the cursor
    page.wait_for_url("**cursor=**")
    assert _numbers(page) == by_deadline[90:]


def test_compound_filter_is_searched_not_listed(world, login, page):
    f.bulk(world, 2)
    f.bulk(world, 3, compound=world.tianma)
    login("district")
    page.goto("/complaints/")
    assert page.locator("select[name=compound]").count() == 0
    box = page.locator('input[data-target="compound"]')
    box.fill("天马")
    option = page.locator("#ac-compound option")
    option.first.wait_for(state="attached")  # the suggestions came from /api/v1/autocomplete/compound/
    assert option.count() == 1
    box.fill(option.first.get_attribute("value"))
    box.dispatch_event("change")
    page.click("#complaint-filters button[type=submit]")
    page.wait_for_url(f"**compound={world.tianma.pk}**")
    assert len(_numbers(page)) == 3
