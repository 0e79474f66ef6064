from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """Everyone who signs in: officials, staff, committee members, mediators and residents.

    What a user may see is decided by their role assignments (communities.RoleAssignment),
    never by flags on the user.
    """

    display_name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Notification(models.Model):
    """A message for one user, written in the same transaction as the change it announces.

    The row is also the e-mail outbox: `email_status` stays `pending` until a Celery task sends it,
    so nothing is lost while the broker or the mail server is down (core.notifications).
    """

    class EmailStatus(models.TextChoices):
        PENDING = "pending", pgettext_lazy("e-mail delivery", "pending")
        SENT = "sent", pgettext_lazy("e-mail delivery", "sent")
        SKIPPED = "skipped", pgettext_lazy("e-mail delivery", "no address")
        FAILED = "failed", pgettext_lazy("e-mail delivery", "failed")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(_("e-mail"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The outbox sweep: "pending e-mails, oldest first".
            models.Index(fields=["created_at"], name="notification_email_pending", condition=models.Q(email_status="pending")),
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
        ]

    def __str__(self) -> str:
        return self.title
