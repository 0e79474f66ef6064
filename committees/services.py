"""Every write of the committees app. Keyword-only, atomic; raise core.errors that the API maps once.

Permission model: committee members of a compound and officials above it *manage* (create votes,
nominate candidates, publish, enter paper ballots, keep the roster); only officials vet candidates,
sign off paper ballots and certify results. Callers have already scoped the object (404 outside).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from committees import selectors
from committees.models import (
    MAX_TERM_YEARS,
    Ballot,
    BallotMark,
    Candidate,
    Choice,
    Committee,
    CommitteeMember,
    Matter,
    RollEntry,
    RollOwner,
    Vote,
)
from committees.tally import vote_tally
from communities.models import Compound, Owner, Ownership, RoleAssignment, Unit
from core import errors
from core.models import User
from core.notifications import notify
from core.sql import insert_rows

# --- helpers --------------------------------------------------------------------------------------


def _require_manager(user: User, compound: Compound) -> None:
    if not selectors.can_manage(user, compound):
        raise errors.PermissionDenied(_("Only the compound's committee members and officials may do this."))


def _require_official(user: User, compound: Compound) -> None:
    if not selectors.is_official_for(user, compound):
        raise errors.PermissionDenied(_("Only an official of the compound's community or above may do this."))


def term_limit(start: date) -> date:
    """The latest end of a term starting on `start` (five years; 29 Feb rolls back to 28 Feb, as PostgreSQL does)."""
    return start + relativedelta(years=MAX_TERM_YEARS)


def _check_term(term_start: date, term_end: date) -> None:
    if term_end <= term_start:
        raise errors.ValidationError(_("The term must end after it starts."), field="term_end")
    if term_end > term_limit(term_start):
        raise errors.ValidationError(_("A committee's term is at most five years."), field="term_end")


# --- committees and members ----------------------------------------------------------------------


@transaction.atomic
def committee_create(
    *,
    user: User,
    compound: Compound,
    term_start: date,
    term_end: date,
    status: str = Committee.Status.PREPARING,
    filed_on: date | None = None,
) -> Committee:
    """Record a committee (preparing, or an active one formed before Linli). One current committee per compound."""
    _require_official(user, compound)
    if status not in (Committee.Status.PREPARING, Committee.Status.ACTIVE):
        raise errors.ValidationError(_("A new committee is preparing or active."), field="status")
    _check_term(term_start, term_end)
    if Committee.objects.filter(compound=compound).current().exists():
        raise errors.WorkflowError(_("This compound already has a preparing or active committee."))
    try:
        with transaction.atomic():
            return Committee.objects.create(compound=compound, status=status, term_start=term_start, term_end=term_end, filed_on=filed_on)
    except IntegrityError as exc:  # a concurrent create won the partial unique constraint
        raise errors.WorkflowError(_("This compound already has a preparing or active committee.")) from exc


@transaction.atomic
def committee_update(
    *, user: User, committee: Committee, term_start: date | None = None, term_end: date | None = None, filed_on: date | None = None
) -> Committee:
    _require_official(user, committee.compound)
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    if committee.status not in (Committee.Status.PREPARING, Committee.Status.ACTIVE):
        raise errors.WorkflowError(_("A committee that has ended cannot be changed."))
    start = term_start or committee.term_start
    end = term_end or committee.term_end
    _check_term(start, end)
    committee.term_start, committee.term_end = start, end
    if filed_on is not None:
        committee.filed_on = filed_on
    committee.save()
    return committee


@transaction.atomic
def committee_dissolve(*, user: User, committee: Committee, on: date | None = None) -> Committee:
    """Dissolve a current committee: every seat ends on `on` (today by default)."""
    _require_official(user, committee.compound)
    day = on or timezone.localdate()
    changed = Committee.objects.filter(pk=committee.pk, status__in=[Committee.Status.PREPARING, Committee.Status.ACTIVE]).update(
        status=Committee.Status.DISSOLVED, updated_at=timezone.now()
    )
    if not changed:
        raise errors.WorkflowError(_("Only a preparing or active committee can be dissolved."))
    _end_all_seats(committee, day)
    committee.refresh_from_db()
    committee.save()  # one history row for the status change
    return committee


def _end_all_seats(committee: Committee, day: date) -> None:
    for member in committee.members.filter(seat_end__isnull=True):
        member.seat_end = max(day, member.seat_start)
        member.save(update_fields=["seat_end", "updated_at"])


@transaction.atomic
def member_add(
    *, user: User, committee: Committee, name: str, role: str = CommitteeMember.Role.MEMBER, seat_start: date, **flags
) -> CommitteeMember:
    """Seat a member. A second seated director is refused (409), and the database refuses it too."""
    _require_official(user, committee.compound)
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    if committee.status not in (Committee.Status.PREPARING, Committee.Status.ACTIVE):
        raise errors.WorkflowError(_("Members can only join a preparing or active committee."))
    if role == CommitteeMember.Role.DIRECTOR and committee.members.filter(role=role, seat_end__isnull=True).exists():
        raise errors.WorkflowError(_("This committee already has a director."))
    owner = flags.pop("owner", None)
    if owner is not None and not Ownership.objects.filter(owner=owner, unit__compound=committee.compound_id).exists():
        raise errors.ValidationError(_("The owner holds no unit in this compound."), field="owner")
    return CommitteeMember.objects.create(
        committee=committee, name=name, role=role, seat_start=seat_start, owner=owner, user=owner.user if owner else None, **flags
    )


@transaction.atomic
def member_set_role(*, user: User, member: CommitteeMember, role: str) -> CommitteeMember:
    """Change a seated member's role (the committee elects its director and deputies among its members)."""
    _require_official(user, member.committee.compound)
    committee = Committee.objects.select_for_update().get(pk=member.committee_id)
    member = CommitteeMember.objects.get(pk=member.pk)
    if member.seat_end is not None:
        raise errors.WorkflowError(_("This seat has ended."))
    if role == CommitteeMember.Role.DIRECTOR and committee.members.filter(role=role, seat_end__isnull=True).exclude(pk=member.pk).exists():
        raise errors.WorkflowError(_("This committee already has a director."))
    member.role = role
    member.save(update_fields=["role", "updated_at"])
    return member


@transaction.atomic
def member_end_seat(*, user: User, member: CommitteeMember, seat_end: date | None = None) -> CommitteeMember:
    _require_official(user, member.committee.compound)
    day = seat_end or timezone.localdate()
    if day < member.seat_start:
        raise errors.ValidationError(_("A seat cannot end before it starts."), field="seat_end")
    if not CommitteeMember.objects.filter(pk=member.pk, seat_end__isnull=True).exists():
        raise errors.WorkflowError(_("This seat has already ended."))
    member = CommitteeMember.objects.get(pk=member.pk)
    member.seat_end = day
    member.save(update_fields=["seat_end", "updated_at"])
    return member


# --- votes and candidates ------------------------------------------------------------------------


@transaction.atomic
def vote_create(
    *,
    user: User,
    compound: Compound,
    matter: str,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    seats: int | None = None,
    term_years: int | None = None,
) -> Vote:
    """A draft vote on one Art. 278 matter; an election (matter 3) also has seats and the new term's length."""
    _require_manager(user, compound)
    if matter not in Matter.values:
        raise errors.ValidationError(_("Unknown matter."), field="matter")
    if closes_at <= opens_at:
        raise errors.ValidationError(_("Voting must close after it opens."), field="closes_at")
    if matter == Matter.ELECTION:
        if not seats or seats < 1:
            raise errors.ValidationError(_("An election needs at least one seat."), field="seats")
        term_years = term_years or MAX_TERM_YEARS
        if not 1 <= term_years <= MAX_TERM_YEARS:
            raise errors.ValidationError(_("A committee's term is at most five years."), field="term_years")
    elif seats is not None or term_years is not None:
        raise errors.ValidationError(_("Only an election has seats."), field="seats")
    return Vote.objects.create(
        compound=compound,
        matter=matter,
        title=title,
        description=description,
        opens_at=opens_at,
        closes_at=closes_at,
        seats=seats,
        term_years=term_years,
        created_by=user,
    )


@transaction.atomic
def candidate_nominate(
    *, user: User, compound: Compound, name: str, source: str, vote: Vote | None = None, owner: Owner | None = None, **details
) -> Candidate:
    """Put a person forward (three recommendations, two recalls, or owners' joint nomination); vetting is pending."""
    _require_manager(user, compound)
    if source not in Candidate.Source.values:
        raise errors.ValidationError(_("Unknown candidate source."), field="source")
    if vote is not None:
        _check_ballot_editable(vote, compound)
    if owner is not None and not Ownership.objects.filter(owner=owner, unit__compound=compound).exists():
        raise errors.ValidationError(_("The owner holds no unit in this compound."), field="owner")
    return Candidate.objects.create(compound=compound, vote=vote, name=name, source=source, owner=owner, **details)


def _check_ballot_editable(vote: Vote, compound: Compound) -> None:
    if vote.compound_id != compound.pk:
        raise errors.ValidationError(_("The election belongs to another compound."), field="vote")
    if not vote.is_election:
        raise errors.ValidationError(_("Only an election has candidates."), field="vote")
    if vote.status != Vote.Status.DRAFT:
        raise errors.WorkflowError(_("The ballot is fixed once the election is published."))


@transaction.atomic
def candidate_place(*, user: User, candidate: Candidate, vote: Vote | None) -> Candidate:
    """Put a pooled candidate on a draft election's ballot (or take them off with vote=None)."""
    _require_manager(user, candidate.compound)
    for v in filter(None, [vote, candidate.vote]):
        _check_ballot_editable(v, candidate.compound)
    candidate.vote = vote
    candidate.save(update_fields=["vote", "updated_at"])
    return candidate


@transaction.atomic
def candidate_vet(*, user: User, candidate: Candidate, approved: bool, reason: str = "") -> Candidate:
    """Approve, or reject with a reason. Only before the candidate's election is published."""
    _require_official(user, candidate.compound)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.vote_id and candidate.vote.status != Vote.Status.DRAFT:
        raise errors.WorkflowError(_("Vetting closes when the ballot opens."))
    reason = reason.strip()
    if not approved and not reason:
        raise errors.ValidationError(_("Give the reason for rejecting a candidate."), field="reason")
    candidate.vetting = Candidate.Vetting.APPROVED if approved else Candidate.Vetting.REJECTED
    candidate.vetting_reason = reason
    candidate.vetted_by = user
    candidate.vetted_at = timezone.now()
    candidate.save()
    return candidate


@transaction.atomic
def vote_publish(*, user: User, vote: Vote) -> Vote:
    """Publish a draft vote and freeze its register of owners (one entry per head; see `roll_build`).

    An election needs every candidate on its ballot vetted, and at least one approved.
    """
    _require_manager(user, vote.compound)
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if vote.status != Vote.Status.DRAFT:
        raise errors.WorkflowError(_("Only a draft vote can be published."))
    if vote.closes_at <= timezone.now():
        raise errors.WorkflowError(_("The voting window has already ended; change it first."))
    if vote.is_election:
        candidates = vote.candidates.all()
        if candidates.filter(vetting=Candidate.Vetting.PENDING).exists():
            raise errors.WorkflowError(_("Every candidate must be vetted before the ballot opens."))
        if not candidates.filter(vetting=Candidate.Vetting.APPROVED).exists():
            raise errors.WorkflowError(_("An election needs at least one approved candidate."))
    if roll_build(vote) == 0:
        raise errors.WorkflowError(_("The compound has no registered units."))
    vote.status = Vote.Status.OPEN
    vote.published_at = timezone.now()
    vote.save()
    return vote


def roll_build(vote: Vote) -> int:
    """Freeze the register: one entry per head (SPC interpretation Arts. 8–9). Returns the number of heads.

    Units held by exactly the same owners form one entry (one buyer, one head; areas summed); the
    developer's unsold or undelivered units form one entry together; a unit nobody holds stays on the
    register (its area counts in the denominator) but nobody can cast its ballot.
    """
    owners_of: dict[int, list[int]] = defaultdict(list)
    for unit_id, owner_id in (
        Ownership.objects.filter(unit__compound=vote.compound_id).order_by("unit_id", "owner_id").values_list("unit_id", "owner_id")
    ):
        owners_of[unit_id].append(owner_id)
    groups: dict[str, dict] = {}
    units = Unit.objects.filter(compound=vote.compound_id).order_by("building", "entrance", "room", "id")
    for unit_id, area, unsold, building, entrance, room in units.values_list(
        "id", "area", "is_developer_unsold", "building", "entrance", "room"
    ):
        owners = owners_of.get(unit_id, [])
        if unsold:
            key = "developer"
        elif owners:
            key = "o:" + ",".join(map(str, owners))
            if len(key) > 200:
                key = "h:" + hashlib.sha256(key.encode()).hexdigest()
        else:
            key = f"u:{unit_id}"
        group = groups.setdefault(key, {"area": 0, "units": [], "owners": set(), "developer": unsold})
        group["area"] += area
        group["units"].append("-".join(p for p in (building, entrance, room) if p))
        group["owners"].update(owners)
    # Thousands of rows for a large compound: multi-row INSERTs rather than bulk_create's per-row
    # model instances (bench/tally.py: 20,000 units froze in 4.1 s that way).
    keys = list(groups)
    created = insert_rows(
        RollEntry,
        ["vote", "key", "area", "unit_count", "is_developer", "label"],
        [
            (
                vote.pk,
                key,
                groups[key]["area"],
                len(groups[key]["units"]),
                groups[key]["developer"],
                _roll_label(groups[key]["units"]),
            )
            for key in keys
        ],
        returning=["id", "key"],
    )
    insert_rows(
        RollOwner,
        ["entry", "owner"],
        [(entry_id, owner_id) for entry_id, key in created for owner_id in sorted(groups[key]["owners"])],
    )
    return len(created)


def _roll_label(units: list[str]) -> str:
    """The entry's first unit, and how many more it holds ("3幢-1单元-1201 +2")."""
    return (units[0] + (f" +{len(units) - 1}" if len(units) > 1 else ""))[:200]


@transaction.atomic
def vote_cancel(*, user: User, vote: Vote) -> Vote:
    _require_official(user, vote.compound)
    changed = Vote.objects.filter(pk=vote.pk, status__in=[Vote.Status.DRAFT, Vote.Status.OPEN]).update(
        status=Vote.Status.CANCELLED, updated_at=timezone.now()
    )
    if not changed:
        raise errors.WorkflowError(_("Only a draft or published vote can be cancelled."))
    vote.refresh_from_db()
    return vote


# --- ballots ------------------------------------------------------------------------------------


def _clean_choice(vote: Vote, choice: str | None, marks: list[dict] | None) -> tuple[str | None, list[tuple[Candidate, str]]]:
    """Validate a ballot's content: a choice for a decision; marks on approved candidates for an election."""
    if not vote.is_election:
        if choice not in Choice.values:
            raise errors.ValidationError(_("Choose approve, oppose or abstain."), field="choice")
        if marks:
            raise errors.ValidationError(_("Only an election ballot marks candidates."), field="marks")
        return choice, []
    if choice is not None:
        raise errors.ValidationError(_("An election ballot marks each candidate instead."), field="choice")
    marks = marks or []
    on_ballot = {c.pk: c for c in vote.candidates.filter(vetting=Candidate.Vetting.APPROVED)}
    seen: set[int] = set()
    cleaned = []
    for mark in marks:
        cid, mark_choice = mark.get("candidate"), mark.get("choice")
        if cid not in on_ballot:
            raise errors.ValidationError(_("Unknown candidate: %(id)s.") % {"id": cid}, field="marks")
        if cid in seen:
            raise errors.ValidationError(_("A candidate is marked twice."), field="marks")
        if mark_choice not in Choice.values:
            raise errors.ValidationError(_("Choose approve, oppose or abstain."), field="marks")
        seen.add(cid)
        cleaned.append((on_ballot[cid], mark_choice))
    if sum(1 for _c, m in cleaned if m == Choice.APPROVE) > vote.seats:
        raise errors.ValidationError(_("A ballot may approve at most as many candidates as there are seats."), field="marks")
    return None, cleaned


def _require_window(vote: Vote) -> None:
    if vote.status != Vote.Status.OPEN:
        raise errors.WorkflowError(_("This vote is not open."))
    if not vote.is_in_window():
        raise errors.WorkflowError(
            _("Voting is only possible between %(start)s and %(end)s.")
            % {
                "start": timezone.localtime(vote.opens_at).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M"),
            }
        )


def _write_ballot(
    vote: Vote, entry: RollEntry, owner: Owner, user: User, choice, marks, *, channel: str, status: str, note: str = ""
) -> Ballot:
    ballot = Ballot.objects.create(
        vote=vote,
        entry=entry,
        owner=owner,
        channel=channel,
        choice=choice,
        status=status,
        entered_by=user,
        note=note,
        cast_at=timezone.now(),
    )
    for candidate, mark_choice in marks:
        BallotMark.objects.create(ballot=ballot, candidate=candidate, choice=mark_choice)
    return ballot


def _supersede_counted(vote: Vote, entry: RollEntry) -> None:
    for old in Ballot.objects.filter(vote=vote, entry=entry, status=Ballot.Status.COUNTED):
        old.status = Ballot.Status.SUPERSEDED
        old.save(update_fields=["status"])


@transaction.atomic
def ballot_cast(*, user: User, vote: Vote, choice: str | None = None, marks: list[dict] | None = None) -> list[Ballot]:
    """An owner votes online, for every head they hold (usually one). A later ballot supersedes the earlier one.

    The co-owners of a unit share its head: whichever of them votes last is counted. Rows of the
    register entries are locked so two co-owners voting at once are ordered, never both counted.
    """
    owner = Owner.objects.filter(user=user).first()
    entries = RollEntry.objects.filter(vote=vote, links__owner=owner) if owner else RollEntry.objects.none()
    if owner is None or not entries.exists():
        raise errors.PermissionDenied(_("Only owners on this vote's register may vote."))
    _require_window(vote)
    choice, cleaned = _clean_choice(vote, choice, marks)
    ballots = []
    for entry in entries.select_for_update().order_by("pk"):
        _supersede_counted(vote, entry)
        ballots.append(
            _write_ballot(vote, entry, owner, user, choice, cleaned, channel=Ballot.Channel.ONLINE, status=Ballot.Status.COUNTED)
        )
    return ballots


@transaction.atomic
def ballot_enter_paper(
    *, user: User, vote: Vote, owner: Owner, choice: str | None = None, marks: list[dict] | None = None, note: str = ""
) -> list[Ballot]:
    """A committee member enters a paper ballot during the window; it counts once an official signs it off."""
    _require_manager(user, vote.compound)
    entries = RollEntry.objects.filter(vote=vote, links__owner=owner)
    if not entries.exists():
        raise errors.ValidationError(_("This owner is not on the vote's register."), field="owner")
    _require_window(vote)
    choice, cleaned = _clean_choice(vote, choice, marks)
    return [
        _write_ballot(vote, entry, owner, user, choice, cleaned, channel=Ballot.Channel.PAPER, status=Ballot.Status.PENDING, note=note)
        for entry in entries.order_by("pk")
    ]


@transaction.atomic
def ballot_sign_off(*, user: User, ballot: Ballot, accept: bool = True, reason: str = "") -> Ballot:
    """An official accepts or rejects a paper ballot. Accepted, it counts unless a later ballot of the same head already does."""
    _require_official(user, ballot.vote.compound)
    entry = RollEntry.objects.select_for_update().get(pk=ballot.entry_id)
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if ballot.vote.status != Vote.Status.OPEN:
        raise errors.WorkflowError(_("The vote is no longer open for sign-off."))
    if ballot.status != Ballot.Status.PENDING:
        raise errors.WorkflowError(_("This ballot has already been signed off."))
    if not accept and not reason.strip():
        raise errors.ValidationError(_("Give the reason for rejecting a paper ballot."), field="reason")
    ballot.signed_off_by, ballot.signed_off_at = user, timezone.now()
    if not accept:
        ballot.status, ballot.note = Ballot.Status.REJECTED, reason.strip()[:200]
    else:
        current = Ballot.objects.filter(vote=ballot.vote_id, entry=entry, status=Ballot.Status.COUNTED).first()
        if current is not None and current.cast_at > ballot.cast_at:
            ballot.status = Ballot.Status.SUPERSEDED
        else:
            _supersede_counted(ballot.vote, entry)
            ballot.status = Ballot.Status.COUNTED
    ballot.save()
    return ballot


@transaction.atomic
def vote_certify(*, user: User, vote: Vote) -> Vote:
    """The community certifies a closed vote: the tally is stored; an election seats the elected candidates.

    Seating: the compound's preparing committee becomes active (or a new active committee is
    created) with a term of `vote.term_years` from today; an active committee gains the members
    (a by-election). All of it, or nothing.
    """
    _require_official(user, vote.compound)
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if vote.status != Vote.Status.OPEN:
        raise errors.WorkflowError(_("Only a published vote can be certified."))
    if timezone.now() < vote.closes_at:
        raise errors.WorkflowError(_("Voting has not closed yet."))
    if vote.ballots.filter(status=Ballot.Status.PENDING).exists():
        raise errors.WorkflowError(_("Some paper ballots still await sign-off."))
    result = vote_tally(vote)
    vote.result, vote.status, vote.certified_by, vote.certified_at = result, Vote.Status.CERTIFIED, user, timezone.now()
    vote.save()
    if vote.is_election and result["elected"]:
        _seat_elected(vote, result["elected"])
    _notify_certified(vote)
    return vote


def _notify_certified(vote: Vote) -> None:
    """The compound's committee members and every owner who voted learn that the result is certified."""
    members = User.objects.filter(roles__role=RoleAssignment.Role.COMMITTEE, roles__is_active=True, roles__compound=vote.compound_id)
    voters = User.objects.filter(pk__in=Owner.objects.filter(pk__in=vote.ballots.values("owner_id"), user__isnull=False).values("user_id"))
    notify(
        users=list(members.union(voters)),
        kind="vote.certified",
        title=_("The result of “%(title)s” is certified") % {"title": vote.title},
        url=reverse("committees:vote", args=[vote.pk]),
    )


def _seat_elected(vote: Vote, candidate_ids: list[int]) -> Committee:
    today = timezone.localdate()
    committee = Committee.objects.select_for_update().filter(compound=vote.compound_id).current().first()
    term_end = today + relativedelta(years=vote.term_years) - timedelta(days=1)
    if committee is None:
        committee = Committee.objects.create(
            compound=vote.compound, status=Committee.Status.ACTIVE, term_start=today, term_end=term_end, election=vote
        )
    elif committee.status == Committee.Status.PREPARING:
        committee.status, committee.term_start, committee.term_end, committee.election = Committee.Status.ACTIVE, today, term_end, vote
        committee.save()
    candidates = Candidate.objects.filter(pk__in=candidate_ids).select_related("owner__user")
    for c in sorted(candidates, key=lambda c: candidate_ids.index(c.pk)):
        CommitteeMember.objects.create(
            committee=committee,
            name=c.name,
            owner=c.owner,
            user=c.owner.user if c.owner else None,
            candidate=c,
            role=CommitteeMember.Role.MEMBER,
            is_party_member=c.is_party_member,
            is_retired_cadre=c.is_retired_cadre,
            is_deputy=c.is_deputy,
            is_model_worker=c.is_model_worker,
            seat_start=today,
        )
    return committee


# --- scheduled ----------------------------------------------------------------------------------


def committee_remind_term_end(*, committee_id: int, today: date | None = None) -> bool:
    """Notify the community's officials that a term ends within 90 days. Once per committee (claimed by a conditional update)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        claimed = Committee.objects.filter(
            pk=committee_id,
            status=Committee.Status.ACTIVE,
            reminder_sent_at__isnull=True,
            term_end__lte=today + timedelta(days=selectors.REMINDER_DAYS),
        ).update(reminder_sent_at=timezone.now())
        if not claimed:
            return False
        committee = Committee.objects.select_related("compound__community").get(pk=committee_id)
        officials = RoleAssignment.objects.filter(
            role=RoleAssignment.Role.OFFICIAL, is_active=True, community=committee.compound.community_id
        )
        if not officials.exists():
            officials = RoleAssignment.objects.filter(
                role=RoleAssignment.Role.OFFICIAL, is_active=True, subdistrict=committee.compound.community.subdistrict_id
            )
        notify(
            users=[r.user for r in officials.select_related("user")],
            kind="committee_term_ending",
            title=_("%(compound)s: the owners' committee's term ends on %(day)s")
            % {"compound": committee.compound.name, "day": committee.term_end},
            body=_("Please guide the owners in preparing the next election."),
            url=reverse("committees:compound", args=[committee.compound_id]),
        )
    return True


def committee_expire_due(*, today: date | None = None) -> int:
    """Active committees whose term has ended become expired; their seats end on the term's last day."""
    today = today or timezone.localdate()
    count = 0
    for committee in Committee.objects.filter(status=Committee.Status.ACTIVE, term_end__lt=today):
        with transaction.atomic():
            if not Committee.objects.filter(pk=committee.pk, status=Committee.Status.ACTIVE).update(status=Committee.Status.EXPIRED):
                continue
            committee.refresh_from_db()
            committee.save()  # history row
            _end_all_seats(committee, committee.term_end)
            count += 1
    return count
