"""Periodic Celery entry points of the complaints app. Idempotent: a duplicate beat tick is harmless."""

from __future__ import annotations

from celery import shared_task
from django.db import connection
from django.utils import timezone

from complaints import services
from complaints.models import Complaint

BATCH = 1000
# Arbitrary constants for PostgreSQL advisory locks: two runs of one task never overlap.
LOCK_OVERDUE = 73_001
LOCK_AUTO_CLOSE = 73_002


def _try_lock(key: int) -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite (the embedded demo) serialises writers anyway
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [key])
        return bool(cur.fetchone()[0])


def _unlock(key: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [key])


@shared_task(name="complaints.refresh_overdue")
def refresh_overdue() -> int:
    """Flag complaints that passed a deadline (one event and one round of notifications each, to the
    handlers and the supervising officials) and clear the flag on those no longer overdue.
    Returns how many became overdue."""
    if not _try_lock(LOCK_OVERDUE):
        return 0
    try:
        now = timezone.now()
        ids = list(Complaint.objects.filter(services.overdue_q(now), is_overdue=False).values_list("id", flat=True)[:BATCH])
        flagged = sum(services.complaint_mark_overdue(complaint_id=pk, now=now) for pk in ids)
        services.complaints_clear_overdue(now=now)
        return flagged
    finally:
        _unlock(LOCK_OVERDUE)


@shared_task(name="complaints.auto_close")
def auto_close() -> int:
    """Close resolved complaints not confirmed within 7 days (unrated). Returns how many closed."""
    if not _try_lock(LOCK_AUTO_CLOSE):
        return 0
    try:
        now = timezone.now()
        ids = list(
            Complaint.objects.filter(status=Complaint.Status.RESOLVED, resolved_at__lte=now - services.AUTO_CLOSE_AFTER).values_list(
                "id", flat=True
            )[:BATCH]
        )
        return sum(services.complaint_auto_close(complaint_id=pk, now=now) for pk in ids)
    finally:
        _unlock(LOCK_AUTO_CLOSE)
