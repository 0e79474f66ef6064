"""Every write of the complaints app (SPEC §4.1). Each service is atomic and records its events.

Each step writes an append-only `ComplaintEvent` and its notifications (core.notifications.notify)
in the same transaction as the change. State changes are conditional updates
(`filter(pk=..., status=old).update(...)` and a row count), so two staff signing for one order at
the same moment cannot both succeed. Every `.update()` sets `updated_at` explicitly: the metrics
engine finds changed months by it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from communities.models import Community, Compound, ManagementContract, PropertyCompany, RoleAssignment
from complaints.models import Category, Complaint, ComplaintEvent, ComplaintPhoto, ComplaintSupporter, IdempotencyKey
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


@dataclass(frozen=True)
class FilingContext:
    """What a caller already read with the compound it files about (complaints.selectors.filing_targets):
    the company managing it today (None: self-managed) and that company's active staff, to notify.
    complaint_create then reads neither again."""

    company: PropertyCompany | None
    staff: Sequence[User] = ()


def _assignee_for(
    compound: Compound, on: dt.date | None = None, *, context: FilingContext | None = None
) -> tuple[PropertyCompany | None, Community | None]:
    """(company, community): the managing company, or the community for a self-managed compound."""
    if context is not None and on is None:
        return (context.company, None) if context.company is not None else (None, compound.community)
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
@dataclass(frozen=True)
class Timeline:
    """The events and photos a new complaint was created with: its detail renders from them without re-reading."""

    events: Sequence[ComplaintEvent]
    photos: Sequence[ComplaintPhoto]


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
    context: FilingContext | None = None,
    then: Callable[[Complaint, Timeline], None] | None = None,
) -> Complaint:
    """File a complaint and dispatch it at once (SPEC §4.1).

    Validates everything first (description 1–2000 characters after trimming, photos through
    core.uploads.validate_images — at most 6, real JPEG/PNG/WebP), then in one transaction: writes
    the complaint (status `dispatched`, assigned to the compound's managing company or, if the
    compound is self-managed, to its community; `response_due`/`resolve_due` in working time from
    now), its report photos, a `create` and a `dispatch` event, and notifications for the reporter
    and for the handlers. `made_at` defaults to now (for a 12345 ticket pass the call time).
    `context`: the managing company and its staff when the caller has already read them
    (complaints.selectors.filing_targets); otherwise they are looked up. `then(complaint, timeline)`
    runs last inside the transaction with the events and photos just written (complaint_file renders
    and stores its response there, without re-reading them).
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

    company, community = _assignee_for(compound, context=context)
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
            # The context's staff are the managing company's: a self-managed compound's community finds its own.
            handlers = list(context.staff) if context is not None and complaint.assigned_company_id else None
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
            if then is not None:
                then(complaint, Timeline(events=events, photos=saved))
    except IntegrityError as exc:
        if hotline_ticket and "hotline_ticket" in str(exc):
            raise errors.ValidationError(_("This 12345 ticket has already been imported."), field="hotline_ticket") from None
        raise
    return complaint


# --- filing (API and portal) -----------------------------------------------------------------------
@dataclass
class Filing:
    """The outcome of complaint_file: the new complaint and the response stored with its key, or a replay."""

    complaint: Complaint | None
    response: dict | None
    status: int = 201
    replayed: bool = False


def may_file_walk_ins(user: User) -> bool:
    """Walk-in complaints are recorded by officials (community workers) and superusers: one rule for API and portal."""
    from communities.selectors import has_role

    return bool(user.is_superuser or has_role(user, Role.OFFICIAL))


def complaint_filing_replay(*, actor: User, key: str, fingerprint: str) -> Filing | None:
    """The stored response of an earlier filing with this Idempotency-Key, if any; 409 when the body differs."""
    if not key:
        return None
    stored = IdempotencyKey.objects.filter(user=actor, key=key).first()
    if stored is None:
        return None
    if stored.fingerprint != fingerprint:
        raise errors.WorkflowError(_("This Idempotency-Key was already used for a different request."))
    return Filing(complaint=None, response=stored.response_body, status=stored.response_status, replayed=True)


def complaint_file(
    *,
    actor: User,
    channel: str = Complaint.Channel.APP,
    context: FilingContext | None = None,
    idempotency_key: str = "",
    fingerprint: str = "",
    render: Callable[[Complaint, Timeline], dict] | None = None,
    **fields,
) -> Filing:
    """A resident (or, for a walk-in, an official) files a complaint through the API or the portal.

    Decides who may file for whom: a walk-in (`channel="walkin"`) only by an official or a superuser,
    with no reporter account (the person is named in `reporter_name`/`reporter_phone`); anything
    else is filed by `actor` as the reporter. `context` (the managing company and its staff, read with
    the compound) spares complaint_create those reads; for a self-managed compound the community's
    workers are notified. Writes, in one transaction, the complaint (complaint_create) and
    with `idempotency_key` the `IdempotencyKey` row holding `render(complaint, timeline)` (the new
    complaint's events and photos, so the response needs no re-read); a concurrent retry
    that committed the same key first is answered with its response. Raises ValidationError (400)
    for a walk-in by anyone else, WorkflowError (409) for a reused key with a different body.
    """
    if channel == Complaint.Channel.WALKIN and not may_file_walk_ins(actor):
        raise errors.ValidationError(_("Walk-in complaints are recorded by community workers."), field="channel")
    reporter = None if channel == Complaint.Channel.WALKIN else actor
    rendered: dict = {}

    def then(complaint: Complaint, timeline: Timeline) -> None:
        rendered["body"] = body = render(complaint, timeline) if render is not None else None
        if idempotency_key:
            IdempotencyKey.objects.create(
                user=actor,
                key=idempotency_key,
                fingerprint=fingerprint,
                complaint=complaint,
                response_status=201,
                response_body=json.loads(json.dumps(body, default=str)),
            )

    try:
        with transaction.atomic():
            complaint = complaint_create(**fields, channel=channel, reporter=reporter, actor=actor, context=context, then=then)
    except IntegrityError:
        # A concurrent retry with the same key committed first: ours rolled back; answer with its response.
        replay = complaint_filing_replay(actor=actor, key=idempotency_key, fingerprint=fingerprint)
        if replay is None:
            raise
        return replay
    return Filing(complaint=complaint, response=rendered["body"])


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


def supporters_of(complaint: Complaint) -> list[User]:
    """The residents who joined the complaint (我也遇到) with their accounts; walk-in supporters have none."""
    return list(User.objects.filter(complaint_supports__complaint=complaint, is_active=True).distinct())


def _supporter_message(complaint: Complaint, kind: str, what: str, body: str = "") -> Message:
    # No link: the complaint's page is the reporter's and the handlers'; a supporter follows it through
    # GET /api/v1/complaints/supported/, which shows it without anyone's personal data.
    return Message(
        users=supporters_of(complaint),
        kind=kind,
        title=_("A complaint you joined, %(number)s: %(what)s") % {"number": complaint.number, "what": what},
        body=body,
    )


def _notify_followers(complaint: Complaint, kind: str, what: str, body: str = "", *, supporters_what: str = "") -> None:
    """Tell the reporter and the supporters (我也遇到) what happened to the complaint, in one INSERT
    (`supporters_what` where the supporters' wording differs: only the reporter rates a resolution)."""
    messages = [_supporter_message(complaint, kind, supporters_what or what, body)]
    if complaint.reporter_id:
        title = _status_title(complaint, what)
        messages.append(Message(users=[complaint.reporter], kind=kind, title=title, body=body, url=_url(complaint)))
    notify_many(messages)


# --- who may do what, and when --------------------------------------------------------------------
HANDLER_ACTIONS = ("accept", "return", "resolve", "answer")
OFFICIAL_ACTIONS = ("reject", "reassign", "extend", "supervise")
REPORTER_ACTIONS = ("confirm", "reopen")
ACTIONS = (*HANDLER_ACTIONS, *OFFICIAL_ACTIONS, *REPORTER_ACTIONS, "comment")
OPEN_STATUSES = Complaint.AWAITING_RESOLUTION


def is_handler(user: User, complaint: Complaint) -> bool:
    """The assigned company's staff, or (community-assigned) an official whose area covers the compound."""
    from communities.selectors import company_ids_of, is_official_for

    if complaint.assigned_company_id:
        return complaint.assigned_company_id in company_ids_of(user)
    if complaint.assigned_community_id:
        return is_official_for(user, complaint.compound)
    return False


def is_supervisor(user: User, complaint: Complaint) -> bool:
    from communities.selectors import has_role, is_official_for

    if not user.is_superuser and not has_role(user, Role.OFFICIAL):
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
        _notify_followers(complaint, "complaint.accepted", (_("signed for by %(who)s") % {"who": _assignee_label(complaint)}))
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
        _notify_followers(complaint, "complaint.returned", (_("returned for reassignment")))
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
        _notify_followers(
            complaint,
            "complaint.resolved",
            _("resolved — please confirm and rate it"),
            body=note,
            supporters_what=pgettext("complaint status", "resolved"),
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
        _notify_followers(complaint, "complaint.rejected", (pgettext("complaint status", "rejected")), body=note)
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
        _notify_followers(complaint, "complaint.reassigned", (_("reassigned to %(who)s") % {"who": company or community}))
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
        still_overdue = bool(
            Complaint.deadlines_missed(status=locked.status, response_due=locked.response_due, resolve_due=new_due, now=now)
        )
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
        rated = Complaint.Rating(rating).label
        notify_many(
            [
                Message(
                    users=handlers_of(complaint),
                    kind="complaint.confirmed",
                    title=_("Complaint %(number)s closed: %(rating)s") % {"number": complaint.number, "rating": rated},
                    url=_url(complaint),
                ),
                _supporter_message(complaint, "complaint.confirmed", _("closed, rated %(rating)s") % {"rating": rated}),
            ]
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
        notify_many(
            [
                Message(
                    users=[*handlers_of(complaint), *supervising_officials(complaint.compound)],
                    kind="complaint.reopened",
                    title=_("Complaint %(number)s reopened: the resident is dissatisfied") % {"number": complaint.number},
                    body=note,
                    url=_url(complaint),
                ),
                _supporter_message(complaint, "complaint.reopened", _("reopened: the reporter is dissatisfied")),
            ]
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


# --- 我也遇到: joining an open complaint instead of filing anew -------------------------------------
def _may_join(complaint: Complaint, *, by_user: User | None) -> None:
    """409 unless the complaint is open and (for a resident) not their own."""
    if complaint.status not in OPEN_STATUSES:
        raise errors.WorkflowError(
            _("The complaint is %(status)s; only an open complaint can be joined.") % {"status": Status(complaint.status).label}
        )
    if by_user is not None and complaint.reporter_id == by_user.pk:
        raise errors.WorkflowError(_("You filed this complaint yourself; you follow it already."))


def _add_supporter(complaint: Complaint, supporter: ComplaintSupporter, existing) -> tuple[ComplaintSupporter, bool]:
    """Insert the supporter and count it on the complaint, under the complaint's row lock; an earlier
    or concurrent join of the same person (the unique constraints) returns theirs, unchanged."""
    with transaction.atomic():
        locked = _lock(complaint)
        _may_join(locked, by_user=supporter.user)
        found = existing.first()
        if found is not None:
            return found, False
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
                supporter.save()
        except IntegrityError:
            found = existing.first()
            if found is None:
                raise
            return found, False
        now = timezone.now()
        Complaint.objects.filter(pk=complaint.pk).update(supporter_count=F("supporter_count") + 1, updated_at=now)
        complaint.supporter_count = locked.supporter_count + 1
    return supporter, True


def complaint_support(*, complaint: Complaint, actor: User) -> tuple[ComplaintSupporter, bool]:
    """A resident joins an open complaint of a compound they own a unit in (我也遇到) instead of filing
    the same problem anew. Returns (the supporter row, whether it was new): joining twice is harmless.

    The resident is then notified at each later step like the reporter; no complaint is created, so
    the metrics are untouched (`supporter_count` is shown beside them). Raises ScopeError (404) for a
    complaint outside the resident's compounds, WorkflowError (409) for a closed, resolved or rejected
    complaint or the resident's own.
    """
    from complaints.selectors import complaints_joinable_by

    if not complaints_joinable_by(actor, roles=[Role.RESIDENT]).filter(pk=complaint.pk).exists():
        raise errors.ScopeError("Not found.")
    existing = ComplaintSupporter.objects.filter(complaint=complaint, user=actor)
    return _add_supporter(
        complaint, ComplaintSupporter(complaint=complaint, user=actor, channel=ComplaintSupporter.Channel.APP, recorded_by=actor), existing
    )


def complaint_support_walk_in(*, complaint: Complaint, actor: User, name: str = "", phone: str = "") -> tuple[ComplaintSupporter, bool]:
    """A community worker records a walk-in visitor (no account) as a supporter of an open complaint of
    their area instead of a new walk-in complaint; once per phone number when one is given. The visitor
    is not notified (no account): the worker gives them the complaint's number. Raises ScopeError (404)
    outside the worker's area, WorkflowError (409) for a complaint no longer open."""
    from complaints.selectors import complaints_joinable_by

    if not may_file_walk_ins(actor):
        raise errors.PermissionDenied(_("Walk-in complaints are recorded by community workers."))
    if not complaints_joinable_by(actor, roles=[Role.OFFICIAL]).filter(pk=complaint.pk).exists():
        raise errors.ScopeError("Not found.")
    name = _clean_text(name, field="reporter_name", max_length=50, required=False)
    phone = _clean_text(phone, field="reporter_phone", max_length=20, required=False)
    existing = ComplaintSupporter.objects.filter(complaint=complaint, user=None, phone=phone if phone else None)
    row = ComplaintSupporter(complaint=complaint, name=name, phone=phone, channel=ComplaintSupporter.Channel.WALKIN, recorded_by=actor)
    return _add_supporter(complaint, row, existing)


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
        _notify_followers(complaint, "complaint.closed", (_("closed without a rating")))
    return True


def overdue_q(now: dt.datetime):
    """Open complaints past a deadline: not signed for by `response_due`, or not resolved by `resolve_due`
    (the rule is `Complaint.overdue_q` / `Complaint.deadlines_missed`)."""
    return Complaint.overdue_q(now)


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


def complaint_remind_deadline(*, complaint_id: int, now: dt.datetime | None = None) -> bool:
    """Tell the handlers that the complaint's next deadline is within 4 working hours. Once per deadline:
    the deadline is claimed by a conditional update before the notification is written. Returns whether it notified."""
    from complaints.selectors import due_soon_q

    now = now or timezone.now()
    with transaction.atomic():
        complaint = (
            Complaint.objects.filter(due_soon_q(now), pk=complaint_id)
            .select_related("compound", "category", "assigned_company", "assigned_community")
            .first()
        )
        if complaint is None:
            return False
        unsigned = complaint.status in (Status.SUBMITTED, Status.DISPATCHED)
        sign_near = unsigned and complaint.response_due and complaint.response_due > now
        deadline = complaint.response_due if sign_near else complaint.resolve_due
        claimed = Complaint.objects.filter(pk=complaint_id).exclude(deadline_reminded_for=deadline).update(deadline_reminded_for=deadline)
        if not claimed:
            return False
        local = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
        title = (
            _("Complaint %(number)s must be signed for by %(time)s")
            if sign_near
            else _("Complaint %(number)s must be resolved by %(time)s")
        ) % {"number": complaint.number, "time": local}
        notify(users=handlers_of(complaint), kind="complaint.deadline_near", title=title, body=str(complaint.compound), url=_url(complaint))
    return True


def complaints_clear_overdue(*, now: dt.datetime | None = None) -> int:
    """Clear the flag on complaints no longer overdue (signed for in time after a return, or closed)."""
    now = now or timezone.now()
    return Complaint.objects.filter(is_overdue=True).exclude(overdue_q(now)).update(is_overdue=False, updated_at=now)
