"""Working-time arithmetic on the official Chinese calendar (holidays and 调休 make-up days).

The calendar comes from the maintained `chinesecalendar` package (`import chinese_calendar`), which
publishes the State Council's holiday notice each year. It only knows the years it has been
released for (up to 2026 in the pinned version); for a later year we fall back to Monday–Friday and
log a warning once per year, so deadlines stay computable until the package is upgraded.

Working hours (local time, Asia/Shanghai): 08:30–12:00 and 14:00–18:00 on working days, 7.5 hours
a day. This module owns no business rule: which deadline a complaint gets is decided by its caller.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache

import chinese_calendar
from django.utils import timezone

log = logging.getLogger(__name__)

WORKING_PERIODS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(8, 30), dt.time(12, 0)),
    (dt.time(14, 0), dt.time(18, 0)),
)
DAY_END = WORKING_PERIODS[-1][1]
_MAX_DAYS_SCANNED = 3660  # ten years: a guard against a calendar with no working day at all


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    """True on a working day: Mon–Fri except public holidays, plus 调休 make-up weekend days."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_no_calendar(day.year)
        return day.weekday() < 5


@lru_cache(maxsize=64)
def _warn_no_calendar(year: int) -> None:
    log.warning("chinese_calendar has no data for %s; treating Monday-Friday as working days", year)


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else timezone.make_aware(moment)


def _at(day: dt.date, t: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, t))


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` of working time after `start` (aware, local time).

    Time outside working hours does not count: a complaint filed on Friday evening with a 4-hour
    deadline is due on the next working day at 12:00.
    """
    remaining = dt.timedelta(hours=hours)
    cursor = _local(start)
    day = cursor.date()
    for _ in range(_MAX_DAYS_SCANNED):
        if is_workday(day):
            for begin, end in WORKING_PERIODS:
                period_start, period_end = _at(day, begin), _at(day, end)
                frm = max(cursor, period_start)
                if frm >= period_end:
                    continue
                available = period_end - frm
                if remaining <= available:
                    return frm + remaining
                remaining -= available
        day += dt.timedelta(days=1)
        cursor = _at(day, dt.time(0, 0))
    raise ValueError("no working time found within ten years")


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end of working time (18:00) on the `days`-th working day after the day of `start`.

    The day on which something arrives does not count, whatever the hour: received on Monday with
    3 working days, due Thursday 18:00. Zero days means the end of the current (or next) working day.
    """
    day = _local(start).date()
    if days <= 0:
        while not is_workday(day):
            day += dt.timedelta(days=1)
        return _at(day, DAY_END)
    counted = 0
    for _ in range(_MAX_DAYS_SCANNED):
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
            if counted == days:
                return _at(day, DAY_END)
    raise ValueError("no working day found within ten years")


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days lie in (start, end]; zero if end is not after start."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_workday(day)
    return count
