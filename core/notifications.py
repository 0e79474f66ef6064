"""Notifications: a row per recipient in the caller's transaction; e-mail goes out after commit.

Every app writes its notifications through `notify`/`notify_many`; the API (`core.api_views`,
`/api/v1/notifications/`) and the portal's bell and list (`core.views`) read them with
`notifications_of` and mark them read with `notification_mark_read`.

`notify()` never talks to the broker inside the transaction. After commit it tries to enqueue the
e-mail task; if the broker is down the row simply stays `pending` and the periodic sweep
(`core.tasks.deliver_pending_notifications`) sends it once the broker is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from core.models import Notification, User

log = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 5
SWEEP_BATCH = 500  # rows read per query by the outbox sweep


def notify(*, users: Iterable[User], kind: str, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Write one notification per distinct user (inside the current transaction) and schedule e-mail."""
    return notify_many([Message(users=users, kind=kind, title=title, body=body, url=url)])


@dataclass(frozen=True)
class Message:
    """One notification for several users (the arguments of `notify`), for `notify_many`."""

    users: Iterable[User]
    kind: str
    title: str
    body: str = ""
    url: str = ""


def notify_many(messages: Iterable[Message]) -> list[Notification]:
    """`notify` for several messages at once: one INSERT for all of them (each user once per message)."""
    rows = []
    for message in messages:
        seen: set[int] = set()
        for user in message.users:
            if user is None or user.pk in seen:
                continue
            seen.add(user.pk)
            status = Notification.EmailStatus.PENDING if user.email else Notification.EmailStatus.SKIPPED
            rows.append(
                Notification(
                    user=user, kind=message.kind, title=message.title[:200], body=message.body, url=message.url, email_status=status
                )
            )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    pending = [n.pk for n in created if n.email_status == Notification.EmailStatus.PENDING]
    if pending:
        transaction.on_commit(lambda: _enqueue(pending))
    return created


def notifications_of(user: User) -> QuerySet[Notification]:
    """The signed-in user's own notifications, newest first (nobody reads anyone else's)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def notification_mark_read(*, user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones if `ids` is None). Returns how many."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def _enqueue(ids: list[int]) -> None:
    from core.tasks import send_notification_emails

    try:
        send_notification_emails.delay(ids)
    except Exception:  # broker down: the sweep delivers these later
        log.warning("broker unavailable; %d notification e-mails left in the outbox", len(ids))


def deliver(ids: Iterable[int]) -> int:
    """Send the pending e-mails among `ids`; claim each row first so two workers never both send it."""
    sent = 0
    for pk in ids:
        claimed = Notification.objects.filter(pk=pk, email_status=Notification.EmailStatus.PENDING, email_attempts__lt=MAX_EMAIL_ATTEMPTS)
        if not claimed.update(email_attempts=F("email_attempts") + 1):
            continue
        note = Notification.objects.select_related("user").get(pk=pk)
        try:
            send_mail(note.title, note.body or note.title, settings.DEFAULT_FROM_EMAIL, [note.user.email])
        except Exception:
            log.warning("e-mail for notification %s failed; will retry", pk, exc_info=True)
            if note.email_attempts >= MAX_EMAIL_ATTEMPTS:
                Notification.objects.filter(pk=pk).update(email_status=Notification.EmailStatus.FAILED)
            continue
        Notification.objects.filter(pk=pk).update(email_status=Notification.EmailStatus.SENT, emailed_at=timezone.now())
        sent += 1
    return sent


def deliver_pending(*, after_id: int = 0, budget_seconds: float | None = None) -> tuple[int, int | None]:
    """The outbox sweep: send every pending e-mail with an id above `after_id`, batch after batch, until none is due.

    An outage leaves any number of rows pending (the broker refused every enqueue), so the sweep does
    not stop at one batch. Rows are taken in id order, so each is tried at most once per sweep: a mail
    server that keeps failing cannot make it loop. With `budget_seconds` it stops after the batch that
    used the budget up and returns the id to continue after (else None). Returns (e-mails sent, that id).
    """
    started = time.monotonic()
    sent = 0
    due = Notification.objects.filter(email_status=Notification.EmailStatus.PENDING, email_attempts__lt=MAX_EMAIL_ATTEMPTS)
    while True:
        ids = list(due.filter(pk__gt=after_id).order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
        if not ids:
            return sent, None
        sent += deliver(ids)
        after_id = ids[-1]
        if len(ids) < SWEEP_BATCH:
            return sent, None
        if budget_seconds is not None and time.monotonic() - started >= budget_seconds:
            return sent, after_id
