"""Portal pages: scoped, Chinese by default, and writes go through the services."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.models import ActionItem, DisputeCase, Meeting, Topic
from mediation.tests.factories import ActionItemFactory, DisputeFactory, MeetingFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "mediation:home",
    "mediation:meeting_list",
    "mediation:meeting_create",
    "mediation:action_item_list",
    "mediation:rule_list",
    "mediation:venue_list",
    "mediation:dispute_list",
    "mediation:dispute_create",
    "mediation:liaison_list",
    "mediation:consultation_list",
    "mediation:screening_list",
    "mediation:counts",
]


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_in_chinese_for_a_mediator(world, client, name):
    client.force_login(world.mediator_shanyao)
    resp = client.get(reverse(name))
    assert resp.status_code == 200
    assert "调解" in resp.content.decode() or "议事" in resp.content.decode()


def test_mediator_desk_shows_overdue_action_items_of_their_area_only(world, client):
    mine = ActionItemFactory(
        meeting=MeetingFactory(compound=world.jinxiang), title="修复路灯", due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    ActionItemFactory(
        meeting=MeetingFactory(compound=world.fulian), title="疏通污水管", due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    client.force_login(world.mediator_shanyao)
    body = client.get(reverse("mediation:home")).content.decode()
    assert mine.title in body and "疏通污水管" not in body


def test_residents_and_staff_do_not_get_the_desk(world, client):
    for user in (world.resident_fulian, world.staff_yifang):
        client.force_login(user)
        assert client.get(reverse("mediation:home")).status_code == 404
        assert client.get(reverse("mediation:dispute_list")).status_code == 404


@pytest.mark.parametrize("username", ["mediator_shanyao", "town_jieshan", "resident_tianma", "staff_yifang"])
def test_outsiders_get_404_for_fulian_pages(world, client, username):
    meeting = MeetingFactory(compound=world.fulian)
    case = DisputeFactory(compound=world.fulian)
    client.force_login(getattr(world, username))
    assert client.get(reverse("mediation:meeting_detail", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("mediation:dispute_detail", args=[case.pk])).status_code == 404
    resp = client.post(reverse("mediation:meeting_topic", args=[meeting.pk]), {"topic-title": "x"})
    assert resp.status_code == 404 and not Topic.objects.exists()


def test_committee_member_reads_but_cannot_write_a_meeting(world, client):
    meeting = MeetingFactory(compound=world.fulian)
    client.force_login(world.committee_fulian)
    assert client.get(reverse("mediation:meeting_detail", args=[meeting.pk])).status_code == 200
    assert (
        client.post(
            reverse("mediation:meeting_action_item", args=[meeting.pk]),
            {"item-title": "x", "item-owner_name": "y", "item-due_date": "2026-12-01"},
        ).status_code
        == 403
    )
    assert not ActionItem.objects.exists()


def test_past_meeting_marked_upcoming_in_the_portal_is_refused(world, client):
    client.force_login(world.community_fulian)
    past = (timezone.localtime() - dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    resp = client.post(
        reverse("mediation:meeting_create"),
        {"kind": "deliberation_day", "compound": world.fulian.pk, "title": "福炼议事日", "starts_at": past, "status": "upcoming"},
    )
    assert resp.status_code == 400 and "不能" in resp.content.decode()
    assert not Meeting.objects.exists()


def test_dispute_registered_and_closed_in_the_portal(world, client):
    client.force_login(world.mediator_shanyao)
    resp = client.post(
        reverse("mediation:dispute_create"),
        {
            "compound": world.jinxiang.pk,
            "type": "parking",
            "source": "deliberation_day",
            "summary": "车位被占",
            "applicant": "张三",
            "respondent": "李四",
            "mediator_kind": "community_cadre",
            "mediator_name": "庄开桂",
        },
    )
    case = DisputeCase.objects.get()
    assert resp.status_code == 302 and case.parties.count() == 2 and case.mediators.count() == 1
    client.post(reverse("mediation:dispute_close", args=[case.pk]), {"close-outcome": "agreement", "close-agreement_text": "错峰停车"})
    case.refresh_from_db()
    assert case.outcome == "agreement" and case.status == "closed"


def test_counts_page_shows_town_rows(world, client):
    MeetingFactory(compound=world.jinxiang, kind="micro_consultation", status="held", starts_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(world.district)
    body = client.get(reverse("mediation:counts")).content.decode()
    assert "山腰街道" in body and "微协商" in body


def test_counts_export_is_a_typed_workbook_of_the_pages_rows(world, client):
    from io import BytesIO

    from openpyxl import load_workbook

    from core.models import ExportLog

    for _ in range(2):
        MeetingFactory(compound=world.jinxiang, kind="micro_consultation", status="held", starts_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(world.district)
    assert 'id="counts-export"' in client.get(reverse("mediation:counts")).content.decode()
    response = client.get(reverse("mediation:counts"), {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[0] == "区域" and len(header) == 17
    micro = header.index("微协商") + 1
    shanyao = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "山腰街道")
    assert shanyao[micro - 1].value == 2 and shanyao[micro - 1].data_type == "n" and shanyao[micro - 1].number_format == "0"
    total = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "合计")
    assert total[micro - 1].value == 2
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["A"].width == 18
    assert ExportLog.objects.get().what == "mediation.counts.xlsx"
    monthly = load_workbook(BytesIO(client.get(reverse("mediation:counts"), {"export": "xlsx", "monthly": "on"}).content)).active
    month = monthly.cell(row=2, column=2)
    assert month.is_date and month.number_format == "yyyy-mm"


def test_a_refused_step_on_the_case_page_keeps_what_was_typed_beside_its_error(world, client):
    # Registered (by mistake) tomorrow: closing today is refused by the service, not by the form.
    case = DisputeFactory(compound=world.jinxiang, registered_on=timezone.localdate() + dt.timedelta(days=1))
    client.force_login(world.mediator_shanyao)
    data = {"close-outcome": "agreement", "close-agreement_text": "错峰停车"}
    resp = client.post(reverse("mediation:dispute_close", args=[case.pk]), data)
    assert resp.status_code == 400
    page = resp.content.decode()
    form = page[page.index('id="close-form"') : page.index("</form>", page.index('id="close-form"'))]
    assert 'class="form-errors"' in form and "结案日期不能早于登记日期" in form
    assert "错峰停车</textarea>" in form
    case.refresh_from_db()
    assert case.status == "open"


def test_a_step_on_a_case_closed_meanwhile_comes_back_as_a_message(world, client):
    case = DisputeFactory(compound=world.jinxiang, status="closed", outcome="withdrawn", closed_on=timezone.localdate())
    client.force_login(world.mediator_shanyao)
    resp = client.post(reverse("mediation:dispute_close", args=[case.pk]), {"close-outcome": "withdrawn"}, follow=True)
    assert "该案件已结案" in resp.content.decode()


def test_a_form_error_on_the_meeting_page_keeps_the_typed_item(world, client):
    meeting = MeetingFactory(compound=world.jinxiang)
    client.force_login(world.mediator_shanyao)
    data = {"item-title": "两周内疏通污水管", "item-owner_name": "一方物业 陈欢", "item-due_date": "2199-01-01"}
    resp = client.post(reverse("mediation:meeting_action_item", args=[meeting.pk]), data)
    assert resp.status_code == 400 and not ActionItem.objects.exists()
    page = resp.content.decode()
    form = page[page.index('id="item-form"') : page.index("</form>", page.index('id="item-form"'))]
    assert 'value="两周内疏通污水管"' in form and 'value="一方物业 陈欢"' in form
    assert 'id="id_item-due_date_error"' in form


@pytest.mark.parametrize("name", ["mediation:rule_list", "mediation:venue_list", "mediation:consultation_list", "mediation:meeting_create"])
def test_forms_type_the_compound_instead_of_listing_every_compound_of_the_area(world, client, name):
    """A district has thousands of compounds: a select of all of them made these pages 500 KB."""
    client.force_login(world.district)
    page = client.get(reverse(name)).content.decode()
    assert 'data-autocomplete="/api/v1/autocomplete/compound/"' in page
    assert '<select name="compound"' not in page and "锦祥安置小区" not in page


def test_liaison_form_types_its_compounds_and_keeps_the_chosen_ones(world, client):
    client.force_login(world.mediator_shanyao)
    page = client.get(reverse("mediation:liaison_list")).content.decode()
    assert '<select name="compounds"' not in page and 'data-multiple="1"' in page
    # Refused (no name): the chosen compound comes back ticked, with its name, and no other compound is listed.
    res = client.post(reverse("mediation:liaison_list"), {"kind": "legal_worker", "compounds": [world.jinxiang.pk]})
    form = res.content.decode()
    assert res.status_code == 400
    assert f'name="compounds" value="{world.jinxiang.pk}" checked> 锦祥安置小区' in form
    res = client.post(reverse("mediation:liaison_list"), {"name": "郑律师", "kind": "legal_worker", "compounds": [world.jinxiang.pk]})
    assert res.status_code == 302
    from mediation.models import LegalLiaison

    assert list(LegalLiaison.objects.get(name="郑律师").compounds.all()) == [world.jinxiang]
