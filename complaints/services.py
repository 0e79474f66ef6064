"""Every write of the complaints app (SPEC §4.1). Each service is atomic and records its events.

Each step writes an append-only `ComplaintEvent` and its notifications (core.notifications.notify)
in the same transaction as the change. State changes are conditional updates
(`filter(pk=..., status=old).update(...)` and a row count), so two staff signing for one order at
the same moment cannot both succeed. Every `.update()` sets `updated_at` explicitly: the metrics
engine finds changed months by it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Compound, ManagementContract, RoleAssignment
from complaints.models import Category, Complaint, ComplaintEvent, ComplaintPhoto
from core import errors
from core.models import User
from core.notifications import notify
from core.uploads import validate_images
from core.workdays import add_working_days, add_working_hours

DESCRIPTION_MAX = 2000
NOTE_MAX = 2000
MAX_PHOTOS = 6
# How far in the future a `made_at` may lie (clock skew of a client or the hotline platform).
MADE_AT_TOLERANCE = dt.timedelta(minutes=10)

Status = Complaint.Status
Kind = ComplaintEvent.Kind
Role = RoleAssignment.Role


# --- helpers --------------------------------------------------------------------------------------
def _clean_text(value: str, *, field: str, max_length: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise errors.ValidationError(_("This field may not be blank."), field=field)
    if len(text) > max_length:
        raise errors.ValidationError(
            _("Ensure this field has no more than %(max)d characters (it has %(n)d).") % {"max": max_length, "n": len(text)},
            field=field,
        )
    return text


def deadlines_from(start: dt.datetime, category: Category) -> tuple[dt.datetime, dt.datetime]:
    """(sign for by, resolve by) for a complaint of `category` dispatched at `start`, in working time."""
    return add_working_hours(start, category.accept_hours), add_working_days(start, category.resolve_days)


def _assignee_for(compound: Compound, on: dt.date | None = None) -> tuple[int | None, int | None]:
    """(company id, community id): the managing company, or the community for a self-managed compound."""
    company_id = ManagementContract.objects.in_force(on).filter(compound=compound).values_list("company_id", flat=True).first()
    if company_id:
        return company_id, None
    return None, compound.community_id


def company_staff(company_id: int) -> list[User]:
    return list(User.objects.filter(roles__role=Role.STAFF, roles__company_id=company_id, roles__is_active=True, is_active=True).distinct())


def community_officials(community_id: int) -> list[User]:
    return list(
        User.objects.filter(roles__role=Role.OFFICIAL, roles__community_id=community_id, roles__is_active=True, is_active=True).distinct()
    )


def supervising_officials(compound: Compound) -> list[User]:
    """Officials of the compound's community and of its town: they supervise (督办) its complaints."""
    return list(
        User.objects.filter(
            roles__role=Role.OFFICIAL,
            roles__is_active=True,
            is_active=True,
        )
        .filter(_community_or_town(compound))
        .distinct()
    )


def _community_or_town(compound: Compound):
    from django.db.models import Q

    return Q(roles__community_id=compound.community_id) | Q(roles__subdistrict_id=compound.community.subdistrict_id)


def handlers_of(complaint: Complaint) -> list[User]:
    """Who must act on the complaint now: the assigned company's staff or the assigned community's workers."""
    if complaint.assigned_company_id:
        return company_staff(complaint.assigned_company_id)
    if complaint.assigned_community_id:
        return community_officials(complaint.assigned_community_id)
    return []


def _url(complaint: Complaint) -> str:
    return f"/complaints/{complaint.pk}/"


def _save_photos(complaint: Complaint, photos: Sequence[UploadedFile], extensions: Sequence[str], *, stage: str, by: User | None) -> None:
    for upload, ext in zip(photos, extensions, strict=True):
        upload.seek(0)
        photo = ComplaintPhoto(complaint=complaint, stage=stage, uploaded_by=by)
        photo.image.save(f"{stage}-{uuid.uuid4().hex[:12]}.{ext}", upload, save=False)
        photo.save()


def _number(made_at: dt.datetime, pk: int) -> str:
    return f"TS{timezone.localtime(made_at):%Y%m%d}{pk:06d}"


# --- creation ------------------------------------------------------------------------------------
def complaint_create(
    *,
    compound: Compound,
    category: Category,
    description: str,
    channel: str = Complaint.Channel.APP,
    reporter: User | None = None,
    made_at: dt.datetime | None = None,
    location: str = "",
    is_anonymous: bool = False,
    reporter_name: str = "",
    reporter_phone: str = "",
    hotline_ticket: str | None = None,
    photos: Sequence[UploadedFile] = (),
    actor: User | None = None,
) -> Complaint:
    """File a complaint and dispatch it at once (SPEC §4.1).

    Validates everything first (description 1–2000 characters after trimming, photos through
    core.uploads.validate_images — at most 6, real JPEG/PNG/WebP), then in one transaction: writes
    the complaint (status `dispatched`, assigned to the compound's managing company or, if the
    compound is self-managed, to its community; `response_due`/`resolve_due` in working time from
    now), its report photos, a `create` and a `dispatch` event, and notifications for the reporter
    and for the handlers. `made_at` defaults to now (for a 12345 ticket pass the call time).
    Raises core.errors.ValidationError (400, with the field) or core.uploads.InvalidUpload (400/413).
    """
    now = timezone.now()
    if compound is None or not compound.is_active:
        raise errors.ValidationError(_("Unknown or inactive compound."), field="compound")
    if category is None or not category.is_active:
        raise errors.ValidationError(_("Unknown or inactive category."), field="category")
    description = _clean_text(description, field="description", max_length=DESCRIPTION_MAX, required=True)
    location = _clean_text(location, field="location", max_length=200, required=False)
    if channel not in Complaint.Channel.values:
        raise errors.ValidationError(_("Unknown channel."), field="channel")
    made_at = made_at or now
    if timezone.is_naive(made_at):
        made_at = timezone.make_aware(made_at)
    if made_at > now + MADE_AT_TOLERANCE:
        raise errors.ValidationError(_("The complaint cannot be made in the future."), field="made_at")
    if reporter is not None:
        reporter_name = reporter_name or reporter.display_name or ""
        reporter_phone = reporter_phone or reporter.phone or ""
    reporter_name = _clean_text(reporter_name, field="reporter_name", max_length=50, required=False)
    reporter_phone = _clean_text(reporter_phone, field="reporter_phone", max_length=20, required=False)
    if hotline_ticket is not None:
        hotline_ticket = _clean_text(hotline_ticket, field="hotline_ticket", max_length=40, required=True)
    photos = list(photos)
    extensions = validate_images(photos, max_count=MAX_PHOTOS)

    company_id, community_id = _assignee_for(compound)
    response_due, resolve_due = deadlines_from(now, category)
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                number=uuid.uuid4().hex[:24],  # replaced below by one derived from the id
                compound=compound,
                category=category,
                channel=channel,
                description=description,
                location=location,
                reporter=reporter,
                reporter_name=reporter_name,
                reporter_phone=reporter_phone,
                is_anonymous=is_anonymous,
                hotline_ticket=hotline_ticket,
                status=Status.DISPATCHED,
                assigned_company_id=company_id,
                assigned_community_id=community_id,
                made_at=made_at,
                dispatched_at=now,
                response_due=response_due,
                resolve_due=resolve_due,
            )
            complaint.number = _number(made_at, complaint.pk)
            Complaint.objects.filter(pk=complaint.pk).update(number=complaint.number, updated_at=now)
            if photos:
                _save_photos(complaint, photos, extensions, stage=ComplaintPhoto.Stage.REPORT, by=reporter or actor)
            who = actor or reporter
            ComplaintEvent.objects.bulk_create(
                [
                    ComplaintEvent(
                        complaint=complaint, kind=Kind.CREATE, actor=who, to_status=Status.SUBMITTED, note=complaint.get_channel_display()
                    ),
                    ComplaintEvent(
                        complaint=complaint,
                        kind=Kind.DISPATCH,
                        actor=who,
                        from_status=Status.SUBMITTED,
                        to_status=Status.DISPATCHED,
                        note=_assignee_label(complaint),
                    ),
                ]
            )
            _notify_new_assignment(complaint)
            if reporter is not None:
                notify(
                    users=[reporter],
                    kind="complaint.dispatched",
                    title=_("Your complaint %(number)s was received and dispatched") % {"number": complaint.number},
                    body=_assignee_label(complaint),
                    url=_url(complaint),
                )
    except IntegrityError as exc:
        if hotline_ticket and "hotline_ticket" in str(exc):
            raise errors.ValidationError(_("This 12345 ticket has already been imported."), field="hotline_ticket") from None
        raise
    return complaint


def _assignee_label(complaint: Complaint) -> str:
    if complaint.assigned_company_id:
        return str(complaint.assigned_company)
    if complaint.assigned_community_id:
        return str(complaint.assigned_community)
    return ""


def _notify_new_assignment(complaint: Complaint) -> None:
    notify(
        users=handlers_of(complaint),
        kind="complaint.assigned",
        title=_("New complaint %(number)s for %(compound)s: %(category)s")
        % {"number": complaint.number, "compound": complaint.compound, "category": complaint.category},
        body=complaint.description[:200],
        url=_url(complaint),
    )


def _notify_reporter(complaint: Complaint, kind: str, title: str, body: str = "") -> None:
    if complaint.reporter_id:
        notify(users=[complaint.reporter], kind=kind, title=title, body=body, url=_url(complaint))
