import datetime as dt
import logging

from django.utils import timezone

from core import workdays


def at(y, m, d, hh=9, mm=0):
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


def test_national_day_2026_is_off_and_the_saturday_after_is_a_make_up_day():
    assert all(not workdays.is_workday(dt.date(2026, 10, d)) for d in range(1, 8))
    assert workdays.is_workday(dt.date(2026, 10, 10))  # Saturday, 调休
    assert not workdays.is_workday(dt.date(2026, 10, 11))  # an ordinary Sunday


def test_working_hours_skip_the_national_day_holiday():
    # Wednesday 30 Sep 16:00: two hours left that day, the rest on Thursday 8 Oct from 08:30.
    assert workdays.add_working_hours(at(2026, 9, 30, 16), 4) == at(2026, 10, 8, 10, 30)


def test_working_hours_skip_lunch_and_nights():
    assert workdays.add_working_hours(at(2026, 11, 2, 11), 2) == at(2026, 11, 2, 15)
    assert workdays.add_working_hours(at(2026, 11, 2, 20), 1) == at(2026, 11, 3, 9, 30)


def test_working_days_count_the_make_up_saturday():
    # Filed Thu 8 Oct: Fri 9, Sat 10 (调休), Mon 12 are the three working days after it.
    assert workdays.add_working_days(at(2026, 10, 8, 10), 3) == at(2026, 10, 12, 18)
    # Filed during the holiday: the count starts after it.
    assert workdays.add_working_days(at(2026, 10, 3, 10), 1) == at(2026, 10, 8, 18)
    assert workdays.working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 10)) == 3


def test_years_without_calendar_data_fall_back_to_monday_to_friday_with_a_warning(caplog):
    workdays._warn_no_calendar.cache_clear()
    workdays.is_workday.cache_clear()
    with caplog.at_level(logging.WARNING, logger="core.workdays"):
        assert workdays.is_workday(dt.date(2031, 1, 1))  # a Wednesday; the real holiday is not known yet
        assert not workdays.is_workday(dt.date(2031, 1, 4))  # Saturday
    assert "no data for 2031" in caplog.text
