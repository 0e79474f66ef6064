"""Response rate (SPEC §5): only complaints due for signing count, signed for or past their sign-for deadline.

A complaint filed a minute ago, not yet signed and with its deadline ahead, is in neither the numerator
nor the denominator: it must not pull the current month's rate down as if it had been signed late.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from communities.models import Compound
from complaints.models import Complaint
from complaints.tests.factories import complaint as filed
from ratings import engine
from ratings.models import MetricRun, MetricSnapshot
from ratings.tests.factories import complaint


def _row(compound, now):
    return MetricSnapshot.objects.get(level="compound", area_id=compound.pk, month=engine.local_month(now))


def _dump():
    fields = [f.name for f in MetricSnapshot._meta.fields if f.name not in ("id", "computed_at")]
    return sorted(tuple(row) for row in MetricSnapshot.objects.values_list(*fields))


def test_a_complaint_filed_a_minute_ago_is_not_yet_due_for_signing(world, api):
    now = timezone.now()
    fresh = filed(world, made_at=now - timedelta(minutes=1))
    assert fresh.accepted_at is None and fresh.response_due > now  # deadline ahead, not signed
    # Beside it, in the same month: one signed for in time, one whose deadline passed unsigned.
    complaint(
        world.fulian, now - timedelta(minutes=3), "accepted", response_due=now + timedelta(hours=3), accepted_at=now - timedelta(minutes=2)
    )
    complaint(world.fulian, now - timedelta(minutes=2), "dispatched", response_due=now - timedelta(seconds=30))

    engine.compute(full=True, now=now)

    row = _row(world.fulian, now)
    assert row.complaints == 3
    assert (row.responded_on_time, row.response_due) == (1, 2)
    assert row.response_rate == Decimal("50.000000")
    # Every surface reads the snapshot: the metrics API says the same.
    body = (
        api.as_user(world.district)
        .get("/api/v1/metrics/", {"level": "compound", "area": world.fulian.pk, "month_from": row.month, "month_to": row.month})
        .json()
    )
    assert (body["results"][0]["response_due"], body["results"][0]["responded_on_time"]) == (2, 1)
    assert body["results"][0]["response_rate"] == "50.000000"
    district = MetricSnapshot.objects.get(level="district", area_id=world.district_area.pk, month=row.month)
    assert (district.responded_on_time, district.response_due) == (1, 2)


def test_only_a_fresh_unsigned_complaint_gives_no_response_rate_instead_of_zero(world):
    now = timezone.now()
    filed(world, made_at=now - timedelta(minutes=1))
    engine.compute(full=True, now=now)
    row = _row(world.fulian, now)
    assert (row.complaints, row.response_due, row.responded_on_time) == (1, 0, 0)
    assert row.response_rate is None


def test_signing_a_fresh_complaint_makes_it_due_and_on_time(world):
    now = timezone.now()
    c = filed(world, made_at=now - timedelta(minutes=1), status="accepted")
    assert c.accepted_at <= c.response_due
    engine.compute(full=True, now=timezone.now())
    row = _row(world.fulian, now)
    assert (row.responded_on_time, row.response_due) == (1, 1)
    assert row.response_rate == Decimal("100.000000")


def test_a_deadline_passing_without_any_write_is_picked_up_by_an_incremental_run(world):
    now = timezone.now()
    c = filed(world, made_at=now - timedelta(minutes=1))
    engine.compute(full=True, now=now)
    assert _row(world.fulian, now).response_due == 0
    # Nothing is written after the run: the complaint is only caught by its deadline having passed.
    Complaint.objects.filter(pk=c.pk).update(updated_at=now - timedelta(days=30))
    Compound.objects.update(updated_at=now - timedelta(days=30))
    later = c.response_due + timedelta(minutes=1)

    run = engine.compute(now=later).run
    assert run.kind == MetricRun.Kind.INCREMENTAL
    row = _row(world.fulian, now)
    assert (row.responded_on_time, row.response_due) == (0, 1)
    assert row.response_rate == Decimal("0")

    incremental = _dump()
    engine.compute(full=True, now=later)
    assert _dump() == incremental
