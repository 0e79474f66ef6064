"""Summonses: recording, the summoned company answering with evidence, review to closure, the overdue
commitment on the official's home page, and scoping (an outsider for every role)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints.tests import factories as cf
from core.errors import PermissionDenied, ScopeError, ValidationError, WorkflowError
from core.models import Notification
from inspections.tests.factories import png
from ratings import indicators
from ratings import selectors as metrics
from ratings.services import metrics_compute
from summons import services
from summons.models import Commitment, Evidence, Summons

pytestmark = pytest.mark.django_db

OVERDUE_LABEL = "逾期未完成的约谈承诺"


def record(world, *, actor=None, company=None, deadlines=(3,), held_days_ago=10, **extra) -> Summons:
    today = timezone.localdate()
    return services.summons_record(
        actor=actor or world.town_houlong,
        subject="company",
        company_id=(company or world.yifang).pk,
        subdistrict_id=world.houlong.pk,
        held_on=today - timedelta(days=held_days_ago),
        venue="后龙镇政府三楼会议室",
        reason="福炼小区投诉比连续三个月居全镇前列",
        attendees="陈欢，一方物业，项目经理\n林主任，后龙镇，分管副镇长",
        commitments=[services.CommitmentInput(f"承诺{n}", today + timedelta(days=d)) for n, d in enumerate(deadlines, start=1)],
        **extra,
    )


def test_recording_keeps_commitments_citations_and_figures_from_the_catalogue(world):
    complaint = cf.complaint(world)
    metrics_compute(full=True)
    month = timezone.localdate().replace(day=1)
    summons = record(world, complaint_ids=[complaint.pk], figure_keys=["complaints", "complaint_ratio"], figure_month=month)
    assert summons.number.startswith("YT") and summons.status == Summons.Status.OPEN
    assert list(summons.commitments.values_list("order", "text")) == [(1, "承诺1")]
    assert list(summons.complaints.all()) == [complaint]
    # The cited figures are the catalogue's, over the company's compounds for that month.
    span = metrics.span_of(month, month)
    rows = metrics.company_series([world.yifang.pk], indicators.rows_from(span), month)
    expected = indicators.figures(rows, span, ["complaints", "complaint_ratio"])
    cited = {f["key"]: f for f in summons.figures}
    assert cited["complaints"]["text"] == expected["complaints"].text == "1"
    assert cited["complaint_ratio"]["text"] == expected["complaint_ratio"].text
    assert cited["complaint_ratio"]["period"] == expected["complaint_ratio"].period
    # The company's staff are told.
    assert Notification.objects.filter(user=world.staff_yifang, kind="summons.recorded").exists()


def test_recording_refuses_bad_input_and_writes_nothing(world):
    outside = cf.complaint(world, compound=world.tianma)
    with pytest.raises(ValidationError):  # a complaint outside the town official's area
        record(world, complaint_ids=[outside.pk])
    with pytest.raises(ValidationError):  # a company not working in the area
        record(world, company=world.yijiayuan)
    with pytest.raises(ValidationError):  # a deadline before the summons
        record(world, deadlines=(-20,))
    with pytest.raises(ValidationError):
        record(world, figure_keys=["no_such_figure"])
    with pytest.raises(PermissionDenied):  # company staff do not record summonses
        record(world, actor=world.staff_yifang)
    assert not Summons.objects.exists() and not Commitment.objects.exists()


def test_staff_answer_with_evidence_and_the_official_accepts_to_closure(world, client):
    summons = record(world, deadlines=(3, 5))
    first, second = summons.commitments.order_by("order")
    client.force_login(world.staff_yifang)
    page = client.get(f"/summons/{summons.pk}/")
    assert page.status_code == 200 and "福炼小区投诉比连续三个月" in page.content.decode()
    # A file that is not an image is refused (core.uploads) and nothing is written.
    bad = SimpleUploadedFile("整改.pdf", b"%PDF-1.4 not an image", content_type="application/pdf")
    client.post(f"/summons/commitments/{first.pk}/answer/", {"answer": "已更换", "files": [bad]})
    first.refresh_from_db()
    assert first.status == Commitment.Status.OPEN and not Evidence.objects.exists()
    # An answer without evidence is refused too.
    with pytest.raises(ValidationError):
        services.commitment_answer(actor=world.staff_yifang, commitment_id=first.pk, answer="已整改", files=[])
    response = client.post(f"/summons/commitments/{first.pk}/answer/", {"answer": "已增设充电桩40个", "files": [png("after.png")]})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Commitment.Status.ANSWERED and first.answered_by == world.staff_yifang
    evidence = Evidence.objects.get(commitment=first)
    assert client.get(f"/summons/evidence/{evidence.pk}/").status_code == 200
    # Answering twice is a workflow error; the other company's staff cannot see it at all.
    with pytest.raises(WorkflowError):
        services.commitment_answer(actor=world.staff_yifang, commitment_id=first.pk, answer="again", files=[png()])
    with pytest.raises(ScopeError):
        services.commitment_answer(actor=world.staff_yijiayuan, commitment_id=second.pk, answer="x", files=[png()])
    # Staff do not review their own answers.
    with pytest.raises(PermissionDenied):
        services.commitment_review(actor=world.staff_yifang, commitment_id=first.pk, decision="accept")
    # Returned with a reason, answered again, accepted.
    with pytest.raises(ValidationError):
        services.commitment_review(actor=world.town_houlong, commitment_id=first.pk, decision="return")
    services.commitment_review(actor=world.town_houlong, commitment_id=first.pk, decision="return", comment="照片看不清")
    services.commitment_answer(actor=world.staff_yifang, commitment_id=first.pk, answer="补拍照片", files=[png("again.png")])
    services.commitment_review(actor=world.district, commitment_id=first.pk, decision="accept")
    services.commitment_answer(actor=world.staff_yifang, commitment_id=second.pk, answer="已完成", files=[png()])
    client.force_login(world.town_houlong)
    client.post(f"/summons/commitments/{second.pk}/review/", {"decision": "accept"})
    summons.refresh_from_db()
    assert summons.status == Summons.Status.CLOSED and summons.closed_at is not None
    assert set(summons.commitments.values_list("status", flat=True)) == {Commitment.Status.DONE}
    assert Notification.objects.filter(user=world.staff_yifang, kind="summons.accept").count() == 2


def _desk_task(client, key):
    html = client.get("/").content.decode()
    start = html.find(f'data-task="{key}"')
    if start < 0:
        return html, ""
    end = html.find('<div class="card task', start)
    return html, html[start : end if end > 0 else len(html)]


def test_an_overdue_commitment_shows_on_the_officials_home_page_until_it_is_done(world, client):
    summons = record(world, deadlines=(-1, 7), held_days_ago=20)
    late, not_yet = summons.commitments.order_by("order")
    client.force_login(world.town_houlong)
    html, task = _desk_task(client, "summons.overdue")
    assert OVERDUE_LABEL in html
    assert f'href="/summons/{summons.pk}/"' in task and "data-count>1<" in task  # the late one only
    # The district sees it too; a town outside and a community worker do not.
    client.force_login(world.district)
    assert "data-count>1<" in _desk_task(client, "summons.overdue")[1]
    client.force_login(world.town_jieshan)
    assert "data-count>0<" in _desk_task(client, "summons.overdue")[1]
    # Done (answered and accepted) leaves the home page.
    services.commitment_answer(actor=world.staff_yifang, commitment_id=late.pk, answer="已完成", files=[png()])
    client.force_login(world.town_houlong)
    assert "data-count>1<" in _desk_task(client, "summons.overdue")[1]  # answered is not done
    services.commitment_review(actor=world.town_houlong, commitment_id=late.pk, decision="accept")
    assert "data-count>0<" in _desk_task(client, "summons.overdue")[1]
    assert not_yet.status == Commitment.Status.OPEN
    # The company's desk lists what it has to answer.
    client.force_login(world.staff_yifang)
    assert "data-count>1<" in _desk_task(client, "summons.to_answer")[1]


def test_scoping_an_outsider_for_every_role_gets_404(world, client):
    summons = record(world)
    commitment = summons.commitments.get()
    services.commitment_answer(actor=world.staff_yifang, commitment_id=commitment.pk, answer="已完成", files=[png()])
    evidence = Evidence.objects.get()
    for user in (world.town_jieshan, world.community_fulian, world.staff_yijiayuan, world.resident_fulian, world.mediator_houlong):
        client.force_login(user)
        assert client.get(f"/summons/{summons.pk}/").status_code == 404, user
        assert client.get(f"/summons/evidence/{evidence.pk}/").status_code == 404, user
        assert summons.number not in client.get("/summons/").content.decode(), user
        assert client.post(f"/summons/commitments/{commitment.pk}/review/", {"decision": "accept"}).status_code == 404, user
    for user in (world.district, world.town_houlong, world.staff_yifang):
        client.force_login(user)
        assert client.get(f"/summons/{summons.pk}/").status_code == 200, user
        assert summons.number in client.get("/summons/").content.decode(), user


def test_a_town_office_summoned_by_the_district_answers_and_the_district_reviews(world):
    today = timezone.localdate()
    summons = services.summons_record(
        actor=world.district,
        subject="office",
        subdistrict_id=world.jieshan.pk,
        held_on=today,
        reason="界山镇电动自行车充电投诉上升",
        attendees="界山镇分管领导",
        commitments=[services.CommitmentInput("一个月内完成排查", today + timedelta(days=30))],
    )
    commitment = summons.commitments.get()
    with pytest.raises(PermissionDenied):
        services.commitment_answer(actor=world.district, commitment_id=commitment.pk, answer="x", files=[png()])
    services.commitment_answer(actor=world.town_jieshan, commitment_id=commitment.pk, answer="已排查", files=[png()])
    with pytest.raises(PermissionDenied):  # the office does not accept its own answer
        services.commitment_review(actor=world.town_jieshan, commitment_id=commitment.pk, decision="accept")
    services.commitment_review(actor=world.district, commitment_id=commitment.pk, decision="accept")
    with pytest.raises(ScopeError):
        services.commitment_answer(actor=world.town_houlong, commitment_id=commitment.pk, answer="x", files=[png()])


def test_the_portal_form_records_a_summons_and_refuses_bad_input_with_400(world, client):
    client.force_login(world.town_houlong)
    assert client.get("/summons/new/").status_code == 200
    today = timezone.localdate()
    data = {
        "subject": "company",
        "company": world.yifang.pk,
        "subdistrict": world.houlong.pk,
        "held_on": today.isoformat(),
        "reason": "投诉比偏高",
        "attendees": "陈欢",
        "commitment_1": "一周内清理消防通道",
        "deadline_1": (today + timedelta(days=7)).isoformat(),
    }
    bad = client.post("/summons/new/", {**data, "deadline_1": ""})
    assert bad.status_code == 400 and not Summons.objects.exists()
    response = client.post("/summons/new/", data)
    summons = Summons.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/summons/{summons.pk}/"
    client.force_login(world.staff_yifang)
    assert client.get("/summons/new/").status_code == 404


def test_the_api_lists_a_companys_summonses_and_takes_its_answer_with_evidence(world, api):
    summons = record(world)
    commitment = summons.commitments.get()
    staff = api.as_user(world.staff_yifang)
    listed = staff.get("/api/v1/summonses/").json()
    assert [r["number"] for r in listed["results"]] == [summons.number]
    assert listed["results"][0]["commitments"][0]["status"] == "open"
    url = f"/api/v1/summonses/commitments/{commitment.pk}/answer/"
    bad = SimpleUploadedFile("scan.txt", b"not an image", content_type="text/plain")
    assert staff.post(url, {"answer": "已完成", "files": [bad]}, format="multipart").status_code == 400
    assert staff.post(url, {"answer": "已完成"}, format="multipart").status_code == 400
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.OPEN and not Evidence.objects.exists()
    ok = staff.post(url, {"answer": "已完成", "files": [png()]}, format="multipart")
    assert ok.status_code == 200 and ok.json()["status"] == "answered" and len(ok.json()["evidence"]) == 1
    assert staff.post(url, {"answer": "again", "files": [png()]}, format="multipart").status_code == 409
    other = api.as_user(world.staff_yijiayuan)
    assert other.get(f"/api/v1/summonses/{summons.pk}/").status_code == 404
    assert other.post(url, {"answer": "x", "files": [png()]}, format="multipart").status_code == 404
    # An official of the area may read it but not answer for the company.
    assert api.as_user(world.town_houlong).post(url, {"answer": "x", "files": [png()]}, format="multipart").status_code == 403
