"""Metric families of the committees and mediation apps (ratings.sources)."""

from datetime import date, datetime
from decimal import Decimal

from committees.models import Committee, CommitteeMember
from mediation.models import DisputeCase, Meeting
from ratings import engine
from ratings.models import MetricSnapshot
from ratings.tests.factories import SHANGHAI, complaint, local

NOW = local(2026, 11, 20)
OCT = date(2026, 10, 1)


def snap(level, area_id, month):
    return MetricSnapshot.objects.get(level=level, area_id=area_id, month=month)


def test_formation_rate_and_red_committee_ratio(world):
    Member = CommitteeMember
    # 锦祥安置小区 is not eligible; 福炼小区 and 天马华耀城 are.
    type(world.jinxiang).objects.filter(pk=world.jinxiang.pk).update(committee_eligible=False)

    def committee(compound, start, members):
        k = Committee.objects.create(compound=compound, status="active", term_start=start, term_end=date(2029, 12, 31))
        for i, (party, seat_start, seat_end) in enumerate(members):
            Member.objects.create(committee=k, name=f"委员{i}", is_party_member=party, seat_start=seat_start, seat_end=seat_end)
        return k

    complaint(world.fulian, local(2026, 9, 2))  # the months in range start with the first complaint
    s = date(2026, 9, 1)
    # 福炼小区: 3 of 5 seated are Party members → red. A sixth (Party) member left in September.
    committee(
        world.fulian,
        s,
        [(True, s, None), (True, s, None), (True, s, None), (False, s, None), (False, s, None), (True, s, date(2026, 9, 15))],
    )
    # 天马华耀城: formed in October; 2 of 4 Party members → not red (half is not more than half).
    o = date(2026, 10, 10)
    committee(world.tianma, o, [(True, o, None), (True, o, None), (False, o, None), (False, o, None)])
    engine.compute(full=True, now=NOW)
    sep = snap("district", world.district_area.pk, date(2026, 9, 1))
    assert (sep.committee_formed, sep.committee_eligible, sep.committees_active, sep.committees_red) == (1, 2, 1, 1)
    assert sep.formation_rate == Decimal("50.000000")
    oct_ = snap("district", world.district_area.pk, OCT)
    assert (oct_.committee_formed, oct_.committees_active, oct_.committees_red) == (2, 2, 1)
    assert oct_.formation_rate == Decimal("100.000000")
    assert oct_.red_ratio == Decimal("50.000000")
    before = [tuple(r) for r in MetricSnapshot.objects.order_by("id").values_list("level", "area_id", "month", "committees_red")]
    engine.compute(full=False, now=NOW)
    assert [tuple(r) for r in MetricSnapshot.objects.order_by("id").values_list("level", "area_id", "month", "committees_red")] == before


def test_mediation_counts(world):
    Dispute = DisputeCase
    common = {"compound": world.jinxiang, "type": "neighbour", "source": "walk_in", "summary": "邻里纠纷"}
    Dispute.objects.create(
        registered_on=date(2026, 9, 20), status="closed", outcome="agreement", agreement_text="和解", closed_on=date(2026, 10, 3), **common
    )
    Dispute.objects.create(registered_on=date(2026, 10, 5), **common)
    Meeting.objects.create(
        kind="deliberation_day",
        compound=world.jinxiang,
        title="议事日",
        starts_at=datetime(2026, 10, 31, 23, 30, tzinfo=SHANGHAI),
        status="held",
    )
    Meeting.objects.create(kind="micro_consultation", compound=world.jinxiang, title="微协商", starts_at=local(2026, 10, 12), status="held")
    Meeting.objects.create(
        kind="micro_consultation", compound=world.jinxiang, title="取消", starts_at=local(2026, 10, 13), status="cancelled"
    )
    engine.compute(full=True, now=NOW)
    row = snap("subdistrict", world.shanyao.pk, OCT)
    assert (row.disputes, row.disputes_settled, row.meetings, row.micro_consultations) == (1, 1, 2, 1)
    assert snap("compound", world.jinxiang.pk, date(2026, 9, 1)).disputes == 1
