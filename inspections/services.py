"""Every write of the inspections app: checklists, inspections, rectification lists and reports.

Each service is atomic, checks scope first (out of scope → ScopeError, 404) and validates all input,
photos included, before it writes anything. Transitions lock the row (select_for_update) and save it,
so django-simple-history records who changed what.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Compound, ManagementContract
from communities.selectors import compounds_visible_to
from complaints.models import Complaint
from core.errors import PermissionDenied, ScopeError, ValidationError, WorkflowError
from core.models import User
from core.notifications import notify
from core.uploads import validate_images
from inspections import selectors
from inspections.models import (
    ActionPhoto,
    ChecklistArea,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    FindingPhoto,
    Inspection,
    InspectionScore,
    RectificationItem,
    RectificationList,
    RectificationReport,
    ReportAction,
)

Status = RectificationList.Status
MAX_PHOTOS = 6


def _reminder_days() -> int:
    return int(getattr(settings, "INSPECTIONS_REMINDER_DAYS", 3))


# --- Checklists ---------------------------------------------------------------------------------


@transaction.atomic
def checklist_template_new_version(*, template_id: int) -> ChecklistTemplate:
    """Copy a checklist into the next version and make that the current one. Old inspections keep
    the version they were scored on; new inspections use the copy, which may be edited until used."""
    source = ChecklistTemplate.objects.select_for_update().get(pk=template_id)
    latest = ChecklistTemplate.objects.filter(name=source.name).order_by("-version").first()
    ChecklistTemplate.objects.filter(name=source.name, is_current=True).update(is_current=False)
    copy = ChecklistTemplate.objects.create(name=source.name, version=latest.version + 1, is_current=True, source=source.source)
    for area in source.areas.order_by("order"):
        new_area = ChecklistArea.objects.create(template=copy, code=area.code, name=area.name, order=area.order)
        ChecklistItem.objects.bulk_create(
            ChecklistItem(template=copy, area=new_area, code=i.code, description=i.description, max_score=i.max_score, order=i.order)
            for i in area.items.order_by("order")
        )
    return copy


@transaction.atomic
def checklist_item_update(*, item_id: int, description: str | None = None, max_score: Decimal | None = None) -> ChecklistItem:
    """Edit an item of a version no inspection has used yet; a used version is immutable (409)."""
    item = ChecklistItem.objects.select_for_update().select_related("template").get(pk=item_id)
    if item.template.is_used:
        raise WorkflowError(_("This checklist version has been used by an inspection; publish a new version to change it."))
    if description is not None:
        item.description = description
    if max_score is not None:
        if max_score <= 0:
            raise ValidationError(_("The maximum score must be positive."), field="max_score")
        item.max_score = max_score
    item.save()
    return item


# --- Inspections ------------------------------------------------------------------------------


def _official_compound(actor: User, compound_id: int) -> Compound:
    compound = compounds_visible_to(actor, roles=["official"]).filter(pk=compound_id).first()
    if compound is None:
        raise ScopeError(_("Compound not found."))
    return compound


def _draft_for_update(actor: User, inspection_id: int) -> Inspection:
    inspection = selectors.inspections_visible_to(actor).select_for_update().filter(pk=inspection_id).first()
    if inspection is None:
        raise ScopeError(_("Inspection not found."))
    if inspection.status != Inspection.Status.DRAFT:
        raise WorkflowError(_("This inspection has been submitted and is read-only."))
    return inspection


def _inspector_users(ids: Iterable[int]) -> list[User]:
    ids = list(dict.fromkeys(ids))
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(users) != len(ids):
        raise ValidationError(_("Unknown inspector."), field="inspectors")
    return users


@transaction.atomic
def inspection_create(
    *,
    actor: User,
    compound_id: int,
    inspected_on: date,
    inspector_ids: Sequence[int] = (),
    summary: str = "",
    template_id: int | None = None,
) -> Inspection:
    """Start a draft inspection of a compound in the official's area on a checklist version
    (the current one by default). The actor is an inspector unless others are named."""
    compound = _official_compound(actor, compound_id)
    if inspected_on > timezone.localdate():
        raise ValidationError(_("The inspection date cannot be in the future."), field="inspected_on")
    if template_id is None:
        template = selectors.current_template()
        if template is None:
            raise WorkflowError(_("No checklist is current."))
    else:
        template = ChecklistTemplate.objects.filter(pk=template_id).first()
        if template is None:
            raise ValidationError(_("Unknown checklist."), field="template")
    inspectors = _inspector_users(inspector_ids) if inspector_ids else [actor]
    contract = ManagementContract.objects.in_force(inspected_on).filter(compound=compound).first()
    inspection = Inspection.objects.create(
        compound=compound,
        template=template,
        inspected_on=inspected_on,
        recorded_by=actor,
        summary=summary,
        company_id=contract.company_id if contract else None,
    )
    inspection.inspectors.set(inspectors)
    return inspection


@transaction.atomic
def inspection_update(
    *,
    actor: User,
    inspection_id: int,
    inspected_on: date | None = None,
    inspector_ids: Sequence[int] | None = None,
    summary: str | None = None,
) -> Inspection:
    inspection = _draft_for_update(actor, inspection_id)
    if inspected_on is not None:
        if inspected_on > timezone.localdate():
            raise ValidationError(_("The inspection date cannot be in the future."), field="inspected_on")
        inspection.inspected_on = inspected_on
    if summary is not None:
        inspection.summary = summary
    inspection.save()
    if inspector_ids is not None:
        inspection.inspectors.set(_inspector_users(inspector_ids))
    return inspection


@dataclass
class ScoreInput:
    item_id: int
    score: Decimal
    note: str = ""


@transaction.atomic
def inspection_scores_set(*, actor: User, inspection_id: int, scores: Sequence[ScoreInput]) -> Inspection:
    """Record (or overwrite) item scores of a draft in one go. Every score is checked against its
    item's maximum before anything is written; a bad one is a 400 naming the item."""
    inspection = _draft_for_update(actor, inspection_id)
    items = {i.pk: i for i in inspection.template.items.all()}
    rows = []
    seen: set[int] = set()
    for entry in scores:
        item = items.get(entry.item_id)
        if item is None:
            raise ValidationError(_("Item %(id)s is not on this inspection's checklist.") % {"id": entry.item_id}, field="scores")
        if entry.item_id in seen:
            raise ValidationError(_("Item %(code)s is scored twice.") % {"code": item.code}, field="scores")
        seen.add(entry.item_id)
        try:
            score = Decimal(entry.score)
        except (InvalidOperation, TypeError, ValueError):
            raise ValidationError(_("Item %(code)s: the score is not a number.") % {"code": item.code}, field="scores") from None
        if score < 0:
            raise ValidationError(_("Item %(code)s: the score cannot be negative.") % {"code": item.code}, field="scores")
        if score > item.max_score:
            raise ValidationError(
                _("Item %(code)s: the score %(score)s is above the maximum %(max)s.")
                % {"code": item.code, "score": score, "max": item.max_score},
                field="scores",
            )
        if score.as_tuple().exponent < -2:
            raise ValidationError(_("Item %(code)s: at most two decimals.") % {"code": item.code}, field="scores")
        rows.append(InspectionScore(inspection=inspection, item=item, score=score, max_score=item.max_score, note=entry.note[:300]))
    InspectionScore.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["inspection", "item"], update_fields=["score", "max_score", "note"]
    )
    return inspection


@transaction.atomic
def finding_add(
    *,
    actor: User,
    inspection_id: int,
    item_id: int,
    description: str,
    severity: str = Finding.Severity.MINOR,
    location: str = "",
    photos: Sequence[UploadedFile] = (),
) -> Finding:
    """Add a finding (citing an item of the inspection's checklist) with photos to a draft."""
    inspection = _draft_for_update(actor, inspection_id)
    item = inspection.template.items.filter(pk=item_id).first()
    if item is None:
        raise ValidationError(_("This item is not on the inspection's checklist."), field="item")
    if not description.strip():
        raise ValidationError(_("Describe the finding."), field="description")
    if severity not in Finding.Severity.values:
        raise ValidationError(_("Unknown severity."), field="severity")
    validate_images(list(photos), max_count=MAX_PHOTOS)
    finding = Finding.objects.create(
        inspection=inspection, item=item, severity=severity, description=description.strip(), location=location, created_by=actor
    )
    for photo in photos:
        FindingPhoto.objects.create(finding=finding, image=photo)
    return finding


@transaction.atomic
def inspection_submit(*, actor: User, inspection_id: int) -> Inspection:
    """Close the draft: every item must be scored; the total and percentage are computed in SQL and
    stored. From now on the inspection is read-only."""
    inspection = _draft_for_update(actor, inspection_id)
    item_count = inspection.template.items.count()
    scored = inspection.scores.aggregate(n=Count("id"), total=Sum("score"))
    missing = item_count - (scored["n"] or 0)
    if missing:
        raise WorkflowError(_("%(n)d items are not scored yet.") % {"n": missing})
    max_total = inspection.template.items.aggregate(t=Sum("max_score"))["t"]
    total = scored["total"] or Decimal(0)
    inspection.total_score = total
    inspection.max_total = max_total
    inspection.percentage = selectors.percent_decimal(total, max_total)
    inspection.status = Inspection.Status.SUBMITTED
    inspection.submitted_at = timezone.now()
    inspection.save()
    return inspection


# --- Rectification lists -----------------------------------------------------------------------------


def _list_url(rect: RectificationList) -> str:
    return reverse("inspections:list_detail", args=[rect.pk])


@transaction.atomic
def rectification_list_issue(
    *,
    actor: User,
    inspection_id: int,
    finding_ids: Sequence[int],
    deadline: date,
    complaint_ids: Sequence[int] = (),
    requirements: str = "",
) -> RectificationList:
    """Issue 整改清单 from chosen findings of a submitted inspection (and optionally complaints about the
    same compound) to the company managing the compound today. Notifies the company's staff."""
    inspection = selectors.inspections_visible_to(actor).select_related("compound").filter(pk=inspection_id).first()
    if inspection is None:
        raise ScopeError(_("Inspection not found."))
    if inspection.status != Inspection.Status.SUBMITTED:
        raise WorkflowError(_("Submit the inspection before issuing a rectification list."))
    if deadline < timezone.localdate():
        raise ValidationError(_("The deadline cannot be in the past."), field="deadline")
    finding_ids = list(dict.fromkeys(finding_ids))
    complaint_ids = list(dict.fromkeys(complaint_ids))
    findings = list(inspection.findings.filter(pk__in=finding_ids).select_related("item").order_by("id"))
    if len(findings) != len(finding_ids):
        raise ValidationError(_("Choose findings of this inspection."), field="findings")
    complaints = list(Complaint.objects.filter(pk__in=complaint_ids, compound=inspection.compound).order_by("made_at", "id"))
    if len(complaints) != len(complaint_ids):
        raise ValidationError(_("Attach complaints about the same compound only."), field="complaints")
    if not findings and not complaints:
        raise ValidationError(_("Choose at least one finding."), field="findings")
    contract = ManagementContract.objects.in_force().filter(compound=inspection.compound).select_related("company").first()
    if contract is None:
        raise WorkflowError(_("The compound is self-managed: there is no property company to issue the list to."))
    rect = RectificationList(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        inspection=inspection,
        compound=inspection.compound,
        company=contract.company,
        issued_by=actor,
        deadline=deadline,
        requirements=requirements,
    )
    # The number carries the id, known only after the insert: write the history row once, complete.
    rect.skip_history_when_saving = True
    rect.save()
    rect.number = f"ZG{timezone.localdate():%Y}-{rect.pk:05d}"
    RectificationList.objects.filter(pk=rect.pk).update(number=rect.number)
    del rect.skip_history_when_saving
    RectificationList.history.bulk_history_create([rect], default_user=actor)
    items = [
        RectificationItem(
            rectification_list=rect,
            finding=f,
            description=f"[{f.item.code}] {f.description}" + (f"（{f.location}）" if f.location else ""),
            order=n,
        )
        for n, f in enumerate(findings, start=1)
    ]
    items += [
        RectificationItem(rectification_list=rect, complaint=c, description=f"[{c.number}] {c.description}", order=len(findings) + n)
        for n, c in enumerate(complaints, start=1)
    ]
    RectificationItem.objects.bulk_create(items)
    notify(
        users=selectors.staff_of_company(contract.company),
        kind="rectification.issued",
        title=_("Rectification list %(number)s for %(compound)s, due %(deadline)s")
        % {"number": rect.number, "compound": rect.compound.name, "deadline": deadline},
        body=requirements,
        url=_list_url(rect),
    )
    return rect


@dataclass
class ActionInput:
    item_id: int
    action: str
    photos: list[UploadedFile] = field(default_factory=list)


@transaction.atomic
def rectification_report_file(*, actor: User, list_id: int, actions: Sequence[ActionInput], summary: str = "") -> RectificationReport:
    """The company files its report: for every item of the list, what was done, with at least one photo.

    Only staff of the company the list was issued to may file (another company's list is a 404).
    Refused with 409 while a report waits for review or after acceptance. Notifies the officials."""
    rect = selectors.rectification_lists_visible_to(actor).select_for_update().filter(pk=list_id).first()
    if rect is None:
        raise ScopeError(_("Rectification list not found."))
    if not selectors.may_report(actor, rect):
        raise PermissionDenied(_("Only the property company the list was issued to files its report."))
    if rect.status == Status.ACCEPTED:
        raise WorkflowError(_("This list has been accepted and is closed."))
    if rect.status == Status.REPORTED:
        raise WorkflowError(_("A report is already waiting for review."))
    items = {i.pk: i for i in rect.items.all()}
    by_item: dict[int, ActionInput] = {}
    for entry in actions:
        if entry.item_id not in items:
            raise ValidationError(_("Item %(id)s is not on this list.") % {"id": entry.item_id}, field="actions")
        by_item[entry.item_id] = entry
    for item in items.values():
        entry = by_item.get(item.pk)
        if entry is None or not entry.action.strip():
            raise ValidationError(_("Say what was done for item %(n)d.") % {"n": item.order}, field="actions")
    for item in items.values():
        if not by_item[item.pk].photos:
            # Evidence is the point of the report (整改前后对比照片): every item needs a photo.
            raise ValidationError(_("Attach at least one photo for item %(n)d.") % {"n": item.order}, field="photos")
    for entry in by_item.values():
        validate_images(entry.photos, max_count=MAX_PHOTOS)
    report = RectificationReport(rectification_list=rect, round=rect.round_count + 1, summary=summary, submitted_by=actor)
    report._history_user = actor
    report.save()
    for item_id, entry in by_item.items():
        done = ReportAction.objects.create(report=report, item=items[item_id], action=entry.action.strip())
        for photo in entry.photos:
            ActionPhoto.objects.create(action=done, image=photo)
    rect.status = Status.REPORTED
    rect.round_count = report.round
    rect._history_user = actor
    rect.save()
    notify(
        users=[rect.issued_by, *selectors.officials_for_compound(rect.compound)],
        kind="rectification.reported",
        title=_("Rectification report for %(number)s (%(compound)s) awaits review")
        % {"number": rect.number, "compound": rect.compound.name},
        body=summary,
        url=_list_url(rect),
    )
    return report


class Decision:
    ACCEPT = "accept"
    RETURN = "return"
    choices = (ACCEPT, RETURN)


@transaction.atomic
def rectification_report_review(*, actor: User, list_id: int, decision: str, comment: str = "") -> RectificationReport:
    """An official of the area accepts the pending report (the list closes) or returns it with
    comments (the company reports again). Notifies the company's staff."""
    rect = selectors.rectification_lists_visible_to(actor).select_for_update().filter(pk=list_id).first()
    if rect is None:
        raise ScopeError(_("Rectification list not found."))
    if not selectors.may_review(actor, rect):
        raise PermissionDenied(_("Only officials of the area review rectification reports."))
    if decision not in Decision.choices:
        raise ValidationError(_("Choose accept or return."), field="decision")
    if decision == Decision.RETURN and not comment.strip():
        raise ValidationError(_("Say why the report is returned."), field="comment")
    if rect.status != Status.REPORTED:
        raise WorkflowError(_("No report is waiting for review on this list."))
    report = rect.reports.select_for_update().get(decision=RectificationReport.Decision.PENDING)
    now = timezone.now()
    report.reviewed_by, report.reviewed_at, report.review_comment = actor, now, comment.strip()
    if decision == Decision.ACCEPT:
        report.decision = RectificationReport.Decision.ACCEPTED
        rect.status, rect.accepted_at, rect.accepted_on = Status.ACCEPTED, now, timezone.localdate(now)
        title = _("Rectification list %(number)s accepted") % {"number": rect.number}
    else:
        report.decision = RectificationReport.Decision.RETURNED
        rect.status = Status.RETURNED
        title = _("Rectification report for %(number)s returned: please rework") % {"number": rect.number}
    report._history_user = actor
    report.save()
    rect._history_user = actor
    rect.save()
    notify(
        users=selectors.staff_of_company(rect.company_id), kind=f"rectification.{decision}", title=title, body=comment, url=_list_url(rect)
    )
    return report


# --- Deadlines ------------------------------------------------------------------------------------


def rectification_deadlines_sweep(*, today: date | None = None) -> dict[str, int]:
    """Remind the company N days before the deadline (lists waiting for its report) and alert the
    officials once a list is past its deadline without an accepted report. Each at most once per list:
    the timestamp is claimed with a conditional update before the notification is written, so a
    retried or duplicated run sends nothing twice."""
    today = today or timezone.localdate()
    sent = {"reminders": 0, "overdue_alerts": 0}
    waiting = RectificationList.objects.filter(status__in=[Status.ISSUED, Status.RETURNED], reminder_sent_at__isnull=True)
    due_soon = waiting.filter(deadline__gte=today, deadline__lte=today + timedelta(days=_reminder_days()))
    for pk in due_soon.values_list("pk", flat=True):
        with transaction.atomic():
            if not RectificationList.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=timezone.now()):
                continue
            rect = RectificationList.objects.select_related("compound").get(pk=pk)
            notify(
                users=selectors.staff_of_company(rect.company_id),
                kind="rectification.reminder",
                title=_("Reminder: rectification list %(number)s (%(compound)s) is due on %(deadline)s")
                % {"number": rect.number, "compound": rect.compound.name, "deadline": rect.deadline},
                url=_list_url(rect),
            )
            sent["reminders"] += 1
    overdue = RectificationList.objects.overdue(today).filter(overdue_alerted_at__isnull=True)
    for pk in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            if not RectificationList.objects.filter(pk=pk, overdue_alerted_at__isnull=True).update(overdue_alerted_at=timezone.now()):
                continue
            rect = RectificationList.objects.select_related("compound__community__subdistrict", "company").get(pk=pk)
            notify(
                users=[rect.issued_by, *selectors.officials_for_compound(rect.compound)],
                kind="rectification.overdue",
                title=_("Rectification list %(number)s (%(compound)s, %(company)s) is overdue")
                % {"number": rect.number, "compound": rect.compound.name, "company": rect.company.name},
                url=_list_url(rect),
            )
            sent["overdue_alerts"] += 1
    return sent
