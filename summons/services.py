"""Every write of the summons app: recording a summons, answering a commitment, reviewing the answer.

Each service is atomic, checks scope first (out of scope → ScopeError, 404), validates all input (files
included, through core.uploads) before it writes, and moves a commitment by a conditional update checked
by row count, so two answers or two reviews racing each other cannot both pass.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import selectors as places
from communities.models import RoleAssignment
from complaints.selectors import complaints_visible_to
from core.errors import PermissionDenied, ScopeError, ValidationError, WorkflowError
from core.models import User
from core.notifications import notify
from core.uploads import validate_images
from inspections.selectors import rectification_lists_visible_to, staff_of_company
from ratings import indicators
from ratings import selectors as metrics
from summons import selectors
from summons.models import Commitment, Evidence, Summons

Status = Commitment.Status
MAX_FILES = 6
# The catalogue's figures an official may cite as the reason for a summons.
CITABLE = [
    "complaint_ratio",
    "complaints",
    "ticket_satisfaction_rate",
    "response_rate",
    "resolution_rate",
    "overdue_rate",
    "rectification_rate",
]


@dataclass(frozen=True)
class CommitmentInput:
    text: str
    deadline: date


def _url(summons: Summons) -> str:
    return reverse("summons:detail", args=[summons.pk])


def answerers(summons: Summons) -> QuerySet[User]:
    """Who answers the commitments: the company's staff, or the officials of the town summoned."""
    if summons.subject == Summons.Subject.COMPANY:
        return staff_of_company(summons.company_id)
    ids = RoleAssignment.objects.filter(role=RoleAssignment.Role.OFFICIAL, subdistrict_id=summons.subdistrict_id, is_active=True)
    return User.objects.filter(pk__in=ids.values("user_id"), is_active=True)


def cited_figures(*, summons: Summons, keys: Sequence[str], month: date) -> list[dict]:
    """The catalogue's figures of the summoned party for one month (the company's compounds under contract
    today, or the town), as text with their period, to keep with the record."""
    unknown = [k for k in keys if k not in CITABLE]
    if unknown:
        raise ValidationError(_("Unknown figure: %(key)s.") % {"key": unknown[0]}, field="figures")
    if not keys:
        return []
    span = metrics.span_of(month, month)
    if summons.subject == Summons.Subject.COMPANY:
        rows = metrics.company_series([summons.company_id], indicators.rows_from(span), month)
        whose = summons.company.name
    else:
        area = metrics.area_get("subdistrict", summons.subdistrict_id)
        rows = metrics.area_series(area, indicators.rows_from(span), month)
        whose = area.name
    figures = indicators.figures(rows, span, keys)
    return [
        {"key": k, "name": indicators.get(k).label(month=True), "text": f.text, "period": f.period, "whose": whose}
        for k, f in figures.items()
    ]


@transaction.atomic
def summons_record(
    *,
    actor: User,
    subject: str,
    held_on: date,
    reason: str,
    attendees: str,
    commitments: Sequence[CommitmentInput],
    company_id: int | None = None,
    subdistrict_id: int | None = None,
    venue: str = "",
    complaint_ids: Sequence[int] = (),
    rectification_list_ids: Sequence[int] = (),
    figure_keys: Sequence[str] = (),
    figure_month: date | None = None,
) -> Summons:
    """Record a summons held by officials of the actor's area, with its commitments. Notifies whoever
    answers them (the company's staff, or the town's officials)."""
    if not selectors.may_record(actor):
        raise PermissionDenied(_("Only officials of a town or the district record summonses."))
    if subject not in Summons.Subject.values:
        raise ValidationError(_("Choose whom the summons was for."), field="subject")
    towns = places.subdistricts_in_official_area(actor)
    subdistrict = towns.filter(pk=subdistrict_id).select_related("district").first() if subdistrict_id else None
    if subdistrict_id and subdistrict is None:
        raise ValidationError(_("Choose a town of your area."), field="subdistrict")
    districts = list(metrics.official_districts(actor))
    if subdistrict is None:
        if subject == Summons.Subject.OFFICE:
            raise ValidationError(_("Choose the town whose office was summoned."), field="subdistrict")
        if len(districts) != 1:
            # A town official's summons belongs to the town.
            raise ValidationError(_("Choose a town of your area."), field="subdistrict")
        district = districts[0]
    else:
        district = subdistrict.district
    company = None
    if subject == Summons.Subject.COMPANY:
        company = places.companies_visible_to(actor).filter(pk=company_id).first() if company_id else None
        if company is None:
            raise ValidationError(_("Choose a property company working in your area."), field="company")
    if not reason.strip():
        raise ValidationError(_("Give the reason for the summons."), field="reason")
    if not attendees.strip():
        raise ValidationError(_("Say who attended."), field="attendees")
    if held_on > timezone.localdate():
        raise ValidationError(_("A summons is recorded after it was held."), field="held_on")
    if not commitments:
        raise ValidationError(_("Record at least one commitment."), field="commitments")
    for n, c in enumerate(commitments, start=1):
        if not c.text.strip():
            raise ValidationError(_("Commitment %(n)d has no text.") % {"n": n}, field="commitments")
        if c.deadline < held_on:
            raise ValidationError(_("Commitment %(n)d is due before the summons was held.") % {"n": n}, field="commitments")
    complaint_ids, list_ids = list(dict.fromkeys(complaint_ids)), list(dict.fromkeys(rectification_list_ids))
    complaints = list(complaints_visible_to(actor).filter(pk__in=complaint_ids))
    if len(complaints) != len(complaint_ids):
        raise ValidationError(_("Cite complaints of your area only."), field="complaints")
    lists = rectification_lists_visible_to(actor).filter(pk__in=list_ids)
    if company is not None:
        lists = lists.filter(company=company)
    lists = list(lists)
    if len(lists) != len(list_ids):
        raise ValidationError(_("Cite rectification lists of the summoned company in your area only."), field="rectification_lists")
    summons = Summons(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        district=district,
        subdistrict=subdistrict,
        subject=subject,
        company=company,
        held_on=held_on,
        venue=venue.strip(),
        reason=reason.strip(),
        attendees=attendees.strip(),
        recorded_by=actor,
    )
    summons.figures = cited_figures(summons=summons, keys=list(dict.fromkeys(figure_keys)), month=figure_month or held_on.replace(day=1))
    summons.save()
    summons.number = f"YT{held_on:%Y}-{summons.pk:05d}"
    Summons.objects.filter(pk=summons.pk).update(number=summons.number)
    summons.complaints.set(complaints)
    summons.rectification_lists.set(lists)
    Commitment.objects.bulk_create(
        [Commitment(summons=summons, order=n, text=c.text.strip(), deadline=c.deadline) for n, c in enumerate(commitments, start=1)]
    )
    notify(
        users=answerers(summons),
        kind="summons.recorded",
        title=_("Summons %(number)s of %(held_on)s: %(n)d commitment(s) to answer")
        % {"number": summons.number, "held_on": held_on, "n": len(commitments)},
        body=summons.reason,
        url=_url(summons),
    )
    return summons


def _commitment_for(actor: User, commitment_id: int) -> Commitment:
    commitment = (
        selectors.commitments_visible_to(actor).select_related("summons__company", "summons__subdistrict").filter(pk=commitment_id).first()
    )
    if commitment is None:
        raise ScopeError(_("Commitment not found."))
    return commitment


@transaction.atomic
def commitment_answer(*, actor: User, commitment_id: int, answer: str, files: Sequence[UploadedFile]) -> Commitment:
    """The summoned party says what it did, with at least one file of evidence (photos or scans, checked by
    core.uploads). Allowed while the commitment waits for an answer or was returned. Notifies the recorder."""
    commitment = _commitment_for(actor, commitment_id)
    summons = commitment.summons
    if not selectors.may_answer(actor, summons):
        raise PermissionDenied(_("Only the summoned party answers its commitments."))
    if not answer.strip():
        raise ValidationError(_("Say what was done."), field="answer")
    if not files:
        raise ValidationError(_("Attach at least one file as evidence."), field="files")
    validate_images(list(files), max_count=MAX_FILES)
    now = timezone.now()
    moved = Commitment.objects.filter(pk=commitment.pk, status__in=[Status.OPEN, Status.RETURNED]).update(
        status=Status.ANSWERED, answer=answer.strip(), answered_by=actor, answered_at=now
    )
    if not moved:
        raise WorkflowError(_("This commitment is not waiting for an answer."))
    for upload in files:
        Evidence.objects.create(commitment=commitment, image=upload, uploaded_by=actor)
    notify(
        users=[summons.recorded_by],
        kind="summons.answered",
        title=_("Summons %(number)s: commitment %(n)d answered") % {"number": summons.number, "n": commitment.order},
        body=answer.strip(),
        url=_url(summons),
    )
    commitment.refresh_from_db()
    return commitment


class Decision:
    ACCEPT = "accept"
    RETURN = "return"
    choices = (ACCEPT, RETURN)


@transaction.atomic
def commitment_review(*, actor: User, commitment_id: int, decision: str, comment: str = "") -> Commitment:
    """An official accepts the answer (the commitment is done; the summons closes when all are) or returns it
    with comments. Notifies the summoned party."""
    commitment = _commitment_for(actor, commitment_id)
    summons = commitment.summons
    if not selectors.may_review(actor, summons):
        raise PermissionDenied(_("Only officials of the area review answers."))
    if decision not in Decision.choices:
        raise ValidationError(_("Choose accept or return."), field="decision")
    if decision == Decision.RETURN and not comment.strip():
        raise ValidationError(_("Say why the answer is returned."), field="comment")
    now = timezone.now()
    done = decision == Decision.ACCEPT
    moved = Commitment.objects.filter(pk=commitment.pk, status=Status.ANSWERED).update(
        status=Status.DONE if done else Status.RETURNED,
        reviewed_by=actor,
        reviewed_at=now,
        review_comment=comment.strip(),
        done_on=timezone.localdate(now) if done else None,
    )
    if not moved:
        raise WorkflowError(_("No answer is waiting for review on this commitment."))
    if done and not summons.commitments.exclude(status=Status.DONE).exists():
        Summons.objects.filter(pk=summons.pk, status=Summons.Status.OPEN).update(status=Summons.Status.CLOSED, closed_at=now)
    title = (
        _("Summons %(number)s: commitment %(n)d accepted as done")
        if done
        else _("Summons %(number)s: the answer to commitment %(n)d was returned")
    ) % {"number": summons.number, "n": commitment.order}
    notify(users=answerers(summons), kind=f"summons.{decision}", title=title, body=comment.strip(), url=_url(summons))
    commitment.refresh_from_db()
    return commitment
