import io

import pytest
from django.db.models import Count
from django.db.models.functions import TruncMonth

from complaints import demo
from complaints.models import Complaint, ComplaintEvent

pytestmark = pytest.mark.django_db


def test_demo_is_deterministic_safe_to_rerun_and_tells_the_tianma_story(world):
    demo.seed(io.StringIO())
    first = list(Complaint.objects.order_by("number").values_list("number", "status", "rating")[:200])
    total = Complaint.objects.count()
    demo.seed(io.StringIO())
    assert Complaint.objects.count() == total > 500
    assert {"closed", "rejected"} <= set(Complaint.objects.values_list("status", flat=True))
    assert ComplaintEvent.objects.filter(kind="create").count() == total

    months = (
        Complaint.objects.filter(compound__name="天马华耀城")
        .exclude(status="rejected")
        .annotate(m=TruncMonth("made_at"))
        .values("m")
        .annotate(n=Count("id"))
        .order_by("m")
    )
    counts = [r["n"] for r in months]
    # Twelve finished months, six against six, and the current month so far.
    assert len(counts) in (12, 13)  # on the 1st before any complaint of the day, the current month is empty
    finished = counts[:12]
    change = (sum(finished[6:]) - sum(finished[:6])) / sum(finished[:6]) * 100
    assert round(change, 2) == -33.21

    Complaint.objects.all().delete()
    demo.seed(io.StringIO())
    assert list(Complaint.objects.order_by("number").values_list("number", "status", "rating")[:200]) == first
