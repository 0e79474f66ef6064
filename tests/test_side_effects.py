"""Side effects never lie about the data (issue: production readiness, item 9).

Well-known ticketing software answers 500 when its mail server is unreachable although the ticket
was saved; the client retries and files it twice. Here the complaint is saved, the answer is 201,
and the e-mail waits in the outbox (core.Notification, `pending`) until the sweep delivers it.
"""

import pytest
from django.core import mail

from complaints.models import Category, Complaint
from core.models import Notification
from core.tasks import deliver_pending_notifications

pytestmark = pytest.mark.django_db

# A real SMTP client against a port where nothing listens: the connection is refused.
CLOSED_SMTP = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 1,
    "EMAIL_TIMEOUT": 2,
}


def test_filing_while_the_mail_server_is_down_succeeds_and_the_sweep_delivers_later(
    world, api, settings, django_capture_on_commit_callbacks
):
    for user in (world.resident_fulian, world.staff_yifang):
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    for key, value in CLOSED_SMTP.items():
        setattr(settings, key, value)
    category = Category.objects.filter(is_active=True).first()
    payload = {"compound": world.fulian.pk, "category": category.pk, "description": "电梯困人，已报修两次"}

    with django_capture_on_commit_callbacks(execute=True):
        client = api.as_user(world.resident_fulian)
        response = client.post("/api/v1/complaints/", payload, format="json", HTTP_IDEMPOTENCY_KEY="mail-down-1")

    assert response.status_code == 201
    complaint = Complaint.objects.get(pk=response.json()["id"])
    assert complaint.description == "电梯困人，已报修两次"
    pending = Notification.objects.filter(email_status=Notification.EmailStatus.PENDING)
    assert pending.filter(user=world.staff_yifang).exists()
    assert all(n.email_attempts == 1 for n in pending)  # tried once, after the commit, and failed quietly

    # The mail server is back: the periodic outbox sweep sends what was left.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = deliver_pending_notifications()
    assert sent == pending.model.objects.filter(email_status=Notification.EmailStatus.SENT).count() > 0
    assert not Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).exists()
    assert {m.to[0] for m in mail.outbox} >= {"staff_yifang@example.cn"}
    assert Complaint.objects.filter(description="电梯困人，已报修两次").count() == 1
