"""Metrics engine benchmark (`make bench`): 10,000 compounds and 1,000,000 complaints in a database of its own.

Prints: the load time, one raw `GROUP BY compound, month`, a full recompute (cold and repeated), an
incremental run after 1,000 new complaints, and the dashboard's server time and query count at that size.
Targets (SPEC §8): full ≤ 5 × raw GROUP BY; incremental ≤ 5 % of full; dashboard ≤ 300 ms, fixed query count.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_METRICS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linli_bench_metrics")
COMPOUNDS = int(os.environ.get("BENCH_COMPOUNDS", "10000"))
COMPLAINTS = int(os.environ.get("BENCH_COMPLAINTS", "1000000"))


def recreate_database() -> None:
    base, name = BENCH_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
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

    from communities.models import District, RoleAssignment, Subdistrict
    from core.models import User
    from ratings import engine

    call_command("migrate", verbosity=0)
    # Twelve months, the work in hand the last two weeks' (bench/lists.py says why): the dashboard's top bar
    # counts what is waiting, and a seed whose every old complaint may still be open counts millions.
    load, _ = timed(lambda: call_command("seed_scale", compounds=COMPOUNDS, complaints=COMPLAINTS, open_days=14, verbosity=0))
    print(f"seed_scale --compounds {COMPOUNDS} --complaints {COMPLAINTS} --open-days 14: {load:.1f} s")

    raw_sql = (
        "SELECT compound_id, date_trunc('month', made_at AT TIME ZONE 'Asia/Shanghai'), count(*) FROM complaints_complaint GROUP BY 1, 2"
    )

    def raw():
        with connection.cursor() as cur:
            cur.execute(raw_sql)
            return len(cur.fetchall())

    raw_t, groups = timed(raw, repeat=3)
    print(f"raw GROUP BY compound, month: {raw_t * 1000:.0f} ms ({groups} groups, median of 3)")

    cold_t, res = timed(lambda: engine.compute(full=True))
    print(f"full recompute, empty snapshots: {cold_t * 1000:.0f} ms ({res.run.touched} compound-months) = {cold_t / raw_t:.2f} x raw")
    full_t, res = timed(lambda: engine.compute(full=True), repeat=3)
    print(f"full recompute, repeated:        {full_t * 1000:.0f} ms = {full_t / raw_t:.2f} x raw (median of 3)")

    from complaints.models import Complaint
    from ratings.management.commands.seed_scale import insert_columns
    from ratings.models import MetricRun

    def add_complaints(batch: int) -> None:
        """1,000 new complaints, made now, spread over 1,000 compounds (a different set each batch)."""
        mark = django.utils.timezone.now()
        given = {
            "number": f"'N{batch}-' || g",
            "channel": "'app'",
            "description": "'new'",
            "status": "'dispatched'",
            "made_at": "now()",
            "created_at": "now()",
            "updated_at": "now()",
            "response_due": "now() + interval '4 hours'",
            "category_id": "(SELECT id FROM complaints_category WHERE code = 'bench')",
            "compound_id": f"(SELECT min(id) FROM communities_compound) + (g * 7919 + {batch}) %% %(n)s",
        }
        columns, values, defaults = insert_columns(Complaint, given)
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO complaints_complaint ({columns}) SELECT {values} FROM generate_series(1, 1000) g",
                {"n": COMPOUNDS, **defaults},
            )
        # The last run's watermark lies OVERLAP before its start; move it to just before this batch so the run
        # sees only the new rows (as it would 15 minutes after the previous run).
        MetricRun.objects.update(watermark=mark)

    runs = []
    for batch in range(3):
        add_complaints(batch)
        runs.append(timed(lambda: engine.compute(full=False)))
    inc_t = statistics.median(t for t, _ in runs)
    res = runs[-1][1]
    print(
        f"incremental after 1,000 new complaints: {inc_t * 1000:.0f} ms ({res.run.touched} compound-months, median of 3) "
        f"= {inc_t / full_t * 100:.1f} % of the repeated full run, {inc_t / cold_t * 100:.1f} % of the cold one"
    )

    district = District.objects.get(name="基准测试区")
    user, _ = User.objects.get_or_create(username="bench_district")
    RoleAssignment.objects.get_or_create(user=user, role="official", district=district)
    client = Client()
    client.force_login(user)
    town = Subdistrict.objects.filter(district=district).order_by("id").first()
    from django.core.cache import cache

    for label, url in (("district", "/ratings/"), ("town", f"/ratings/subdistrict/{town.pk}/")):
        for state in ("cold", "warm"):
            times, counts = [], []
            for _ in range(5):
                if state == "cold":
                    cache.clear()  # as after a metrics run: the page's figures are recomputed from the snapshots
                with CaptureQueriesContext(connection) as ctx:
                    t = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - t)
                assert response.status_code == 200, response.status_code
                counts.append(len(ctx.captured_queries))
            print(
                f"dashboard ({label}, {state} cache) at {COMPOUNDS} compounds: "
                f"{statistics.median(times) * 1000:.0f} ms, {counts[-1]} queries (median of 5)"
            )


if __name__ == "__main__":
    main()
