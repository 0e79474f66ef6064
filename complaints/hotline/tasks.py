"""Celery entry point of the 12345 import (listed in CELERY_IMPORTS so the worker registers it)."""

from celery import shared_task

from complaints.hotline import service
from complaints.models import HotlineImport


@shared_task(name="complaints.run_hotline_import")
def run_hotline_import(batch_id: int) -> None:
    """Import a queued batch (see `service.hotline_import_run`). Gone or already claimed: returns quietly."""
    if not HotlineImport.objects.filter(pk=batch_id, status=HotlineImport.Status.QUEUED).exists():
        return
    service.hotline_import_run(batch_id=batch_id)
