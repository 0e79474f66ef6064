"""In the browser: community_fulian records a deliberation day with two topics and an action item."""

import datetime as dt

import pytest
from django.utils import timezone

from mediation.models import ActionItem, Meeting, Topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_community_worker_records_a_deliberation_day_with_topics_and_an_action_item(world, login, page):
    login("community_fulian")
    page.goto("/mediation/")
    assert "议事调解工作台" in page.locator("h1").inner_text()
    page.click("text=记录议事会议")
    page.select_option("#id_kind", "deliberation_day")
    page.fill("#id_compound", "福炼")  # typed: suggestions come from /api/v1/autocomplete/compound/
    option = page.locator("#ac-compound option")
    option.first.wait_for(state="attached")
    page.fill("#id_compound", option.first.get_attribute("value"))
    page.dispatch_event("#id_compound", "change")
    page.fill("#id_title", "福炼小区十一月议事日")
    page.fill("#id_starts_at", (timezone.localtime() - dt.timedelta(days=2)).strftime("%Y-%m-%dT19:30"))
    page.select_option("#id_status", "held")
    page.fill("#id_minutes", "居民反映污水管堵塞、充电桩不足。")
    page.click("#main-form button[type=submit]")
    page.wait_for_selector("#topic-form")
    assert "福炼小区十一月议事日" in page.locator("h1").inner_text()

    for title in ("疏通小区污水管", "增设电动车充电桩"):
        page.fill("#id_topic-title", title)
        page.click("#topic-form button[type=submit]")
        page.wait_for_selector(f"#topic-table tbody tr > td:first-child:has-text('{title}')")

    page.fill("#id_item-title", "两周内疏通污水管")
    page.fill("#id_item-owner_name", "一方物业 陈欢")
    page.fill("#id_item-due_date", (timezone.localdate() + dt.timedelta(days=14)).isoformat())
    page.click("#item-form button[type=submit]")
    page.wait_for_selector("#item-table >> text=两周内疏通污水管")

    meeting = Meeting.objects.get()
    assert (meeting.compound, meeting.kind, meeting.status, meeting.recorded_by) == (
        world.fulian,
        "deliberation_day",
        "held",
        world.community_fulian,
    )
    assert sorted(Topic.objects.filter(meeting=meeting).values_list("title", "status")) == [
        ("增设电动车充电桩", "accepted"),
        ("疏通小区污水管", "accepted"),
    ]
    item = ActionItem.objects.get(meeting=meeting)
    assert (item.owner_name, item.status) == ("一方物业 陈欢", "open")
    assert "已采纳" in page.locator("#topic-table").inner_text()


def test_a_liaison_is_linked_to_compounds_typed_by_name(world, login, page):
    from mediation.models import LegalLiaison

    login("mediator_shanyao")
    page.goto("/mediation/liaisons/")
    page.fill("#id_name", "郑律师")
    page.fill("#id_compounds", "锦祥")  # typed: suggestions come from /api/v1/autocomplete/compound/
    option = page.locator("#ac-compounds option")
    option.first.wait_for(state="attached")
    page.fill("#id_compounds", option.first.get_attribute("value"))
    page.dispatch_event("#id_compounds", "change")
    assert page.locator('input[name="compounds"]:checked').count() == 1
    page.click("#liaison-form button[type=submit]")
    page.wait_for_selector("#liaison-table >> text=郑律师")
    assert list(LegalLiaison.objects.get(name="郑律师").compounds.all()) == [world.jinxiang]
