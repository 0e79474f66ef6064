"""The periodic tasks of complaints and mediation take core.locks.exclusive: a run finding it taken does nothing."""

from __future__ import annotations

import pytest

from core.tests.test_locks import held_elsewhere


@pytest.mark.django_db
@pytest.mark.parametrize("task", ["refresh_overdue", "auto_close"])
def test_a_complaints_task_does_nothing_while_another_run_holds_its_lock(world, task):
    import datetime as dt

    from django.utils import timezone

    from complaints import tasks
    from complaints.models import Complaint
    from complaints.tests import factories as f

    c = f.complaint(world, status="resolved" if task == "auto_close" else "dispatched")
    past = timezone.now() - dt.timedelta(days=8)
    Complaint.objects.filter(pk=c.pk).update(resolved_at=past, response_due=past, resolve_due=past)
    with held_elsewhere(f"complaints.{task}"):
        assert getattr(tasks, task)() == 0
    assert getattr(tasks, task)() == 1


@pytest.mark.django_db
def test_the_mediation_task_does_nothing_while_another_run_holds_its_lock(world):
    from django.utils import timezone

    from mediation import tasks
    from mediation.models import DeliberationRule, Venue

    venue = Venue.objects.create(name="邻里议事亭", kind=Venue.Kind.PAVILION, compound=world.jinxiang)
    DeliberationRule.objects.create(compound=world.jinxiang, venue=venue, title="议事日", positions=[2], start_date=timezone.localdate())
    with held_elsewhere("mediation.generate_sessions"):
        assert tasks.generate_sessions() == 0
    assert tasks.generate_sessions() > 0
