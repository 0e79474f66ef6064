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
