"""Overdue lists, reminders before the deadline and alerts after it: each sent once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Notification
from inspections import services, tasks
from inspections.models import RectificationList
from inspections.tests import factories as f

pytestmark = pytest.mark.django_db


def _set_deadline(rect, days):
    RectificationList.objects.filter(pk=rect.pk).update(deadline=timezone.localdate() + timedelta(days=days))


def test_company_is_reminded_once_before_the_deadline(world, fulian_list, settings):
    settings.INSPECTIONS_REMINDER_DAYS = 3
    _set_deadline(fulian_list, 5)
    assert tasks.rectification_deadlines.delay().get()["reminders"] == 0
    _set_deadline(fulian_list, 3)
    assert tasks.rectification_deadlines.delay().get()["reminders"] == 1
    assert tasks.rectification_deadlines.delay().get()["reminders"] == 0
    reminders = Notification.objects.filter(kind="rectification.reminder")
    assert list(reminders.values_list("user__username", flat=True)) == ["staff_yifang"]


def test_no_reminder_while_the_report_waits_for_review(world, fulian_list):
    services.rectification_report_file(actor=world.staff_yifang, list_id=fulian_list.pk, actions=f.actions_for(fulian_list))
    _set_deadline(fulian_list, 1)
    assert services.rectification_deadlines_sweep()["reminders"] == 0


def test_list_past_its_deadline_without_accepted_report_is_overdue_and_officials_alerted_once(world, fulian_list):
    _set_deadline(fulian_list, 0)
    assert not RectificationList.objects.overdue().exists()
    assert services.rectification_deadlines_sweep()["overdue_alerts"] == 0
    _set_deadline(fulian_list, -1)
    assert list(RectificationList.objects.overdue()) == [fulian_list]
    assert services.rectification_deadlines_sweep()["overdue_alerts"] == 1
    assert services.rectification_deadlines_sweep()["overdue_alerts"] == 0
    alerted = set(Notification.objects.filter(kind="rectification.overdue").values_list("user__username", flat=True))
    assert alerted == {"town_houlong", "district", "community_fulian"}


def test_an_accepted_list_is_never_overdue_and_a_late_acceptance_counts_as_late(world, fulian_list):
    services.rectification_report_file(actor=world.staff_yifang, list_id=fulian_list.pk, actions=f.actions_for(fulian_list))
    _set_deadline(fulian_list, -2)
    assert RectificationList.objects.overdue().exists()  # reported but not accepted yet
    services.rectification_report_review(actor=world.town_houlong, list_id=fulian_list.pk, decision="accept")
    assert not RectificationList.objects.overdue().exists()
    fulian_list.refresh_from_db()
    assert not fulian_list.closed_on_time
    assert services.rectification_deadlines_sweep() == {"reminders": 0, "overdue_alerts": 0}


def test_the_sweep_is_scheduled_by_default():
    from core.schedules import _DEFAULTS

    assert _DEFAULTS["inspections.rectification_deadlines"].task == "inspections.rectification_deadlines"
