"""The other apps' list pages at scale (issue 15): on a `seed_scale --events --activity` district, each
list reads an index range or a bounded number of rows, never a scan, sort or count of everything.

One seeded district serves every check (the seed is the slow part). Where an index makes the plan, the
test drops it inside its transaction and sees the plan turn into a sort, so the assertion means something.
"""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from committees import selectors as committee_selectors
from committees.models import Ballot, Committee, Vote
from communities import selectors as place_selectors
from communities.models import District, RoleAssignment
from complaints.models import ComplaintEvent
from core import pagination
from core.models import ExportLog, User
from inspections import selectors as inspection_selectors
from inspections.models import Inspection, RectificationList

pytestmark = pytest.mark.django_db


def _plan(qs) -> str:
    return json.dumps(json.loads(qs.explain(format="json")))


def _sorts(plan: str) -> bool:
    return '"Node Type": "Sort"' in plan or '"Node Type": "Incremental Sort"' in plan


@pytest.fixture
def district_official():
    call_command("seed_scale", compounds=1000, complaints=30_000, events=True, activity=True, verbosity=0)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    user = User.objects.create(username="bench_district")
    RoleAssignment.objects.create(user=user, role="official", district=District.objects.get(name="基准测试区"))
    return user


def _drop(index: str) -> None:
    with connection.cursor() as cur:
        cur.execute(f'DROP INDEX "{index}"')


def test_list_pages_of_the_other_apps_read_indexes_and_a_bounded_number_of_rows(district_official):
    user = district_official
    client = Client()
    client.force_login(user)

    # Ballots (GET /ballots/): newest first off their index, by keyset; no join to owners for the scope.
    ballots = pagination.Keyset(Ballot, ["-cast_at", "-id"]).order(committee_selectors.ballots_visible_to(user))[:21]
    plan = _plan(ballots)
    assert "ballot_newest" in plan and not _sorts(plan), plan
    body = client.get("/api/v1/ballots/").json()
    assert len(body["results"]) == 20 and body["count_exact"] is False and "cursor=" in body["next"]

    # Units (GET /units/): no DISTINCT over a join to the owners, and a keyset page with a capped count.
    units = place_selectors.units_visible_to(user)
    assert "DISTINCT" not in str(units.query) and "communities_owner" not in str(units.query).split("WHERE")[0]
    body = client.get("/api/v1/units/").json()
    assert len(body["results"]) == 20 and body["count_exact"] is False

    # The audit log: the newest complaint events off their index, and the events' complaints in the same query.
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/audit/?before=2100-01-01T00:00:00%2B08:00").status_code == 200
    one_by_one = [q for q in ctx.captured_queries if 'FROM "complaints_complaint" WHERE "complaints_complaint"."id" =' in q["sql"]]
    assert not one_by_one, f"{len(one_by_one)} complaints read one at a time"
    newest = ComplaintEvent.objects.order_by("-at")[:50]
    assert "complaintevent_at" in _plan(newest) and not _sorts(_plan(newest))

    # Inspections and rectification lists: newest first off their list indexes; the portal pages by keyset
    # (no COUNT(*) of every inspection, a cursor to the next page) like the complaint queue.
    inspections = pagination.Keyset(Inspection, ["-inspected_on", "-id"]).order(inspection_selectors.inspections_visible_to(user))[:31]
    lists = pagination.Keyset(RectificationList, ["-issued_at", "-id"]).order(inspection_selectors.rectification_lists_visible_to(user))[
        :31
    ]
    for qs, index in ((inspections, "inspection_list"), (lists, "rectlist_list")):
        plan = _plan(qs)
        assert index in plan and not _sorts(plan), plan
    for url, table in (("/inspections/", "inspections_inspection"), ("/inspections/lists/", "inspections_rectificationlist")):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url).content.decode()
        assert 'rel="next"' in page and "cursor=" in page
        # (the top bar's to-do counts filter by status or deadline; the list's own count would not)
        counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(f'SELECT COUNT(*) AS "__count" FROM "{table}"')]
        assert not [sql for sql in counts if '"status"' not in sql and '"deadline"' not in sql], counts
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/exports/log/").content.decode()
    assert ExportLog.objects.count() > 1000 and "cursor=" in page
    assert not [q for q in ctx.captured_queries if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "core_exportlog"')]

    # Committees (GET /committees/): members counted for the page's committees only, off the list index,
    # not grouped for every committee of the district before the LIMIT.
    committees = committee_selectors.committees_visible_to(user).with_counts().order_by("compound_id", "-term_start", "id")[:20]
    plan = _plan(committees)
    assert "committee_list" in plan and not _sorts(plan) and "Aggregate" not in plan.split('"Plans"')[0], plan
    assert Committee.objects.red_count() == Committee.objects.with_counts().filter(red=True).count() > 0

    # Votes (GET /elections/, /decisions/) newest first off their index; the lists that grow with the years
    # page by keyset in the API too (a capped count, a cursor to the next page).
    votes = pagination.Keyset(Vote, ["-opens_at", "-id"]).order(committee_selectors.votes_visible_to(user))[:21]
    assert "vote_newest" in _plan(votes) and not _sorts(_plan(votes))
    for url in ("/api/v1/inspections/", "/api/v1/rectification-lists/", "/api/v1/decisions/", "/api/v1/committees/"):
        body = client.get(url).json()
        assert "count_exact" in body and "cursor=" in body["next"], url

    # Without the indexes the same queries scan and sort.
    for index in ("ballot_newest", "complaintevent_at", "inspection_list", "rectlist_list", "committee_list", "vote_newest"):
        _drop(index)
    assert all(_sorts(_plan(qs)) for qs in (ballots, newest, inspections, lists, committees, votes))
