"""Periodic Celery entry points of the complaints app. Idempotent: a duplicate beat tick is harmless, and
core.locks keeps two runs of one task from overlapping."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from complaints import services
from complaints.models import Complaint
from complaints.surges import surge_detect
from core.locks import exclusive

BATCH = 1000


@shared_task(name="complaints.refresh_overdue")
def refresh_overdue() -> int:
    """Flag complaints that passed a deadline (one event and one round of notifications each, to the
    handlers and the supervising officials) and clear the flag on those no longer overdue.
    Returns how many became overdue."""
    with exclusive("complaints.refresh_overdue") as held:
        if not held:
            return 0
        now = timezone.now()
        ids = list(Complaint.objects.filter(services.overdue_q(now), is_overdue=False).values_list("id", flat=True)[:BATCH])
        flagged = sum(services.complaint_mark_overdue(complaint_id=pk, now=now) for pk in ids)
        services.complaints_clear_overdue(now=now)
        return flagged


@shared_task(name="complaints.auto_close")
def auto_close() -> int:
    """Close resolved complaints not confirmed within 7 days (unrated). Returns how many closed."""
    with exclusive("complaints.auto_close") as held:
        if not held:
            return 0
        now = timezone.now()
        ids = list(
            Complaint.objects.filter(status=Complaint.Status.RESOLVED, resolved_at__lte=now - services.AUTO_CLOSE_AFTER).values_list(
                "id", flat=True
            )[:BATCH]
        )
        return sum(services.complaint_auto_close(complaint_id=pk, now=now) for pk in ids)


@shared_task(name="complaints.detect_surges")
def detect_surges() -> int:
    """Early warning: raise or update this week's surge warnings and notify each one's officials once
    (`complaints.surges.surge_detect`). Returns how many warnings this week's counts support."""
    with exclusive("complaints.detect_surges") as held:
        if not held:
            return 0
        return len(surge_detect())


@shared_task(name="complaints.deadlines_near")
def deadlines_near() -> int:
    """Remind the handlers of each open complaint whose next deadline is within 4 working hours, once per
    deadline (claimed in `complaint_remind_deadline`, so a duplicate tick sends nothing). Returns how many."""
    from complaints.selectors import due_soon_q

    with exclusive("complaints.deadlines_near") as held:
        if not held:
            return 0
        now = timezone.now()
        ids = list(Complaint.objects.filter(due_soon_q(now)).values_list("id", flat=True)[:BATCH])
        return sum(services.complaint_remind_deadline(complaint_id=pk, now=now) for pk in ids)
