"""Test data for the ratings app: complaints written straight to the table (the engine reads only the table)."""

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from complaints.models import Category, Complaint
from ratings.models import SurveyResponse, SurveyRound

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """An aware datetime in Asia/Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def category() -> Category:
    return Category.objects.get_or_create(code="test", defaults={"name_zh": "测试", "name_en": "Test"})[0]


def complaint(compound, made_at: datetime, status: str = "dispatched", **fields) -> Complaint:
    if status == "rejected":
        fields.setdefault("reject_reason", "invalid")
    if fields.get("rating"):
        fields.setdefault("rated_at", made_at)
    return Complaint.objects.create(
        number=f"T{next(_numbers):08d}",
        compound=compound,
        category=category(),
        description="测试",
        made_at=made_at,
        status=status,
        **fields,
    )


def survey(world, *, level="district", month=(2026, 10), status="open", **area) -> SurveyRound:
    from datetime import date

    if not area:
        area = {"district": world.district_area}
    return SurveyRound.objects.create(
        title=f"调查{next(_numbers)}",
        level=level,
        period_start=date(month[0], month[1], 1),
        period_end=date(month[0], month[1], 28),
        month=date(month[0], month[1], 1),
        status=status,
        created_by=world.district,
        **area,
    )


def response(survey_round, unit, overall="satisfied", **dims) -> SurveyResponse:
    answers = {k: dims.get(k, overall) for k in ("governance", "environment", "service", "public_order", "neighbours")}
    return SurveyResponse.objects.create(round=survey_round, unit=unit, compound=unit.compound, overall=overall, **answers)
