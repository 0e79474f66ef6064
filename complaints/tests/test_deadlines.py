"""Both deadlines in the lists, and an overdue mark naming the one missed (签收超时 / 办结超时).

The rule lives on the model (`Complaint.deadlines_missed`, `Complaint.overdue_q`); the queue, the
supervision list, the complaint page, the CSV/Excel exports and the API all show what it says.
"""

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from complaints import services
from complaints.models import Complaint
from complaints.tests import factories as f

pytestmark = pytest.mark.django_db
S, Missed = Complaint.Status, Complaint.Overdue


@pytest.fixture
def as_user(client):
    def do(user):
        client.force_login(user)
        return client

    return do


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def past_deadline(complaint: Complaint, *, sign_for: bool = False, resolve: bool = False) -> Complaint:
    """Move the chosen deadlines an hour into the past and let the overdue sweep flag it."""
    now = timezone.now()
    fields = {}
    if sign_for:
        fields["response_due"] = now - dt.timedelta(hours=1)
    if resolve:
        fields["resolve_due"] = now - dt.timedelta(minutes=30)
    Complaint.objects.filter(pk=complaint.pk).update(**fields)
    services.complaint_mark_overdue(complaint_id=complaint.pk)
    complaint.refresh_from_db()
    return complaint


def row_of(html: str, number: str) -> str:
    return next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if number in r)


@pytest.mark.parametrize(
    ("status", "sign_for_past", "resolve_past", "missed"),
    [
        (S.DISPATCHED, True, False, [Missed.SIGN_FOR]),
        (S.SUBMITTED, True, False, [Missed.SIGN_FOR]),  # returned by the company: still to be signed for
        (S.DISPATCHED, True, True, [Missed.SIGN_FOR, Missed.RESOLVE]),
        (S.ACCEPTED, True, False, []),  # signed for late: no longer overdue for signing
        (S.ACCEPTED, True, True, [Missed.RESOLVE]),
        (S.DISPATCHED, False, False, []),
        (S.RESOLVED, True, True, []),
        (S.CLOSED, True, True, []),
        (S.REJECTED, True, True, []),
    ],
)
def test_which_deadline_was_missed(status, sign_for_past, resolve_past, missed):
    now = timezone.now()
    hour = dt.timedelta(hours=1)
    got = Complaint.deadlines_missed(
        status=status,
        response_due=now - hour if sign_for_past else now + hour,
        resolve_due=now - hour if resolve_past else now + 72 * hour,
        now=now,
    )
    assert got == missed


def test_the_stored_overdue_flag_follows_the_same_rule(world):
    on_time = f.complaint(world, description="按时")
    sign_late = past_deadline(f.complaint(world, description="签收超时的"), sign_for=True)
    resolve_late = past_deadline(f.complaint(world, status="accepted", description="办结超时的"), resolve=True)
    signed_late = f.complaint(world, status="accepted", description="签收晚了但已签收")
    Complaint.objects.filter(pk=signed_late.pk).update(response_due=timezone.now() - dt.timedelta(hours=2))
    now = timezone.now()
    flagged = set(Complaint.objects.filter(Complaint.overdue_q(now)).values_list("pk", flat=True))
    assert flagged == {sign_late.pk, resolve_late.pk}
    for c in Complaint.objects.all():
        assert bool(c.missed_deadlines) == (c.pk in flagged), c.description
    assert sign_late.is_overdue and resolve_late.is_overdue and not on_time.is_overdue


def test_queue_shows_both_deadlines_and_names_the_missed_sign_for_one(world, as_user):
    c = past_deadline(f.complaint(world, description="楼道灯坏了"), sign_for=True)
    assert c.resolve_due > timezone.now() + dt.timedelta(days=1)  # the resolve deadline is days away
    html = as_user(world.district).get("/complaints/").content.decode()
    head = html.split("<thead>")[1].split("</thead>")[0]
    assert "签收期限" in head and "办结期限" in head
    row = row_of(html, c.number)
    assert local(c.response_due) in row and local(c.resolve_due) in row
    assert "签收超时" in row and "办结超时" not in row and "已逾期" not in row


def test_supervision_list_names_the_missed_resolve_deadline(world, as_user):
    c = past_deadline(f.complaint(world, status="accepted", description="电梯维修拖延"), resolve=True)
    both = past_deadline(f.complaint(world, description="无人签收也未办结"), sign_for=True, resolve=True)
    html = as_user(world.town_houlong).get("/complaints/supervision/").content.decode()
    row = row_of(html, c.number)
    assert local(c.response_due) in row and local(c.resolve_due) in row
    assert "办结超时" in row and "签收超时" not in row
    row = row_of(html, both.number)
    assert "签收超时" in row and "办结超时" in row


def test_complaint_page_names_the_missed_deadline(world, as_user):
    c = past_deadline(f.complaint(world), sign_for=True)
    html = as_user(world.district).get(f"/complaints/{c.pk}/").content.decode()
    title = html.split("<h1>")[1].split("</h1>")[0]
    assert "签收超时" in title and "办结超时" not in title and "已逾期" not in title


def test_exports_show_both_deadlines_and_the_missed_one(world, as_user):
    late = past_deadline(f.complaint(world, description="签收晚"), sign_for=True)
    both = past_deadline(f.complaint(world, description="两项都超"), sign_for=True, resolve=True)
    fine = f.complaint(world, description="正常")
    client = as_user(world.district)

    raw = client.get("/complaints/export.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    xlsx = load_workbook(io.BytesIO(client.get("/complaints/export.xlsx").content)).active
    sheet = [list(r) for r in xlsx.iter_rows(values_only=True)]
    for table in (rows, sheet):
        head = table[0]
        col = head.index("超时情况")
        sign_col, resolve_col = head.index("签收期限"), head.index("办结期限")
        by_number = {r[0]: r for r in table[1:]}
        assert by_number[late.number][col] == "签收超时"
        assert by_number[both.number][col] == "签收超时、办结超时"
        assert by_number[fine.number][col] in ("", None)
        # Text in the CSV, a real (local, tz-naive) date cell in the workbook.
        sign_by, resolve_by = by_number[late.number][sign_col], by_number[late.number][resolve_col]
        if isinstance(sign_by, dt.datetime):
            sign_by, resolve_by = sign_by.strftime("%Y-%m-%d %H:%M"), resolve_by.strftime("%Y-%m-%d %H:%M")
        assert sign_by == local(late.response_due)
        assert resolve_by == local(late.resolve_due)


def test_api_names_the_missed_deadlines(world, api):
    late = past_deadline(f.complaint(world), sign_for=True)
    fine = f.complaint(world)
    client = api.as_user(world.district)
    results = {r["number"]: r for r in client.get("/api/v1/complaints/").json()["results"]}
    assert results[late.number]["missed_deadlines"] == ["sign_for"] and results[late.number]["is_overdue"] is True
    assert results[fine.number]["missed_deadlines"] == []
    assert client.get(f"/api/v1/complaints/{late.pk}/").json()["missed_deadlines"] == ["sign_for"]


def test_extending_keeps_a_missed_sign_for_deadline_overdue(world):
    c = past_deadline(f.complaint(world), sign_for=True, resolve=True)
    c = services.complaint_extend(complaint=c, actor=world.district, days=3, reason="材料待采购")
    c.refresh_from_db()
    assert c.is_overdue and c.missed_deadlines == [Missed.SIGN_FOR]


def test_partial_indexes_spell_the_open_statuses_as_the_model_does():
    """The partial indexes write the open statuses as literals; each must equal the model's tuple, or the
    queries that filter on `Complaint.AWAITING_RESOLUTION` (or AWAITING_SIGN_FOR) would no longer use them."""
    allowed = {frozenset(Complaint.AWAITING_RESOLUTION), frozenset(Complaint.AWAITING_SIGN_FOR)}
    checked = 0
    for index in Complaint._meta.indexes:
        for child in index.condition.children if index.condition is not None else ():
            if isinstance(child, tuple) and child[0] == "status__in":
                assert frozenset(child[1]) in allowed, index.name
                checked += 1
    assert checked == 4  # complaint_open_overdue, complaint_open_overdue_due, complaint_unsigned_due, complaint_supervision
