"""`manage.py seed_scale` keeps loading as the models grow (make bench, make bench-lists depend on it)."""

import pytest
from django.core.management import call_command
from django.db.models import Count

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
