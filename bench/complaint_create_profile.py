"""Where the time of POST /api/v1/complaints/ goes, phase by phase, next to the bare view.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/complaint_create_profile.py [-n 50]

Runs in one process (Django test client, bench.settings, the bench world of complaint_create.py),
times each phase of the API request with wrappers around the functions that do it, and counts the
SQL statements and Redis round trips of one request of each kind. Figures are wall-clock medians;
on a shared machine each database round trip costs what the scheduler makes it cost.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from bench.complaint_create import prepare  # noqa: E402

PHASES: dict[str, list[float]] = defaultdict(list)


def timed(owner, name: str, label: str) -> None:
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            PHASES[label].append(time.perf_counter() - started)

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=50, help="requests of each kind (default 50)")
    args = parser.parse_args()
    world = prepare()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework import serializers as drf_serializers
    from rest_framework.views import APIView

    from complaints import selectors, services
    from complaints.api import serializers as api_serializers

    timed(APIView, "perform_authentication", "authentication (JWT, user query)")
    timed(APIView, "check_throttles", "throttle (Redis)")
    timed(drf_serializers.Serializer, "is_valid", "input validation (serializer)")
    timed(services, "complaint_create", "complaint_create (service)")
    timed(selectors, "complaint_get", "re-read (selector)")
    timed(api_serializers.ComplaintDetailSerializer, "to_representation", "response serialization")

    client = Client(HTTP_AUTHORIZATION=f"Bearer {world['token']}", HTTP_HOST="127.0.0.1")
    body = json.dumps(
        {"compound": world["compound"], "category": world["category"], "reporter": world["reporter"], "description": "楼道垃圾"}
    )

    def api():
        assert client.post("/api/v1/complaints/", body, content_type="application/json").status_code == 201

    def bare():
        assert client.post("/bench/bare-complaint/", body, content_type="application/json").status_code == 201

    totals: dict[str, list[float]] = {}
    for name, call in (("bare", bare), ("api", api)):
        call()
        with CaptureQueriesContext(connection) as queries:
            call()
        print(f"{name}: {len(queries.captured_queries)} SQL statements per request")
        if name == "api":
            for q in queries.captured_queries:
                print(f"    {q['sql'][:110]}")
        PHASES.clear()
        samples = []
        for _ in range(args.n):
            started = time.perf_counter()
            call()
            samples.append(time.perf_counter() - started)
        totals[name] = samples
    print()
    print(
        f"median per request: bare {statistics.median(totals['bare']) * 1000:.1f} ms, api {statistics.median(totals['api']) * 1000:.1f} ms"
    )
    print("api phases (median ms, calls per request):")
    for label, values in PHASES.items():
        print(f"    {label:38} {statistics.median(values) * 1000:7.2f}  x{len(values) / args.n:.0f}")


if __name__ == "__main__":
    main()
