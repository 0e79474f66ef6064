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


def star_round(world, *, publish: bool, cut_5: str = "95.28"):
    """One round over October 2026 for the world's district, with figures behind it, proposed and confirmed
    (and published if asked). 福炼小区 100% satisfied; 天马华耀城 0% and one complaint."""
    from datetime import date

    from ratings import engine, services

    rnd = survey(world, month=(2026, 10))
    response(rnd, world.resident_fulian_unit, "satisfied")
    response(rnd, world.resident_tianma_unit, "dissatisfied")
    complaint(world.tianma, local(2026, 10, 3))
    engine.compute(full=True, now=local(2026, 11, 20))
    star_round = services.star_round_create(
        actor=world.district,
        district_id=world.district_area.pk,
        title="2026年度星级评定",
        month_from=date(2026, 10, 1),
        month_to=date(2026, 10, 1),
        cut_5=cut_5,
    )
    services.star_round_propose(actor=world.district, round_id=star_round.pk)
    services.star_round_confirm_all(actor=world.district, round_id=star_round.pk)
    if publish:
        services.star_round_publish(actor=world.district, round_id=star_round.pk)
    return star_round
