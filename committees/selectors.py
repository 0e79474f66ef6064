"""Reads of the committees app, scoped to the user (SPEC §3) through communities.selectors.

Committees, votes and candidates are public to the owners of the compound (residents), and to its
committee members and the officials above it. Property staff and mediators do not see them.
Individual ballots are seen by the committee and officials; a resident sees only their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from committees.models import Ballot, Candidate, Committee, CommitteeMember, Vote, red_q
from communities import selectors as places
from communities.models import Compound, Owner, RoleAssignment, Unit
from core.models import User

Role = RoleAssignment.Role
VIEW_ROLES = (Role.OFFICIAL, Role.COMMITTEE, Role.RESIDENT)
MANAGE_ROLES = (Role.OFFICIAL, Role.COMMITTEE)
REMINDER_DAYS = 90


def compounds_for_committees(user: User) -> QuerySet[Compound]:
    return places.compounds_visible_to(user, roles=VIEW_ROLES)


def can_manage(user: User, compound: Compound) -> bool:
    """Committee members of the compound and officials above it manage its votes and roster."""
    return places.compounds_visible_to(user, roles=MANAGE_ROLES).filter(pk=compound.pk).exists()


def is_official_for(user: User, compound: Compound) -> bool:
    return places.is_official_for(user, compound)


def committees_visible_to(user: User) -> QuerySet[Committee]:
    return places.scope_by_compound(Committee.objects.all(), user, roles=VIEW_ROLES)


def committee_members_visible_to(user: User) -> QuerySet[CommitteeMember]:
    return places.scope_by_compound(CommitteeMember.objects.all(), user, field="committee__compound", roles=VIEW_ROLES)


def votes_visible_to(user: User) -> QuerySet[Vote]:
    """Managers see drafts too; owners see published votes of their compounds."""
    managed = places.scope_by_compound(Vote.objects.all(), user, roles=MANAGE_ROLES)
    owned = places.scope_by_compound(Vote.objects.exclude(status=Vote.Status.DRAFT), user, roles=[Role.RESIDENT])
    return Vote.objects.filter(Q(pk__in=managed.values("pk")) | Q(pk__in=owned.values("pk")))


def candidates_visible_to(user: User) -> QuerySet[Candidate]:
    """Managers see every candidate and the vetting; owners see approved candidates on a published ballot."""
    managed = places.scope_by_compound(Candidate.objects.all(), user, roles=MANAGE_ROLES)
    owned = places.scope_by_compound(
        Candidate.objects.filter(vetting=Candidate.Vetting.APPROVED, vote__status__in=[Vote.Status.OPEN, Vote.Status.CERTIFIED]),
        user,
        roles=[Role.RESIDENT],
    )
    # A user who holds only one of the two kinds of role sees that side alone: no `id IN (SELECT id …)` around it.
    if not getattr(user, "is_superuser", False):
        nothing = Q(pk__in=[])  # what places.area_q gives for roles the user does not hold
        if places.area_q(user, roles=[Role.RESIDENT], path="") == nothing:
            return managed
        if places.area_q(user, roles=MANAGE_ROLES, path="") == nothing:
            return owned
    return Candidate.objects.filter(Q(pk__in=managed.values("pk")) | Q(pk__in=owned.values("pk")))


def ballots_visible_to(user: User) -> QuerySet[Ballot]:
    if not user.is_authenticated:
        return Ballot.objects.none()
    # Votes in scope and the user's own owner rows as id subqueries: no join to owners (an OR across a join
    # reads every ballot of the district before the page's 20).
    votes = places.scope_by_compound(Vote.objects.all(), user, roles=MANAGE_ROLES).values("pk")
    return Ballot.objects.filter(Q(vote_id__in=votes) | Q(owner_id__in=Owner.objects.filter(user=user).values("pk")))


def candidate_counts_by_source(qs: QuerySet[Candidate]) -> list[dict]:
    """How many candidates each source produced (三推荐、两回请, joint nomination), with vetting outcomes."""
    rows = {
        r["source"]: r
        for r in qs.order_by()
        .values("source")
        .annotate(
            total=Count("id"),
            approved=Count("id", filter=Q(vetting=Candidate.Vetting.APPROVED)),
            rejected=Count("id", filter=Q(vetting=Candidate.Vetting.REJECTED)),
            pending=Count("id", filter=Q(vetting=Candidate.Vetting.PENDING)),
        )
    }
    return [
        {"source": value, "label": label, **{k: rows.get(value, {}).get(k, 0) for k in ("total", "approved", "rejected", "pending")}}
        for value, label in Candidate.Source.choices
    ]


@dataclass(frozen=True)
class Formation:
    """The formation picture of an area (SPEC §5): exact counts; rates as Decimals (None without a denominator)."""

    eligible: int
    with_active: int
    preparing: int
    active_committees: int
    red_committees: int
    ending_soon: int

    @property
    def without_active(self) -> int:
        return self.eligible - self.with_active

    @property
    def formation_rate(self) -> Decimal | None:
        return _percent(self.with_active, self.eligible)

    @property
    def red_ratio(self) -> Decimal | None:
        return _percent(self.red_committees, self.active_committees)


def _percent(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else Decimal(part) * 100 / Decimal(whole)


def formation_compounds(user: User) -> QuerySet[Compound]:
    """Compounds an official sees, annotated with their current committee's state (one query)."""
    active = Committee.objects.filter(compound=OuterRef("pk"), status=Committee.Status.ACTIVE)
    preparing = Committee.objects.filter(compound=OuterRef("pk"), status=Committee.Status.PREPARING)
    return places.compounds_visible_to(user, roles=[Role.OFFICIAL]).annotate(has_active=Exists(active), has_preparing=Exists(preparing))


def formation(user: User, *, today=None) -> Formation:
    """Formation rate = eligible compounds with an active committee ÷ eligible compounds; red ratio = red ÷ active."""
    today = today or timezone.localdate()
    compounds = places.compounds_visible_to(user, roles=[Role.OFFICIAL])
    current = Committee.objects.filter(compound__in=compounds.values("pk")).current()
    # A compound has at most one current committee (committee_one_current_per_compound), so counting the
    # current committees counts the compounds that have one: one pass over the committees, no EXISTS per
    # compound; the red count reads the counts each committee keeps of its members (Committee.seated_members).
    active, eligible = Q(status=Committee.Status.ACTIVE), Q(compound__committee_eligible=True)
    counts = current.aggregate(
        with_active=Count("id", filter=active & eligible),
        preparing=Count("id", filter=Q(status=Committee.Status.PREPARING) & eligible),
        active=Count("id", filter=active),
        red=Count("id", filter=red_q()),
        ending=Count("id", filter=active & Q(term_end__lte=today + timedelta(days=REMINDER_DAYS))),
    )
    return Formation(
        eligible=compounds.filter(committee_eligible=True).count(),
        with_active=counts["with_active"],
        preparing=counts["preparing"],
        active_committees=counts["active"],
        red_committees=counts["red"],
        ending_soon=counts["ending"],
    )


def unit_owner(compound: Compound, *, building: str, entrance: str, room: str) -> Owner | None:
    """The first registered owner of the unit at this address of the compound (a paper ballot names its unit)."""
    unit = Unit.objects.filter(compound=compound, building=building, entrance=entrance, room=room).first()
    return unit.owners.order_by("id").first() if unit else None
