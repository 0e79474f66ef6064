"""`manage.py seed_scale` keeps loading as the models grow (make bench, make bench-lists depend on it)."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from communities.models import Compound
from complaints.models import Complaint, ComplaintEvent


@pytest.mark.django_db
def test_seed_scale_loads_compounds_complaints_and_their_timelines():
    call_command("seed_scale", compounds=40, complaints=2000, events=True, verbosity=0)
    assert Compound.objects.filter(name__startswith="基准小区").count() == 40
    assert len(set(Compound.objects.values_list("public_id", flat=True))) == Compound.objects.count()
    assert Complaint.objects.filter(number__startswith="B").count() == 2000
    assert not Complaint.objects.annotate(n=Count("events")).filter(n=0).exists()
    closed = Complaint.objects.filter(status="closed").first()
    kinds = list(closed.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == ["create", "dispatch", "accept", "resolve", "close"]
    assert ComplaintEvent.objects.filter(kind="reject").count() == Complaint.objects.filter(status="rejected").count()


@pytest.mark.django_db
def test_open_days_leaves_only_recent_complaints_open():
    """`--open-days 14`: history piles up closed (or rejected); the work in hand is the last two weeks'."""
    from datetime import timedelta

    from django.utils import timezone

    call_command("seed_scale", compounds=20, complaints=3000, months=12, open_days=14, verbosity=0)
    cutoff = timezone.now() - timedelta(days=14)
    old = Complaint.objects.filter(made_at__lt=cutoff - timedelta(minutes=1))
    assert old.count() > 2500
    assert set(old.values_list("status", flat=True)) == {"closed", "rejected"}
    recent = Complaint.objects.filter(made_at__gte=cutoff)
    assert recent.filter(status__in=["dispatched", "accepted"]).exists()


@pytest.mark.django_db
def test_seed_scale_activity_fills_inspections_committees_votes_exports_and_audit_in_proportion():
    call_command("seed_scale", compounds=40, complaints=200, activity=True, verbosity=0)
    from committees.models import Ballot, BallotMark, Committee, RollEntry, Vote
    from core.models import ExportLog
    from inspections.models import ChecklistItem, Finding, Inspection, InspectionScore, RectificationList, RectificationReport

    assert Inspection.objects.count() == 80
    items = ChecklistItem.objects.filter(template__is_current=True).count()
    assert InspectionScore.objects.count() == 80 * items
    assert not Inspection.objects.filter(percentage=0).exists()
    assert Finding.objects.count() == 240
    lists = RectificationList.objects.count()
    assert 25 <= lists <= 28
    assert not RectificationList.objects.annotate(n=Count("items")).filter(n=0).exists()
    assert RectificationReport.objects.count() == RectificationList.objects.exclude(status="issued").count()
    assert Committee.objects.count() == 28
    assert Vote.objects.count() == 28
    assert RollEntry.objects.count() == 28 * 20
    assert 0.4 * 28 * 20 < Ballot.objects.count() < 0.8 * 28 * 20
    assert BallotMark.objects.count() == 4 * Ballot.objects.filter(vote__matter="election").count()
    assert ExportLog.objects.count() == 200
    assert Vote.history.count() == 28 and RectificationList.history.count() == lists
    # The committees keep their seated and Party-member counts, though the members were inserted in SQL.
    seated = Q(members__seat_end__isnull=True)
    counted = Committee.objects.annotate(
        s=Count("members", filter=seated), p=Count("members", filter=seated & Q(members__is_party_member=True))
    )
    assert {c.pk: (c.seated_members, c.party_members) for c in counted} == {c.pk: (c.s, c.p) for c in counted}
    assert {c.seated_members for c in counted} == {5}
    assert Committee.objects.red_count() == Committee.objects.with_counts().filter(red=True).count() > 0

    # The portal's list pages render for the bench district official (what bench/lists.py times).
    from django.test import Client

    from communities.models import District, RoleAssignment
    from core.models import User

    official = User.objects.create(username="bench_district")
    RoleAssignment.objects.create(user=official, role="official", district=District.objects.get(name="基准测试区"))
    client = Client()
    client.force_login(official)
    for url in PORTAL_LISTS:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "基准小区" in client.get("/inspections/").content.decode()
    assert "基准换届选举" in client.get("/api/v1/elections/").content.decode()


PORTAL_LISTS = [
    "/complaints/",
    "/inspections/",
    "/inspections/lists/",
    "/inspections/review/",
    "/committees/",
    "/mediation/",
    "/mediation/rules/",
    "/mediation/venues/",
    "/mediation/liaisons/",
    "/mediation/consultations/",
    "/ratings/stars/",
    "/ratings/surveys/",
    "/ratings/companies/",
    "/compounds/",
    "/audit/",
    "/audit/?source=committees.ballot",
    "/exports/log/",
    "/downloads/",
    "/summons/",
    "/bulletins/",
]


@pytest.mark.django_db
def test_seed_scale_activity_numbers_rows_from_the_sequence_not_the_highest_id():
    """Rolled-back inserts advance a table's id sequence: the load must not assume max(id) + 1."""
    from communities.models import PropertyCompany

    PropertyCompany.objects.create(name="先来物业", credit_code="91350505MA31234567").delete()
    call_command("seed_scale", compounds=10, complaints=10, activity=True, verbosity=0)
    assert PropertyCompany.objects.filter(name__startswith="基准物业").exists()
