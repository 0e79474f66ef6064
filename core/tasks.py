import logging

from celery import shared_task

from core import notifications

log = logging.getLogger(__name__)
# One sweep runs at most this long, then hands the rest to a continuation task, so a backlog after a
# long outage neither holds a worker for minutes nor waits for the next beat tick.
SWEEP_BUDGET_SECONDS = 50.0


@shared_task(name="core.send_notification_emails")
def send_notification_emails(ids: list[int]) -> int:
    """Send the e-mails of these notifications (rows already committed). Idempotent."""
    return notifications.deliver(ids)


@shared_task(name="core.deliver_pending_notifications")
def deliver_pending_notifications(after_id: int = 0) -> int:
    """The outbox sweep (beat, every minute): send every e-mail still pending, e.g. queued while the broker was down.

    Drains the whole backlog: batch after batch until nothing is due; past its time budget it enqueues
    itself to continue after the last row it reached (if the broker refuses, the next beat tick
    starts over). Idempotent: rows are claimed before sending, so overlapping sweeps never send twice.
    """
    sent, resume_after = notifications.deliver_pending(after_id=after_id, budget_seconds=SWEEP_BUDGET_SECONDS)
    if resume_after is not None:
        try:
            deliver_pending_notifications.delay(after_id=resume_after)
        except Exception:  # broker down again: the next beat tick sweeps from the start
            log.warning("broker unavailable; the outbox sweep continues at the next tick")
    return sent


@shared_task(name="core.run_export")
def run_export(job_id: int) -> int:
    """Write an export job's file (core.exports.export_run). Idempotent: a job that is not queued is left alone."""
    from core import exports

    job = exports.export_run(job_id=job_id)
    return job.rows_done if job else 0


@shared_task(name="core.purge_expired_exports")
def purge_expired_exports() -> int:
    """Beat, hourly: delete export files past their expiry (core.exports.export_purge_expired)."""
    from core import exports

    return exports.export_purge_expired()
