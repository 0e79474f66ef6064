"""Demo data of the ratings app (runs last in seed_demo). Deterministic and safe to run twice.

- Four district-wide satisfaction survey rounds (the "520" questionnaire) whose satisfaction rate rises
  from about 84% to about 98%; 天马华耀城 goes from exactly 84.12% to 97.69% as in the seed article.
- The metrics computed (full run), so the dashboard is populated.
- A star rating round proposed from the metrics and published for the 44 compounds the article rated:
  5 five-star, 18 four-star, 21 three-star; every other compound stays 未评定 (no published stars).
- Two property-company evaluations (物业企业信用评价) published for 泉港区, over the two half-years of
  finished months before this one, so the league table has a trend and the 红黑榜 a history; in the later
  one the panel lowers the company with the most overdue rectification lists by two points, with its reason.
- The district's "five rises, two falls" targets; the complaint ratio's compares the six finished months
  before this one with the six before them, which for 天马华耀城 is the article's −33.21%.
- Public pages (/p/<public id>/) published for every compound with published stars, and for 天马华耀城
  and 福炼小区; the others stay unpublished (404).
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import ROUND_FLOOR, Decimal

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
    _evaluations(district, official, stdout)
    _targets(district, official)
    _public_pages(district, stdout)
    run = engine.compute(full=True).run
    stdout.write(f"  surveys {SurveyResponse.objects.count()} responses; metrics {run.touched} compound-months")


def _public_pages(district: District, stdout) -> None:
    compounds = Compound.objects.filter(community__subdistrict__district=district)
    chosen = compounds.filter(published_stars__isnull=False) | compounds.filter(name__in=["天马华耀城", "福炼小区"])
    chosen.update(public_page=True)
    tianma = compounds.filter(name="天马华耀城").first()
    if tianma:
        stdout.write(f"  public pages {compounds.filter(public_page=True).count()}; e.g. /p/{tianma.public_id}/ (天马华耀城)")


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
            # The lowest two-decimal cut-off above the first score left out (scores carry four decimals).
            return (scores[k].quantize(Decimal("0.01"), rounding=ROUND_FLOOR) + Decimal("0.01")).quantize(Decimal("0.01"))

        star_round.cut_5, star_round.cut_4, star_round.cut_3 = cut(edges[0]), cut(edges[1]), cut(edges[2])
        star_round.cut_2 = min(star_round.cut_3 - Decimal("0.01"), (star_round.cut_3 + scores[-1]) / 2).quantize(Decimal("0.01"))
        star_round.save(update_fields=["cut_5", "cut_4", "cut_3", "cut_2"])
        services.star_round_propose(actor=official, round_id=star_round.pk)
        # The article's panel rated 44 compounds, three stars and up; the rest were not rated this round
        # (未评定), so they leave the round instead of being published with one or two stars.
        grade_by_rank(official, star_round, STARS)
    services.star_round_confirm_all(actor=official, round_id=star_round.pk)
    services.star_round_publish(actor=official, round_id=star_round.pk)
    dist = dict(StarRating.objects.filter(round=star_round).values_list("stars").annotate(n=Count("id")).values_list("stars", "n"))
    stdout.write(f"  stars published: {dict(sorted(dist.items(), reverse=True))}")


def grade_by_rank(official: User, star_round: StarRatingRound, counts: dict[int, int]) -> None:
    """Keep the top `counts` ratings of a proposed round, graded by rank (e.g. {5: 5, 4: 18, 3: 21}).

    Scores carry four decimals and cut-offs two, so two scores within 0.01 of each other at a band's
    edge fall on one side of any cut-off; the panel then grades them by rank, with its reason.
    """
    ranked = list(StarRating.objects.filter(round=star_round).order_by("-score", "compound_id"))
    bands = [stars for stars in sorted(counts, reverse=True) for _ in range(counts[stars])]
    StarRating.objects.filter(pk__in=[r.pk for r in ranked[len(bands) :]]).delete()
    for rating, stars in zip(ranked, bands, strict=False):  # fewer ratings than bands: grade those there are
        if rating.proposed_stars != stars:
            services.star_rating_confirm(actor=official, rating_id=rating.pk, stars=stars, reason="评审组复核：分数相近，按名次定级")


# The panel's weights (sum 100): residents' satisfaction first, as in star ratings; supervision least.
EVALUATION_WEIGHTS = {
    "w_complaint_ratio": 15,
    "w_response": 10,
    "w_resolution": 10,
    "w_ticket_satisfaction": 10,
    "w_satisfaction": 25,
    "w_inspection": 15,
    "w_rectification": 10,
    "w_supervision": 5,
}


def _evaluations(district: District, official: User, stdout) -> None:
    from inspections.models import RectificationList
    from ratings.models import CompanyEvaluation, EvaluationRound

    current = timezone.localdate().replace(day=1)
    for first_back, last_back, adjust in ((12, 7, False), (6, 1, True)):
        month_from, month_to = engine.add_months(current, -first_back), engine.add_months(current, -last_back)
        title = f"{month_from:%Y}年{month_from.month}—{month_to.month}月物业企业信用评价"
        if month_from.year != month_to.year:
            title = f"{month_from:%Y}年{month_from.month}月—{month_to:%Y}年{month_to.month}月物业企业信用评价"
        if EvaluationRound.objects.filter(title=title, district=district).exists():
            continue
        evaluation_round = services.evaluation_round_create(
            actor=official,
            district_id=district.pk,
            title=title,
            month_from=month_from,
            month_to=month_to,
            weights=EVALUATION_WEIGHTS,
            board_size=3,
        )
        if adjust:
            worst = (
                RectificationList.objects.overdue()
                .filter(company__evaluations__round=evaluation_round)
                .values("company_id")
                .annotate(n=Count("id"))
                .order_by("-n", "company_id")
                .first()
            )
            result = worst and CompanyEvaluation.objects.filter(round=evaluation_round, company_id=worst["company_id"]).first()
            if result and result.computed_score >= 2:
                services.evaluation_confirm(
                    actor=official,
                    evaluation_id=result.pk,
                    score=result.computed_score - 2,
                    reason=f"整改清单逾期{worst['n']}份，经督促仍未完成整改，扣2分",
                )
        services.evaluation_confirm_all(actor=official, round_id=evaluation_round.pk)
        services.evaluation_round_confirm(actor=official, round_id=evaluation_round.pk)
        services.evaluation_round_publish(actor=official, round_id=evaluation_round.pk)
        stdout.write(f"  company evaluation published: {title}, {evaluation_round.results.count()} companies")


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
    from ratings import indicators, selectors

    # Finished months only (the current one is partial): the twelve before this one, six against six.
    baseline_from, baseline_to = engine.add_months(current, -12), engine.add_months(current, -7)
    last = engine.add_months(current, -1)
    area = selectors.Area(Level.DISTRICT, district)
    span = selectors.span_of(baseline_from, baseline_to, include_partial=True)
    rows = selectors.area_series(area, indicators.rows_from(span), baseline_to)
    baseline = indicators.get("complaint_ratio").figure(rows, span).value
    if baseline:
        services.target_set(
            actor=official,
            district_id=district.pk,
            indicator=Target.Indicator.COMPLAINT_RATIO,
            direction=Target.Direction.FALL,
            target=(baseline * Decimal("0.7")).quantize(Decimal("0.0001")),
            baseline_from=baseline_from,
            baseline_to=baseline_to,
            month_from=engine.add_months(current, -6),
            month_to=last,
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
