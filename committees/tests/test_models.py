from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from committees import selectors, services, tasks
from committees.models import Ballot, Candidate, Committee, CommitteeMember
from committees.selectors import formation
from committees.tests.factories import Register, cast
from core.models import Notification

pytestmark = pytest.mark.django_db


def _committee(compound, **kw):
    return Committee.objects.create(
        compound=compound, status=kw.pop("status", "active"), term_start=kw.pop("start", date(2024, 3, 1)), term_end=kw.pop("end"), **kw
    )


def test_database_refuses_term_over_five_years(world):
    _committee(world.fulian, end=date(2029, 3, 1))  # exactly five years: allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        _committee(world.tianma, end=date(2029, 3, 2))


def test_database_refuses_second_current_committee(world):
    _committee(world.fulian, end=date(2027, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        _committee(world.fulian, status="preparing", end=date(2027, 1, 1))
    _committee(world.fulian, status="expired", start=date(2018, 1, 1), end=date(2022, 12, 31))


def test_database_refuses_second_seated_director(world):
    c = _committee(world.fulian, end=date(2027, 1, 1))
    CommitteeMember.objects.create(committee=c, name="甲", role="director", seat_start=date(2024, 3, 1), seat_end=date(2024, 6, 1))
    CommitteeMember.objects.create(committee=c, name="乙", role="director", seat_start=date(2024, 6, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeMember.objects.create(committee=c, name="丙", role="director", seat_start=date(2024, 7, 1))


def test_database_refuses_two_counted_ballots_for_one_head():
    reg = Register()
    owner = reg.owner(100)
    vote = reg.vote()
    (ballot,) = cast(vote, owner, "approve")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(vote=vote, entry=ballot.entry, owner=owner, choice="oppose", status="counted")


def test_red_committee_is_derived_from_seated_party_members(world):
    c = _committee(world.fulian, end=date(2027, 1, 1))
    for i, party in enumerate([True, True, False]):
        CommitteeMember.objects.create(committee=c, name=f"委员{i}", is_party_member=party, seat_start=date(2024, 3, 1))
    assert Committee.objects.with_counts().get(pk=c.pk).is_red and c.is_red
    CommitteeMember.objects.create(committee=c, name="新委员", seat_start=date(2024, 3, 1))  # 2 of 4: not more than half
    assert not Committee.objects.with_counts().get(pk=c.pk).is_red and not c.is_red
    CommitteeMember.objects.filter(name="新委员").update(seat_end=date(2024, 5, 1))
    assert Committee.objects.with_counts().get(pk=c.pk).is_red
    Committee.objects.filter(pk=c.pk).update(status="expired")
    assert not Committee.objects.with_counts().get(pk=c.pk).is_red


def test_formation_rate_counts_eligible_compounds_with_an_active_committee(world):
    world.jinxiang.committee_eligible = False
    world.jinxiang.save()
    c = _committee(world.fulian, end=timezone.localdate() + timedelta(days=30))
    CommitteeMember.objects.create(committee=c, name="党员", is_party_member=True, seat_start=date(2024, 3, 1))
    _committee(world.tianma, status="preparing", end=date(2027, 1, 1))
    f = formation(world.district)
    assert (f.eligible, f.with_active, f.preparing, f.active_committees, f.red_committees, f.ending_soon) == (2, 1, 1, 1, 1, 1)
    assert f.formation_rate == 50 and f.red_ratio == 100
    assert formation(world.town_jieshan).formation_rate == 0


def test_term_end_reminder_goes_to_community_officials_once(world, settings):
    c = _committee(world.fulian, end=timezone.localdate() + timedelta(days=90))
    _committee(world.tianma, end=timezone.localdate() + timedelta(days=91))
    world.community_fulian.email = "liu@example.com"
    world.community_fulian.save()
    assert tasks.remind_terms_ending.delay().get() == 1
    assert tasks.remind_terms_ending.delay().get() == 0
    notes = Notification.objects.filter(kind="committee_term_ending")
    assert list(notes.values_list("user__username", flat=True)) == ["community_fulian"]
    assert Committee.objects.get(pk=c.pk).reminder_sent_at is not None
    assert len(mail.outbox) <= 1


def test_expired_terms_end_the_committee_and_its_seats(world):
    c = _committee(world.fulian, start=date(2022, 1, 1), end=timezone.localdate() - timedelta(days=1))
    CommitteeMember.objects.create(committee=c, name="甲", seat_start=date(2022, 1, 1))
    tasks.remind_terms_ending.delay()
    c.refresh_from_db()
    assert c.status == "expired" and c.members.get().seat_end == c.term_end
    assert c.history.count() >= 2


def test_certification_without_committee_creates_an_active_one_with_five_year_term():
    reg = Register()
    a, b = reg.owner(100), reg.owner(100)
    vote = reg.vote("election", seats=1, candidates=1)
    cand = vote.candidates.get()
    for owner in (a, b):
        cast(vote, owner, marks={cand.id: "approve"})
    from committees.tests.factories import close

    close(vote)
    services.vote_certify(user=reg.manager, vote=vote)
    committee = Committee.objects.get(compound=reg.compound)
    assert committee.status == "active" and committee.election_id == vote.id
    assert committee.term_end == committee.term_start.replace(year=committee.term_start.year + 5) - timedelta(days=1)
    assert committee.members.get().candidate_id == cand.id
    assert vote.ballots.get(owner=a).history.count() == 1


def test_formation_never_reads_the_members(world):
    """At 7,000 committees a pass over their members costs ~18 ms: the red count reads the counts each
    committee keeps (Committee.seated_members, party_members) instead, in the same pass as the other counts."""
    _committee(world.fulian, end=timezone.localdate() + timedelta(days=30))
    with CaptureQueriesContext(connection) as ctx:
        picture = formation(world.district)
    queries = [q["sql"] for q in ctx.captured_queries if "communities_roleassignment" not in q["sql"]]
    assert len(queries) == 2 and not [sql for sql in queries if "EXISTS" in sql]  # the committees' pass, the eligible count
    assert picture.red_committees == Committee.objects.filter(compound__in=[world.fulian]).red_count()
    assert sum("committees_committeemember" in q["sql"] for q in ctx.captured_queries) == 0


def test_candidates_of_a_user_with_one_kind_of_role_are_scoped_without_an_id_subquery(world, fulian_vote):
    from communities import selectors as places
    from communities.models import RoleAssignment
    from communities.tests import factories as f
    from core.models import User

    mixed = User.objects.create(username="committee_and_resident")
    f.role(mixed, "committee", compound=world.fulian)
    f.role(mixed, "resident")
    f.give_unit(mixed, world.tianma)
    for user in (world.district, world.committee_fulian, world.resident_fulian, mixed, world.staff_yifang):
        managed = places.scope_by_compound(Candidate.objects.all(), user, roles=selectors.MANAGE_ROLES)
        owned = places.scope_by_compound(
            Candidate.objects.filter(vetting="approved", vote__status__in=["open", "certified"]), user, roles=[RoleAssignment.Role.RESIDENT]
        )
        either = Candidate.objects.filter(Q(pk__in=managed.values("pk")) | Q(pk__in=owned.values("pk")))
        qs = selectors.candidates_visible_to(user)
        assert sorted(qs.values_list("pk", flat=True)) == sorted(either.values_list("pk", flat=True))
        try:
            sql = str(qs.query)
        except EmptyResultSet:  # no rows at all (staff see no candidates)
            sql = ""
        assert ('"committees_candidate"."id" IN' in sql) == (user is mixed)
    assert selectors.candidates_visible_to(world.district).exists()
