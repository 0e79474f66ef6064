"""Deliberation days recur by a rule (dateutil rrule) and their sessions are generated idempotently."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import ValidationError
from mediation import services
from mediation.models import DeliberationRule, Meeting
from mediation.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

D = dt.date


def _rule(**kw) -> DeliberationRule:
    base = {"title": "议事日", "frequency": "monthly", "weekday": 5, "positions": [2, 4], "start_date": D(2026, 1, 1)}
    return DeliberationRule(**{**base, **kw})


def test_second_and_fourth_saturday_in_a_month_with_five_saturdays():
    # May 2026 has five Saturdays (2, 9, 16, 23, 30): only the 2nd and the 4th are deliberation days.
    assert _rule().dates(start=D(2026, 5, 1), until=D(2026, 5, 31)) == [D(2026, 5, 9), D(2026, 5, 23)]


def test_second_and_fourth_saturday_in_a_month_starting_on_saturday():
    # August 2026 starts on a Saturday: the 2nd Saturday is the 8th, not the 15th.
    assert _rule().dates(start=D(2026, 8, 1), until=D(2026, 8, 31)) == [D(2026, 8, 8), D(2026, 8, 22)]


def test_last_weekday_of_the_month():
    assert _rule(positions=[-1]).dates(start=D(2026, 5, 1), until=D(2026, 6, 30)) == [D(2026, 5, 30), D(2026, 6, 27)]


def test_every_second_week_counts_from_the_first_day():
    rule = _rule(frequency="weekly", interval=2, weekday=2, positions=[], start_date=D(2026, 5, 6))
    assert rule.dates(start=D(2026, 5, 1), until=D(2026, 6, 10)) == [D(2026, 5, 6), D(2026, 5, 20), D(2026, 6, 3)]


def test_rule_stops_at_its_last_day():
    assert _rule(end_date=D(2026, 5, 15)).dates(start=D(2026, 5, 1), until=D(2026, 12, 31)) == [D(2026, 5, 9)]


def test_rule_text_is_rfc5545():
    assert _rule().rrule_text == "RRULE:FREQ=MONTHLY;UNTIL=20270102T000000;BYDAY=+2SA,+4SA"


def test_generation_creates_sessions_once(world):
    rule = services.rule_create(
        actor=world.mediator_shanyao,
        compound=world.jinxiang,
        title="锦祥议事日",
        positions=[2, 4],
        start_date=D(2026, 1, 1),
        generate=False,
    )
    created, removed = services.rule_generate_sessions(rule_id=rule.pk, today=D(2026, 5, 1), horizon_days=60)
    assert (created, removed) == (4, 0)
    assert services.rule_generate_sessions(rule_id=rule.pk, today=D(2026, 5, 1), horizon_days=60) == (0, 0)
    starts = [timezone.localtime(m.starts_at) for m in Meeting.objects.filter(rule=rule).order_by("starts_at")]
    assert [s.date() for s in starts] == [D(2026, 5, 9), D(2026, 5, 23), D(2026, 6, 13), D(2026, 6, 27)]
    assert starts[0].hour == 9 and all(m.kind == "deliberation_day" for m in rule.sessions.all())


def test_changed_rule_regenerates_but_keeps_sessions_with_an_agenda(world):
    rule = services.rule_create(
        actor=world.mediator_shanyao,
        compound=world.jinxiang,
        title="锦祥议事日",
        positions=[2, 4],
        start_date=D(2026, 1, 1),
        generate=False,
    )
    services.rule_generate_sessions(rule_id=rule.pk, today=D(2026, 5, 1), horizon_days=30)
    kept = Meeting.objects.get(rule=rule, starts_at__date=D(2026, 5, 23))
    TopicFactory(meeting=kept)
    DeliberationRule.objects.filter(pk=rule.pk).update(positions=[1, 3])
    created, removed = services.rule_generate_sessions(rule_id=rule.pk, today=D(2026, 5, 1), horizon_days=30)
    days = sorted(timezone.localtime(m.starts_at).date() for m in Meeting.objects.filter(rule=rule))
    assert (created, removed) == (2, 1)
    assert days == [D(2026, 5, 2), D(2026, 5, 16), D(2026, 5, 23)]


def test_monthly_rule_needs_weeks_of_the_month(world):
    with pytest.raises(ValidationError) as err:
        services.rule_create(actor=world.mediator_shanyao, compound=world.jinxiang, title="x", positions=[], start_date=D(2026, 1, 1))
    assert err.value.field == "positions"
    assert not DeliberationRule.objects.exists()


def test_rule_for_a_compound_outside_the_area_is_refused(world):
    with pytest.raises(ValidationError) as err:
        services.rule_create(actor=world.mediator_houlong, compound=world.jinxiang, title="x", positions=[2], start_date=D(2026, 1, 1))
    assert err.value.field == "compound"


def test_rule_api_creates_the_rule_and_its_coming_sessions(world, api):
    client = api.as_user(world.mediator_shanyao)
    resp = client.post(
        "/api/v1/deliberation-rules/",
        {"compound": world.jinxiang.id, "title": "锦祥议事日", "positions": [2, 4], "weekday": 5, "start_date": "2026-01-01"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    rule_id = resp.json()["id"]
    assert resp.json()["rrule"].startswith("RRULE:FREQ=MONTHLY")
    sessions = Meeting.objects.filter(rule_id=rule_id)
    assert sessions.exists() and all(timezone.localtime(m.starts_at).weekday() == 5 for m in sessions)
    assert client.post(f"/api/v1/deliberation-rules/{rule_id}/generate/", {}, format="json").json() == {"created": 0, "removed": 0}
    outsider = api.as_user(world.mediator_houlong)
    assert outsider.get(f"/api/v1/deliberation-rules/{rule_id}/").status_code == 404
    assert outsider.post(f"/api/v1/deliberation-rules/{rule_id}/generate/", {}, format="json").status_code == 404


def test_daily_task_extends_every_active_rule_once(world):
    from mediation.tasks import generate_sessions

    services.rule_create(
        actor=world.mediator_shanyao,
        compound=world.jinxiang,
        title="锦祥议事日",
        positions=[2, 4],
        start_date=D(2026, 1, 1),
        generate=False,
    )
    inactive = services.rule_create(
        actor=world.mediator_houlong, compound=world.fulian, title="福炼议事日", positions=[1], start_date=D(2026, 1, 1), generate=False
    )
    DeliberationRule.objects.filter(pk=inactive.pk).update(is_active=False)
    first = generate_sessions.delay().get()
    assert first > 0 and generate_sessions.delay().get() == 0
    assert not Meeting.objects.filter(rule=inactive).exists()
