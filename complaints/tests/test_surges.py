"""Early warning: the Poisson test, the detector on a planted spike and on a flat series, one
notification per warning, scope, and the target-problem counts by town."""

import math
from datetime import datetime, timedelta
from fractions import Fraction

import pytest
from django.utils import timezone

from complaints import surges
from complaints.models import Category, Complaint, SurgeWarning
from complaints.tasks import detect_surges
from core.models import Notification
from core.schedules import _DEFAULTS
from ratings.tests.factories import SHANGHAI

# A Wednesday noon; its week starts on Monday 2026-11-16.
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=SHANGHAI)
MONDAY = NOW.date() - timedelta(days=2)
_n = iter(range(1, 100000))


def _plant(compound, category, *, per_week: list[int]) -> None:
    """`per_week[i]` complaints i weeks before this week (index 0 = this week), made on Tuesdays."""
    for back, n in enumerate(per_week):
        day = datetime.combine(MONDAY - timedelta(weeks=back) + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI)
        for k in range(n):
            Complaint.objects.create(
                number=f"S{next(_n):08d}",
                compound=compound,
                category=category,
                description="电动车楼道充电",
                made_at=day + timedelta(hours=8, minutes=k),
                status="dispatched",
            )


@pytest.fixture
def ebike(db):
    return Category.objects.get(code="ebike")


def _reference_tail(k: int, lam: Fraction, terms: int = 200) -> float:
    """P(X ≥ k) by exact rational partial sums of e^−λ λ^i / i! (e^−λ applied once, in float)."""
    total = sum(lam**i / math.factorial(i) for i in range(k, k + terms))
    return float(total) * math.exp(-float(lam))


@pytest.mark.parametrize(
    ("k", "lam"), [(0, 3.0), (1, 0.5), (5, 0.5), (3, 0.5), (6, 6.0), (15, 6.0), (20, 6.0), (40, 6.0), (2, 9.5), (120, 100.0)]
)
def test_poisson_upper_tail_matches_the_exact_sum(k, lam):
    expected = 1.0 if k == 0 else _reference_tail(k, Fraction(lam), terms=400)
    assert surges.poisson_upper_tail(k, lam) == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_the_documented_threshold_examples_hold():
    assert surges.poisson_upper_tail(5, 0.5) == pytest.approx(0.000172, rel=0.01)  # flagged
    assert surges.poisson_upper_tail(3, 0.5) == pytest.approx(0.0144, rel=0.01)  # not flagged
    assert surges.poisson_upper_tail(15, 6.0) > surges.P_THRESHOLD > surges.poisson_upper_tail(17, 6.0)


@pytest.mark.django_db
def test_a_planted_spike_is_flagged_for_the_community_and_its_town(world, ebike):
    _plant(world.fulian, ebike, per_week=[20, 6, 5, 7, 6, 6, 5, 7, 6])

    warnings = surges.surge_detect(now=NOW)

    got = {(w.level, w.community_id, w.subdistrict_id) for w in warnings}
    assert got == {("community", world.fulian_community.pk, world.houlong.pk), ("subdistrict", None, world.houlong.pk)}
    town = SurgeWarning.objects.get(level="subdistrict")
    assert (town.count, float(town.baseline), town.week_start) == (20, 6.0, MONDAY)
    assert town.p_value == pytest.approx(surges.poisson_upper_tail(20, 6.0))
    assert town.p_value < surges.P_THRESHOLD


@pytest.mark.django_db
def test_a_flat_series_is_not_flagged(world, ebike):
    _plant(world.fulian, ebike, per_week=[7, 6, 5, 7, 6, 6, 5, 7, 6])
    _plant(world.tianma, ebike, per_week=[4, 0, 0, 0, 0, 0, 0, 0, 0])  # below the minimum count
    assert surges.surge_detect(now=NOW) == []
    assert not SurgeWarning.objects.exists()


@pytest.mark.django_db
def test_rejected_complaints_and_other_categories_do_not_count(world, ebike):
    _plant(world.fulian, ebike, per_week=[20, 6, 6, 6, 6, 6, 6, 6, 6])
    _plant(world.fulian, Category.objects.get(code="noise"), per_week=[30, 1])  # not a target problem
    monday = datetime.combine(MONDAY, datetime.min.time(), tzinfo=SHANGHAI)
    this_week = Complaint.objects.filter(category=ebike, made_at__gte=monday).order_by("id")
    Complaint.objects.filter(pk__in=list(this_week.values_list("pk", flat=True)[:14])).update(status="rejected", reject_reason="duplicate")
    assert surges.surge_detect(now=NOW) == []  # 6 counted this week against a mean of 6


@pytest.mark.django_db
def test_each_warning_notifies_its_officials_once(world, ebike):
    _plant(world.fulian, ebike, per_week=[20, 6, 5, 7, 6, 6, 5, 7, 6])
    surges.surge_detect(now=NOW)
    surges.surge_detect(now=NOW + timedelta(hours=1))
    _plant(world.fulian, ebike, per_week=[3])  # the week goes on: the count rises, no new notice
    surges.surge_detect(now=NOW + timedelta(hours=2))

    assert SurgeWarning.objects.count() == 2
    assert SurgeWarning.objects.get(level="subdistrict").count == 23
    notes = Notification.objects.filter(kind="surge_warning")
    assert sorted(n.user.username for n in notes) == ["community_fulian", "town_houlong"]
    community_note = notes.get(user=world.community_fulian)
    assert "电动车停放充电" in community_note.title and "福炼社区" in community_note.title and "20" in community_note.title
    assert not Notification.objects.filter(user__in=[world.town_jieshan, world.district], kind="surge_warning").exists()


@pytest.mark.django_db
def test_the_beat_task_runs_the_detector_and_is_registered(world, ebike):
    assert _DEFAULTS["complaints.detect_surges"].task == "complaints.detect_surges"
    now = timezone.now()
    for n in range(12):
        Complaint.objects.create(
            number=f"B{n:08d}",
            compound=world.tianma,
            category=ebike,
            description="充电",
            made_at=now - timedelta(minutes=n),
            status="dispatched",
        )
    assert detect_surges() == 2  # 界山社区 and 界山镇: 12 against no history
    assert detect_surges() == 2
    assert Notification.objects.filter(kind="surge_warning").count() == 2  # town_jieshan and the community's fallback


@pytest.mark.django_db
def test_warnings_and_their_complaints_are_scoped(world, ebike, client):
    _plant(world.fulian, ebike, per_week=[20, 6, 5, 7, 6, 6, 5, 7, 6])
    surges.surge_detect(now=NOW)
    town = SurgeWarning.objects.get(level="subdistrict")

    client.force_login(world.district)
    page = client.get(f"/complaints/warnings/{town.pk}/").content.decode()
    assert "福炼小区" in page and page.count('<tr><td><a href="/complaints/') == 20
    behind = surges.surge_complaints(town, world.district)
    assert behind.count() == 20  # this week's only, not the baseline weeks'
    assert all(timezone.localtime(c.made_at).date() >= MONDAY for c in behind)

    client.force_login(world.town_jieshan)
    assert client.get(f"/complaints/warnings/{town.pk}/").status_code == 404
    assert surges.surge_warnings_visible_to(world.town_jieshan).count() == 0
    client.force_login(world.staff_yifang)
    assert client.get(f"/complaints/warnings/{town.pk}/").status_code == 404
    client.force_login(world.community_fulian)
    # a community worker sees the community's warning, not the whole town's
    assert list(surges.surge_warnings_visible_to(world.community_fulian).values_list("level", flat=True)) == ["community"]


@pytest.mark.django_db
def test_dashboard_lists_this_months_warnings(world, ebike, client):
    now = timezone.now()
    for n in range(12):
        Complaint.objects.create(
            number=f"D{n:08d}",
            compound=world.fulian,
            category=ebike,
            description="充电",
            made_at=now - timedelta(minutes=n),
            status="dispatched",
        )
    surges.surge_detect()
    client.force_login(world.town_houlong)
    page = client.get(f"/ratings/subdistrict/{world.houlong.pk}/").content.decode()
    assert 'id="early-warnings"' in page and "电动车停放充电" in page
    client.force_login(world.town_jieshan)
    page = client.get(f"/ratings/subdistrict/{world.jieshan.pk}/").content.decode()
    assert 'id="early-warnings"' not in page


@pytest.mark.django_db
def test_target_problem_counts_by_town(world, ebike, client):
    now = timezone.now()
    elevator = Category.objects.get(code="elevator")
    for n, (compound, category) in enumerate([(world.fulian, ebike)] * 3 + [(world.tianma, elevator)] * 2 + [(world.fulian, ebike)]):
        Complaint.objects.create(
            number=f"T{n:08d}",
            compound=compound,
            category=category,
            description="x",
            made_at=now - timedelta(minutes=n),
            status="dispatched",
        )
    Complaint.objects.filter(number="T00000005").update(status="rejected", reject_reason="invalid")
    months = surges.recent_months(6)

    rows = {(r.town, r.category): r.counts for r in surges.target_trends(world.district, months=months)}
    assert rows[("后龙镇", "电动车停放充电")][-1] == 3
    assert rows[("界山镇", "电梯故障")][-1] == 2
    assert rows[("界山镇", "电动车停放充电")] == [0] * 6
    assert {r.town for r in surges.target_trends(world.town_houlong, months=months)} == {"后龙镇"}

    client.force_login(world.town_houlong)
    page = client.get("/complaints/target-problems/").content.decode()
    assert "电动车停放充电" in page and "界山镇" not in page
    client.force_login(world.resident_fulian)
    assert client.get("/complaints/target-problems/").status_code == 404
