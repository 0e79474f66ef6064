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
from django.utils.translation import pgettext

from communities.models import Community, Compound, ManagementContract, PropertyCompany, RoleAssignment
from complaints.models import Category, Complaint, ComplaintEvent, ComplaintPhoto
from core import errors
from core.models import User
from core.notifications import Message, notify, notify_many
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


def _assignee_for(compound: Compound, on: dt.date | None = None) -> tuple[PropertyCompany | None, Community | None]:
    """(company, community): the managing company, or the community for a self-managed compound.

    A compound read through communities.selectors.with_current_company (today's contract) already
    carries its company's id and name: no query then.
    """
    if on is None and hasattr(compound, "cc_id"):
        if compound.cc_id is None:
            return None, compound.community
        # Only id and name are known; any other field loads on first access (Django's deferred fields).
        return PropertyCompany.from_db(compound._state.db, ["id", "name"], [compound.cc_id, compound.cc_name]), None
    contract = ManagementContract.objects.in_force(on).filter(compound=compound).select_related("company").first()
    if contract:
        return contract.company, None
    return None, compound.community


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


def _save_photos(
    complaint: Complaint, photos: Sequence[UploadedFile], extensions: Sequence[str], *, stage: str, by: User | None
) -> list[ComplaintPhoto]:
    saved = []
    for upload, ext in zip(photos, extensions, strict=True):
        upload.seek(0)
        photo = ComplaintPhoto(complaint=complaint, stage=stage, uploaded_by=by)
        photo.image.save(f"{stage}-{uuid.uuid4().hex[:12]}.{ext}", upload, save=False)
        photo.save()
        saved.append(photo)
    return saved


def _join(parts: list) -> str:
    return " ".join(str(p) for p in parts if p)


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
    handlers: Sequence[User] | None = None,
) -> Complaint:
    """File a complaint and dispatch it at once (SPEC §4.1).

    Validates everything first (description 1–2000 characters after trimming, photos through
    core.uploads.validate_images — at most 6, real JPEG/PNG/WebP), then in one transaction: writes
    the complaint (status `dispatched`, assigned to the compound's managing company or, if the
    compound is self-managed, to its community; `response_due`/`resolve_due` in working time from
    now), its report photos, a `create` and a `dispatch` event, and notifications for the reporter
    and for the handlers. `made_at` defaults to now (for a 12345 ticket pass the call time).
    `handlers`: the users to notify of the new assignment when the caller has already read them
    (the staff complaints.selectors.filing_targets read with the compound's managing company); otherwise
    handlers_of() looks them up.
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

    company, community = _assignee_for(compound)
    response_due, resolve_due = deadlines_from(now, category)
    try:
        # No savepoint: inside a caller's transaction a failure here aborts it anyway.
        with transaction.atomic(savepoint=False):
            # No number: the database derives it from made_at and the id (migration 0006) and RETURNING
            # brings it back with the id.
            complaint = Complaint.objects.create(
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
                assigned_company=company,
                assigned_community=community,
                made_at=made_at,
                dispatched_at=now,
                response_due=response_due,
                resolve_due=resolve_due,
            )
            if not complaint.number:  # a database without the trigger (not PostgreSQL)
                complaint.number = _number(made_at, complaint.pk)
                Complaint.objects.filter(pk=complaint.pk).update(number=complaint.number, updated_at=now)
            saved = _save_photos(complaint, photos, extensions, stage=ComplaintPhoto.Stage.REPORT, by=reporter or actor)
            who = actor or reporter
            events = ComplaintEvent.objects.bulk_create(
                [
                    ComplaintEvent(
                        complaint=complaint,
                        kind=Kind.CREATE,
                        actor=who,
                        to_status=Status.SUBMITTED,
                        note=str(Complaint.Channel(channel).label),
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
            messages = [_new_assignment_message(complaint, handlers)]
            if reporter is not None:
                messages.append(
                    Message(
                        users=[reporter],
                        kind="complaint.dispatched",
                        title=_("Your complaint %(number)s was received and dispatched") % {"number": complaint.number},
                        body=_assignee_label(complaint),
                        url=_url(complaint),
                    )
                )
            notify_many(messages)  # one INSERT for the handlers and the reporter
    except IntegrityError as exc:
        if hotline_ticket and "hotline_ticket" in str(exc):
            raise errors.ValidationError(_("This 12345 ticket has already been imported."), field="hotline_ticket") from None
        raise
    # The new complaint's timeline and photos are known: callers can render it without re-reading.
    complaint._prefetched_objects_cache = {"events": events, "photos": saved}
    return complaint


def _assignee_label(complaint: Complaint) -> str:
    if complaint.assigned_company_id:
        return str(complaint.assigned_company)
    if complaint.assigned_community_id:
        return str(complaint.assigned_community)
    return ""


def _notify_new_assignment(complaint: Complaint) -> None:
    notify_many([_new_assignment_message(complaint)])


def _new_assignment_message(complaint: Complaint, handlers: Sequence[User] | None = None) -> Message:
    return Message(
        users=handlers_of(complaint) if handlers is None else handlers,
        kind="complaint.assigned",
        title=_("New complaint %(number)s for %(compound)s: %(category)s")
        % {"number": complaint.number, "compound": complaint.compound, "category": complaint.category},
        body=complaint.description[:200],
        url=_url(complaint),
    )


def _notify_reporter(complaint: Complaint, kind: str, title: str, body: str = "") -> None:
    if complaint.reporter_id:
        notify(users=[complaint.reporter], kind=kind, title=title, body=body, url=_url(complaint))


# --- who may do what, and when --------------------------------------------------------------------
HANDLER_ACTIONS = ("accept", "return", "resolve", "answer")
OFFICIAL_ACTIONS = ("reject", "reassign", "extend", "supervise")
REPORTER_ACTIONS = ("confirm", "reopen")
ACTIONS = (*HANDLER_ACTIONS, *OFFICIAL_ACTIONS, *REPORTER_ACTIONS, "comment")
OPEN_STATUSES = (Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED)


def is_handler(user: User, complaint: Complaint) -> bool:
    """The assigned company's staff, or (community-assigned) an official whose area covers the compound."""
    from communities.selectors import is_official_for, roles_of

    if complaint.assigned_company_id:
        return any(r.role == Role.STAFF and r.company_id == complaint.assigned_company_id for r in roles_of(user))
    if complaint.assigned_community_id:
        return is_official_for(user, complaint.compound)
    return False


def is_supervisor(user: User, complaint: Complaint) -> bool:
    from communities.selectors import is_official_for, roles_of

    if not user.is_superuser and not any(r.role == Role.OFFICIAL for r in roles_of(user)):
        return False  # what is_official_for answers too, without building its query
    return is_official_for(user, complaint.compound)


def is_reporter(user: User, complaint: Complaint) -> bool:
    return complaint.reporter_id is not None and complaint.reporter_id == user.pk


def _role_check(action: str):
    """The role question an action asks, or None (comment: anyone who can see the complaint; the caller checked the scope)."""
    if action in HANDLER_ACTIONS:
        return is_handler
    if action in OFFICIAL_ACTIONS:
        return is_supervisor
    if action in REPORTER_ACTIONS:
        return is_reporter
    return None


def _role_ok(user: User, complaint: Complaint, action: str) -> bool:
    check = _role_check(action)
    return check is None or check(user, complaint)


def _state_error(complaint: Complaint, action: str) -> str | None:
    """Why the workflow forbids `action` now, or None if it allows it."""
    s = complaint.status
    label = Status(s).label  # lazy: translated only if a message below uses it
    if action == "accept":
        if s == Status.ACCEPTED:
            return _("This complaint has already been signed for.")
        if s != Status.DISPATCHED:
            return _("Only a dispatched complaint can be signed for; this one is %(status)s.") % {"status": label}
    elif action == "return":
        if s != Status.DISPATCHED:
            return _("Only a dispatched complaint that has not been signed for can be returned; this one is %(status)s.") % {
                "status": label
            }
    elif action == "resolve":
        if s == Status.DISPATCHED:
            return _("Sign for the complaint before resolving it.")
        if s != Status.ACCEPTED:
            return _("Only a signed-for complaint can be resolved; this one is %(status)s.") % {"status": label}
    elif action == "answer":
        if not complaint.supervised or complaint.supervision_answered:
            return _("There is no supervision notice awaiting an answer.")
    elif action in ("reject", "reassign", "supervise"):
        if s not in OPEN_STATUSES:
            return _("The complaint is %(status)s; only an open complaint can be changed this way.") % {"status": label}
    elif action == "extend":
        if s not in OPEN_STATUSES:
            return _("The complaint is %(status)s; only an open complaint's deadline can be extended.") % {"status": label}
        if complaint.extended:
            return _("The deadline has already been extended once.")
    elif action in ("confirm", "reopen"):
        if s != Status.RESOLVED:
            return _("Only a resolved complaint awaiting your confirmation can be confirmed or reopened; this one is %(status)s.") % {
                "status": label
            }
    elif action == "comment":
        if s in (Status.CLOSED, Status.REJECTED):
            return _("The complaint is %(status)s; comments are closed.") % {"status": label}
    return None


def allowed_actions(user: User, complaint: Complaint) -> list[str]:
    """The steps `user` may take on `complaint` right now (the portal shows exactly these buttons)."""
    answers: dict = {}  # each role question once, not once per action

    def role_ok(action: str) -> bool:
        check = _role_check(action)
        if check is None:
            return True
        if check not in answers:
            answers[check] = check(user, complaint)
        return answers[check]

    return [a for a in ACTIONS if role_ok(a) and _state_error(complaint, a) is None]


def _check(user: User, complaint: Complaint, action: str) -> None:
    """403 if the user's role may never do this; 409 (with the reason) if the workflow forbids it now."""
    if not _role_ok(user, complaint, action):
        messages = {
            "handler": _("Only the assigned handler (%(who)s) may do this.") % {"who": _assignee_label(complaint) or _("nobody")},
            "official": _("Only an official supervising this compound may do this."),
            "reporter": _("Only the resident who filed the complaint may do this."),
        }
        which = "handler" if action in HANDLER_ACTIONS else "official" if action in OFFICIAL_ACTIONS else "reporter"
        raise errors.PermissionDenied(messages[which])
    reason = _state_error(complaint, action)
    if reason:
        raise errors.WorkflowError(reason)


def _lock(complaint: Complaint) -> Complaint:
    """Re-read the complaint under a row lock (inside the caller's transaction)."""
    return Complaint.objects.select_for_update(of=("self",)).select_related("compound__community", "category").get(pk=complaint.pk)


def _transition(
    complaint: Complaint, *, actor: User | None, kind: str, from_status: str, to_status: str, note: str = "", **fields
) -> Complaint:
    """Move `complaint` from `from_status` to `to_status` with a conditional update; 409 if someone else moved it first."""
    now = fields.pop("now", None) or timezone.now()
    changed = Complaint.objects.filter(pk=complaint.pk, status=from_status).update(status=to_status, updated_at=now, **fields)
    if not changed:
        current = Complaint.objects.filter(pk=complaint.pk).values_list("status", flat=True).first()
        if kind == Kind.ACCEPT and current == Status.ACCEPTED:
            raise errors.WorkflowError(_("This complaint has already been signed for."))
        raise errors.WorkflowError(_("The complaint changed in the meantime (it is now %(status)s); reload it.") % {"status": current})
    for name, value in fields.items():
        setattr(complaint, name, value)
    complaint.status, complaint.updated_at = to_status, now
    ComplaintEvent.objects.create(complaint=complaint, kind=kind, actor=actor, from_status=from_status, to_status=to_status, note=note)
    return complaint


def _status_title(complaint: Complaint, verb: str) -> str:
    return _("Your complaint %(number)s: %(what)s") % {"number": complaint.number, "what": verb}


# --- handler steps --------------------------------------------------------------------------------
def complaint_accept(*, complaint: Complaint, actor: User) -> Complaint:
    """Sign for (签收) a dispatched complaint. Exactly one of two simultaneous sign-fors succeeds (the
    other gets a WorkflowError). Writes an `accept` event and notifies the reporter."""
    _check(actor, complaint, "accept")
    now = timezone.now()
    with transaction.atomic():
        complaint = _transition(
            complaint, actor=actor, kind=Kind.ACCEPT, from_status=Status.DISPATCHED, to_status=Status.ACCEPTED, accepted_at=now, now=now
        )
        _notify_reporter(
            complaint, "complaint.accepted", _status_title(complaint, _("signed for by %(who)s") % {"who": _assignee_label(complaint)})
        )
    return complaint


def complaint_return(*, complaint: Complaint, actor: User, reason: str) -> Complaint:
    """Return (退单) a dispatched complaint with a reason: back to `submitted`, unassigned, for an
    official to reassign. Notifies the compound's supervising officials and the reporter."""
    reason = _clean_text(reason, field="reason", max_length=NOTE_MAX, required=True)
    _check(actor, complaint, "return")
    with transaction.atomic():
        complaint = _transition(
            complaint,
            actor=actor,
            kind=Kind.RETURN,
            from_status=Status.DISPATCHED,
            to_status=Status.SUBMITTED,
            note=reason,
            assigned_company=None,
            assigned_community=None,
        )
        notify(
            users=supervising_officials(complaint.compound),
            kind="complaint.returned",
            title=_("Complaint %(number)s was returned and needs reassigning") % {"number": complaint.number},
            body=reason,
            url=_url(complaint),
        )
        _notify_reporter(complaint, "complaint.returned", _status_title(complaint, _("returned for reassignment")))
    return complaint


def complaint_resolve(*, complaint: Complaint, actor: User, note: str, photos: Sequence[UploadedFile] = ()) -> Complaint:
    """Resolve (办结) a signed-for complaint with a note and up to 6 photos (validated before any write).
    Now awaits the resident's confirmation; closes by itself after 7 days. Notifies the reporter."""
    note = _clean_text(note, field="note", max_length=NOTE_MAX, required=True)
    _check(actor, complaint, "resolve")
    photos = list(photos)
    extensions = validate_images(photos, max_count=MAX_PHOTOS)
    now = timezone.now()
    with transaction.atomic():
        complaint = _transition(
            complaint,
            actor=actor,
            kind=Kind.RESOLVE,
            from_status=Status.ACCEPTED,
            to_status=Status.RESOLVED,
            note=note,
            resolved_at=now,
            is_overdue=False,
            now=now,
        )
        if photos:
            _save_photos(complaint, photos, extensions, stage=ComplaintPhoto.Stage.RESOLUTION, by=actor)
        _notify_reporter(
            complaint,
            "complaint.resolved",
            _status_title(complaint, _("resolved — please confirm and rate it")),
            body=note,
        )
    return complaint


def complaint_answer_supervision(*, complaint: Complaint, actor: User, note: str) -> Complaint:
    """The handler answers a supervision notice (督办回复). Notifies the supervising officials."""
    note = _clean_text(note, field="note", max_length=NOTE_MAX, required=True)
    _check(actor, complaint, "answer")
    now = timezone.now()
    with transaction.atomic():
        if not Complaint.objects.filter(pk=complaint.pk, supervised=True, supervision_answered=False).update(
            supervision_answered=True, updated_at=now
        ):
            raise errors.WorkflowError(_("There is no supervision notice awaiting an answer."))
        complaint.supervision_answered = True
        ComplaintEvent.objects.create(complaint=complaint, kind=Kind.ANSWER, actor=actor, note=note)
        notify(
            users=supervising_officials(complaint.compound),
            kind="complaint.supervision_answered",
            title=_("Supervision of complaint %(number)s answered") % {"number": complaint.number},
            body=note,
            url=_url(complaint),
        )
    return complaint


# --- officials' steps -----------------------------------------------------------------------------
def complaint_reject(*, complaint: Complaint, actor: User, reason: str, note: str = "", duplicate_of: Complaint | None = None) -> Complaint:
    """Reject an open complaint as invalid or as a duplicate of another (terminal). Notifies the reporter."""
    if reason not in Complaint.RejectReason.values:
        raise errors.ValidationError(_("Choose invalid or duplicate."), field="reason")
    note = _clean_text(note, field="note", max_length=NOTE_MAX, required=False)
    if reason == Complaint.RejectReason.DUPLICATE:
        if duplicate_of is None:
            raise errors.ValidationError(_("Name the complaint this one duplicates."), field="duplicate_of")
        if duplicate_of.pk == complaint.pk:
            raise errors.ValidationError(_("A complaint cannot duplicate itself."), field="duplicate_of")
    else:
        duplicate_of = None
    _check(actor, complaint, "reject")
    with transaction.atomic():
        complaint = _transition(
            complaint,
            actor=actor,
            kind=Kind.REJECT,
            from_status=complaint.status,
            to_status=Status.REJECTED,
            note=_join([Complaint.RejectReason(reason).label, duplicate_of and duplicate_of.number, note]),
            reject_reason=reason,
            duplicate_of=duplicate_of,
            is_overdue=False,
            closed_at=timezone.now(),
        )
        _notify_reporter(complaint, "complaint.rejected", _status_title(complaint, pgettext("complaint status", "rejected")), body=note)
    return complaint


def complaint_reassign(*, complaint: Complaint, actor: User, company=None, community=None, note: str = "") -> Complaint:
    """Reassign an open complaint to a company or a community: dispatched again with fresh deadlines.
    Notifies the new handlers and the reporter."""
    if (company is None) == (community is None):
        raise errors.ValidationError(_("Choose either a company or a community."), field="company")
    note = _clean_text(note, field="note", max_length=NOTE_MAX, required=False)
    _check(actor, complaint, "reassign")
    now = timezone.now()
    response_due, resolve_due = deadlines_from(now, complaint.category)
    with transaction.atomic():
        complaint = _transition(
            complaint,
            actor=actor,
            kind=Kind.REASSIGN,
            from_status=complaint.status,
            to_status=Status.DISPATCHED,
            note=_join([str(company or community), note]),
            assigned_company=company,
            assigned_community=community,
            dispatched_at=now,
            accepted_at=None,
            response_due=response_due,
            resolve_due=resolve_due,
            is_overdue=False,
            extended=False,
            now=now,
        )
        _notify_new_assignment(complaint)
        _notify_reporter(
            complaint, "complaint.reassigned", _status_title(complaint, _("reassigned to %(who)s") % {"who": company or community})
        )
    return complaint


def complaint_extend(*, complaint: Complaint, actor: User, days: int, reason: str) -> Complaint:
    """Extend the resolve deadline once (延期) by 1–30 working days, with a reason. Notifies the handlers."""
    reason = _clean_text(reason, field="reason", max_length=NOTE_MAX, required=True)
    if not isinstance(days, int) or not 1 <= days <= 30:
        raise errors.ValidationError(_("Extend by 1 to 30 working days."), field="days")
    _check(actor, complaint, "extend")
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(complaint)
        reason_now = _state_error(locked, "extend")
        if reason_now:
            raise errors.WorkflowError(reason_now)
        new_due = add_working_days(max(locked.resolve_due or now, now), days)
        still_overdue = locked.status != Status.ACCEPTED and bool(locked.response_due and locked.response_due < now)
        Complaint.objects.filter(pk=locked.pk).update(extended=True, resolve_due=new_due, is_overdue=still_overdue, updated_at=now)
        complaint.extended, complaint.resolve_due, complaint.is_overdue, complaint.updated_at = True, new_due, still_overdue, now
        ComplaintEvent.objects.create(
            complaint=complaint,
            kind=Kind.EXTEND,
            actor=actor,
            note=_("%(days)d working days, now due %(due)s: %(reason)s")
            % {"days": days, "due": timezone.localtime(new_due).strftime("%Y-%m-%d %H:%M"), "reason": reason},
        )
        notify(
            users=handlers_of(complaint),
            kind="complaint.extended",
            title=_("Deadline of complaint %(number)s extended") % {"number": complaint.number},
            body=reason,
            url=_url(complaint),
        )
    return complaint


def complaint_supervise(*, complaint: Complaint, actor: User, note: str) -> Complaint:
    """Send a supervision notice (督办) that the handler must answer. Notifies the handlers."""
    note = _clean_text(note, field="note", max_length=NOTE_MAX, required=True)
    _check(actor, complaint, "supervise")
    now = timezone.now()
    with transaction.atomic():
        if not Complaint.objects.filter(pk=complaint.pk, status__in=OPEN_STATUSES).update(
            supervised=True, supervision_answered=False, updated_at=now
        ):
            raise errors.WorkflowError(_("The complaint is no longer open."))
        complaint.supervised, complaint.supervision_answered = True, False
        ComplaintEvent.objects.create(complaint=complaint, kind=Kind.SUPERVISE, actor=actor, note=note)
        notify(
            users=handlers_of(complaint),
            kind="complaint.supervised",
            title=_("Supervision notice for complaint %(number)s: please answer") % {"number": complaint.number},
            body=note,
            url=_url(complaint),
        )
    return complaint


# --- the resident's steps -------------------------------------------------------------------------
def complaint_confirm(*, complaint: Complaint, actor: User, rating: str, note: str = "") -> Complaint:
    """Confirm a resolved complaint with a rating. Satisfied or basically satisfied closes it;
    dissatisfied reopens it (重办): back to `dispatched`, reopen count +1, fresh deadlines."""
    if rating not in Complaint.Rating.values:
        raise errors.ValidationError(
            _("Rating must be one of: %(choices)s.") % {"choices": ", ".join(Complaint.Rating.values)}, field="rating"
        )
    if rating == Complaint.Rating.DISSATISFIED:
        return complaint_reopen(complaint=complaint, actor=actor, note=note)
    note = _clean_text(note, field="note", max_length=NOTE_MAX, required=False)
    _check(actor, complaint, "confirm")
    now = timezone.now()
    with transaction.atomic():
        complaint = _transition(
            complaint,
            actor=actor,
            kind=Kind.CONFIRM,
            from_status=Status.RESOLVED,
            to_status=Status.CLOSED,
            note=_join([Complaint.Rating(rating).label, note]),
            rating=rating,
            rated_at=now,
            closed_at=now,
            now=now,
        )
        notify(
            users=handlers_of(complaint),
            kind="complaint.confirmed",
            title=_("Complaint %(number)s closed: %(rating)s") % {"number": complaint.number, "rating": Complaint.Rating(rating).label},
            url=_url(complaint),
        )
    return complaint


def complaint_reopen(*, complaint: Complaint, actor: User, note: str = "") -> Complaint:
    """The resident is dissatisfied (不满意): reopen (重办) — back to `dispatched` to the same handler,
    reopen count +1, fresh deadlines. `rating` keeps the resident's latest verdict (dissatisfied) until
    they rate again; if they never do, the complaint closes by itself still rated dissatisfied.
    Notifies the handlers and the supervising officials."""
    note = _clean_text(note, field="note", max_length=NOTE_MAX, required=False)
    _check(actor, complaint, "reopen")
    now = timezone.now()
    response_due, resolve_due = deadlines_from(now, complaint.category)
    with transaction.atomic():
        count = complaint.reopen_count + 1
        complaint = _transition(
            complaint,
            actor=actor,
            kind=Kind.REOPEN,
            from_status=Status.RESOLVED,
            to_status=Status.DISPATCHED,
            note=_join([Complaint.Rating.DISSATISFIED.label, note]),
            reopen_count=count,
            rating=Complaint.Rating.DISSATISFIED,
            rated_at=now,
            dispatched_at=now,
            accepted_at=None,
            resolved_at=None,
            response_due=response_due,
            resolve_due=resolve_due,
            is_overdue=False,
            extended=False,
            now=now,
        )
        notify(
            users=[*handlers_of(complaint), *supervising_officials(complaint.compound)],
            kind="complaint.reopened",
            title=_("Complaint %(number)s reopened: the resident is dissatisfied") % {"number": complaint.number},
            body=note,
            url=_url(complaint),
        )
    return complaint


def complaint_comment(*, complaint: Complaint, actor: User, note: str) -> ComplaintEvent:
    """Add a comment to the timeline. Notifies the other side (the reporter, or the handlers)."""
    note = _clean_text(note, field="note", max_length=NOTE_MAX, required=True)
    _check(actor, complaint, "comment")
    with transaction.atomic():
        event = ComplaintEvent.objects.create(complaint=complaint, kind=Kind.COMMENT, actor=actor, note=note)
        Complaint.objects.filter(pk=complaint.pk).update(updated_at=timezone.now())
        recipients = handlers_of(complaint) if is_reporter(actor, complaint) else ([complaint.reporter] if complaint.reporter_id else [])
        notify(
            users=[u for u in recipients if u.pk != actor.pk],
            kind="complaint.comment",
            title=_("New comment on complaint %(number)s") % {"number": complaint.number},
            body=note,
            url=_url(complaint),
        )
    return event


# --- periodic steps -------------------------------------------------------------------------------
AUTO_CLOSE_AFTER = dt.timedelta(days=7)


def complaint_auto_close(*, complaint_id: int, now: dt.datetime | None = None) -> bool:
    """Close a complaint resolved more than 7 days ago and still unconfirmed, unrated. Idempotent:
    returns False if it was confirmed, reopened or closed meanwhile. Notifies the reporter."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = Complaint.objects.filter(pk=complaint_id, status=Status.RESOLVED, resolved_at__lte=now - AUTO_CLOSE_AFTER).update(
            status=Status.CLOSED, closed_at=now, updated_at=now
        )
        if not changed:
            return False
        complaint = Complaint.objects.select_related("reporter").get(pk=complaint_id)
        ComplaintEvent.objects.create(
            complaint=complaint,
            kind=Kind.CLOSE,
            from_status=Status.RESOLVED,
            to_status=Status.CLOSED,
            note=_("Not confirmed within 7 days; closed without a rating."),
        )
        _notify_reporter(complaint, "complaint.closed", _status_title(complaint, _("closed without a rating")))
    return True


def overdue_q(now: dt.datetime):
    """Open complaints past a deadline: not signed for by `response_due`, or not resolved by `resolve_due`."""
    from django.db.models import Q

    return Q(status__in=(Status.SUBMITTED, Status.DISPATCHED), response_due__lt=now) | Q(status__in=OPEN_STATUSES, resolve_due__lt=now)


def complaint_mark_overdue(*, complaint_id: int, now: dt.datetime | None = None) -> bool:
    """Flag one complaint overdue if it is and was not yet; then notify the handlers and the
    supervising officials once. Idempotent (the flag is claimed by a conditional update)."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = Complaint.objects.filter(overdue_q(now), pk=complaint_id, is_overdue=False).update(is_overdue=True, updated_at=now)
        if not changed:
            return False
        complaint = Complaint.objects.select_related("compound__community", "assigned_company", "assigned_community").get(pk=complaint_id)
        ComplaintEvent.objects.create(complaint=complaint, kind=Kind.OVERDUE, note=_("Past its deadline."))
        notify(
            users=[*handlers_of(complaint), *supervising_officials(complaint.compound)],
            kind="complaint.overdue",
            title=_("Complaint %(number)s is overdue") % {"number": complaint.number},
            body=f"{complaint.compound} · {complaint.category}",
            url=_url(complaint),
        )
    return True


def complaints_clear_overdue(*, now: dt.datetime | None = None) -> int:
    """Clear the flag on complaints no longer overdue (signed for in time after a return, or closed)."""
    now = now or timezone.now()
    return Complaint.objects.filter(is_overdue=True).exclude(overdue_q(now)).update(is_overdue=False, updated_at=now)


# --- notifications ---------------------------------------------------------------------------------
def notification_mark_read(*, user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones if `ids` is None). Returns how many."""
    from core.models import Notification

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
