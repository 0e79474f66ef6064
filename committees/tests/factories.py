"""Test builders for committees: a compound's register of owners, votes and ballots."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from committees import services
from committees.models import Candidate, Matter, Vote
from communities.models import Compound, Owner, Ownership, RoleAssignment, Unit
from communities.tests import factories as f
from core.models import User

_rooms = itertools.count(1)


def _unit(compound: Compound, area, *, unsold: bool = False) -> Unit:
    return Unit.objects.create(
        compound=compound, building="9幢", entrance="1单元", room=f"{next(_rooms)}", area=Decimal(str(area)), is_developer_unsold=unsold
    )


class Register:
    """Build a compound's owners and units compactly: `reg.owner(100, 100)` is one buyer with two units."""

    def __init__(self, compound: Compound | None = None) -> None:
        self.compound = compound or f.CompoundFactory()
        self.manager = f.UserFactory()
        RoleAssignment.objects.create(user=self.manager, role="official", community=self.compound.community)

    def owner(self, *areas, name: str | None = None) -> Owner:
        user = f.UserFactory()
        owner = Owner.objects.create(name=name or user.username, user=user)
        for area in areas:
            Ownership.objects.create(unit=_unit(self.compound, area), owner=owner)
        return owner

    def developer(self, *areas) -> Owner:
        user = f.UserFactory()
        owner = Owner.objects.create(name="开发商", user=user, is_developer=True)
        for area in areas:
            Ownership.objects.create(unit=_unit(self.compound, area, unsold=True), owner=owner)
        return owner

    def co_owned(self, area, count: int = 2) -> list[Owner]:
        unit = _unit(self.compound, area)
        owners = []
        for _ in range(count):
            user = f.UserFactory()
            owner = Owner.objects.create(name=user.username, user=user)
            Ownership.objects.create(unit=unit, owner=owner)
            owners.append(owner)
        return owners

    def vote(self, matter: str = Matter.OTHER, *, seats: int | None = None, candidates: int = 0, publish: bool = True) -> Vote:
        now = timezone.now()
        vote = services.vote_create(
            user=self.manager,
            compound=self.compound,
            matter=matter,
            title=f"表决 {matter}",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=7),
            seats=seats,
        )
        for i in range(candidates):
            c = services.candidate_nominate(
                user=self.manager, compound=self.compound, vote=vote, name=f"候选人{i + 1}", source=Candidate.Source.COMPOUND_BRANCH
            )
            services.candidate_vet(user=self.manager, candidate=c, approved=True)
        if publish:
            vote = services.vote_publish(user=self.manager, vote=vote)
        return vote


def cast(vote: Vote, owner: Owner, choice: str | None = None, **marks_by_candidate):
    """Cast online as the owner's user. For elections pass marks as {candidate_id: choice} via `marks=`."""
    marks = marks_by_candidate.get("marks")
    return services.ballot_cast(
        user=owner.user,
        vote=vote,
        choice=choice,
        marks=[{"candidate": cid, "choice": ch} for cid, ch in marks.items()] if marks is not None else None,
    )


def close(vote: Vote) -> Vote:
    """Move the window into the past, as if time had passed."""
    now = timezone.now()
    Vote.objects.filter(pk=vote.pk).update(opens_at=now - timedelta(days=8), closes_at=now - timedelta(seconds=1))
    vote.refresh_from_db()
    return vote


def user_owner(user: User) -> Owner:
    return Owner.objects.get(user=user)


def four_candidate_election(world) -> tuple[Vote, list[Candidate]]:
    """An open by-election in 福炼小区 with four approved candidates (蔡明, 陈丽, 林海, 黄芳)."""
    now = timezone.now()
    vote = services.vote_create(
        user=world.committee_fulian,
        compound=world.fulian,
        matter=Matter.ELECTION,
        title="福炼小区业委会补选",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=3),
        seats=3,
    )
    candidates = []
    for name in ("蔡明", "陈丽", "林海", "黄芳"):
        c = services.candidate_nominate(
            user=world.committee_fulian, compound=world.fulian, vote=vote, name=name, source=Candidate.Source.OWNERS_JOINT
        )
        candidates.append(services.candidate_vet(user=world.community_fulian, candidate=c, approved=True))
    return services.vote_publish(user=world.committee_fulian, vote=vote), candidates
