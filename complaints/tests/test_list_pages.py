"""The complaint lists by keyset (core.pagination): every row exactly once while rows arrive, the same
ordering as the page numbers, bad cursors refused, and the queue's default query on its index at scale."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from complaints import selectors
from complaints.models import Complaint
from complaints.tests import factories as f
from core import pagination
from core.models import Notification
from ratings.management.commands.seed_scale import insert_columns

URL = "/api/v1/complaints/"


def _walk_api(client, first_url: str, during=None) -> list[int]:
    """Follow `next` to the end; `during(page_index)` runs between pages (rows inserted meanwhile)."""
    seen, url, i = [], first_url, 0
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
        if during is not None:
            during(i)
        i += 1
    return seen


@pytest.mark.django_db
def test_api_cursor_returns_every_complaint_once_while_new_ones_arrive(world, api):
    before = f.bulk(world, 45)  # one made_at for all: the id alone orders them, the hardest case for a cursor
    older = f.bulk(world, 5)
    Complaint.objects.filter(pk__in=[c.pk for c in older]).update(made_at=timezone.now() - dt.timedelta(days=3))
    client = api.as_user(world.district)

    def file_more(i):
        f.bulk(world, 3)  # newer than every row already read: they belong before the cursor

    seen = _walk_api(client, URL + "?page_size=10", during=file_more)
    assert len(seen) == len(set(seen)), "a row came twice"
    assert set(seen) == {c.pk for c in before + older}
    assert seen[-5:] == sorted((c.pk for c in older), reverse=True)


@pytest.mark.django_db
def test_api_cursor_keeps_a_filter_and_a_sort_across_pages(world, api):
    f.bulk(world, 12)
    f.bulk(world, 8, is_overdue=True)
    # Deadlines spread, some shared, so resolve_due ties are broken by id.
    for i, c in enumerate(Complaint.objects.order_by("id")):
        Complaint.objects.filter(pk=c.pk).update(resolve_due=timezone.now() + dt.timedelta(hours=i % 4))
    client = api.as_user(world.district)
    seen = _walk_api(client, URL + "?ordering=resolve_due&page_size=3")
    expected = list(Complaint.objects.order_by("resolve_due", "id").values_list("id", flat=True))
    assert seen == expected
    overdue = _walk_api(client, URL + "?overdue=true&page_size=3")
    assert sorted(overdue) == sorted(Complaint.objects.filter(is_overdue=True).values_list("id", flat=True))


@pytest.mark.django_db
def test_previous_cursor_gives_back_the_page_before(world, api):
    f.bulk(world, 25)
    client = api.as_user(world.district)
    first = client.get(URL + "?page_size=10").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert len(third["results"]) == 5 and third["next"] is None
    back = client.get(third["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in second["results"]]
    assert [r["id"] for r in client.get(back["previous"]).json()["results"]] == [r["id"] for r in first["results"]]
    # ?page=N is the same ordering as the cursor walk.
    assert [r["id"] for r in client.get(URL, {"page": 2, "page_size": 10}).json()["results"]] == [r["id"] for r in second["results"]]


@pytest.mark.django_db
def test_counts_are_exact_when_small_and_estimated_when_large(world, api, monkeypatch):
    f.bulk(world, 12)
    client = api.as_user(world.district)
    body = client.get(URL, {"page_size": 5}).json()
    assert body["count"] == 12 and body["count_exact"] is True
    monkeypatch.setattr(pagination, "EXACT_COUNT_UP_TO", 10)
    body = client.get(URL, {"page_size": 5}).json()
    assert body["count_exact"] is False and body["count"] >= 11


@pytest.mark.django_db
def test_bad_cursor_and_deep_page_number_are_a_400(world, api):
    f.bulk(world, 3)
    client = api.as_user(world.district)
    assert client.get(URL, {"cursor": "not-a-cursor"}).status_code == 400
    forged = pagination.Keyset(Complaint, ["-made_at", "-id"]).encode(Complaint.objects.first()).replace("A", "B", 1)
    assert client.get(URL, {"cursor": forged}).status_code == 400
    other_order = client.get(URL, {"ordering": "status", "page_size": 1}).json()["next"]
    cursor = re.search(r"cursor=([^&]+)", other_order).group(1)
    assert client.get(URL, {"cursor": cursor}).status_code == 400  # a cursor of another ordering
    r = client.get(URL, {"page": pagination.MAX_NUMBERED_PAGE + 1})
    assert r.status_code == 400 and "page" in r.json()


@pytest.mark.django_db
def test_cursor_never_leaves_the_users_scope(world, api):
    mine = f.bulk(world, 4)
    theirs = f.bulk(world, 4, compound=world.tianma)
    Complaint.objects.filter(pk__in=[c.pk for c in theirs]).update(assigned_company=world.yijiayuan)
    seen = _walk_api(api.as_user(world.staff_yifang), URL + "?page_size=2&status=dispatched")
    assert sorted(seen) == sorted(c.pk for c in mine)


@pytest.mark.django_db
def test_notification_cursor_returns_every_notification_once(world, api):
    user = world.staff_yifang
    Notification.objects.bulk_create(Notification(user=user, kind="test", title=f"n{i}") for i in range(23))
    client = api.as_user(user)

    def more(i):
        Notification.objects.create(user=user, kind="test", title="new")

    seen = _walk_api(client, "/api/v1/notifications/?page_size=5", during=more)
    assert len(seen) == len(set(seen)) == 23


# --- the portal -----------------------------------------------------------------------------------


def _walk_portal(client, url: str, during=None) -> list[str]:
    numbers = []
    while url:
        html = client.get(url).content.decode()
        numbers += re.findall(r'<td><a href="/complaints/\d+/">([^<]+)</a></td>', html)
        nxt = re.search(r'href="\?([^"]*cursor=[^"]+)" rel="next"', html)
        url = "/complaints/?" + nxt.group(1).replace("&amp;", "&") if nxt else None
        if during is not None:
            during()
    return numbers


@pytest.mark.django_db
def test_portal_queue_walks_every_complaint_once_while_new_ones_arrive(world):
    rows = f.bulk(world, 70)
    client = Client()
    client.force_login(world.district)
    seen = _walk_portal(client, "/complaints/", during=lambda: f.bulk(world, 2))
    assert len(seen) == len(set(seen)) == 70
    assert set(seen) == {c.number for c in rows}


@pytest.mark.django_db
def test_portal_page_numbers_and_jump_to_page(world):
    f.bulk(world, 95)
    client = Client()
    client.force_login(world.district)
    html = client.get("/complaints/", {"page": 4}).content.decode()
    assert '<strong aria-current="page">4</strong>' in html
    assert len(re.findall(r'<td><a href="/complaints/\d+/">', html)) == 5  # 95 = 3 × 30 + 5
    assert 'id="jump-to-page"' in html and 'max="4"' in html
    # A page past the numbered ones or a broken cursor shows the first page, with a note.
    r = client.get("/complaints/", {"cursor": "garbage"})
    assert r.status_code == 200 and '<strong aria-current="page">1</strong>' in r.content.decode()


@pytest.mark.django_db
def test_supervision_cursor_walks_overdue_first_then_by_deadline(world):
    now = timezone.now()
    f.bulk(world, 40)
    f.bulk(world, 25, is_overdue=True)
    for i, c in enumerate(Complaint.objects.order_by("id")):
        Complaint.objects.filter(pk=c.pk).update(resolve_due=now + dt.timedelta(hours=i % 7))
    Complaint.objects.filter(pk__in=list(Complaint.objects.values_list("id", flat=True)[:3])).update(resolve_due=None)
    client = Client()
    client.force_login(world.district)
    numbers = []
    url = "/complaints/supervision/"
    while url:
        html = client.get(url).content.decode()
        numbers += re.findall(r'<td><a href="/complaints/\d+/">([^<]+)</a></td>', html)
        nxt = re.search(r'href="\?([^"]*cursor=[^"]+)" rel="next"', html)
        url = "/complaints/supervision/?" + nxt.group(1).replace("&amp;", "&") if nxt else None
    expected = list(selectors.supervision_list(world.district).values_list("number", flat=True))
    assert numbers == expected and len(expected) == 65


@pytest.mark.django_db
def test_staff_queue_shows_open_complaints_unless_asked(world):
    f.complaint(world, status="closed")
    open_one = f.complaint(world, status="dispatched")
    client = Client()
    client.force_login(world.staff_yifang)
    html = client.get("/complaints/").content.decode()
    assert open_one.number in html and html.count('<td><a href="/complaints/') == 1
    assert '<option value="open" selected>' in html
    assert client.get("/complaints/", {"status": ""}).content.decode().count('<td><a href="/complaints/') == 2


@pytest.mark.django_db
def test_queue_sorts_by_a_column_both_ways(world):
    now = timezone.now()
    rows = f.bulk(world, 4)
    for i, c in enumerate(rows):
        Complaint.objects.filter(pk=c.pk).update(resolve_due=now + dt.timedelta(days=[3, 1, 4, 2][i]))
    client = Client()
    client.force_login(world.district)
    up = re.findall(r'<td><a href="/complaints/\d+/">([^<]+)</a></td>', client.get("/complaints/?ordering=resolve_due").content.decode())
    down = re.findall(r'<td><a href="/complaints/\d+/">([^<]+)</a></td>', client.get("/complaints/?ordering=-resolve_due").content.decode())
    assert up == [rows[i].number for i in (1, 3, 0, 2)] and down == list(reversed(up))


# --- indexes at scale --------------------------------------------------------------------------------


def _plant(world, n: int) -> None:
    """`n` complaints over a year in the district's three compounds, as seed_scale writes them (one INSERT)."""
    given = {
        "number": "'P' || g",
        "channel": "'app'",
        "description": "'规模测试'",
        "status": "CASE WHEN g %% 10 = 0 THEN 'dispatched' ELSE 'closed' END",
        "made_at": "now() - (g %% 365) * interval '1 day' - (g %% 86400) * interval '1 second'",
        "created_at": "now()",
        "updated_at": "now()",
        "category_id": str(f.category("noise").pk),
        "compound_id": f"(ARRAY[{world.fulian.pk}, {world.tianma.pk}, {world.jinxiang.pk}])[1 + g %% 3]",
        "resolve_due": "now() + (g %% 100) * interval '1 hour' + g * interval '1 millisecond'",
    }
    columns, values, defaults = insert_columns(Complaint, given)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO complaints_complaint ({columns}) SELECT {values} FROM generate_series(1, %(n)s) g", {"n": n, **defaults})
        cur.execute("ANALYZE complaints_complaint")


def _plan(qs) -> str:
    return json.dumps(json.loads(qs.explain(format="json")))


@pytest.mark.django_db(transaction=False)
def test_queue_default_query_reads_its_index_not_the_table_at_scale(world):
    """With 200,000 complaints planted and analysed, the district queue's page (and a deep page by
    cursor) is an index range: no sequential scan of complaints and no sort of them. Dropping the
    index (inside this test's transaction) turns the same query into a scan and a sort, which is
    what makes the first assertion mean something."""
    _plant(world, 200_000)
    qs = selectors.complaints_for_list(world.district).order_by("-made_at", "-id")
    keyset = pagination.Keyset(Complaint, ["-made_at", "-id"])
    page1 = keyset.order(qs)[:31]
    deep_row = qs[150_000]
    deep = keyset.order(keyset.after(qs, keyset.values(deep_row)))[:31]
    supervision = pagination.Keyset(Complaint, ["-is_overdue", "resolve_due", "id"])
    sup = supervision.order(selectors.supervision_list(world.district))[:31]
    for query in (page1, deep):
        plan = _plan(query)
        assert "complaint_list_made" in plan, plan
        scans = _scan_of(plan, "complaints_complaint")
        assert scans and "Seq Scan" not in scans, plan
        assert '"Node Type": "Sort"' not in plan and '"Node Type": "Incremental Sort"' not in plan, plan
    # The supervision list reads open complaints only (bounded by the work in hand, not by the history):
    # an index of them, possibly sorted afterwards, never a scan of the table.
    scans = _scan_of(_plan(sup), "complaints_complaint")
    assert scans and "Seq Scan" not in scans
    # A deep page of the supervision list (its cursor 60 % down the open complaints, past the overdue
    # ones): each part of the resume is its own index range, bounded by the deadline too. One OR of the
    # expanded keyset filter bounded the scan by `is_overdue` only, so PostgreSQL read the whole
    # non-overdue group and filtered it (90,000 rows at 1,000,000 complaints, 180 ms).
    open_list = supervision.order(selectors.supervision_list(world.district))
    cursor_row = open_list[int(open_list.count() * 0.6)]
    parts = supervision.after_parts(supervision.values(cursor_row))
    assert len(parts) >= 3
    # The overdue filter in the queue's orders reads the few overdue complaints' own index, not the
    # whole order's index filtered (none of the 200,000 planted here is overdue).
    for ordering, index in ((["resolve_due", "id"], "complaint_overdue_due"), (["-made_at", "-id"], "complaint_overdue_made")):
        plan = _plan(qs.filter(is_overdue=True).order_by(*ordering)[:31])
        assert index in plan, plan
    conds = []
    for part in parts:
        plan = _plan(supervision.order(selectors.supervision_list(world.district).filter(part))[:31])
        assert "Seq Scan" not in _scan_of(plan, "complaints_complaint"), plan
        conds += _index_conds(plan, "complaints_complaint")
    assert any("is_overdue = false" in c and "resolve_due >" in c for c in conds), conds
    with connection.cursor() as cur:
        cur.execute(
            """SELECT indexname FROM pg_indexes WHERE tablename = 'complaints_complaint'
            AND (indexname = 'complaint_list_made' OR indexdef LIKE '%%(made_at)')"""
        )
        for (name,) in cur.fetchall():  # the list index and the plain made_at index that could stand in for it
            cur.execute(f'DROP INDEX "{name}"')
    without = _plan(page1)
    assert "Seq Scan" in _scan_of(without, "complaints_complaint") or '"Node Type": "Sort"' in without, without


def _plan_nodes(plan_json: str) -> list[dict]:
    """Every node of a JSON plan, depth first."""
    nodes, todo = [], [json.loads(plan_json)]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if "Node Type" in node:
                nodes.append(node)
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return nodes


def _index_conds(plan_json: str, relation: str) -> list[str]:
    """The index conditions of the scans of `relation` (a bitmap index scan names only its index)."""
    return [n["Index Cond"] for n in _plan_nodes(plan_json) if n.get("Index Cond") and n.get("Relation Name", relation) == relation]


def _scan_of(plan_json: str, relation: str) -> str:
    """The node types that read `relation` in a JSON plan."""
    return " ".join(n["Node Type"] for n in _plan_nodes(plan_json) if n.get("Relation Name") == relation)


def test_list_query_joins_only_the_area_tables(world):
    """The list's query joins the compound, its community and town (the area filter needs them) and
    nothing else: with the category, assignee and reporter joined too, PostgreSQL spent 15–30 ms
    planning each page at 1,000,000 complaints (bench/lists.py). Those come by id, in small queries."""
    from complaints.tests import factories as cf

    cf.complaint(world)
    qs = selectors.complaints_for_list(world.district).order_by("-made_at", "-id")
    sql = str(qs.query)
    assert sql.count(" JOIN ") == 3, sql
    (row,) = list(qs)
    assert row.category.name_zh and row.assigned_company and row.compound.community.subdistrict.name == "后龙镇"


@pytest.mark.parametrize(
    ("app", "migration"),
    [
        ("complaints", "0010"),
        ("complaints", "0011"),
        ("complaints", "0012"),
        ("complaints", "0013"),
        ("core", "0005"),
        ("committees", "0002"),
        ("committees", "0003"),
        ("committees", "0004"),
        ("inspections", "0003"),
    ],
)
def test_list_indexes_build_concurrently(app, migration):
    """The list indexes are added to tables that may hold millions of rows: built CONCURRENTLY (filing
    goes on meanwhile), in migrations that run outside a transaction."""
    from django.contrib.postgres.operations import AddIndexConcurrently
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import AddIndex

    found = MigrationLoader(None, ignore_no_migrations=True).get_migration_by_prefix(app, migration)
    assert found.atomic is False
    indexes = [op for op in found.operations if isinstance(op, AddIndex)]
    assert indexes and all(isinstance(op, AddIndexConcurrently) for op in indexes)
    for sql in [getattr(op.code, "__globals__", {}).get("LOCATION_TRGM") for op in found.operations if hasattr(op, "code")]:
        assert sql and "CREATE INDEX CONCURRENTLY" in sql
