"""The desk (issue 14 items 1–3): what is waiting per role, the top bar, notifications in the portal, menus."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from complaints import tasks as complaint_tasks
from complaints.models import Complaint
from complaints.tests import factories as cf
from core import desk
from core.models import Notification
from inspections import services as inspection_services
from inspections.tests import factories as inf

pytestmark = pytest.mark.django_db
USERS = [
    "district", "town_houlong", "community_fulian", "staff_yifang", "staff_yijiayuan",
    "resident_fulian", "resident_tianma", "committee_fulian", "mediator_shanyao",
]  # fmt: skip


def counts(user) -> dict[str, int]:
    return {t.key: t.count for d in desk.tasks_waiting(user) for t in d.tasks}


def test_staff_desk_counts_to_sign_due_soon_overdue_and_supervision(world):
    now = timezone.now()
    to_sign = cf.complaint(world)
    cf.complaint(world, status="accepted")
    due_soon = cf.complaint(world, status="accepted")
    Complaint.objects.filter(pk=due_soon.pk).update(resolve_due=now + dt.timedelta(minutes=30))
    late = cf.complaint(world)
    Complaint.objects.filter(pk=late.pk).update(response_due=now - dt.timedelta(hours=1), is_overdue=True)
    cf.complaint(world, compound=world.tianma)  # another company's
    got = counts(world.staff_yifang)
    assert got["complaints.staff.to_sign"] == 2  # to_sign and late are dispatched
    assert got["complaints.staff.due_soon"] == 1
    assert got["complaints.staff.overdue"] == 1
    assert counts(world.staff_yijiayuan)["complaints.staff.to_sign"] == 1
    assert to_sign.pk  # the plain dispatched one is neither due soon nor overdue
    # The link of each count opens the same complaints in the queue.
    task = {t.key: t for d in desk.tasks_waiting(world.staff_yifang) for t in d.tasks}["complaints.staff.due_soon"]
    assert "due_soon=true" in task.url


def test_due_soon_counts_working_hours_only(world):
    """Friday 17:00: a deadline on Monday 11:00 is 3 working hours away (within 4); Monday 14:30 is 4.5 away."""
    from complaints.selectors import due_soon_q

    friday = timezone.make_aware(dt.datetime(2026, 11, 27, 17, 0))
    c = cf.complaint(world, status="accepted")
    Complaint.objects.filter(pk=c.pk).update(resolve_due=timezone.make_aware(dt.datetime(2026, 11, 30, 11, 0)))
    assert Complaint.objects.filter(due_soon_q(friday), pk=c.pk).exists()
    Complaint.objects.filter(pk=c.pk).update(resolve_due=timezone.make_aware(dt.datetime(2026, 11, 30, 14, 30)))
    assert not Complaint.objects.filter(due_soon_q(friday), pk=c.pk).exists()


def test_deadline_near_is_notified_once_per_deadline(world):
    c = cf.complaint(world)
    soon = timezone.now() + dt.timedelta(minutes=20)
    Complaint.objects.filter(pk=c.pk).update(response_due=soon)
    assert complaint_tasks.deadlines_near() == 1
    assert complaint_tasks.deadlines_near() == 0  # a duplicate tick sends nothing
    notes = Notification.objects.filter(kind="complaint.deadline_near")
    assert list(notes.values_list("user__username", "url")) == [("staff_yifang", f"/complaints/{c.pk}/")]
    # A new deadline (e.g. after an extension) gets its own reminder.
    Complaint.objects.filter(pk=c.pk).update(response_due=soon + dt.timedelta(minutes=5))
    assert complaint_tasks.deadlines_near() == 1


def test_deadline_near_task_is_scheduled():
    from core.schedules import _DEFAULTS

    assert _DEFAULTS["complaints.deadlines_near"].task == "complaints.deadlines_near"


def test_official_desk_lists_overdue_by_town_and_returned_complaints(world):
    late = cf.complaint(world)
    Complaint.objects.filter(pk=late.pk).update(is_overdue=True)
    late2 = cf.complaint(world, compound=world.tianma)
    Complaint.objects.filter(pk=late2.pk).update(is_overdue=True)
    cf.complaint(world, status="submitted")
    tasks = {t.key: t for d in desk.tasks_waiting(world.district) for t in d.tasks}
    assert tasks["complaints.supervision"].count == 2
    assert {(i.label, i.count) for i in tasks["complaints.supervision"].items} == {("后龙镇", 1), ("界山镇", 1)}
    assert tasks["complaints.returned"].count == 1
    town = {t.key: t for d in desk.tasks_waiting(world.town_houlong) for t in d.tasks}
    assert town["complaints.supervision"].count == 1  # only its own town


def test_send_back_reaches_the_company_desk_and_bell(world, client):
    inf.seeded_template()
    rect = inf.issue_list(world.town_houlong, inf.make_inspection(world.town_houlong, world.fulian))
    assert counts(world.staff_yifang)["inspections.to_answer"] == 1
    inspection_services.rectification_report_file(actor=world.staff_yifang, list_id=rect.pk, actions=inf.actions_for(rect))
    assert counts(world.town_houlong)["inspections.to_review"] == 1
    assert counts(world.community_fulian)["inspections.to_review"] == 1
    inspection_services.rectification_report_review(actor=world.town_houlong, list_id=rect.pk, decision="return", comment="照片不清晰")
    assert counts(world.staff_yifang)["inspections.sent_back"] == 1
    note = Notification.objects.get(user=world.staff_yifang, kind="rectification.return")
    client.force_login(world.staff_yifang)
    page = client.get("/notifications/").content.decode()
    assert note.title in page
    bell = re.search(r'id="unread-count">(\d+)<', page)
    assert bell and int(bell.group(1)) == Notification.objects.filter(user=world.staff_yifang, read_at__isnull=True).count()
    r = client.post(f"/notifications/{note.pk}/open/")
    assert r.status_code == 302 and r["Location"] == f"/inspections/lists/{rect.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_all_read_and_others_notifications_are_404(world, client):
    from core.notifications import notify

    mine = notify(users=[world.staff_yifang], kind="x", title="甲")[0]
    theirs = notify(users=[world.staff_yijiayuan], kind="x", title="乙")[0]
    client.force_login(world.staff_yifang)
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert "乙" not in client.get("/notifications/").content.decode()
    client.post("/notifications/read-all/")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_a_notification_never_redirects_off_site(world, client):
    from core.notifications import notify

    note = notify(users=[world.staff_yifang], kind="x", title="t", url="https://evil.example/")[0]
    client.force_login(world.staff_yifang)
    assert client.post(f"/notifications/{note.pk}/open/")["Location"] == "/notifications/"


def test_vote_certified_is_notified_to_committee_and_voters(world):
    from committees import services as committee_services
    from committees.tests import factories as vf

    reg = vf.Register(world.fulian)
    voter, silent = reg.owner(100), reg.owner(90)
    vote = reg.vote()
    vf.cast(vote, voter, "approve")
    vf.close(vote)
    assert counts(world.community_fulian)["committees.to_certify"] == 1
    committee_services.vote_certify(user=world.community_fulian, vote=vote)
    users = set(Notification.objects.filter(kind="vote.certified").values_list("user_id", flat=True))
    assert users == {world.committee_fulian.pk, voter.user_id}
    assert silent.user_id not in users
    assert counts(world.community_fulian)["committees.to_certify"] == 0


@pytest.mark.parametrize("username", USERS)
def test_every_role_gets_a_home_page_and_no_empty_menu(world, client, api, username):
    user = getattr(world, username)
    client.force_login(user)
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    nav = html.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    menus = nav.split('class="menu"')[1:]
    assert menus, f"{username} has no menu"
    assert all("href=" in m for m in menus), f"{username} has an empty menu"
    assert "请通过上方菜单" not in html
    # The top bar, the home page and the API agree.
    api_total = api.as_user(user).get("/api/v1/me/tasks/").json()["total"]
    assert re.search(r'id="desk-total">(\d+)<', html).group(1) == str(api_total)


def test_each_role_sees_only_its_groups(world, client):
    def groups(user):
        client.force_login(user)
        return re.findall(r'class="menu" data-group="(\w+)"', client.get("/").content.decode())

    # Six menus at most: summonses and bulletins are links of the ratings group (评价考核).
    assert groups(world.district) == ["complaints", "inspections", "committees", "mediation", "ratings", "administration"]
    assert groups(world.staff_yifang) == ["complaints", "inspections", "ratings", "administration"]
    assert groups(world.resident_fulian) == ["complaints", "committees"]
    assert groups(world.mediator_shanyao) == ["mediation"]


def test_me_tasks_api_per_role(world, api):
    cf.complaint(world)
    body = api.as_user(world.staff_yifang).get("/api/v1/me/tasks/").json()
    assert [r["role"] for r in body["roles"]] == ["staff"]
    tasks = {t["key"]: t for t in body["roles"][0]["tasks"]}
    assert tasks["complaints.staff.to_sign"]["count"] == 1 and tasks["complaints.staff.to_sign"]["url"].startswith("/complaints/")
    resident = api.as_user(world.resident_fulian).get("/api/v1/me/tasks/").json()
    mine = {t["key"]: t["count"] for r in resident["roles"] for t in r["tasks"]}
    assert mine["complaints.mine_open"] == 1
    api.force_authenticate(user=None)
    assert api.get("/api/v1/me/tasks/").status_code == 401


def _bar(client, url="/complaints/") -> int:
    """The top bar's number as the browser ends up showing it: in the page, or fetched by desk-count.js."""
    page = client.get(url).content.decode()
    found = re.search(r'id="desk-total">(\d+)<', page)
    if found is None:
        pending = re.search(r'id="desk-total" data-count-url="([^"]+)"', page)
        assert pending, "no to-do count in the top bar"
        return client.get(pending.group(1)).json()["total"]
    return int(found.group(1))


def test_top_bar_count_is_cached_but_the_users_own_work_shows_at_once(world, client):
    """The bar's number is cached per user: another user's work shows within TOTAL_SECONDS (or at once
    on the home page, which stores what it computed); the user's own POST drops it at once."""
    first = cf.complaint(world)
    client.force_login(world.staff_yifang)
    assert _bar(client) == 1
    cf.complaint(world)  # filed and dispatched by someone else
    assert _bar(client) == 1  # the cached number: no desk query on this page
    home = client.get("/").content.decode()
    assert _bar(client, "/") == 2 and ">2<" in home  # the home page is exact, and the bar takes its total
    assert _bar(client) == 2
    r = client.post(f"/complaints/{first.pk}/accept/")
    assert r.status_code == 302
    assert _bar(client) == 1  # their own sign-for: counted again at once
    # Expired, the number is counted again: another user's work shows within TOTAL_SECONDS.
    cf.complaint(world)
    desk.forget_total(world.staff_yifang.pk)  # what the expiry does
    assert _bar(client) == 2


def test_no_list_page_waits_for_the_desk_counts(world, client):
    """A page renders the top bar from the cache or without its number (desk-count.js fetches it), so a page
    runs the same queries whether the number is cached or not; /desk/count/ computes it once and caches it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cf.complaint(world)
    client.force_login(world.district)
    with CaptureQueriesContext(connection) as cold:
        html = client.get("/complaints/").content.decode()
    assert 'id="desk-total" data-count-url="/desk/count/"' in html and "js/desk-count.js" in html
    with CaptureQueriesContext(connection) as counting:
        total = client.get("/desk/count/").json()["total"]
    # The district official's desk reads complaints, lists, votes, summonses …: here, not in the page.
    assert len(counting) >= 5 and total == desk.waiting_count(desk.tasks_waiting(world.district))
    with CaptureQueriesContext(connection) as warm:
        html = client.get("/complaints/").content.decode()
    assert f'id="desk-total">{total}<' in html and "js/desk-count.js" not in html
    assert len(cold) == len(warm), (len(cold), len(warm))
    client.logout()
    # Signed-in users only, and a 401 rather than a redirect: following it would render the login form and
    # reset the CSRF cookie under a login form open in the same browser.
    signed_out = client.get("/desk/count/")
    assert signed_out.status_code == 401 and "csrftoken" not in signed_out.cookies


def test_an_api_write_drops_the_users_cached_count(world, client, api):
    c = cf.complaint(world)
    client.force_login(world.staff_yifang)
    assert _bar(client) == 1
    r = api.as_user(world.staff_yifang).post(f"/api/v1/complaints/{c.pk}/accept/")
    assert r.status_code == 200, r.content
    assert _bar(client) == 0


def test_portal_notifications_page_by_cursor_without_counting(world, client):
    """/notifications/ pages by cursor (no COUNT of a user's notifications, no OFFSET): every
    notification once, newest first, while new ones arrive between pages."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = world.staff_yifang
    Notification.objects.bulk_create(Notification(user=user, kind="t", title=f"通知{i:03d}") for i in range(65))
    client.force_login(user)
    seen, url = [], "/notifications/"
    while url:
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        assert not any("COUNT(" in q["sql"] and "core_notification" in q["sql"] and "LIMIT" not in q["sql"] for q in ctx), "counted"
        seen += re.findall(r"通知\d{3}|新通知\d", html)
        if len(seen) == 30:
            Notification.objects.create(user=user, kind="t", title="新通知1")  # arrives before page 2 is read
        nxt = re.search(r'href="\?([^"]*cursor=[^"]+)" rel="next"', html)
        url = "/notifications/?" + nxt.group(1).replace("&amp;", "&") if nxt else None
    assert seen == [f"通知{i:03d}" for i in reversed(range(65))]  # the new one is above page 1: not repeated, nothing skipped
