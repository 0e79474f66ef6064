"""Every write of the mediation app. Services are keyword-only, atomic, and raise domain errors
(core.errors) that the API maps once: ValidationError 400, PermissionDenied 403, ScopeError 404,
WorkflowError 409.

Managers (officials and mediators) write in the compounds of their scope; residents only propose
topics for compounds they own a unit in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, Compound, Subdistrict, Unit
from core.errors import PermissionDenied, ValidationError, WorkflowError
from core.models import User
from mediation import selectors
from mediation.models import (
    ActionItem,
    Attendee,
    CaseMediator,
    DeliberationRule,
    DisputeCase,
    DisputeParty,
    Hazard,
    LegalConsultation,
    LegalLiaison,
    MediationSession,
    Meeting,
    PoliceCase,
    Screening,
    Topic,
    Venue,
)

DEFAULT_HORIZON_DAYS = 90


# --- guards -------------------------------------------------------------------------------------
def _require_compound(actor: User, compound: Compound, *, field: str = "compound") -> None:
    """The actor manages the compound; a compound out of their scope is refused as bad input (never revealed)."""
    if not selectors.can_manage(actor, compound):
        raise ValidationError(_("This compound is not in your area."), field=field)


def _require_manager_of(actor: User, compound: Compound | int) -> None:
    """For steps on an object the actor can already see: a resident or committee member may not do them (403)."""
    if not selectors.can_manage(actor, compound):
        raise PermissionDenied(_("Only officials and mediators of this compound may do this."))


def _now() -> dt.datetime:
    return timezone.now()


# --- venues and deliberation-day rules ----------------------------------------------------------
@transaction.atomic
def venue_create(
    *, actor: User, kind: str, name: str, compound: Compound | None = None, community: Community | None = None, address: str = ""
) -> Venue:
    """Register a venue of exactly one compound or one community in the actor's area."""
    if (compound is None) == (community is None):
        raise ValidationError(_("A venue belongs to exactly one compound or one community."), field="compound")
    if compound is not None:
        _require_compound(actor, compound)
    elif not selectors.managed_communities(actor).filter(pk=community.pk).exists():
        raise ValidationError(_("This community is not in your area."), field="community")
    if Venue.objects.filter(Q(compound=compound) if compound else Q(community=community), name=name).exists():
        raise ValidationError(_("A venue of this name is already registered here."), field="name")
    return Venue.objects.create(kind=kind, name=name, compound=compound, community=community, address=address)


def _check_venue(venue: Venue | None, compound: Compound) -> None:
    if venue is not None and venue.compound_id not in (None, compound.pk):
        raise ValidationError(_("The venue belongs to another compound."), field="venue")
    if venue is not None and venue.community_id not in (None, compound.community_id):
        raise ValidationError(_("The venue belongs to another community."), field="venue")


@transaction.atomic
def rule_create(
    *,
    actor: User,
    compound: Compound,
    title: str,
    start_date: dt.date,
    frequency: str = DeliberationRule.Frequency.MONTHLY,
    weekday: int = DeliberationRule.Weekday.SATURDAY,
    positions: Sequence[int] = (),
    interval: int = 1,
    end_date: dt.date | None = None,
    start_time: dt.time = dt.time(9, 0),
    venue: Venue | None = None,
    generate: bool = True,
) -> DeliberationRule:
    """Create a compound's deliberation-day rule and (by default) generate its sessions for the horizon."""
    _require_compound(actor, compound)
    _check_venue(venue, compound)
    positions = sorted(set(positions))
    if frequency == DeliberationRule.Frequency.MONTHLY:
        if not positions or any(p == 0 or p < -1 or p > 5 for p in positions):
            raise ValidationError(_("Give the weeks of the month as numbers from 1 to 5, or -1 for the last."), field="positions")
    else:
        positions = []
    if not 0 <= weekday <= 6:
        raise ValidationError(_("Weekday must be 0 (Monday) to 6 (Sunday)."), field="weekday")
    if not 1 <= interval <= 8:
        raise ValidationError(_("Every 1 to 8 weeks."), field="interval")
    if end_date is not None and end_date < start_date:
        raise ValidationError(_("The last day is before the first day."), field="end_date")
    rule = DeliberationRule.objects.create(
        compound=compound,
        venue=venue,
        title=title,
        frequency=frequency,
        weekday=weekday,
        positions=positions,
        interval=interval,
        start_date=start_date,
        end_date=end_date,
        start_time=start_time,
    )
    if generate:
        rule_generate_sessions(rule_id=rule.pk)
    return rule


def _session_start(rule: DeliberationRule, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, rule.start_time, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def rule_generate_sessions(*, rule_id: int, today: dt.date | None = None, horizon_days: int = DEFAULT_HORIZON_DAYS) -> tuple[int, int]:
    """Bring a rule's upcoming sessions in line with the rule from today to today + horizon.

    Creates the missing sessions (one per rule and start, guaranteed by a unique constraint, so a
    retry or a duplicate beat tick creates nothing) and removes future generated sessions that no
    longer match the rule, unless something was recorded on them. Past sessions are never touched.
    Returns (created, removed).
    """
    rule = DeliberationRule.objects.select_for_update().select_related("compound").filter(pk=rule_id).first()
    if rule is None:
        return 0, 0
    day = today or timezone.localdate()
    until = day + dt.timedelta(days=horizon_days)
    wanted = {_session_start(rule, d) for d in rule.dates(start=day, until=until)} if rule.is_active else set()
    future = Meeting.objects.filter(rule=rule, status=Meeting.Status.UPCOMING, starts_at__gte=_session_start(rule, day))
    stale = future.exclude(starts_at__in=wanted).filter(topics__isnull=True, attendees__isnull=True, action_items__isnull=True)
    removed, _detail = Meeting.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    existing = set(Meeting.objects.filter(rule=rule, starts_at__in=wanted).values_list("starts_at", flat=True))
    title = rule.title
    new = [
        Meeting(
            kind=Meeting.Kind.DELIBERATION_DAY,
            compound=rule.compound,
            venue=rule.venue,
            rule=rule,
            title=title,
            starts_at=start,
            status=Meeting.Status.UPCOMING,
        )
        for start in sorted(wanted - existing)
    ]
    created = Meeting.objects.bulk_create(new, ignore_conflicts=True)
    return len(created), removed


def rule_regenerate(*, actor: User, rule_id: int, horizon_days: int = DEFAULT_HORIZON_DAYS) -> tuple[int, int]:
    """A manager asks for a rule's sessions to be regenerated now (see rule_generate_sessions)."""
    rule = DeliberationRule.objects.get(pk=rule_id)
    _require_manager_of(actor, rule.compound_id)
    return rule_generate_sessions(rule_id=rule_id, horizon_days=horizon_days)


# --- meetings -----------------------------------------------------------------------------------
def _check_status_time(status: str, starts_at: dt.datetime) -> None:
    if status == Meeting.Status.UPCOMING and starts_at < _now():
        raise ValidationError(_("A meeting in the past cannot be upcoming: record it as held or cancelled."), field="status")
    if status == Meeting.Status.HELD and starts_at > _now():
        raise ValidationError(_("A meeting cannot be held before it starts."), field="status")


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    kind: str,
    compound: Compound,
    title: str,
    starts_at: dt.datetime,
    status: str = Meeting.Status.UPCOMING,
    venue: Venue | None = None,
    minutes: str = "",
) -> Meeting:
    """Record a meeting of a compound (a deliberation day outside any rule, a micro-consultation, …)."""
    _require_compound(actor, compound)
    _check_venue(venue, compound)
    _check_status_time(status, starts_at)
    return Meeting.objects.create(
        kind=kind, compound=compound, title=title, starts_at=starts_at, status=status, venue=venue, minutes=minutes, recorded_by=actor
    )


_MEETING_FIELDS = {"title", "starts_at", "status", "venue", "minutes"}


@transaction.atomic
def meeting_update(*, actor: User, meeting_id: int, **changes) -> Meeting:
    """Change a meeting's title, time, venue, status or minutes; a past meeting cannot be upcoming."""
    meeting = Meeting.objects.select_for_update().select_related("compound").get(pk=meeting_id)
    _require_manager_of(actor, meeting.compound_id)
    unknown = set(changes) - _MEETING_FIELDS
    if unknown:
        raise ValidationError(_("These fields cannot be changed here."), field=sorted(unknown)[0])
    for key, value in changes.items():
        setattr(meeting, key, value)
    _check_venue(meeting.venue, meeting.compound)
    _check_status_time(meeting.status, meeting.starts_at)
    meeting.recorded_by = actor
    meeting.save()
    return meeting


@transaction.atomic
def attendee_add(*, actor: User, meeting_id: int, name: str, party: str, organisation: str = "") -> Attendee:
    meeting = Meeting.objects.get(pk=meeting_id)
    _require_manager_of(actor, meeting.compound_id)
    attendee, created = Attendee.objects.get_or_create(meeting=meeting, name=name, party=party, defaults={"organisation": organisation})
    if not created:
        raise ValidationError(_("This attendee is already recorded for this party."), field="name")
    return attendee


# --- topics -------------------------------------------------------------------------------------
@transaction.atomic
def topic_propose(*, actor: User, compound: Compound, title: str, description: str = "", meeting: Meeting | None = None) -> Topic:
    """Propose an agenda topic.

    A resident may propose only for a compound they own a unit in (else 400 on `compound`); their topic
    waits as `proposed` for staff. A manager's topic on a meeting is on the agenda at once (`accepted`).
    """
    manages = selectors.can_manage(actor, compound)
    if not manages and not selectors.own_compound_ids(actor).filter(compound_id=compound.pk).exists():
        raise ValidationError(_("You can propose topics only for a compound where you own a unit."), field="compound")
    if meeting is not None:
        if meeting.compound_id != compound.pk:
            raise ValidationError(_("The meeting is in another compound."), field="meeting")
        if meeting.status != Meeting.Status.UPCOMING and not manages:
            raise WorkflowError(_("This meeting is no longer taking topics."))
    status = Topic.Status.ACCEPTED if manages and meeting is not None else Topic.Status.PROPOSED
    decided = {"decided_by": actor, "decided_at": _now()} if status == Topic.Status.ACCEPTED else {}
    return Topic.objects.create(
        compound=compound, meeting=meeting, title=title, description=description, proposed_by=actor, status=status, **decided
    )


def _transition(topic_id: int, frm: Iterable[str], **changes) -> Topic:
    """Conditional update: the topic moves only from one of `frm`; otherwise 409 saying where it is."""
    rows = Topic.objects.filter(pk=topic_id, status__in=list(frm)).update(**changes, updated_at=_now())
    topic = Topic.objects.select_related("compound", "meeting").get(pk=topic_id)
    if rows != 1:
        raise WorkflowError(_("This topic is %(status)s; the step is not allowed now.") % {"status": topic.get_status_display()})
    return topic


@transaction.atomic
def topic_accept(*, actor: User, topic_id: int, meeting: Meeting | None = None) -> Topic:
    """Put a proposed topic on the agenda, optionally of a given meeting of its compound."""
    topic = Topic.objects.get(pk=topic_id)
    _require_manager_of(actor, topic.compound_id)
    if meeting is not None and meeting.compound_id != topic.compound_id:
        raise ValidationError(_("The meeting is in another compound."), field="meeting")
    extra = {"meeting": meeting} if meeting is not None else {}
    return _transition(topic_id, [Topic.Status.PROPOSED], status=Topic.Status.ACCEPTED, decided_by=actor, decided_at=_now(), **extra)


@transaction.atomic
def topic_merge(*, actor: User, topic_id: int, into: Topic) -> Topic:
    """Merge a topic into another topic of the same compound that is still open."""
    topic = Topic.objects.get(pk=topic_id)
    _require_manager_of(actor, topic.compound_id)
    if into.pk == topic.pk:
        raise ValidationError(_("A topic cannot be merged into itself."), field="into")
    if into.compound_id != topic.compound_id:
        raise ValidationError(_("The other topic is in another compound."), field="into")
    if into.status not in (Topic.Status.PROPOSED, Topic.Status.ACCEPTED):
        raise ValidationError(_("The other topic is closed."), field="into")
    return _transition(
        topic_id,
        [Topic.Status.PROPOSED, Topic.Status.ACCEPTED],
        status=Topic.Status.MERGED,
        merged_into=into,
        decided_by=actor,
        decided_at=_now(),
    )


@transaction.atomic
def topic_decline(*, actor: User, topic_id: int, reason: str) -> Topic:
    topic = Topic.objects.get(pk=topic_id)
    _require_manager_of(actor, topic.compound_id)
    if not reason.strip():
        raise ValidationError(_("Say why the topic is declined."), field="reason")
    return _transition(
        topic_id, [Topic.Status.PROPOSED], status=Topic.Status.DECLINED, decline_reason=reason.strip(), decided_by=actor, decided_at=_now()
    )


@transaction.atomic
def topic_settle(*, actor: User, topic_id: int, resolution: str = "") -> Topic:
    """Record that the meeting settled an accepted topic (counted as a settled issue)."""
    topic = Topic.objects.get(pk=topic_id)
    _require_manager_of(actor, topic.compound_id)
    return _transition(topic_id, [Topic.Status.ACCEPTED], status=Topic.Status.SETTLED, resolution=resolution, settled_at=_now())


# --- action items -------------------------------------------------------------------------------
@transaction.atomic
def action_item_add(
    *, actor: User, meeting_id: int, title: str, owner_name: str, due_date: dt.date, topic: Topic | None = None
) -> ActionItem:
    meeting = Meeting.objects.get(pk=meeting_id)
    _require_manager_of(actor, meeting.compound_id)
    if topic is not None and topic.meeting_id != meeting.pk:
        raise ValidationError(_("The topic is not on this meeting's agenda."), field="topic")
    return ActionItem.objects.create(meeting=meeting, topic=topic, title=title, owner_name=owner_name, due_date=due_date)


@transaction.atomic
def action_item_set_status(*, actor: User, item_id: int, status: str, note: str = "") -> ActionItem:
    """Move an action item to open, in progress or done; done stamps the time, reopening clears it."""
    item = ActionItem.objects.select_for_update().select_related("meeting").get(pk=item_id)
    _require_manager_of(actor, item.meeting.compound_id)
    if status not in ActionItem.Status.values:
        raise ValidationError(_("Unknown status."), field="status")
    if item.status == status:
        raise WorkflowError(_("The action item is already %(status)s.") % {"status": item.get_status_display()})
    item.status = status
    item.done_at = _now() if status == ActionItem.Status.DONE else None
    if note:
        item.note = note
    item.save(update_fields=["status", "done_at", "note", "updated_at"])
    return item


# --- dispute cases ------------------------------------------------------------------------------
def _check_outcome(*, outcome: str, agreement_text: str, party_count: int) -> None:
    if outcome not in DisputeCase.Outcome.values:
        raise ValidationError(_("Choose an outcome."), field="outcome")
    if outcome == DisputeCase.Outcome.AGREEMENT:
        if party_count < 1:
            raise ValidationError(_("An agreement needs its parties: add at least one party."), field="parties")
        if not agreement_text.strip():
            raise ValidationError(_("Give the text of the agreement."), field="agreement_text")


@transaction.atomic
def dispute_create(
    *,
    actor: User,
    compound: Compound,
    type: str,
    source: str,
    summary: str,
    parties: Sequence[dict],
    registered_on: dt.date | None = None,
    mediators: Sequence[dict] = (),
    complaint=None,
    meeting: Meeting | None = None,
    screening: Screening | None = None,
    outcome: str = "",
    agreement_text: str = "",
    outcome_note: str = "",
    closed_on: dt.date | None = None,
) -> DisputeCase:
    """Register a dispute case with its parties (at least one) and mediators; with an outcome it is closed at once."""
    _require_compound(actor, compound)
    if not parties:
        raise ValidationError(_("A dispute case needs at least one party."), field="parties")
    if source == DisputeCase.Source.COMPLAINT and complaint is None:
        raise ValidationError(_("Link the complaint this case comes from."), field="complaint")
    if complaint is not None and complaint.compound_id != compound.pk:
        raise ValidationError(_("The complaint is about another compound."), field="complaint")
    if meeting is not None and meeting.compound_id != compound.pk:
        raise ValidationError(_("The meeting is in another compound."), field="meeting")
    day = registered_on or timezone.localdate()
    if outcome:
        _check_outcome(outcome=outcome, agreement_text=agreement_text, party_count=len(parties))
    case = DisputeCase.objects.create(
        compound=compound,
        type=type,
        source=source,
        summary=summary,
        registered_on=day,
        complaint=complaint,
        meeting=meeting,
        screening=screening,
        registered_by=actor,
    )
    for party in parties:
        _party_add(case, **party)
    for mediator in mediators:
        _check_liaison(mediator.get("liaison"), compound, field="mediators")
        CaseMediator.objects.get_or_create(
            case=case, kind=mediator["kind"], name=mediator["name"], defaults={"liaison": mediator.get("liaison")}
        )
    if outcome:
        case = dispute_close(
            actor=actor, case_id=case.pk, outcome=outcome, agreement_text=agreement_text, note=outcome_note, closed_on=closed_on
        )
    return case


def _party_add(
    case: DisputeCase, *, name: str, side: str = DisputeParty.Side.APPLICANT, phone: str = "", unit: Unit | None = None
) -> DisputeParty:
    if unit is not None and unit.compound_id != case.compound_id:
        raise ValidationError(_("The unit is in another compound."), field="unit")
    return DisputeParty.objects.create(case=case, name=name, side=side, phone=phone, unit=unit)


@transaction.atomic
def dispute_party_add(*, actor: User, case_id: int, **party) -> DisputeParty:
    case = DisputeCase.objects.select_for_update().get(pk=case_id)
    _require_manager_of(actor, case.compound_id)
    if case.status != DisputeCase.Status.OPEN:
        raise WorkflowError(_("The case is closed."))
    return _party_add(case, **party)


@transaction.atomic
def dispute_mediator_add(*, actor: User, case_id: int, kind: str, name: str, liaison: LegalLiaison | None = None) -> CaseMediator:
    case = DisputeCase.objects.select_related("compound").get(pk=case_id)
    _require_manager_of(actor, case.compound_id)
    _check_liaison(liaison, case.compound)
    mediator, created = CaseMediator.objects.get_or_create(case=case, kind=kind, name=name, defaults={"liaison": liaison})
    if not created:
        raise ValidationError(_("This mediator is already on the case."), field="name")
    return mediator


@transaction.atomic
def dispute_session_add(*, actor: User, case_id: int, held_on: dt.date, notes: str = "", venue: Venue | None = None) -> MediationSession:
    case = DisputeCase.objects.select_related("compound").get(pk=case_id)
    _require_manager_of(actor, case.compound_id)
    if case.status != DisputeCase.Status.OPEN:
        raise WorkflowError(_("The case is closed."))
    _check_venue(venue, case.compound)
    return MediationSession.objects.create(case=case, held_on=held_on, notes=notes, venue=venue, recorded_by=actor)


@transaction.atomic
def dispute_close(
    *, actor: User, case_id: int, outcome: str, agreement_text: str = "", note: str = "", closed_on: dt.date | None = None
) -> DisputeCase:
    """Close a case with its outcome. An agreement needs at least one party and its text (400); a closed case 409."""
    case = DisputeCase.objects.select_for_update().get(pk=case_id)
    _require_manager_of(actor, case.compound_id)
    if case.status != DisputeCase.Status.OPEN:
        raise WorkflowError(_("The case is already closed."))
    _check_outcome(outcome=outcome, agreement_text=agreement_text, party_count=case.parties.count())
    day = closed_on or timezone.localdate()
    if day < case.registered_on:
        raise ValidationError(_("A case cannot close before it was registered."), field="closed_on")
    case.status = DisputeCase.Status.CLOSED
    case.outcome = outcome
    case.agreement_text = agreement_text.strip() if outcome == DisputeCase.Outcome.AGREEMENT else ""
    case.outcome_note = note
    case.closed_on = day
    case.save(update_fields=["status", "outcome", "agreement_text", "outcome_note", "closed_on", "updated_at"])
    return case


# --- legal links (公检法司) ----------------------------------------------------------------------
@transaction.atomic
def liaison_create(
    *, actor: User, name: str, kind: str, compounds: Sequence[Compound], organisation: str = "", phone: str = ""
) -> LegalLiaison:
    """Register a legal worker or police officer and link them to compounds in the actor's area."""
    if not compounds:
        raise ValidationError(_("Link at least one compound."), field="compounds")
    for compound in compounds:
        _require_compound(actor, compound, field="compounds")
    if LegalLiaison.objects.filter(name=name, kind=kind, organisation=organisation).exists():
        raise ValidationError(_("This person is already registered."), field="name")
    liaison = LegalLiaison.objects.create(name=name, kind=kind, organisation=organisation, phone=phone)
    liaison.compounds.set(compounds)
    return liaison


def _check_liaison(liaison: LegalLiaison | None, compound: Compound, kind: str | None = None, *, field: str = "liaison") -> None:
    if liaison is None:
        return
    if kind and liaison.kind != kind:
        raise ValidationError(_("This liaison is not a police officer."), field=field)
    if not liaison.compounds.filter(pk=compound.pk).exists():
        raise ValidationError(_("This liaison is not linked to the compound."), field=field)


@transaction.atomic
def consultation_create(
    *,
    actor: User,
    compound: Compound,
    question: str,
    given_on: dt.date | None = None,
    answer: str = "",
    liaison: LegalLiaison | None = None,
    is_major: bool = True,
) -> LegalConsultation:
    _require_compound(actor, compound)
    _check_liaison(liaison, compound)
    return LegalConsultation.objects.create(
        compound=compound, question=question, answer=answer, liaison=liaison, is_major=is_major, given_on=given_on or timezone.localdate()
    )


@transaction.atomic
def police_case_create(
    *, actor: User, compound: Compound, summary: str, solved_on: dt.date | None = None, liaison: LegalLiaison | None = None
) -> PoliceCase:
    _require_compound(actor, compound)
    _check_liaison(liaison, compound, LegalLiaison.Kind.POLICE_OFFICER)
    return PoliceCase.objects.create(compound=compound, summary=summary, liaison=liaison, solved_on=solved_on or timezone.localdate())


# --- judges' workstation screenings -------------------------------------------------------------
@transaction.atomic
def screening_create(
    *,
    actor: User,
    subdistrict: Subdistrict,
    workstation: Venue,
    held_on: dt.date,
    compounds: Sequence[Compound] = (),
    summary: str = "",
    hazards: Sequence[dict] = (),
) -> Screening:
    """Log a judges' workstation screening of a town, with the compounds it covered and the hazards it found."""
    if workstation.kind != Venue.Kind.JUDGES_WORKSTATION:
        raise ValidationError(_("Choose a judges' workstation."), field="workstation")
    place_town = workstation.compound.community.subdistrict_id if workstation.compound_id else workstation.community.subdistrict_id
    if place_town != subdistrict.pk:
        raise ValidationError(_("The workstation is in another town."), field="workstation")
    town_ok = selectors.managed_towns(actor).filter(pk=subdistrict.pk).exists()
    if not compounds and not town_ok:
        raise ValidationError(_("This town is not in your area."), field="subdistrict")
    for compound in compounds:
        _require_compound(actor, compound, field="compounds")
        if compound.community.subdistrict_id != subdistrict.pk:
            raise ValidationError(_("A compound is in another town."), field="compounds")
    screening = Screening.objects.create(
        subdistrict=subdistrict, workstation=workstation, held_on=held_on, summary=summary, recorded_by=actor
    )
    screening.compounds.set(compounds)
    for hazard in hazards:
        _require_compound(actor, hazard["compound"], field="hazards")
        _hazard_add(screening, **hazard)
    return screening


def _hazard_add(screening: Screening, *, compound: Compound, description: str, severity: str = Hazard.Severity.ORDINARY) -> Hazard:
    if compound.community.subdistrict_id != screening.subdistrict_id:
        raise ValidationError(_("The compound is in another town."), field="compound")
    screening.compounds.add(compound)
    return Hazard.objects.create(screening=screening, compound=compound, description=description, severity=severity)


@transaction.atomic
def hazard_add(*, actor: User, screening_id: int, compound: Compound, description: str, severity: str = Hazard.Severity.ORDINARY) -> Hazard:
    screening = Screening.objects.get(pk=screening_id)
    _require_compound(actor, compound)
    return _hazard_add(screening, compound=compound, description=description, severity=severity)


@transaction.atomic
def hazard_resolve(*, actor: User, hazard_id: int, status: str, outcome: str, handled_on: dt.date | None = None) -> Hazard:
    """Record what became of a hazard: handled or referred, with what was done (once)."""
    hazard = Hazard.objects.get(pk=hazard_id)
    _require_manager_of(actor, hazard.compound_id)
    if status not in (Hazard.Status.HANDLED, Hazard.Status.REFERRED):
        raise ValidationError(_("A hazard is resolved as handled or referred."), field="status")
    if not outcome.strip():
        raise ValidationError(_("Say what became of the hazard."), field="outcome")
    rows = Hazard.objects.filter(pk=hazard_id, status=Hazard.Status.OPEN).update(
        status=status, outcome=outcome.strip(), handled_on=handled_on or timezone.localdate(), updated_at=_now()
    )
    if rows != 1:
        raise WorkflowError(_("This hazard is already resolved."))
    hazard.refresh_from_db()
    return hazard
