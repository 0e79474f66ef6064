"""Celery entry points of the bulletins app."""

from celery import shared_task

from bulletins import services
from core.locks import exclusive


@shared_task(name="bulletins.generate_monthly")
def generate_monthly() -> int:
    """On the first of the month: a draft bulletin of the month just finished for every district and town
    that has none yet (idempotent: a second run finds them). Takes a lock so two runs never overlap;
    returns how many were generated (-1 if another run held the lock)."""
    with exclusive("bulletins.generate_monthly") as held:
        if not held:
            return -1
        return services.bulletins_generate_last_month()
