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
            # The user's list by keyset (core.pagination): WHERE user_id = … ORDER BY created_at DESC, id DESC.
            models.Index(fields=["user", "created_at", "id"], name="notification_user_list"),
            # The outbox sweep: "pending e-mails, oldest first".
            models.Index(fields=["created_at"], name="notification_email_pending", condition=models.Q(email_status="pending")),
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
        ]

    def __str__(self) -> str:
        return self.title


class ExportLog(models.Model):
    """One export of data that may carry personal information: who, when, what, how many rows, which filters.

    Written by `core.privacy.log_export()` from every export view; append-only (officials read it in
    the admin and on the portal's export-log page, nobody edits it). `username` is kept as text so
    the row still says who it was after the account is anonymised or removed.
    """

    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user"))
    username = models.CharField(_("username"), max_length=150)
    at = models.DateTimeField(_("exported at"), auto_now_add=True, db_index=True)
    what = models.CharField(_("exported data"), max_length=100)
    rows = models.PositiveIntegerField(_("rows"))
    params = models.JSONField(_("filters"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.username} · {self.what} · {self.rows}"


def export_storage():
    """Where finished export files live: a private folder, never under MEDIA_ROOT (which may be served)."""
    from django.conf import settings
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.LINLI_EXPORT_ROOT)


class ExportJob(models.Model):
    """One export run in the background (core.exports): who asked, what, with which filters, how far along.

    The file belongs to `owner` alone (only they may download it) and is removed when `expires_at`
    passes (the cleanup task `core.purge_expired_exports`). Progress is written as the rows stream
    into the file, so the job's page can show it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("export", "queued")
        RUNNING = "running", pgettext_lazy("export", "running")
        DONE = "done", pgettext_lazy("export", "ready")
        FAILED = "failed", pgettext_lazy("export", "failed")
        EXPIRED = "expired", pgettext_lazy("export", "expired")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("requested by"))
    kind = models.CharField(_("exported data"), max_length=50)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows to write"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), storage=export_storage, upload_to="%Y/%m/", blank=True, max_length=200)
    filename = models.CharField(_("file name"), max_length=150, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="exportjob_owner_recent"),
            # The cleanup task: "finished files past their expiry".
            models.Index(fields=["expires_at"], name="exportjob_expiring", condition=models.Q(status="done")),
        ]

    def __str__(self) -> str:
        return f"{self.kind}.{self.format} #{self.pk}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.rows_done / self.total_rows))

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
