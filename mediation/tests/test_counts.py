"""The counts the district reports, by town and period, and per compound × month for the ratings app."""

import datetime as dt

import pytest
from django.utils import timezone

from mediation import selectors
from mediation.models import CaseMediator, Hazard, LegalConsultation, Screening, Venue
from mediation.tests.factories import DisputeFactory, MeetingFactory, TopicFactory

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=TZ)


@pytest.fixture
def activity(world):
    """In 锦祥安置小区 (山腰街道): two held micro-consultations (one late on 31 March local time), a cancelled one,
    a held four-party meeting with two settled topics, two resolved disputes (one by the judges' workstation),
    a withdrawn one, a consultation, a screening with a major hazard handled. In 福炼小区: one held deliberation day."""
    j = world.jinxiang
    MeetingFactory(compound=j, kind="micro_consultation", status="held", starts_at=at(2026, 3, 31, 23))
    MeetingFactory(compound=j, kind="micro_consultation", status="held", starts_at=at(2026, 4, 2))
    MeetingFactory(compound=j, kind="micro_consultation", status="cancelled", starts_at=at(2026, 4, 3))
    four = MeetingFactory(compound=j, kind="four_party", status="held", starts_at=at(2026, 4, 10))
    for _ in range(2):
        TopicFactory(meeting=four, status="settled", settled_at=at(2026, 4, 10, 12))
    TopicFactory(meeting=four, status="accepted")
    DisputeFactory(
        compound=j,
        registered_on=dt.date(2026, 4, 1),
        status="closed",
        outcome="agreement",
        agreement_text="和解",
        closed_on=dt.date(2026, 4, 5),
    )
    by_judges = DisputeFactory(
        compound=j,
        registered_on=dt.date(2026, 4, 1),
        status="closed",
        outcome="agreement",
        agreement_text="和解",
        closed_on=dt.date(2026, 4, 6),
    )
    CaseMediator.objects.create(case=by_judges, kind="judges_workstation", name="山腰法官工作站")
    DisputeFactory(compound=j, registered_on=dt.date(2026, 4, 1), status="closed", outcome="withdrawn", closed_on=dt.date(2026, 4, 6))
    LegalConsultation.objects.create(compound=j, given_on=dt.date(2026, 4, 8), question="q")
    ws = Venue.objects.create(kind="judges_workstation", name="山腰法官工作站", community=world.jinxiang_community)
    screening = Screening.objects.create(subdistrict=world.shanyao, workstation=ws, held_on=dt.date(2026, 4, 9))
    screening.compounds.add(j)
    Hazard.objects.create(
        screening=screening, compound=j, description="d", severity="major", status="handled", outcome="o", handled_on=dt.date(2026, 4, 20)
    )
    Hazard.objects.create(screening=screening, compound=j, description="d2")
    MeetingFactory(compound=world.fulian, kind="deliberation_day", status="held", starts_at=at(2026, 4, 11))
    return world


def test_counts_by_town_for_the_district(activity):
    rows = selectors.counts_by_area(activity.district, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    by_town = {r["area"].name: r for r in rows}
    assert set(by_town) == {"后龙镇", "界山镇", "山腰街道"}
    shanyao = by_town["山腰街道"]
    assert shanyao["meetings_held"] == 3 and shanyao["micro_consultations"] == 2 and shanyao["four_party_meetings"] == 1
    assert shanyao["topics_settled"] == 2 and shanyao["four_party_issues_settled"] == 2
    assert (shanyao["disputes_registered"], shanyao["disputes_resolved"], shanyao["disputes_resolved_by_judges"]) == (3, 2, 1)
    assert (shanyao["consultations"], shanyao["screenings"], shanyao["hazards_found"], shanyao["major_hazards_handled"]) == (1, 1, 2, 1)
    assert by_town["后龙镇"]["deliberation_days"] == 1 and by_town["后龙镇"]["meetings_held"] == 1
    assert by_town["界山镇"]["meetings_held"] == 0
    assert selectors.totals(rows)["meetings_held"] == 4


def test_counts_respect_the_period_in_local_time(activity):
    rows = selectors.counts_by_area(activity.district, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30))
    shanyao = next(r for r in rows if r["area"].name == "山腰街道")
    # 23:00 on 31 March in Shanghai is still March, although it is 15:00 UTC.
    assert shanyao["micro_consultations"] == 1


def test_counts_are_scoped(activity):
    rows = selectors.counts_by_area(activity.mediator_houlong, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    assert [r["area"].name for r in rows] == ["后龙镇"]
    assert rows[0]["meetings_held"] == 1 and rows[0]["disputes_resolved"] == 0
    assert selectors.counts_by_area(activity.resident_fulian, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)) == []


def test_counts_by_compound_month(activity):
    rows = selectors.counts_by_compound_month(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    table = {(r["compound_id"], r["month"]): r for r in rows}
    assert set(table) == {
        (activity.jinxiang.id, dt.date(2026, 3, 1)),
        (activity.jinxiang.id, dt.date(2026, 4, 1)),
        (activity.fulian.id, dt.date(2026, 4, 1)),
    }
    march, april = table[(activity.jinxiang.id, dt.date(2026, 3, 1))], table[(activity.jinxiang.id, dt.date(2026, 4, 1))]
    assert march["micro_consultations"] == 1 and march["disputes_resolved"] == 0
    assert april["micro_consultations"] == 1 and april["disputes_resolved"] == 2 and april["screenings"] == 1
    assert april["major_hazards_handled"] == 1 and april["topics_settled"] == 2
    only = selectors.counts_by_compound_month(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), compound_ids=[activity.fulian.id])
    assert [(r["compound_id"], r["deliberation_days"]) for r in only] == [(activity.fulian.id, 1)]


def test_counts_endpoint(activity, api):
    client = api.as_user(activity.mediator_shanyao)
    resp = client.get("/api/v1/mediation-counts/", {"start": "2026-01-01", "end": "2026-12-31", "level": "community"})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert [r["area_name"] for r in body["results"]] == ["锦祥社区"]
    assert body["totals"]["disputes_resolved"] == 2 and body["totals"]["micro_consultations"] == 2
    assert client.get("/api/v1/mediation-counts/", {"start": "2026-12-31", "end": "2026-01-01"}).status_code == 400
    monthly = client.get("/api/v1/mediation-counts/", {"start": "2026-01-01", "end": "2026-12-31", "monthly": "true"}).json()
    assert [r["month"] for r in monthly["results"]] == ["2026-03-01", "2026-04-01"]
