from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from committees import services
from committees.models import Candidate, Committee, CommitteeMember, Matter
from communities.tests import factories as f


@pytest.fixture
def fulian_vote(world):
    """福炼小区: a committee, an open election with two approved candidates, and a few owners on the register."""
    fulian = world.fulian
    committee = Committee.objects.create(
        compound=fulian, status=Committee.Status.ACTIVE, term_start=date(2022, 1, 1), term_end=date(2026, 12, 31)
    )
    CommitteeMember.objects.create(
        committee=committee, name="蔡明", role=CommitteeMember.Role.DIRECTOR, is_party_member=True, seat_start=date(2022, 1, 1)
    )
    neighbour = f.UserFactory(username="neighbour_fulian")
    f.role(neighbour, "resident")
    f.give_unit(neighbour, fulian, area=120)
    now = timezone.now()
    election = services.vote_create(
        user=world.committee_fulian,
        compound=fulian,
        matter=Matter.ELECTION,
        title="福炼小区第三届业委会选举",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=3),
        seats=2,
    )
    candidates = []
    for name, source in [("蔡明", Candidate.Source.COMPOUND_BRANCH), ("陈丽", Candidate.Source.BUILDING_LEADER)]:
        c = services.candidate_nominate(user=world.committee_fulian, compound=fulian, vote=election, name=name, source=source)
        candidates.append(services.candidate_vet(user=world.community_fulian, candidate=c, approved=True))
    election = services.vote_publish(user=world.committee_fulian, vote=election)
    return SimpleNamespace(committee=committee, election=election, candidates=candidates, neighbour=neighbour)
