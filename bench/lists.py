"""List pages at scale (`make bench-lists`): the list pages of every app (complaints, notifications,
inspections, committees, mediation, ratings, compounds, audit, export log, downloads, summonses,
bulletins) through the API and the portal, signed in as the bench district official, on a
`seed_scale --events --activity` database of their own.

For each list: page 1, a deep page reached by cursor (the row at 60 % of the list), a filtered page and a
search, as server time (Django's test client in this process: routing, middleware, queries, rendering;
no network), median of 5 after one warm-up, with the part of it spent in SQL (median), the query
count, and the response size (the HTML of portal pages).
BENCH_COMPLAINTS (default 1,000,000) and BENCH_COMPOUNDS (10,000) set the size; the database
(BENCH_LISTS_DATABASE_URL, default linli_bench_lists) is dropped and recreated. Target (issue 15):
≤ 50 ms per list page, ≤ 100 KB of HTML per portal page whatever the number of compounds.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_LISTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linli_bench_lists")
COMPOUNDS = int(os.environ.get("BENCH_COMPOUNDS", "10000"))
COMPLAINTS = int(os.environ.get("BENCH_COMPLAINTS", "1000000"))
NOTIFICATIONS = int(os.environ.get("BENCH_NOTIFICATIONS", "200000"))
REPEAT = 5
# History piles up, the work in hand does not: a district files about a million complaints a year (the
# issue's Quanzhou figure), so 10,000,000 complaints are ten years of it, and only the last two weeks'
# are still open (older ones closed or rejected), as in a district that keeps up with its work.
PER_YEAR = 1_000_000
MONTHS = int(os.environ.get("BENCH_MONTHS", max(12, round(COMPLAINTS * 12 / PER_YEAR))))
OPEN_DAYS = int(os.environ.get("BENCH_OPEN_DAYS", "14"))
OPEN_QUERY = "status=submitted&status=dispatched&status=accepted"
COLD = "cold"  # a case flag: drop the user's cached to-do count before each request


def recreate_database() -> None:
    base, name = BENCH_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    if os.environ.get("BENCH_REUSE") != "1":
        recreate_database()
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from communities.models import Compound, District, RoleAssignment
    from complaints.models import Complaint
    from core import pagination
    from core.models import Notification, User

    call_command("migrate", verbosity=0)
    if not District.objects.filter(name="基准测试区").exists():
        t = time.perf_counter()
        call_command(
            "seed_scale",
            compounds=COMPOUNDS,
            complaints=COMPLAINTS,
            months=MONTHS,
            open_days=OPEN_DAYS,
            events=True,
            activity=True,
            verbosity=0,
        )
        print(
            f"seed_scale --compounds {COMPOUNDS} --complaints {COMPLAINTS} --months {MONTHS} --open-days {OPEN_DAYS}"
            f" --events --activity: {time.perf_counter() - t:.1f} s"
        )
        with connection.cursor() as cur:
            for table in ("complaints_complaint", "complaints_complaintevent", "inspections_inspectionscore", "committees_ballot"):
                cur.execute(f"VACUUM ANALYZE {table}")  # what autovacuum does after a bulk load: index-only scans
    district = District.objects.get(name="基准测试区")
    user, _ = User.objects.get_or_create(username="bench_district")
    RoleAssignment.objects.get_or_create(user=user, role="official", district=district)
    if not Notification.objects.filter(user=user).exists():
        with connection.cursor() as cur:
            cur.execute(
                """INSERT INTO core_notification (user_id, kind, title, body, url, created_at, email_status, email_attempts)
                SELECT %s, 'bench', '基准通知' || g, '', '', now() - g * interval '1 minute', 'skipped', 0
                FROM generate_series(1, %s) g""",
                [user.pk, NOTIFICATIONS],
            )
            cur.execute("ANALYZE core_notification")
    total = Complaint.objects.count()
    from committees.models import Ballot, Vote
    from complaints.models import ComplaintEvent
    from core.models import ExportLog
    from inspections.models import Inspection, RectificationList

    print(
        f"{total} complaints, {ComplaintEvent.objects.count()} complaint events, {Compound.objects.count()} compounds,"
        f" {Notification.objects.filter(user=user).count()} notifications, {Inspection.objects.count()} inspections,"
        f" {RectificationList.objects.count()} rectification lists, {Vote.objects.count()} votes, {Ballot.objects.count()} ballots,"
        f" {ExportLog.objects.count()} export-log rows"
    )
    if not Inspection.objects.exists():
        print("(this database was seeded without --activity: the other apps' lists are measured on empty tables)")

    client = Client()
    client.force_login(user)

    def deep_cursor(model, qs, ordering: list[str], at: float) -> str:
        keyset = pagination.Keyset(model, ordering)
        row = keyset.order(qs).only(*[f.attname for f in keyset.fields])[int(qs.count() * at)]
        return keyset.encode(row)

    complaints_order = ["-made_at", "-id"]
    all_complaints = Complaint.objects.all()
    deep_complaint = deep_cursor(Complaint, all_complaints, complaints_order, 0.6)
    open_ = Complaint.objects.filter(status__in=("submitted", "dispatched", "accepted"))
    deep_open = deep_cursor(Complaint, open_, ["-is_overdue", "resolve_due", "id"], 0.6)
    deep_notification = deep_cursor(Notification, Notification.objects.filter(user=user), ["-created_at", "-id"], 0.6)
    number = Complaint.objects.order_by("id").values_list("number", flat=True)[total // 2]
    compound = Compound.objects.order_by("id").values_list("id", flat=True)[COMPOUNDS // 3]
    closed = Complaint.objects.filter(status="closed").order_by("id").values_list("id", flat=True)[total // 3]
    compound_name = Compound.objects.get(pk=compound).name
    has_inspections = Inspection.objects.exists()
    deep_inspection = deep_cursor(Inspection, Inspection.objects.all(), ["-inspected_on", "-id"], 0.6) if has_inspections else ""
    deep_export = deep_cursor(ExportLog, ExportLog.objects.all(), ["-at", "-id"], 0.6) if ExportLog.objects.exists() else ""
    vote_row = Vote.objects.order_by("id").values("id", "compound_id")[Vote.objects.count() // 2] if Vote.objects.exists() else None
    vote, vote_compound = (vote_row["id"], vote_row["compound_id"]) if vote_row else (0, compound)

    cases = [
        ("API complaints", "page 1", "/api/v1/complaints/"),
        ("API complaints", "deep page by cursor (60 %)", f"/api/v1/complaints/?cursor={deep_complaint}"),
        ("API complaints", "?page=50", "/api/v1/complaints/?page=50"),
        ("API complaints", "filtered: status=dispatched", "/api/v1/complaints/?status=dispatched"),
        ("API complaints", "filtered: one compound", f"/api/v1/complaints/?compound={compound}"),
        ("API complaints", "filtered: overdue, by deadline", "/api/v1/complaints/?overdue=true&ordering=resolve_due"),
        ("API complaints", "search: a number", f"/api/v1/complaints/?q={number}"),
        ("API complaints", "search: text (every row)", "/api/v1/complaints/?q=基准"),
        ("API notifications", "page 1", "/api/v1/notifications/"),
        ("API notifications", "deep page by cursor (60 %)", f"/api/v1/notifications/?cursor={deep_notification}"),
        ("API notifications", "filtered: unread", "/api/v1/notifications/?unread=true"),
        ("API autocomplete", "compounds matching 基准小区99", "/api/v1/autocomplete/compound/?q=基准小区99"),
        ("portal queue", "page 1", "/complaints/"),
        ("portal queue", "deep page by cursor (60 %)", f"/complaints/?cursor={deep_complaint}"),
        ("portal queue", "page 50 (jump-to-page)", "/complaints/?page=50"),
        ("portal queue", "filtered: status=dispatched", "/complaints/?status=dispatched"),
        ("portal queue", "sorted: resolve by", "/complaints/?ordering=resolve_due"),
        ("portal queue", "search: a number", f"/complaints/?q={number}"),
        # The desk's links (complaints.desk): what an official or a company opens from the home page.
        ("portal queue", "desk: open (staff's default)", f"/complaints/?{OPEN_QUERY}"),
        ("portal queue", "desk: overdue, open", f"/complaints/?overdue=true&{OPEN_QUERY}"),
        ("portal queue", "desk: supervised, open", f"/complaints/?supervised=true&{OPEN_QUERY}"),
        ("portal queue", "desk: due within 4 working hours", "/complaints/?due_soon=true"),
        ("portal supervision", "desk: overdue", "/complaints/supervision/?overdue=true"),
        # The top bar's to-do count is cached per user for 30 s (core.desk); without it the page renders no
        # number and the browser fetches /desk/count/, which computes it (exact) and caches it.
        ("portal queue", "page 1, to-do count not cached", "/complaints/", COLD),
        ("portal top bar", "to-do count fetched after the page", "/desk/count/", COLD),
        ("portal home", "the desk (always exact)", "/"),
        ("API me/tasks", "the desk (always exact)", "/api/v1/me/tasks/"),
        ("API complaint", "detail with its timeline", f"/api/v1/complaints/{closed}/"),
        ("portal complaint", "detail with its timeline", f"/complaints/{closed}/"),
        ("portal supervision", "page 1", "/complaints/supervision/"),
        ("portal supervision", "deep page by cursor (60 %)", f"/complaints/supervision/?cursor={deep_open}"),
        ("portal supervision", "filtered: one compound", f"/complaints/supervision/?compound={compound}"),
        # The other apps' lists: page 1, a filtered page and a search where the list has one.
        ("portal inspections", "page 1", "/inspections/"),
        ("portal inspections", "page 50 (jump-to-page)", "/inspections/?page=50"),
        ("portal inspections", "deep page by cursor (60 %)", f"/inspections/?cursor={deep_inspection}"),
        ("portal inspections", "filtered: submitted", "/inspections/?status=submitted"),
        ("portal inspections", "search: a compound", f"/inspections/?q={compound_name}"),
        ("portal rect. lists", "page 1", "/inspections/lists/"),
        ("portal rect. lists", "filtered: overdue", "/inspections/lists/?status=overdue"),
        ("portal rect. lists", "search: a compound", f"/inspections/lists/?q={compound_name}"),
        ("portal review queue", "page 1", "/inspections/review/"),
        ("portal committees", "page 1", "/committees/"),
        ("portal committees", "filtered: lacking", "/committees/?show=lacking"),
        ("portal committees", "search: a compound", f"/committees/?q={compound_name}"),
        ("portal mediation", "home", "/mediation/"),
        ("portal mediation", "meetings", "/mediation/meetings/"),
        ("portal mediation", "action items", "/mediation/action-items/"),
        ("portal mediation", "rules", "/mediation/rules/"),
        ("portal mediation", "venues", "/mediation/venues/"),
        ("portal mediation", "disputes", "/mediation/disputes/"),
        ("portal mediation", "liaisons", "/mediation/liaisons/"),
        ("portal mediation", "consultations", "/mediation/consultations/"),
        ("portal mediation", "screenings", "/mediation/screenings/"),
        ("portal ratings", "star rounds", "/ratings/stars/"),
        ("portal ratings", "surveys", "/ratings/surveys/"),
        ("portal ratings", "companies", "/ratings/companies/"),
        ("portal compounds", "page 1", "/compounds/"),
        ("portal compounds", "page 100", "/compounds/?page=100"),
        ("portal compounds", "search: a compound", f"/compounds/?q={compound_name}"),
        ("portal audit", "page 1", "/audit/"),
        ("portal audit", "filtered: ballots", "/audit/?source=committees.ballot"),
        ("portal export log", "page 1", "/exports/log/"),
        ("portal export log", "deep page by cursor (60 %)", f"/exports/log/?cursor={deep_export}"),
        ("portal downloads", "page 1", "/downloads/"),
        ("portal summonses", "page 1", "/summons/"),
        ("portal bulletins", "page 1", "/bulletins/"),
        ("API inspections", "page 1", "/api/v1/inspections/"),
        ("API inspections", "filtered: one compound", f"/api/v1/inspections/?compound={compound}"),
        ("API inspections", "search: a compound", f"/api/v1/inspections/?search={compound_name}"),
        ("API rect. lists", "page 1", "/api/v1/rectification-lists/"),
        ("API rect. lists", "filtered: overdue", "/api/v1/rectification-lists/?overdue=true"),
        ("API rect. lists", "search: a compound", f"/api/v1/rectification-lists/?search={compound_name}"),
        ("API committees", "page 1", "/api/v1/committees/"),
        ("API committees", "filtered: one compound", f"/api/v1/committees/?compound={compound}"),
        ("API committees", "search: a compound", f"/api/v1/committees/?search={compound_name}"),
        ("API committee members", "page 1", "/api/v1/committee-members/"),
        ("API elections", "page 1", "/api/v1/elections/"),
        ("API decisions", "page 1", "/api/v1/decisions/"),
        ("API decisions", "filtered: open", "/api/v1/decisions/?status=open"),
        ("API candidates", "page 1", "/api/v1/candidates/"),
        ("API ballots", "page 1", "/api/v1/ballots/"),
        ("API ballots", "filtered: one vote", f"/api/v1/ballots/?vote={vote}"),
        ("API compounds", "page 1", "/api/v1/compounds/"),
        ("API compounds", "search: a compound", f"/api/v1/compounds/?search={compound_name}"),
        ("API companies", "page 1", "/api/v1/companies/"),
        ("API units", "page 1", "/api/v1/units/"),
        ("API units", "filtered: one compound", f"/api/v1/units/?compound={vote_compound}"),
        ("API meetings", "page 1", "/api/v1/meetings/"),
        ("API disputes", "page 1", "/api/v1/disputes/"),
        ("API surveys", "page 1", "/api/v1/surveys/"),
        ("API star rounds", "page 1", "/api/v1/star-rating-rounds/"),
        ("API star ratings", "page 1", "/api/v1/star-ratings/"),
        ("API summonses", "page 1", "/api/v1/summonses/"),
    ]
    only = os.environ.get("BENCH_ONLY", "")
    if only:  # e.g. BENCH_ONLY="portal inspections,API ballots": re-time a few lists while fixing them
        cases = [c for c in cases if c[0] in only.split(",")]
    print(f"{'list':<22} {'request':<34} {'median':>8} {'max':>8} {'SQL':>7} {'queries':>8} {'KB':>6}")
    from core import desk

    for name, label, url, *flags in cases:
        cold = COLD in flags
        if cold:
            desk.forget_total(user.pk)
        response = client.get(url)
        if response.status_code != 200:  # a page that fails is reported, and the others still get timed
            print(f"{name:<22} {label:<34} HTTP {response.status_code} {url}")
            continue
        times, sql = [], []
        for _ in range(REPEAT):
            if cold:
                desk.forget_total(user.pk)
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - t)
            sql.append(sum(float(q["time"]) for q in ctx.captured_queries))
        size = len(response.content) / 1024
        print(
            f"{name:<22} {label:<34} {statistics.median(times) * 1000:>6.0f} ms {max(times) * 1000:>5.0f} ms"
            f" {statistics.median(sql) * 1000:>4.0f} ms {len(ctx.captured_queries):>8} {size:>6.1f}"
        )


if __name__ == "__main__":
    main()
