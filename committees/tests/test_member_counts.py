"""Each committee keeps how many members are seated now and how many of them are Party members
(Committee.seated_members, party_members): the red ratio is then a filter over committees. The stored counts
must equal a count of the seated members after every way members are written."""

from datetime import date

import pytest
from django.db.models import Count, Q

from committees import services
from committees.models import Committee, CommitteeMember
from committees.tests.factories import Register, cast, close

pytestmark = pytest.mark.django_db


def grouped() -> dict[int, tuple[int, int]]:
    """(seated, Party) per committee, counted from the members (seated = seat_end IS NULL)."""
    seated = Q(members__seat_end__isnull=True)
    rows = Committee.objects.order_by().annotate(
        s=Count("members", filter=seated), p=Count("members", filter=seated & Q(members__is_party_member=True))
    )
    return {c.pk: (c.s, c.p) for c in rows}


def stored() -> dict[int, tuple[int, int]]:
    return {pk: (s, p) for pk, s, p in Committee.objects.values_list("pk", "seated_members", "party_members")}


def _committee(compound) -> Committee:
    return Committee.objects.create(compound=compound, status="active", term_start=date(2024, 3, 1), term_end=date(2027, 1, 1))


def test_services_adding_and_ending_seats_keep_the_counts(world):
    c = _committee(world.fulian)
    a = services.member_add(user=world.district, committee=c, name="甲", seat_start=date(2024, 3, 1), is_party_member=True)
    services.member_add(user=world.district, committee=c, name="乙", seat_start=date(2024, 3, 1), is_party_member=True)
    services.member_add(user=world.district, committee=c, name="丙", seat_start=date(2024, 3, 1))
    assert stored()[c.pk] == grouped()[c.pk] == (3, 2)
    assert Committee.objects.red_count() == 1
    services.member_end_seat(user=world.district, member=a, seat_end=date(2024, 6, 1))
    assert stored()[c.pk] == grouped()[c.pk] == (2, 1)
    assert Committee.objects.red_count() == 0 == Committee.objects.with_counts().filter(red=True).count()


def test_deleting_a_member_and_flipping_party_membership_keep_the_counts(world):
    c = _committee(world.fulian)
    members = [CommitteeMember.objects.create(committee=c, name=f"委员{i}", seat_start=date(2024, 3, 1)) for i in range(3)]
    assert stored()[c.pk] == grouped()[c.pk] == (3, 0)
    members[0].is_party_member = True
    members[0].save()
    members[1].is_party_member = True
    members[1].save(update_fields=["is_party_member"])
    assert stored()[c.pk] == grouped()[c.pk] == (3, 2)
    assert Committee.objects.red_count() == 1
    members[2].delete()
    assert stored()[c.pk] == grouped()[c.pk] == (2, 2)
    members[0].delete()
    assert stored()[c.pk] == grouped()[c.pk] == (1, 1)


def test_moving_a_member_recounts_both_committees(world):
    c, d = _committee(world.fulian), _committee(world.tianma)
    m = CommitteeMember.objects.create(committee=c, name="甲", is_party_member=True, seat_start=date(2024, 3, 1))
    m.committee = d
    m.save()
    assert stored() == grouped() == {c.pk: (0, 0), d.pk: (1, 1)}


def test_saving_a_committee_loaded_before_its_members_does_not_write_stale_counts(world):
    c = _committee(world.fulian)
    CommitteeMember.objects.create(committee=c, name="甲", is_party_member=True, seat_start=date(2024, 3, 1))
    c.filed_on = date(2024, 3, 20)  # `c` was loaded with no members
    c.save()
    assert stored()[c.pk] == grouped()[c.pk] == (1, 1)


def test_seating_an_election_counts_the_elected():
    reg = Register()
    a, b = reg.owner(100), reg.owner(100)
    vote = reg.vote("election", seats=1, candidates=1)
    cand = vote.candidates.get()
    cand.is_party_member = True
    cand.save()
    for owner in (a, b):
        cast(vote, owner, marks={cand.id: "approve"})
    close(vote)
    services.vote_certify(user=reg.manager, vote=vote)
    committee = Committee.objects.get(compound=reg.compound)
    assert stored()[committee.pk] == grouped()[committee.pk] == (1, 1)


def test_recount_repairs_counts_written_around_the_signals(world):
    c = _committee(world.fulian)
    CommitteeMember.objects.create(committee=c, name="甲", is_party_member=True, seat_start=date(2024, 3, 1))
    CommitteeMember.objects.filter(committee=c).update(seat_end=date(2024, 5, 1))  # no signal
    assert stored()[c.pk] == (1, 1) != grouped()[c.pk]
    Committee.objects.filter(pk=c.pk).recount()
    assert stored()[c.pk] == grouped()[c.pk] == (0, 0)


def test_the_nightly_recount_repairs_counts_a_bypassing_write_left_off(world, caplog):
    from django_celery_beat.models import PeriodicTask

    from committees.tasks import recount_members

    kept, bypassed = _committee(world.fulian), _committee(world.tianma)
    services.member_add(user=world.district, committee=kept, name="甲", seat_start=date(2024, 3, 1), is_party_member=True)
    # bulk_create and a queryset update send no signals: the kept counts go stale.
    CommitteeMember.objects.bulk_create(
        [CommitteeMember(committee=bypassed, name=f"委员{i}", seat_start=date(2024, 3, 1), is_party_member=i < 2) for i in range(3)]
    )
    CommitteeMember.objects.filter(committee=kept).update(is_party_member=False)
    assert stored()[bypassed.pk] == (0, 0) and stored()[kept.pk] == (1, 1)
    assert set(Committee.objects.drifted().values_list("pk", flat=True)) == {kept.pk, bypassed.pk}
    assert recount_members() == 2
    assert stored() == grouped()
    assert stored()[bypassed.pk] == (3, 2) and Committee.objects.red_count() == 1
    assert "drifted for 2 committee(s)" in caplog.text
    assert recount_members() == 0 and not Committee.objects.drifted().exists()
    # It runs every night once migrate has installed the default schedules.
    from core.schedules import install_default_schedules

    install_default_schedules()
    assert PeriodicTask.objects.get(name="committees.recount_members").crontab.hour == "2"
