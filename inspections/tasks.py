"""Celery entry points of the inspections app."""

from celery import shared_task

from inspections import services


@shared_task(name="inspections.rectification_deadlines")
def rectification_deadlines() -> dict[str, int]:
    """Daily sweep: remind companies before deadlines and alert officials after them.

    Idempotent: each list gets at most one reminder and one overdue alert (see the service)."""
    return services.rectification_deadlines_sweep()
