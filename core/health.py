"""Readiness checks for the load balancer (`/readyz`): database, broker, age of the last metrics run.

Each check is short and bounded: a load balancer polls often and must learn quickly that a node
cannot serve, not wait for it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

log = logging.getLogger(__name__)

DB_TIMEOUT_MS = 2000
BROKER_TIMEOUT_S = 2.0


def check_database(alias: str = "default") -> dict:
    """`SELECT 1` on the connection the requests use, with a statement timeout."""
    conn = connections[alias]
    try:
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                cursor.execute("SET statement_timeout = %s", [DB_TIMEOUT_MS])
            cursor.execute("SELECT 1")
            cursor.fetchone()
            if conn.vendor == "postgresql":
                cursor.execute("RESET statement_timeout")
    except DatabaseError as exc:
        # A dead persistent connection must not be reused by the next request either.
        conn.close_if_unusable_or_obsolete()
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def check_broker(url: str | None = None) -> dict:
    """Open (and close) a connection to the Celery broker, giving up after BROKER_TIMEOUT_S."""
    from kombu import Connection

    url = url or settings.CELERY_BROKER_URL
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    conn = Connection(url, connect_timeout=BROKER_TIMEOUT_S, transport_options=options)
    try:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_S)
    except Exception as exc:  # kombu raises transport-specific errors
        return {"ok": False, "error": exc.__class__.__name__}
    finally:
        conn.release()
    return {"ok": True}


# Where the metrics engine records its runs, by the names the ratings app may use; read defensively
# because `core` imports no app (STYLE.md) and ratings may not be installed or migrated yet.
_METRICS_RUN_MODELS = [("ratings", "MetricsRun"), ("ratings", "MetricRun"), ("ratings", "MetricsRunLog")]
_METRICS_RUN_FIELDS = ["finished_at", "completed_at", "ended_at", "started_at", "created_at"]


def last_metrics_run() -> datetime | None:
    for app_label, model_name in _METRICS_RUN_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        names = {f.name for f in model._meta.get_fields()}
        for field in _METRICS_RUN_FIELDS:
            if field in names:
                try:
                    row = model.objects.exclude(**{f"{field}__isnull": True}).order_by(f"-{field}").values_list(field, flat=True).first()
                except DatabaseError:
                    return None
                return row
    return None


def check_metrics() -> dict:
    at = last_metrics_run()
    if at is None:
        return {"last_run": "unknown", "age_seconds": None}
    return {"last_run": at.isoformat(), "age_seconds": int((timezone.now() - at).total_seconds())}


def readiness() -> tuple[bool, dict]:
    """(ready, report). Not ready when the database or the broker is unreachable; metrics only inform."""
    database = check_database()
    broker = check_broker()
    metrics = check_metrics() if database["ok"] else {"last_run": "unknown", "age_seconds": None}
    ready = database["ok"] and broker["ok"]
    return ready, {"status": "ok" if ready else "unavailable", "database": database, "broker": broker, "metrics": metrics}
