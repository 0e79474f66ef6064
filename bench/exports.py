"""Export benchmark (`make bench-exports`): 100,000 complaints exported end to end through the export job.

On a `seed_scale` database of its own (10,000 compounds, 1,000,000 complaints by default; BENCH_COMPOUNDS /
BENCH_COMPLAINTS), signed in as the bench district official, for .xlsx and .csv:
- the web request `GET /complaints/export.<fmt>` (count capped at the threshold, job row, enqueue): its time;
- the job as the Celery worker runs it (`core.tasks.run_export`), capped at BENCH_EXPORT_ROWS rows: its time,
  rows per second, the file's size and the growth of the process's peak memory (constant memory: write-only
  workbook, CSV to disk, rows read with `.iterator()`).
BENCH_REUSE=1 keeps a database already seeded by `seed_scale` (for example `make bench-lists`' ten-year one) instead
of dropping it. Targets (issue 15): the web request ≤ 100 ms, 100,000 rows ≤ 30 s end to end. The job's CPU time is printed
beside its wall time: on a shared machine the wall time also counts other processes' turns.
"""

import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_EXPORTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linli_bench_exports")
COMPOUNDS = int(os.environ.get("BENCH_COMPOUNDS", "10000"))
COMPLAINTS = int(os.environ.get("BENCH_COMPLAINTS", "1000000"))
ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "100000"))


def recreate_database() -> None:
    base, name = BENCH_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    reuse = os.environ.get("BENCH_REUSE") == "1"
    if not reuse:
        recreate_database()
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["LINLI_EXPORT_ROOT"] = tempfile.mkdtemp(prefix="linli-bench-exports-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from communities.models import District, RoleAssignment
    from core import tasks
    from core.models import ExportJob, User

    call_command("migrate", verbosity=0)
    from complaints.models import Complaint

    if not (reuse and District.objects.filter(name="基准测试区").exists()):
        t = time.perf_counter()
        call_command("seed_scale", compounds=COMPOUNDS, complaints=COMPLAINTS, verbosity=0)
        print(f"seed_scale --compounds {COMPOUNDS} --complaints {COMPLAINTS}: {time.perf_counter() - t:.1f} s")
    print(f"{Complaint.objects.count():,} complaints in {BENCH_URL.rsplit('/', 1)[1]}")
    settings.LINLI_EXPORT_MAX_ROWS = ROWS
    settings.ALLOWED_HOSTS = ["*"]

    district = District.objects.get(name="基准测试区")
    user, _ = User.objects.get_or_create(username="bench_district")
    RoleAssignment.objects.get_or_create(user=user, role="official", district=district)
    client = Client()
    client.force_login(user)

    for fmt in ("xlsx", "csv"):
        request_times = []
        for _ in range(5):
            t = time.perf_counter()
            response = client.get(f"/complaints/export.{fmt}")
            request_times.append(time.perf_counter() - t)
            assert response.status_code == 302, response.status_code
        job_ids = list(ExportJob.objects.filter(format=fmt).order_by("id").values_list("pk", flat=True))
        before = peak_mb()
        t, cpu = time.perf_counter(), time.process_time()
        tasks.run_export(job_ids[0])
        job_t, job_cpu = time.perf_counter() - t, time.process_time() - cpu
        job = ExportJob.objects.get(pk=job_ids[0])
        assert job.status == ExportJob.Status.DONE and job.rows_done == ROWS, (job.status, job.rows_done, job.error)
        request_ms = statistics.median(request_times) * 1000
        print(
            f"export.{fmt}: web request {request_ms:.0f} ms (median of 5, answers 302 to the job page); "
            f"job {job.rows_done:,} rows in {job_t:.1f} s ({job.rows_done / job_t:,.0f} rows/s; {job_cpu:.1f} s of CPU in the worker), "
            f"file {job.file.size / 1e6:.1f} MB, "
            f"peak memory +{peak_mb() - before:.0f} MB; end to end {job_t + request_ms / 1000:.1f} s"
        )
        ExportJob.objects.filter(pk__in=job_ids[1:]).delete()  # the repeats' queued jobs
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        from config.celery import app

        try:
            app.control.purge()  # the jobs enqueued above were run here, not by a worker
        except Exception:
            pass


if __name__ == "__main__":
    main()
