"""Rectification lists: issue → report → return → re-report → accept, and every way to get it wrong."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.tests import factories as cf
from complaints.models import Category, Complaint
from core.models import Notification
from inspections.models import ActionPhoto, RectificationItem, RectificationList, RectificationReport, ReportAction
from inspections.tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/api/v1/rectification-lists/"


def _complaint(compound, number="TS0001"):
    category, _ = Category.objects.get_or_create(code="fire-lane", defaults={"name_zh": "消防通道堵塞", "name_en": "Blocked fire lane"})
    return Complaint.objects.create(
        number=number, compound=compound, category=category, description="消防通道被占用", made_at=timezone.now()
    )


def _file(api, user, rect, *, photo=True, summary="已全部整改"):
    data = {"summary": summary, "actions": "[" + ",".join(f'{{"item": {i.pk}, "action": "已清理"}}' for i in rect.items.all()) + "]"}
    if photo:
        for item in rect.items.all():
            data[f"photos_{item.pk}"] = [f.png(f"after{item.pk}.png")]
    return api.as_user(user).post(f"{URL}{rect.pk}/reports/", data, format="multipart")


def test_official_issues_a_list_from_chosen_findings_to_the_managing_company(world, api, template):
    inspection = f.make_inspection(world.town_houlong, world.fulian, findings=3)
    chosen = list(inspection.findings.order_by("id").values_list("id", flat=True)[:2])
    complaint = _complaint(world.fulian)
    deadline = timezone.localdate() + timedelta(days=10)
    res = api.as_user(world.town_houlong).post(
        URL,
        {
            "inspection": inspection.pk,
            "findings": chosen,
            "complaints": [complaint.pk],
            "deadline": str(deadline),
            "requirements": "限期整改",
        },
        format="json",
    )
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["company_name"] == "一方物业" and body["status"] == "issued" and body["number"].startswith("ZG")
    assert len(body["items"]) == 3 and body["items"][2]["complaint"] == complaint.pk
    # The company's staff are told.
    assert Notification.objects.filter(user=world.staff_yifang, kind="rectification.issued").count() == 1


def test_full_workflow_with_return_and_re_report(world, api, fulian_list):
    rect = fulian_list
    staff, official = world.staff_yifang, world.town_houlong

    res = _file(api, staff, rect)
    assert res.status_code == 201, res.content
    assert res.json()["round"] == 1 and len(res.json()["actions"][0]["photos"]) == 1
    assert RectificationList.objects.get(pk=rect.pk).status == "reported"
    assert Notification.objects.filter(user=official, kind="rectification.reported").exists()

    # A second report while the first waits is refused.
    assert _file(api, staff, rect, photo=False).status_code == 409

    # Returning needs a comment.
    assert api.as_user(official).post(f"{URL}{rect.pk}/review/", {"decision": "return"}, format="json").status_code == 400
    res = api.as_user(official).post(f"{URL}{rect.pk}/review/", {"decision": "return", "comment": "照片不清晰，请补充"}, format="json")
    assert res.status_code == 200 and res.json()["decision"] == "returned"
    assert RectificationList.objects.get(pk=rect.pk).status == "returned"

    # The company reads the comment and reports again.
    reports = api.as_user(staff).get(f"{URL}{rect.pk}/reports/").json()
    assert reports[0]["review_comment"] == "照片不清晰，请补充"
    res = _file(api, staff, rect, summary="补充整改照片")
    assert res.status_code == 201 and res.json()["round"] == 2

    res = api.as_user(official).post(f"{URL}{rect.pk}/review/", {"decision": "accept", "comment": "整改到位"}, format="json")
    assert res.status_code == 200 and res.json()["decision"] == "accepted"
    rect.refresh_from_db()
    assert rect.status == "accepted" and rect.accepted_on == timezone.localdate() and rect.closed_on_time
    assert rect.round_count == 2
    assert Notification.objects.filter(user=staff, kind="rectification.accept").exists()
    # The audit trail recorded each state with who did it.
    states = list(rect.history.order_by("history_date").values_list("status", "history_user__username"))
    assert [s for s, _ in states][-4:] == ["reported", "returned", "reported", "accepted"]
    assert states[-1][1] == "town_houlong"
    created = rect.history.order_by("history_date").first()
    assert created.history_type == "+" and created.number == rect.number and created.history_user == official
    assert rect.history.count() == 5


def test_report_after_acceptance_is_409_and_writes_nothing(world, api, fulian_list):
    _file(api, world.staff_yifang, fulian_list)
    api.as_user(world.town_houlong).post(f"{URL}{fulian_list.pk}/review/", {"decision": "accept"}, format="json")
    counts = (RectificationReport.objects.count(), ReportAction.objects.count(), ActionPhoto.objects.count())
    res = _file(api, world.staff_yifang, fulian_list)
    assert res.status_code == 409
    assert (RectificationReport.objects.count(), ReportAction.objects.count(), ActionPhoto.objects.count()) == counts
    # Reviewing again is refused too.
    assert api.as_user(world.town_houlong).post(f"{URL}{fulian_list.pk}/review/", {"decision": "accept"}, format="json").status_code == 409


def test_report_for_another_companys_list_is_404_and_writes_nothing(world, api, fulian_list):
    res = _file(api, world.staff_yijiayuan, fulian_list)
    assert res.status_code == 404
    assert not RectificationReport.objects.exists() and not ActionPhoto.objects.exists()


def test_report_missing_an_item_a_photo_or_with_a_bad_photo_is_400_and_writes_nothing(world, api, fulian_list):
    from django.core.files.uploadedfile import SimpleUploadedFile

    items = list(fulian_list.items.all())
    client = api.as_user(world.staff_yifang)
    res = client.post(
        f"{URL}{fulian_list.pk}/reports/", {"actions": f'[{{"item": {items[0].pk}, "action": "已清理"}}]'}, format="multipart"
    )
    assert res.status_code == 400 and "actions" in res.json()
    data = {
        "actions": "[" + ",".join(f'{{"item": {i.pk}, "action": "已清理"}}' for i in items) + "]",
        f"photos_{items[0].pk}": [SimpleUploadedFile("x.jpg", b"GIF89a-not-a-jpeg", content_type="image/jpeg")],
    }
    assert client.post(f"{URL}{fulian_list.pk}/reports/", data, format="multipart").status_code == 400
    assert client.post(f"{URL}{fulian_list.pk}/reports/", {"actions": "not json"}, format="multipart").status_code == 400
    res = _file(api, world.staff_yifang, fulian_list, photo=False)
    assert res.status_code == 400 and "photos" in res.json()
    assert not RectificationReport.objects.exists() and RectificationList.objects.get(pk=fulian_list.pk).status == "issued"


def test_deadline_in_the_past_is_400_and_writes_nothing(world, api, template):
    inspection = f.make_inspection(world.town_houlong, world.fulian)
    res = api.as_user(world.town_houlong).post(
        URL,
        {
            "inspection": inspection.pk,
            "findings": list(inspection.findings.values_list("id", flat=True)),
            "deadline": str(timezone.localdate() - timedelta(days=1)),
        },
        format="json",
    )
    assert res.status_code == 400 and "deadline" in res.json()
    assert not RectificationList.objects.exists() and not RectificationItem.objects.exists()


def test_issuing_needs_a_submitted_inspection_its_own_findings_and_a_managing_company(world, api, template):
    client = api.as_user(world.town_houlong)
    deadline = str(timezone.localdate() + timedelta(days=7))
    draft = f.make_inspection(world.town_houlong, world.fulian, submit=False)
    ids = list(draft.findings.values_list("id", flat=True))
    assert client.post(URL, {"inspection": draft.pk, "findings": ids, "deadline": deadline}, format="json").status_code == 409
    other = f.make_inspection(world.town_houlong, world.fulian)
    assert client.post(URL, {"inspection": other.pk, "findings": ids, "deadline": deadline}, format="json").status_code == 400
    assert client.post(URL, {"inspection": other.pk, "findings": [], "deadline": deadline}, format="json").status_code == 400
    foreign = _complaint(world.tianma, "TS0002")
    own = list(other.findings.values_list("id", flat=True))
    res = client.post(URL, {"inspection": other.pk, "findings": own, "complaints": [foreign.pk], "deadline": deadline}, format="json")
    assert res.status_code == 400 and "complaints" in res.json()
    # A self-managed compound has no company to issue to.
    shanyao_official = cf.UserFactory(username="town_shanyao")
    cf.role(shanyao_official, "official", subdistrict=world.shanyao)
    self_managed = f.make_inspection(shanyao_official, world.jinxiang)
    ids = list(self_managed.findings.values_list("id", flat=True))
    res = api.as_user(shanyao_official).post(URL, {"inspection": self_managed.pk, "findings": ids, "deadline": deadline}, format="json")
    assert res.status_code == 409
    assert not RectificationList.objects.exists()


def test_staff_of_another_company_gets_404_on_the_list_everywhere(world, api, fulian_list):
    client = api.as_user(world.staff_yijiayuan)
    assert client.get(URL).json()["count"] == 0
    for url in (f"{URL}{fulian_list.pk}/", f"{URL}{fulian_list.pk}/reports/"):
        assert client.get(url).status_code == 404
    assert client.post(f"{URL}{fulian_list.pk}/review/", {"decision": "accept"}, format="json").status_code == 404
    assert client.get(f"{URL}?status=issued").json()["count"] == 0
    # Photos of the list are hidden as well.
    _file(api, world.staff_yifang, fulian_list)
    photo = ActionPhoto.objects.first()
    client = api.as_user(world.staff_yijiayuan)  # the fixture has one client; sign the outsider back in
    assert client.get(f"/api/v1/inspection-photos/report-actions/{photo.pk}/").status_code == 404
    finding = fulian_list.items.first().finding
    finding_photo = finding.photos.create(image=f.png("finding.png"))
    assert client.get(f"/api/v1/inspection-photos/findings/{finding_photo.pk}/").status_code == 404
    assert api.as_user(world.staff_yifang).get(f"/api/v1/inspection-photos/findings/{finding_photo.pk}/").status_code == 200
    assert api.as_user(world.staff_yifang).get(f"/api/v1/inspection-photos/report-actions/{photo.pk}/").status_code == 200


def test_outsiders_get_404_in_list_and_detail(world, api, fulian_list):
    for outsider in (world.town_jieshan, world.resident_fulian, world.committee_fulian, world.mediator_houlong, world.staff_yijiayuan):
        client = api.as_user(outsider)
        assert client.get(URL).json()["count"] == 0, outsider
        assert client.get(f"{URL}{fulian_list.pk}/").status_code == 404
        assert client.get(f"{URL}{fulian_list.pk}/reports/").status_code == 404
        assert _file(api, outsider, fulian_list).status_code == 404
    for insider in (world.district, world.town_houlong, world.community_fulian, world.staff_yifang):
        assert api.as_user(insider).get(f"{URL}{fulian_list.pk}/").status_code == 200


def test_roles_that_see_a_list_but_may_not_act_get_403(world, api, fulian_list):
    assert _file(api, world.town_houlong, fulian_list).status_code == 403
    _file(api, world.staff_yifang, fulian_list)
    res = api.as_user(world.staff_yifang).post(f"{URL}{fulian_list.pk}/review/", {"decision": "accept"}, format="json")
    assert res.status_code == 403
    assert RectificationList.objects.get(pk=fulian_list.pk).status == "reported"


def test_staff_keep_the_list_issued_to_their_company_after_the_contract_changes(world, api, fulian_list):
    contract = world.fulian.contracts.get()
    contract.end = timezone.localdate() - timedelta(days=1)
    contract.save()
    cf.ContractFactory(compound=world.fulian, company=world.yijiayuan, start=timezone.localdate())
    assert api.as_user(world.staff_yifang).get(f"{URL}{fulian_list.pk}/").status_code == 200
    assert api.as_user(world.staff_yijiayuan).get(f"{URL}{fulian_list.pk}/").status_code == 404


def test_overdue_filter_and_flag(world, api, fulian_list):
    RectificationList.objects.filter(pk=fulian_list.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    client = api.as_user(world.town_houlong)
    assert client.get(f"{URL}?overdue=true").json()["count"] == 1
    assert client.get(f"{URL}?overdue=false").json()["count"] == 0
    assert client.get(f"{URL}{fulian_list.pk}/").json()["is_overdue"] is True


def test_list_endpoint_uses_a_fixed_number_of_queries(world, api, template, django_assert_max_num_queries):
    inspection = f.make_inspection(world.town_houlong, world.fulian)
    for _ in range(5):
        f.issue_list(world.town_houlong, inspection)
    client = api.as_user(world.district)
    with django_assert_max_num_queries(6):
        assert client.get(URL).json()["count"] == 5
