"""Demo data of the ratings app (runs last in seed_demo). Deterministic and safe to run twice.

- Four district-wide satisfaction survey rounds (the "520" questionnaire) whose satisfaction rate rises
  from about 84% to about 98%; 天马华耀城 goes from exactly 84.12% to 97.69% as in the seed article.
- The metrics computed (full run), so the dashboard is populated.
- A star rating round proposed from the metrics and published: 5 five-star, 18 four-star, 21 three-star.
- The district's "five rises, two falls" targets.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from communities.models import Compound, District, Unit
from core.models import User
from ratings import engine, services
from ratings.models import Answer, Level, StarRating, StarRatingRound, SurveyResponse, SurveyRound, Target

# (months before the current one, district-wide satisfaction rate): a survey every quarter, the last one
# last month. Dates are relative to today, like the complaints demo's twelve months.
ROUNDS = [(10, 0.842), (7, 0.889), (4, 0.936), (1, 0.976)]
# 天马华耀城: 715 of 850 households satisfied = 84.12%; 846 of 866 = 97.69%.
TIANMA = {0: (850, 715), 1: (858, 771), 2: (862, 815), 3: (866, 846)}
STARS = {5: 5, 4: 18, 3: 21}


def seed(stdout) -> None:
    district = District.objects.filter(name="泉港区").first()
    if district is None:
        return
    official = User.objects.filter(username="district").first() or User.objects.filter(is_superuser=True).first()
    if official is None:
        return
    _surveys(district, official)
    engine.compute(full=True)
    _stars(district, official, stdout)
    _targets(district, official)
    run = engine.compute(full=True).run
    stdout.write(f"  surveys {SurveyResponse.objects.count()} responses; metrics {run.touched} compound-months")


def _answers(rng: random.Random, ok: bool) -> dict:
    overall = (Answer.SATISFIED if rng.random() < 0.7 else Answer.BASIC) if ok else Answer.DISSATISFIED
    dims = {}
    for name in ("governance", "environment", "service", "public_order", "neighbours"):
        good = rng.random() < (0.93 if ok else 0.3)
        dims[name] = (Answer.SATISFIED if rng.random() < 0.6 else Answer.BASIC) if good else Answer.DISSATISFIED
    return {"overall": overall, **dims}


def _surveys(district: District, official: User) -> None:
    compounds = list(Compound.objects.filter(community__subdistrict__district=district).order_by("id"))
    quality = {c.pk: random.Random(f"quality-{c.pk}").uniform(-0.06, 0.06) for c in compounds}
    current = timezone.localdate().replace(day=1)
    for index, (back, rate) in enumerate(ROUNDS):
        start = engine.add_months(current, -back) + timedelta(days=4)
        end = start + timedelta(days=20)
        title = f"{start:%Y}年{start.month}月居民满意度调查（“520”工作法）"
        survey, created = SurveyRound.objects.get_or_create(
            title=title,
            defaults={
                "level": Level.DISTRICT,
                "district": district,
                "period_start": start,
                "period_end": end,
                "month": end.replace(day=1),
                "status": SurveyRound.Status.CLOSED,
                "created_by": official,
            },
        )
        if not created and survey.responses.exists():
            continue
        rng = random.Random(f"survey-{index}")
        rows = []
        for compound in compounds:
            units = list(Unit.objects.filter(compound=compound).order_by("id").values_list("id", flat=True))
            if compound.name == "天马华耀城":
                n, ok = TIANMA[index]
            else:
                n = max(12, len(units) * (20 + index * 5) // 100)
                ok = round(n * min(0.995, max(0.5, rate + quality[compound.pk] * (1 - index / 4))))
            chosen = units[:n]
            flags = [True] * ok + [False] * (len(chosen) - ok)
            rng.shuffle(flags)
            for unit_id, good in zip(chosen, flags, strict=False):
                rows.append(
                    SurveyResponse(
                        round=survey,
                        unit_id=unit_id,
                        compound=compound,
                        source=SurveyResponse.Source.PAPER if rng.random() < 0.4 else SurveyResponse.Source.APP,
                        **_answers(rng, good),
                    )
                )
        SurveyResponse.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def _stars(district: District, official: User, stdout) -> None:
    last = engine.add_months(timezone.localdate().replace(day=1), -1)
    title = f"{last:%Y}年度物业服务小区星级评定"
    star_round = StarRatingRound.objects.filter(title=title).first()
    if star_round and star_round.status == StarRatingRound.Status.PUBLISHED:
        return
    if star_round is None:
        star_round = services.star_round_create(
            actor=official, district_id=district.pk, title=title, month_from=engine.add_months(last, -10), month_to=last
        )
    services.star_round_propose(actor=official, round_id=star_round.pk)
    # The panel sets this round's cut-offs so the published grades match its evaluation: 5 / 18 / 21 from the top.
    scores = list(StarRating.objects.filter(round=star_round).order_by("-score").values_list("score", flat=True))
    if len(scores) > sum(STARS.values()):
        edges = [5, 5 + 18, 5 + 18 + 21]

        def cut(k: int) -> Decimal:
            return ((scores[k - 1] + scores[k]) / 2).quantize(Decimal("0.01"))

        star_round.cut_5, star_round.cut_4, star_round.cut_3 = cut(edges[0]), cut(edges[1]), cut(edges[2])
        star_round.cut_2 = min(star_round.cut_3 - Decimal("0.01"), (star_round.cut_3 + scores[-1]) / 2).quantize(Decimal("0.01"))
        star_round.save(update_fields=["cut_5", "cut_4", "cut_3", "cut_2"])
        services.star_round_propose(actor=official, round_id=star_round.pk)
    services.star_round_confirm_all(actor=official, round_id=star_round.pk)
    services.star_round_publish(actor=official, round_id=star_round.pk)
    dist = dict(StarRating.objects.filter(round=star_round).values_list("stars").annotate(n=Count("id")).values_list("stars", "n"))
    stdout.write(f"  stars published: {dict(sorted(dist.items(), reverse=True))}")


def _targets(district: District, official: User) -> None:
    current = timezone.localdate().replace(day=1)
    year = engine.add_months(current, -11)
    fixed = [
        (Target.Indicator.FORMATION_RATE, Target.Direction.RISE, "40", "70", "业委会组建率"),
        (Target.Indicator.RED_RATIO, Target.Direction.RISE, "35", "60", "红色业委会比例"),
        (Target.Indicator.SATISFACTION_RATE, Target.Direction.RISE, "84.12", "95", "居民满意率"),
        (Target.Indicator.RESPONSE_RATE, Target.Direction.RISE, "85", "95", "诉求响应率"),
        (Target.Indicator.RESOLUTION_RATE, Target.Direction.RISE, "80", "92", "诉求解决率"),
        (Target.Indicator.OVERDUE_RATE, Target.Direction.FALL, "10", "5", "超期诉求占比"),
    ]
    for indicator, direction, baseline, target, note in fixed:
        Target.objects.update_or_create(
            district=district,
            indicator=indicator,
            defaults={
                "direction": direction,
                "baseline": Decimal(baseline),
                "target": Decimal(target),
                "month_from": year,
                "note": note,
            },
        )
    # The complaint ratio's baseline is measured: the first six of the last twelve months against the last six.
    from ratings import calc, selectors

    baseline_from, baseline_to = year, engine.add_months(current, -6)
    area = selectors.Area(Level.DISTRICT, district)
    baseline = calc.indicator_value("complaint_ratio", selectors.area_series(area, baseline_from, baseline_to))
    if baseline:
        services.target_set(
            actor=official,
            district_id=district.pk,
            indicator=Target.Indicator.COMPLAINT_RATIO,
            direction=Target.Direction.FALL,
            target=(baseline * Decimal("0.7")).quantize(Decimal("0.0001")),
            baseline_from=baseline_from,
            baseline_to=baseline_to,
            month_from=engine.add_months(current, -5),
            note="月均投诉比",
        )
    else:  # no complaints in the demo (the complaints app seeds them): a declared baseline
        Target.objects.update_or_create(
            district=district,
            indicator=Target.Indicator.COMPLAINT_RATIO,
            defaults={
                "direction": Target.Direction.FALL,
                "baseline": Decimal("1.5"),
                "target": Decimal("1.0"),
                "month_from": engine.add_months(current, -5),
                "note": "月均投诉比",
            },
        )
