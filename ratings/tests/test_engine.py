"""The metrics engine against hand-computed figures (SPEC §5)."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from communities.models import Compound
from communities.tests import factories as f
from complaints.models import Complaint
from core.locks import advisory_key
from ratings import calc, engine
from ratings.models import MetricRun, MetricSnapshot
from ratings.tests.factories import complaint, local, response, survey

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
NOW = local(2026, 11, 20)


def snap(level, area_id, month):
    return MetricSnapshot.objects.get(level=level, area_id=area_id, month=month)


def dump():
    fields = [f.name for f in MetricSnapshot._meta.fields if f.name != "id"]
    return sorted(tuple(row) for row in MetricSnapshot.objects.values_list(*fields))


def age_everything():
    """Pretend every row was written long ago, so an incremental run sees only what a test changes next."""
    long_ago = timezone.now() - timedelta(days=400)
    Complaint.objects.update(updated_at=long_ago)
    Compound.objects.update(updated_at=long_ago)
    MetricRun.objects.update(watermark=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def small(world):
    """福炼小区 486 households; a second compound of 14 households in 福炼社区 (together 500)."""
    world.small = f.CompoundFactory(community=world.fulian_community, name="小巷小区", household_count=14)
    return world


def test_complaint_ratio_is_complaints_per_100_households(small):
    for _ in range(3):
        complaint(small.fulian, local(2026, 10, 5))
    engine.compute(full=True, now=NOW)
    row = snap("compound", small.fulian.pk, OCT)
    assert (row.complaints, row.households) == (3, 486)
    assert row.complaint_ratio == Decimal("0.617284")  # 3 / 486 * 100 = 0.6172839…


def test_rollup_is_sum_over_sum_never_mean_of_ratios(small):
    for _ in range(3):
        complaint(small.fulian, local(2026, 10, 5))  # 3 / 486 → 0.617284
    complaint(small.small, local(2026, 10, 6))  # 1 / 14 → 7.142857
    engine.compute(full=True, now=NOW)
    community = snap("community", small.fulian_community.pk, OCT)
    assert (community.complaints, community.households) == (4, 500)
    assert community.complaint_ratio == Decimal("0.800000")  # 4 / 500 * 100; the mean of ratios would be 3.88
    town = snap("subdistrict", small.houlong.pk, OCT)
    assert town.complaint_ratio == Decimal("0.800000")
    district = snap("district", small.district_area.pk, OCT)
    # 泉港区: 486 + 14 + 1268 (天马华耀城) + 932 (锦祥安置小区) = 2700 households, 4 complaints.
    assert (district.complaints, district.households, district.compounds) == (4, 2700, 4)
    assert district.complaint_ratio == Decimal("0.148148")  # 4 / 2700 * 100 = 0.148148…


def test_rejected_complaints_do_not_count(world):
    complaint(world.fulian, local(2026, 10, 5))
    complaint(world.fulian, local(2026, 10, 6), status="rejected")
    engine.compute(full=True, now=NOW)
    assert snap("compound", world.fulian.pk, OCT).complaints == 1


def test_a_complaint_at_2330_on_31_october_shanghai_time_counts_in_october(world):
    complaint(world.fulian, local(2026, 10, 31, 23, 30))  # 15:30 UTC on 31 October
    complaint(world.fulian, local(2026, 11, 1, 0, 10))  # 16:10 UTC on 31 October, but November in Shanghai
    engine.compute(full=True, now=NOW)
    assert snap("compound", world.fulian.pk, OCT).complaints == 1
    assert snap("compound", world.fulian.pk, NOV).complaints == 1


def test_response_resolution_and_ticket_satisfaction_rates(world):
    made = local(2026, 10, 5, 9)
    due = made + timedelta(hours=4)
    # Signed in time, closed and satisfied.
    complaint(world.fulian, made, "closed", response_due=due, accepted_at=made + timedelta(hours=1), rating="satisfied")
    # Signed late, closed, basically satisfied.
    complaint(world.fulian, made, "closed", response_due=due, accepted_at=made + timedelta(hours=5), rating="basic")
    # Signed in time, closed, dissatisfied.
    complaint(world.fulian, made, "closed", response_due=due, accepted_at=made + timedelta(hours=2), rating="dissatisfied")
    # Resolved, awaiting the resident; signed exactly at the deadline.
    complaint(world.fulian, made, "resolved", response_due=due, accepted_at=due)
    # Dispatched, not yet signed for.
    complaint(world.fulian, made, "dispatched", response_due=due)
    engine.compute(full=True, now=NOW)
    row = snap("compound", world.fulian.pk, OCT)
    assert (row.responded_on_time, row.response_due) == (3, 5)
    assert row.response_rate == Decimal("60.000000")
    assert (row.resolved, row.complaints) == (4, 5)
    assert row.resolution_rate == Decimal("80.000000")
    assert (row.rated_satisfied, row.rated) == (2, 3)
    assert row.ticket_satisfaction_rate == Decimal("66.666667")


def test_survey_satisfaction_rate_counts_satisfied_and_basically_satisfied(world):
    rnd = survey(world, month=(2026, 10))
    units = [world.resident_fulian_unit, *[f.UnitFactory(compound=world.fulian) for _ in range(3)]]
    response(rnd, units[0], "satisfied")
    response(rnd, units[1], "satisfied", governance="dissatisfied")
    response(rnd, units[2], "basic")
    response(rnd, units[3], "dissatisfied")
    engine.compute(full=True, now=NOW)
    row = snap("compound", world.fulian.pk, OCT)
    assert (row.survey_satisfied, row.survey_responses) == (3, 4)
    assert row.satisfaction_rate == Decimal("75.000000")
    assert row.dim_governance == 2  # satisfied, basic; the second and fourth said dissatisfied
    assert snap("district", world.district_area.pk, OCT).satisfaction_rate == Decimal("75.000000")


def test_monthly_average_and_change_against_baseline(world):
    # 福炼小区 486 households → use a compound of 100 households for round numbers.
    c = f.CompoundFactory(community=world.fulian_community, name="百户小区", household_count=100)
    for month, n in ((7, 6), (8, 3), (9, 2), (10, 4)):
        for _ in range(n):
            complaint(c, local(2026, month, 10))
    engine.compute(full=True, now=NOW)
    from ratings.selectors import Area, area_series

    area = Area("compound", c)
    baseline = calc.monthly_average(area_series(area, date(2026, 7, 1), date(2026, 8, 1)))  # (6 + 3) / 2 = 4.5
    now = calc.monthly_average(area_series(area, date(2026, 9, 1), date(2026, 10, 1)))  # (2 + 4) / 2 = 3
    assert baseline == Decimal("4.5")
    assert now == Decimal("3")
    assert calc.change(now, baseline) == Decimal("-33.33333333333333333333333333")  # (3 − 4.5) / 4.5
    assert calc.pct(calc.change(now, baseline)) == "-33.33%"


def test_percentages_show_two_decimals():
    assert calc.pct(Decimal("84.117647")) == "84.12%"
    assert calc.pct(Decimal("97.690531")) == "97.69%"
    assert calc.pct(None) == "—"


def test_a_second_run_changes_nothing(world):
    complaint(world.fulian, local(2026, 10, 5), "closed", rating="satisfied")
    complaint(world.tianma, local(2026, 9, 5))
    engine.compute(full=True, now=NOW)
    first = dump()
    engine.compute(full=True, now=NOW + timedelta(minutes=5))
    assert dump() == first  # computed_at included: unchanged rows are not rewritten
    engine.compute(full=False, now=NOW + timedelta(minutes=10))
    assert dump() == first


def test_incremental_run_equals_a_full_recompute(small):
    c1 = complaint(small.fulian, local(2026, 9, 5))
    c2 = complaint(small.tianma, local(2026, 10, 5))
    complaint(small.jinxiang, local(2026, 10, 7))
    engine.compute(full=True, now=NOW)
    age_everything()
    # Changes since: a status change, a rejection, a new complaint, one backdated to a month not yet in range,
    # a survey response, and a compound's household count.
    Complaint.objects.filter(pk=c1.pk).update(status="closed", rating="satisfied", rated_at=timezone.now(), updated_at=timezone.now())
    Complaint.objects.filter(pk=c2.pk).update(status="rejected", reject_reason="invalid", updated_at=timezone.now())
    complaint(small.small, local(2026, 11, 2))
    complaint(small.tianma, local(2026, 6, 30, 23, 50))
    response(survey(small, month=(2026, 10)), small.resident_tianma_unit, "basic")
    Compound.objects.filter(pk=small.jinxiang.pk).update(household_count=1000, updated_at=timezone.now())
    # 小巷小区 moves from 福炼社区 (后龙镇) to 界山社区 (界山镇): both communities and towns change.
    Compound.objects.filter(pk=small.small.pk).update(community=small.jieshan_community, updated_at=timezone.now())

    result = engine.compute(full=False, now=NOW + timedelta(minutes=15))
    assert result.run.kind == "incremental"
    incremental = dump()
    engine.compute(full=True, now=NOW + timedelta(minutes=15))
    assert dump() == incremental
    assert snap("compound", small.tianma.pk, date(2026, 6, 1)).complaints == 1
    assert snap("compound", small.tianma.pk, OCT).complaints == 0
    assert snap("community", small.fulian_community.pk, NOV).households == 486  # 小巷小区 has left


def test_incremental_run_touches_only_changed_compound_months(small):
    c1 = complaint(small.fulian, local(2026, 9, 5))
    complaint(small.tianma, local(2026, 10, 5))
    engine.compute(full=True, now=NOW)
    total = MetricSnapshot.objects.filter(level="compound").count()
    age_everything()
    Complaint.objects.filter(pk=c1.pk).update(status="resolved", updated_at=timezone.now())
    run = engine.compute(full=False, now=NOW).run
    assert run.touched == 1
    assert total == 4 * 3  # four compounds × September..November


def test_first_run_is_full_and_command_prints_its_summary(world, capsys):
    complaint(world.fulian, local(2026, 10, 5))
    call_command("compute_metrics")
    assert MetricRun.objects.get().kind == "full"
    call_command("compute_metrics")
    assert MetricRun.objects.order_by("-id").first().kind == "incremental"
    assert "compound-months" in capsys.readouterr().out


def test_a_run_does_nothing_while_another_holds_the_lock(world):
    complaint(world.fulian, local(2026, 10, 5))
    db = settings.DATABASES["default"]
    held, release = threading.Event(), threading.Event()

    def hold():
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], password=db["PASSWORD"] or None
        ) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", [advisory_key(engine.LOCK)])
            held.set()
            release.wait(10)
            conn.execute("SELECT pg_advisory_unlock(%s)", [advisory_key(engine.LOCK)])

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10)
        result = engine.compute(full=True, now=NOW)
        assert result.skipped
        assert not MetricSnapshot.objects.exists()
        assert not MetricRun.objects.exists()
    finally:
        release.set()
        thread.join()
    assert not engine.compute(full=True, now=NOW).skipped


def test_celery_tasks_run_the_engine(world):
    from ratings import tasks

    complaint(world.fulian, local(2026, 10, 5))
    assert tasks.compute_metrics_full.delay().get() > 0
    assert tasks.compute_metrics.delay().get() >= 0


def test_default_schedules_are_installed_in_celery_beat(db):
    from django_celery_beat.models import PeriodicTask

    from core.schedules import install_default_schedules

    install_default_schedules()
    incremental = PeriodicTask.objects.get(name="ratings.metrics_incremental")
    assert (incremental.task, incremental.interval.every) == ("ratings.compute_metrics", 15)
    nightly = PeriodicTask.objects.get(name="ratings.metrics_full")
    assert (nightly.task, nightly.crontab.hour, nightly.crontab.minute) == ("ratings.compute_metrics_full", "2", "30")


def test_on_time_rectification_and_latest_inspection_score(world):
    from inspections.models import ChecklistTemplate, Inspection, RectificationList

    template = ChecklistTemplate.objects.create(name="检查表", version=1)

    def inspection(day, percentage):
        return Inspection.objects.create(
            compound=world.fulian,
            template=template,
            inspected_on=day,
            recorded_by=world.town_houlong,
            status="submitted",
            submitted_at=timezone.now(),
            total_score=percentage,
            max_total=100,
            percentage=percentage,
        )

    first = inspection(date(2026, 8, 20), Decimal("72.50"))
    inspection(date(2026, 10, 9), Decimal("91.25"))

    def rect(n, deadline, status="issued", accepted_on=None):
        return RectificationList.objects.create(
            number=f"ZG{n}",
            inspection=first,
            compound=world.fulian,
            company=world.yifang,
            issued_by=world.town_houlong,
            deadline=deadline,
            status=status,
            accepted_on=accepted_on,
            accepted_at=timezone.now() if accepted_on else None,
        )

    rect(1, date(2026, 9, 10), "accepted", date(2026, 9, 8))  # on time
    rect(2, date(2026, 9, 15), "accepted", date(2026, 9, 20))  # late
    rect(3, date(2026, 9, 25))  # overdue, still open
    rect(4, date(2026, 12, 15))  # not yet due
    engine.compute(full=True, now=NOW)
    sep = snap("compound", world.fulian.pk, date(2026, 9, 1))
    assert (sep.rect_on_time, sep.rect_due) == (1, 3)
    assert sep.rectification_rate == Decimal("33.333333")
    assert snap("compound", world.fulian.pk, date(2026, 12, 1)).rect_due == 0
    assert snap("compound", world.tianma.pk, date(2026, 9, 1)).inspection_score is None  # never inspected
    assert snap("compound", world.fulian.pk, date(2026, 9, 1)).inspection_score == Decimal("72.500000")
    assert snap("compound", world.fulian.pk, OCT).inspection_score == Decimal("91.250000")
    town = snap("subdistrict", world.houlong.pk, date(2026, 9, 1))
    assert (town.rect_on_time, town.rect_due, town.inspections) == (1, 3, 1)
    before = dump()
    engine.compute(full=False, now=NOW)
    assert dump() == before


@pytest.mark.django_db
def test_incremental_run_finds_passed_sign_for_deadlines_through_their_own_index(world):
    """A sign-for deadline passing changes a compound-month with no write; the incremental run finds
    those complaints through the partial index of unsigned ones (`complaint_unsigned_due`), not the
    status index filtered by deadline (1.7 s of a 1.9 s run at 10,000,000 complaints)."""
    import json

    from django.db import connection

    from complaints.tests import factories as cf
    from ratings.management.commands.seed_scale import insert_columns

    given = {
        "number": "'E' || g",
        "channel": "'app'",
        "description": "'计划测试'",
        "status": "CASE WHEN g %% 50 = 0 THEN 'dispatched' ELSE 'closed' END",
        "made_at": "now() - (g %% 300) * interval '1 day'",
        "created_at": "now()",
        "updated_at": "now() - interval '1 day'",
        "response_due": "now() - (g %% 300) * interval '1 day' + interval '4 hours'",
        "category_id": str(cf.category("noise").pk),
        "compound_id": str(world.fulian.pk),
    }
    columns, values, defaults = insert_columns(Complaint, given)
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO complaints_complaint ({columns}) SELECT {values} FROM generate_series(1, 100000) g", defaults)
        cur.execute("ANALYZE complaints_complaint")
        sql = engine._complaints_touched().split(" UNION ", 1)[1]
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, {"wm": now - timedelta(minutes=15), "now_db": now})
        plan = json.dumps(cur.fetchone()[0])
    assert "complaint_unsigned_due" in plan, plan
