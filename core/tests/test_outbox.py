"""The e-mail outbox drains completely after an outage (issue 14 item 10).

While the broker is down `notify` cannot enqueue the e-mail task, so every notification written in
that window stays `pending`. `make loadtest`'s Redis fault run left 1,062 of them; a sweep of one
500-row batch a minute left 62 behind when the run ended. The sweep now continues until nothing is due.
"""

import pytest
from django.core import mail

from core import notifications, tasks
from core.models import Notification
from core.notifications import Message, notify_many

pytestmark = pytest.mark.django_db
PENDING = Notification.EmailStatus.PENDING


def outage_backlog(world, n: int) -> None:
    """`n` notifications written while the broker was down: rows committed, no e-mail task ever enqueued."""
    users = [world.staff_yifang, world.resident_fulian, world.district]
    for user in users:
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    # In a test transaction the on-commit enqueue never runs: exactly the state an outage leaves.
    notify_many([Message(users=[users[i % 3]], kind="assigned", title=f"工单 {i}") for i in range(n)])
    assert Notification.objects.filter(email_status=PENDING).count() == n


def test_one_sweep_drains_a_backlog_larger_than_a_batch(world):
    outage_backlog(world, 1062)
    assert tasks.deliver_pending_notifications() == 1062
    assert not Notification.objects.filter(email_status=PENDING).exists()
    assert len(mail.outbox) == 1062


def test_a_sweep_past_its_budget_continues_in_a_new_task(world, monkeypatch):
    outage_backlog(world, 45)
    monkeypatch.setattr(notifications, "SWEEP_BATCH", 10)
    monkeypatch.setattr(tasks, "SWEEP_BUDGET_SECONDS", 0)  # every batch uses the budget up
    calls = []
    original = tasks.deliver_pending_notifications.run

    def spy(after_id=0):
        calls.append(after_id)
        return original(after_id=after_id)

    monkeypatch.setattr(tasks.deliver_pending_notifications, "run", spy)
    tasks.deliver_pending_notifications.delay()  # eager in tests: continuations run inline
    first = Notification.objects.order_by("pk").first().pk
    assert calls == [0, first + 9, first + 19, first + 29, first + 39]
    assert not Notification.objects.filter(email_status=PENDING).exists()
    assert len(mail.outbox) == 45


def test_a_failing_mail_server_leaves_rows_pending_without_looping(world, settings):
    outage_backlog(world, 30)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    assert tasks.deliver_pending_notifications() == 0
    assert Notification.objects.filter(email_status=PENDING, email_attempts=1).count() == 30
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.deliver_pending_notifications() == 30
