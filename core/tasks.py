from celery import shared_task

from core import notifications
from core.models import Notification


@shared_task(name="core.send_notification_emails")
def send_notification_emails(ids: list[int]) -> int:
    """Send the e-mails of these notifications (rows already committed). Idempotent."""
    return notifications.deliver(ids)


@shared_task(name="core.deliver_pending_notifications")
def deliver_pending_notifications() -> int:
    """The outbox sweep: send every e-mail still pending (e.g. queued while the broker was down)."""
    ids = list(
        Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).order_by("created_at").values_list("id", flat=True)[:500]
    )
    return notifications.deliver(ids)
