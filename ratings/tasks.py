"""Celery entry points of the metrics engine (scheduled through django-celery-beat, editable in the admin)."""

from celery import shared_task

from ratings import services


@shared_task(name="ratings.compute_metrics")
def compute_metrics() -> int:
    """Incremental recompute of the snapshots (every 15 minutes by default). Takes the engine lock; a run
    that finds the lock taken does nothing. Returns the number of compound-months recomputed (-1 if skipped)."""
    result = services.metrics_compute(full=False)
    return -1 if result.skipped else result.run.touched


@shared_task(name="ratings.compute_metrics_full")
def compute_metrics_full() -> int:
    """Full recompute (nightly by default): catches anything an incremental run cannot see, e.g. deletions."""
    result = services.metrics_compute(full=True)
    return -1 if result.skipped else result.run.touched
