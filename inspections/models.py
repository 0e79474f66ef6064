"""Inspections against versioned checklists, rectification lists and rectification reports (SPEC §4.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from communities.models import Compound, PropertyCompany
from complaints.models import Complaint

SCORE = {"max_digits": 5, "decimal_places": 2}


class ChecklistTemplate(models.Model):
    """One version of a checklist. A version is immutable once an inspection used it (services refuse
    edits); changing the list means publishing a new version, and old inspections keep theirs."""

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveSmallIntegerField(_("version"))
    is_current = models.BooleanField(_("current version"), default=False)
    source = models.CharField(_("source standards"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="checklist_unique_version"),
            # New inspections use the one current version of each checklist.
            models.UniqueConstraint(fields=["name"], condition=Q(is_current=True), name="checklist_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_used(self) -> bool:
        return self.inspections.exists()


class ChecklistArea(models.Model):
    """A major area (重大项), e.g. 清洁卫生."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="areas", verbose_name=_("template"))
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("checklist area")
        verbose_name_plural = _("checklist areas")
        ordering = ["template_id", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="checklist_area_unique_code")]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """A scored item (小项) with its maximum score."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("template"))
    area = models.ForeignKey(ChecklistArea, on_delete=models.CASCADE, related_name="items", verbose_name=_("area"))
    code = models.CharField(_("code"), max_length=10)
    description = models.CharField(_("description"), max_length=300)
    max_score = models.DecimalField(_("maximum score"), **SCORE)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="checklist_item_unique_code"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="checklist_item_max_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description[:30]}"


class Inspection(models.Model):
    """An expert visit scoring a compound on one checklist version. Read-only once submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("compound"))
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("checklist"))
    inspected_on = models.DateField(_("inspection date"))
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inspections", blank=True, verbose_name=_("inspectors"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recorded_inspections", verbose_name=_("recorded by")
    )
    # The company managing the compound on the inspection day, kept for the record.
    company = models.ForeignKey(
        PropertyCompany, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections", verbose_name=_("property company")
    )
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    total_score = models.DecimalField(_("total score"), null=True, blank=True, **SCORE)
    max_total = models.DecimalField(_("maximum total"), null=True, blank=True, **SCORE)
    percentage = models.DecimalField(_("score (%)"), null=True, blank=True, **SCORE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]
        indexes = [
            # Ratings: the latest submitted inspection of each compound.
            models.Index(fields=["compound", "-inspected_on"], name="inspection_latest", condition=Q(status="submitted")),
            # The inspection list (portal and API): newest first, a page at a time instead of a sort of them all.
            models.Index(fields=["-inspected_on", "-id"], name="inspection_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False, percentage__isnull=False), name="inspection_submitted_has_total"
            ),
            models.CheckConstraint(
                condition=Q(percentage__isnull=True) | Q(percentage__gte=0, percentage__lte=100), name="inspection_percentage_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound} {self.inspected_on}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class InspectionScore(models.Model):
    """One item's score. `max_score` is copied from the item (items are immutable once used) so the
    database itself can refuse a score above the maximum."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="scores", verbose_name=_("inspection"))
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="scores", verbose_name=_("item"))
    score = models.DecimalField(_("score"), **SCORE)
    max_score = models.DecimalField(_("maximum score"), **SCORE)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["inspection_id", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="score_one_per_item"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=F("max_score")), name="score_between_0_and_max"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.score}"


class Finding(models.Model):
    """A problem found on the visit, citing a checklist item."""

    class Severity(models.TextChoices):
        MINOR = "minor", _("minor")
        MAJOR = "major", _("major")
        SERIOUS = "serious", _("serious")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings", verbose_name=_("inspection"))
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="findings", verbose_name=_("item"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    description = models.TextField(_("description"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection_id", "id"]

    def __str__(self) -> str:
        return self.description[:40]


def finding_photo_path(instance: FindingPhoto, filename: str) -> str:
    return f"inspections/findings/{instance.finding_id}/{filename}"


class FindingPhoto(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos", verbose_name=_("finding"))
    image = models.ImageField(_("image"), upload_to=finding_photo_path)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding photo")
        verbose_name_plural = _("finding photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class RectificationListQuerySet(models.QuerySet):
    def overdue(self, on=None) -> RectificationListQuerySet:
        """Past the deadline without an accepted report (SPEC §4.2)."""
        day = on or timezone.localdate()
        return self.filter(deadline__lt=day).exclude(status=RectificationList.Status.ACCEPTED)


class RectificationList(models.Model):
    """整改清单: findings (and optionally complaints) a company must fix by a deadline.

    issued → reported (a report awaits review) → accepted (closed), or → returned → reported … until accepted.
    """

    class Status(models.TextChoices):
        ISSUED = "issued", _("awaiting report")
        REPORTED = "reported", _("report under review")
        RETURNED = "returned", _("returned for rework")
        ACCEPTED = "accepted", pgettext_lazy("inspection review", "accepted")

    number = models.CharField(_("number"), max_length=20, unique=True)
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="rectification_lists", verbose_name=_("inspection"))
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="rectification_lists", verbose_name=_("compound"))
    company = models.ForeignKey(
        PropertyCompany, on_delete=models.PROTECT, related_name="rectification_lists", verbose_name=_("property company")
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    deadline = models.DateField(_("deadline"))
    requirements = models.TextField(_("requirements"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ISSUED)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(_("overdue alert sent at"), null=True, blank=True)
    round_count = models.PositiveSmallIntegerField(_("report rounds"), default=0)

    history = HistoricalRecords(verbose_name=_("rectification list history"))
    objects = RectificationListQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification list")
        verbose_name_plural = _("rectification lists")
        ordering = ["-issued_at", "-id"]
        indexes = [
            # The deadline sweep and the overdue figures: open lists by deadline.
            models.Index(fields=["deadline"], name="rectlist_open_deadline", condition=~Q(status="accepted")),
            models.Index(fields=["company", "status"], name="rectlist_company_status"),
            # The rectification-list list (portal and API): newest first, a page at a time.
            models.Index(fields=["-issued_at", "-id"], name="rectlist_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="accepted") & Q(accepted_at__isnull=False, accepted_on__isnull=False))
                | (~Q(status="accepted") & Q(accepted_at__isnull=True, accepted_on__isnull=True)),
                name="rectlist_accepted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def is_overdue(self, on=None) -> bool:
        day = on or timezone.localdate()
        return self.status != self.Status.ACCEPTED and self.deadline < day

    @property
    def closed_on_time(self) -> bool:
        return self.accepted_on is not None and self.accepted_on <= self.deadline


class RectificationItem(models.Model):
    """One thing to fix: a finding of the inspection or an attached complaint."""

    rectification_list = models.ForeignKey(
        RectificationList, on_delete=models.CASCADE, related_name="items", verbose_name=_("rectification list")
    )
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("finding"))
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("complaint"))
    description = models.TextField(_("description"))
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["rectification_list_id", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finding__isnull=False, complaint__isnull=True) | Q(finding__isnull=True, complaint__isnull=False),
                name="rectitem_finding_or_complaint",
            ),
            models.UniqueConstraint(fields=["rectification_list", "finding"], name="rectitem_finding_once"),
            models.UniqueConstraint(fields=["rectification_list", "complaint"], name="rectitem_complaint_once"),
        ]

    def __str__(self) -> str:
        return self.description[:40]


class RectificationReport(models.Model):
    """整改报告: the company's answer, one per round; the official accepts or returns it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("awaiting review")
        ACCEPTED = "accepted", pgettext_lazy("inspection review", "accepted")
        RETURNED = "returned", _("returned")

    rectification_list = models.ForeignKey(
        RectificationList, on_delete=models.CASCADE, related_name="reports", verbose_name=_("rectification list")
    )
    round = models.PositiveSmallIntegerField(_("round"))
    summary = models.TextField(_("summary"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comments"), blank=True)

    history = HistoricalRecords(verbose_name=_("rectification report history"))

    class Meta:
        verbose_name = _("rectification report")
        verbose_name_plural = _("rectification reports")
        ordering = ["rectification_list_id", "round"]
        constraints = [
            models.UniqueConstraint(fields=["rectification_list", "round"], name="rectreport_unique_round"),
            # At most one report waits for review per list.
            models.UniqueConstraint(fields=["rectification_list"], condition=Q(decision="pending"), name="rectreport_one_pending"),
            models.CheckConstraint(condition=Q(decision="pending") | Q(reviewed_at__isnull=False), name="rectreport_reviewed_has_time"),
            models.CheckConstraint(condition=~Q(decision="returned") | ~Q(review_comment=""), name="rectreport_return_has_comment"),
        ]

    def __str__(self) -> str:
        return f"{self.rectification_list_id} #{self.round}"


class ReportAction(models.Model):
    """What the company did about one item of the list, in one report."""

    report = models.ForeignKey(RectificationReport, on_delete=models.CASCADE, related_name="actions", verbose_name=_("report"))
    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="actions", verbose_name=_("item"))
    action = models.TextField(_("action taken"))

    class Meta:
        verbose_name = _("action taken")
        verbose_name_plural = _("actions taken")
        ordering = ["report_id", "item__order"]
        constraints = [models.UniqueConstraint(fields=["report", "item"], name="reportaction_one_per_item")]

    def __str__(self) -> str:
        return self.action[:40]


def action_photo_path(instance: ActionPhoto, filename: str) -> str:
    return f"inspections/reports/{instance.action_id}/{filename}"


class ActionPhoto(models.Model):
    action = models.ForeignKey(ReportAction, on_delete=models.CASCADE, related_name="photos", verbose_name=_("action taken"))
    image = models.ImageField(_("image"), upload_to=action_photo_path)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name
