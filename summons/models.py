"""Summonses (约谈): officials summon a property company (or a town's responsible office) over its
figures, complaints and rectification lists, record what it committed to by when, and follow each
commitment until they accept its answer.

A summons belongs to a district and, usually, a town: officials of either see it; the summoned
company's staff see it too. A commitment is overdue once its deadline has passed and it is not done
(the rule rectification lists follow).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import District, PropertyCompany, Subdistrict
from complaints.models import Complaint
from inspections.models import RectificationList


class Summons(models.Model):
    class Subject(models.TextChoices):
        COMPANY = "company", _("property company")
        OFFICE = "office", _("town's responsible office")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("summons status", "following up")
        CLOSED = "closed", pgettext_lazy("summons status", "closed")

    number = models.CharField(_("number"), max_length=20, unique=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    # The town concerned: officials of the town see the summons; for an office summons, the town summoned.
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("town / subdistrict")
    )
    subject = models.CharField(_("summoned"), max_length=10, choices=Subject.choices, default=Subject.COMPANY)
    company = models.ForeignKey(
        PropertyCompany, on_delete=models.PROTECT, null=True, blank=True, related_name="summonses", verbose_name=_("property company")
    )
    held_on = models.DateField(_("date of the summons"))
    venue = models.CharField(pgettext_lazy("summons", "venue"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))
    attendees = models.TextField(_("attendees"), help_text=_("One person per line: name, organisation and post."))
    # The figures cited as the reason, copied from the indicator catalogue when the summons was recorded
    # (key, name, value text, period, whose figure), so the record keeps what was said that day.
    figures = models.JSONField(_("figures cited"), default=list, blank=True)
    complaints = models.ManyToManyField(Complaint, blank=True, related_name="+", verbose_name=_("complaints cited"))
    rectification_lists = models.ManyToManyField(
        RectificationList, blank=True, related_name="+", verbose_name=_("rectification lists cited")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summonses")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["district", "held_on"], name="summons_district_held")]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject="company", company__isnull=False)
                | Q(subject="office", company__isnull=True, subdistrict__isnull=False),
                name="summons_subject_named",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | Q(status="closed", closed_at__isnull=False),
                name="summons_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject_name}"

    @property
    def subject_name(self) -> str:
        if self.subject == self.Subject.COMPANY and self.company_id:
            return self.company.name
        return str(_("%(town)s responsible office") % {"town": self.subdistrict.name if self.subdistrict_id else ""})


class CommitmentQuerySet(models.QuerySet):
    def overdue(self, on: date | None = None) -> CommitmentQuerySet:
        """Past the deadline and not accepted as done."""
        return self.filter(deadline__lt=on or timezone.localdate()).exclude(status=Commitment.Status.DONE)


class Commitment(models.Model):
    """承诺: one thing the summoned party undertook to do by a deadline.

    open → answered (evidence filed) → done (accepted by an official), or → returned → answered … until done.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting answer")
        ANSWERED = "answered", _("answer under review")
        RETURNED = "returned", pgettext_lazy("summons", "returned for rework")
        DONE = "done", pgettext_lazy("commitment status", "done")

    summons = models.ForeignKey(Summons, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("summons"))
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("commitment"))
    deadline = models.DateField(pgettext_lazy("summons", "deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(pgettext_lazy("summons", "answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )
    answered_at = models.DateTimeField(pgettext_lazy("summons", "answered at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comments"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["summons_id", "order"]
        indexes = [
            # The desk's overdue count: commitments not done, by deadline.
            models.Index(fields=["deadline"], name="commitment_open_deadline", condition=~Q(status="done")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["summons", "order"], name="commitment_unique_order"),
            models.CheckConstraint(
                condition=Q(status="done", done_on__isnull=False) | (~Q(status="done") & Q(done_on__isnull=True)),
                name="commitment_done_has_day",
            ),
            models.CheckConstraint(condition=Q(status="open") | Q(answered_at__isnull=False), name="commitment_answered_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.summons_id}#{self.order} {self.text[:30]}"

    def is_overdue(self, on: date | None = None) -> bool:
        return self.status != self.Status.DONE and self.deadline < (on or timezone.localdate())


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"summons/evidence/{instance.commitment_id}/{filename}"


class Evidence(models.Model):
    """A photo or scan filed with an answer (validated by core.uploads)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("commitment"))
    image = models.ImageField(_("file"), upload_to=evidence_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name
