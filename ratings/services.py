"""Writes of the ratings app: metric runs, surveys, star ratings, company evaluations and targets. Every change is atomic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import IO

from django.db import IntegrityError, transaction
from django.db.models import Avg, F, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import selectors as places
from communities.models import Compound, ManagementContract, Unit
from core.errors import PermissionDenied, ScopeError, ValidationError, WorkflowError
from core.models import User
from core.notifications import Message, notify_many
from inspections.selectors import staff_by_company
from ratings import calc, engine, evaluation, indicators, selectors
from ratings.models import (
    DIMENSIONS,
    Answer,
    CompanyEvaluation,
    EvaluationEvent,
    EvaluationRound,
    Level,
    MetricSnapshot,
    StarRating,
    StarRatingRound,
    SurveyResponse,
    SurveyRound,
    Target,
)

DIMENSION_FIELDS = [name for name, _label in DIMENSIONS]


# --- Metrics -------------------------------------------------------------------------------------
def metrics_compute(*, full: bool = False) -> engine.RunResult:
    """Recompute the metric snapshots (see ratings.engine). Side effects: snapshot rows, one MetricRun row."""
    return engine.compute(full=full)


# --- Surveys -------------------------------------------------------------------------------------
def _require_official(actor: User, area: selectors.Area) -> None:
    if not places.has_role(actor, "official") and not actor.is_superuser:
        raise PermissionDenied(_("Only officials may do this."))
    if not selectors.area_visible_to(actor, area) or (area.level == Level.COMPOUND and not places.is_official_for(actor, area.obj)):
        raise ScopeError(_("Area not found."))


@transaction.atomic
def survey_round_create(*, actor: User, title: str, level: str, area_id: int, period_start: date, period_end: date) -> SurveyRound:
    """Open a satisfaction survey over an area inside the official's scope."""
    if level not in Level.values:
        raise ValidationError(_("Unknown level."), field="level")
    area = selectors.area_get(level, area_id)
    if area is None:
        raise ScopeError(_("Area not found."))
    _require_official(actor, area)
    if period_end < period_start:
        raise ValidationError(_("The period ends before it starts."), field="period_end")
    return SurveyRound.objects.create(
        title=title.strip(),
        level=level,
        **{level: area.obj},
        period_start=period_start,
        period_end=period_end,
        month=period_end.replace(day=1),
        created_by=actor,
    )


@transaction.atomic
def survey_round_close(*, actor: User, round_id: int) -> SurveyRound:
    survey = SurveyRound.objects.filter(pk=round_id).first()
    if survey is None or not selectors.survey_round_is_official(actor, survey):
        raise ScopeError(_("Survey not found."))
    if not SurveyRound.objects.filter(pk=round_id, status=SurveyRound.Status.OPEN).update(status=SurveyRound.Status.CLOSED):
        raise WorkflowError(_("This survey is already closed."))
    survey.refresh_from_db()
    return survey


def _check_answers(answers: dict) -> dict:
    clean = {}
    for name in ["overall", *DIMENSION_FIELDS]:
        value = answers.get(name)
        if value not in Answer.values:
            raise ValidationError(_("Choose satisfied, basically satisfied or dissatisfied."), field=name)
        clean[name] = value
    return clean


@transaction.atomic
def survey_response_submit(*, user: User, round_id: int, unit_id: int, answers: dict, comment: str = "") -> SurveyResponse:
    """A resident answers for a unit they own in a compound the round covers; one response per household."""
    survey = selectors.survey_rounds_visible_to(user).filter(pk=round_id).first()
    if survey is None:
        raise ScopeError(_("Survey not found."))
    unit = places.units_of_resident(user).filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError(_("Answer for a unit you own."), field="unit")
    if not Compound.objects.filter(survey.compound_q(), pk=unit.compound_id).exists():
        raise ValidationError(_("This survey does not cover your compound."), field="unit")
    if survey.status != SurveyRound.Status.OPEN or timezone.localdate() > survey.period_end:
        raise WorkflowError(_("This survey is closed."))
    clean = _check_answers(answers)
    try:
        with transaction.atomic():
            return SurveyResponse.objects.create(
                round=survey, unit=unit, compound_id=unit.compound_id, respondent=user, comment=comment.strip(), **clean
            )
    except IntegrityError as exc:
        raise WorkflowError(_("Your household has already answered this survey.")) from exc


LABELS = {
    "满意": Answer.SATISFIED,
    "基本满意": Answer.BASIC,
    "不满意": Answer.DISSATISFIED,
    "satisfied": Answer.SATISFIED,
    "basically satisfied": Answer.BASIC,
    "basic": Answer.BASIC,
    "dissatisfied": Answer.DISSATISFIED,
}
# Paper-survey workbook columns (first row is the header; Chinese or English names).
COLUMNS = {
    "compound": ("小区", "compound"),
    "building": ("楼栋", "building"),
    "entrance": ("单元", "entrance"),
    "room": ("房号", "room"),
    "overall": ("总体评价", "overall"),
    "governance": ("治理方式", "governance"),
    "environment": ("居住环境", "environment"),
    "service": ("服务保障", "service"),
    "public_order": ("公共秩序", "public order"),
    "neighbours": ("邻里关系", "neighbour relations"),
    "comment": ("意见建议", "comment"),
}
MAX_IMPORT_ROWS = 5000


@dataclass
class ImportRow:
    row: int
    outcome: str  # imported | duplicate | refused
    reason: str = ""


def survey_import(*, actor: User, round_id: int, file: IO[bytes]) -> list[ImportRow]:
    """Import paper responses from an Excel workbook; returns what became of every row.

    Rows that name an unknown unit, a compound outside the round or an unreadable answer are refused;
    a household that already answered is reported as a duplicate; the other rows are imported together.
    """
    from openpyxl import load_workbook

    survey = SurveyRound.objects.filter(pk=round_id).first()
    if survey is None or not selectors.survey_round_is_official(actor, survey):
        raise ScopeError(_("Survey not found."))
    if survey.status != SurveyRound.Status.OPEN:
        raise WorkflowError(_("This survey is closed."))
    try:
        sheet = load_workbook(file, read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(_("The file is not an Excel workbook (.xlsx)."), field="file") from exc
    if not rows:
        raise ValidationError(_("The workbook is empty."), field="file")
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise ValidationError(_("At most %(n)d rows per import.") % {"n": MAX_IMPORT_ROWS}, field="file")
    header = [str(h or "").strip().lower() for h in rows[0]]
    index = {}
    for key, names in COLUMNS.items():
        for name in names:
            if name.lower() in header:
                index[key] = header.index(name.lower())
    missing = [COLUMNS[k][0] for k in ("building", "room", "overall", *DIMENSION_FIELDS) if k not in index]
    if survey.level != Level.COMPOUND and "compound" not in index:
        missing.insert(0, COLUMNS["compound"][0])
    if missing:
        raise ValidationError(_("Missing columns: %(cols)s") % {"cols": "、".join(missing)}, field="file")

    covered = Compound.objects.filter(survey.compound_q()) & places.compounds_visible_to(actor, roles=["official"])
    by_name = {c.name: c.pk for c in covered}
    answered = set(SurveyResponse.objects.filter(round=survey).values_list("unit_id", flat=True))
    report, new = [], []

    def cell(values, key):
        i = index.get(key)
        value = values[i] if i is not None and i < len(values) else None
        return "" if value is None else str(value).strip()

    for number, values in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in values):
            continue
        compound_id = (
            survey.compound_id if survey.level == Level.COMPOUND and not cell(values, "compound") else by_name.get(cell(values, "compound"))
        )
        if compound_id is None:
            report.append(
                ImportRow(number, "refused", _("Compound %(name)s is not covered by this survey.") % {"name": cell(values, "compound")})
            )
            continue
        unit = Unit.objects.filter(
            compound_id=compound_id, building=cell(values, "building"), entrance=cell(values, "entrance"), room=cell(values, "room")
        ).first()
        if unit is None:
            report.append(ImportRow(number, "refused", _("No such unit in the compound.")))
            continue
        answers, bad = {}, None
        for key in ["overall", *DIMENSION_FIELDS]:
            value = LABELS.get(cell(values, key).lower())
            if value is None:
                bad = COLUMNS[key][0]
                break
            answers[key] = value
        if bad:
            report.append(ImportRow(number, "refused", _("Unreadable answer in column %(col)s.") % {"col": bad}))
            continue
        if unit.pk in answered:
            report.append(ImportRow(number, "duplicate", _("This household has already answered.")))
            continue
        answered.add(unit.pk)
        new.append(
            SurveyResponse(
                round=survey,
                unit=unit,
                compound_id=compound_id,
                source=SurveyResponse.Source.PAPER,
                respondent=None,
                comment=cell(values, "comment"),
                **answers,
            )
        )
        report.append(ImportRow(number, "imported"))
    with transaction.atomic():
        # The unique constraint still guards a concurrent import: such rows are skipped, never doubled.
        SurveyResponse.objects.bulk_create(new, ignore_conflicts=True)
    return report


# --- Star ratings ----------------------------------------------------------------------------------
def _require_district_official(actor: User, district_id: int) -> None:
    if not selectors.is_district_official(actor, district_id):
        if district_id in selectors._districts_of_official(actor):
            raise PermissionDenied(_("Only district officials may do this."))
        raise ScopeError(_("Not found."))


@transaction.atomic
def star_round_create(*, actor: User, district_id: int, title: str, month_from: date, month_to: date, **settings) -> StarRatingRound:
    """Open a rating round with its weights and cut-offs (defaults: satisfaction weighted highest)."""
    _require_district_official(actor, district_id)
    month_from, month_to = month_from.replace(day=1), month_to.replace(day=1)
    if month_to < month_from:
        raise ValidationError(_("The last month is before the first."), field="month_to")
    allowed = {"w_satisfaction", "w_inspection", "w_complaints", "w_rectification", "complaint_penalty", "cut_5", "cut_4", "cut_3", "cut_2"}
    values = {k: Decimal(v) for k, v in settings.items() if k in allowed and v is not None}
    star_round = StarRatingRound(
        district_id=district_id, title=title.strip(), month_from=month_from, month_to=month_to, created_by=actor, **values
    )
    weights = [star_round.w_satisfaction, star_round.w_inspection, star_round.w_complaints, star_round.w_rectification]
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValidationError(_("Weights must be non-negative and not all zero."), field="w_satisfaction")
    if not (star_round.cut_5 > star_round.cut_4 > star_round.cut_3 > star_round.cut_2):
        raise ValidationError(_("Cut-offs must descend from five stars to two."), field="cut_5")
    star_round.save()
    return star_round


def star_score(star_round: StarRatingRound, *, satisfaction, inspection, complaint_ratio, rectification) -> Decimal:
    """Weighted mean of the available components (each 0–100); a missing component's weight is left out.

    The complaint component is 100 − penalty × monthly-average complaint ratio, floored at 0.
    """
    parts = []
    if satisfaction is not None:
        parts.append((star_round.w_satisfaction, Decimal(satisfaction)))
    if inspection is not None:
        parts.append((star_round.w_inspection, Decimal(inspection)))
    if complaint_ratio is not None:
        parts.append((star_round.w_complaints, max(Decimal(0), 100 - star_round.complaint_penalty * Decimal(complaint_ratio))))
    if rectification is not None:
        parts.append((star_round.w_rectification, Decimal(rectification)))
    total = sum((w for w, _v in parts), Decimal(0))
    if not total:
        return Decimal(0)
    return (sum((w * v for w, v in parts), Decimal(0)) / total).quantize(Decimal("0.0001"))


@transaction.atomic
def star_round_propose(*, actor: User, round_id: int) -> StarRatingRound:
    """Compute each managed compound's score from the snapshots and propose its stars.

    Replaces earlier proposals of the round (and their confirmations). Reads one aggregate query.
    """
    star_round = StarRatingRound.objects.select_for_update().filter(pk=round_id).first()
    if star_round is None:
        raise ScopeError(_("Rating round not found."))
    _require_district_official(actor, star_round.district_id)
    if star_round.status == StarRatingRound.Status.PUBLISHED:
        raise WorkflowError(_("This round is published; open a new round instead."))
    managed = ManagementContract.objects.in_force(star_round.month_to).values("compound_id")
    figures = (
        MetricSnapshot.objects.filter(
            level=Level.COMPOUND,
            district_id=star_round.district_id,
            area_id__in=managed,
            month__gte=star_round.month_from,
            month__lte=star_round.month_to,
        )
        .values("area_id")
        .annotate(
            satisfied=Sum("survey_satisfied"),
            responses=Sum("survey_responses"),
            ratio=Avg("complaint_ratio"),
            rect_on_time=Sum("rect_on_time"),
            rect_due=Sum("rect_due"),
            inspection=Max("inspection_score", filter=Q(month=star_round.month_to)),
        )
    )
    StarRating.objects.filter(round=star_round).delete()
    ratings = []
    for f in figures:
        satisfaction = calc.ratio(f["satisfied"], f["responses"])
        rectification = calc.ratio(f["rect_on_time"], f["rect_due"])
        score = star_score(
            star_round, satisfaction=satisfaction, inspection=f["inspection"], complaint_ratio=f["ratio"], rectification=rectification
        )
        ratings.append(
            StarRating(
                round=star_round,
                compound_id=f["area_id"],
                satisfaction_rate=_q6(satisfaction),
                inspection_score=_q6(f["inspection"]),
                complaint_ratio=_q6(f["ratio"]),
                rectification_rate=_q6(rectification),
                score=score,
                proposed_stars=star_round.stars_for(score),
            )
        )
    StarRating.objects.bulk_create(ratings)
    star_round.status = StarRatingRound.Status.PROPOSED
    star_round.save(update_fields=["status"])
    return star_round


def _q6(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.000001"))


@transaction.atomic
def star_rating_confirm(*, actor: User, rating_id: int, stars: int | None = None, reason: str = "") -> StarRating:
    """Confirm the proposal, or adjust it (a reason is required when the stars differ)."""
    rating = StarRating.objects.select_for_update().select_related("round").filter(pk=rating_id).first()
    if rating is None or not selectors.star_rounds_visible_to(actor).filter(pk=rating.round_id).exists():
        raise ScopeError(_("Rating not found."))
    _require_district_official(actor, rating.round.district_id)
    if rating.round.status != StarRatingRound.Status.PROPOSED:
        raise WorkflowError(_("Only a proposed round can be confirmed."))
    stars = rating.proposed_stars if stars is None else stars
    if stars not in (1, 2, 3, 4, 5):
        raise ValidationError(_("Stars are 1 to 5."), field="stars")
    if stars != rating.proposed_stars and not reason.strip():
        raise ValidationError(_("Give a reason for departing from the proposal."), field="reason")
    rating.stars, rating.reason = stars, reason.strip() if stars != rating.proposed_stars else ""
    rating.confirmed_by, rating.confirmed_at = actor, timezone.now()
    rating.save(update_fields=["stars", "reason", "confirmed_by", "confirmed_at"])
    return rating


@transaction.atomic
def star_round_confirm_all(*, actor: User, round_id: int) -> int:
    """Confirm every rating not yet confirmed as proposed. Returns how many."""
    star_round = StarRatingRound.objects.select_for_update().filter(pk=round_id).first()
    if star_round is None:
        raise ScopeError(_("Rating round not found."))
    _require_district_official(actor, star_round.district_id)
    if star_round.status != StarRatingRound.Status.PROPOSED:
        raise WorkflowError(_("Only a proposed round can be confirmed."))
    return star_round.ratings.filter(stars__isnull=True).update(
        stars=F("proposed_stars"), reason="", confirmed_by=actor, confirmed_at=timezone.now()
    )


@transaction.atomic
def star_round_publish(*, actor: User, round_id: int) -> StarRatingRound:
    """Publish a fully confirmed round: each rated compound's `published_stars` becomes its confirmed stars."""
    star_round = StarRatingRound.objects.select_for_update().filter(pk=round_id).first()
    if star_round is None:
        raise ScopeError(_("Rating round not found."))
    _require_district_official(actor, star_round.district_id)
    if star_round.status != StarRatingRound.Status.PROPOSED:
        raise WorkflowError(_("Only a proposed round can be published."))
    if not star_round.ratings.exists():
        raise WorkflowError(_("The round has no ratings."))
    if star_round.ratings.filter(stars__isnull=True).exists():
        raise WorkflowError(_("Confirm every rating before publishing."))
    from django.db.models import OuterRef, Subquery

    stars = StarRating.objects.filter(round=star_round, compound=OuterRef("pk")).values("stars")[:1]
    Compound.objects.filter(pk__in=star_round.ratings.values("compound_id")).update(
        published_stars=Subquery(stars), updated_at=timezone.now()
    )
    star_round.status, star_round.published_at, star_round.published_by = StarRatingRound.Status.PUBLISHED, timezone.now(), actor
    star_round.save(update_fields=["status", "published_at", "published_by"])
    return star_round


# --- Targets -------------------------------------------------------------------------------------
@transaction.atomic
def target_set(
    *,
    actor: User,
    district_id: int,
    indicator: str,
    direction: str,
    target: Decimal,
    month_from: date,
    baseline: Decimal | None = None,
    baseline_from: date | None = None,
    baseline_to: date | None = None,
    month_to: date | None = None,
    note: str = "",
) -> Target:
    """Create or change the district's target for an indicator. Without a baseline value, the baseline is
    computed from the district's snapshots over the baseline span."""
    _require_district_official(actor, district_id)
    if indicator not in Target.Indicator.values:
        raise ValidationError(_("Unknown indicator."), field="indicator")
    if direction not in Target.Direction.values:
        raise ValidationError(_("Direction is rise or fall."), field="direction")
    if (baseline_from is None) != (baseline_to is None):
        raise ValidationError(_("Give both ends of the baseline span."), field="baseline_to")
    if baseline_from and baseline_to < baseline_from:
        raise ValidationError(_("The baseline span ends before it starts."), field="baseline_to")
    baseline_from = baseline_from and baseline_from.replace(day=1)
    baseline_to = baseline_to and baseline_to.replace(day=1)
    if baseline is None:
        if not baseline_from:
            raise ValidationError(_("Give a baseline value or a baseline span."), field="baseline")
        from communities.models import District

        area = selectors.Area(Level.DISTRICT, District.objects.get(pk=district_id))
        span = selectors.span_of(baseline_from, baseline_to, include_partial=True)
        rows = selectors.area_series(area, indicators.rows_from(span), baseline_to)
        baseline = indicators.get(indicator).figure(rows, span).value
        if baseline is None:
            raise ValidationError(_("No data in the baseline span."), field="baseline_from")
        baseline = Decimal(baseline).quantize(Decimal("0.0001"))
    baseline, target = Decimal(baseline), Decimal(target)
    if direction == Target.Direction.RISE and target <= baseline:
        raise ValidationError(_("A rise target must lie above the baseline."), field="target")
    if direction == Target.Direction.FALL and target >= baseline:
        raise ValidationError(_("A fall target must lie below the baseline."), field="target")
    obj, _created = Target.objects.update_or_create(
        district_id=district_id,
        indicator=indicator,
        defaults={
            "direction": direction,
            "baseline": baseline,
            "target": target,
            "baseline_from": baseline_from,
            "baseline_to": baseline_to,
            "month_from": month_from.replace(day=1),
            "month_to": month_to and month_to.replace(day=1),
            "note": note.strip(),
        },
    )
    return obj


# --- Company evaluations (物业企业信用评价) ------------------------------------------------------------
def _event(evaluation_round: EvaluationRound, kind: str, actor: User, **fields) -> None:
    EvaluationEvent.objects.create(round=evaluation_round, kind=kind, actor=actor, **fields)


@transaction.atomic
def evaluation_round_create(
    *,
    actor: User,
    district_id: int,
    title: str,
    month_from: date,
    month_to: date,
    weights: dict | None = None,
    complaint_penalty: Decimal | None = None,
    supervision_penalty: Decimal | None = None,
    board_size: int | None = None,
) -> EvaluationRound:
    """Open a round over finished months with the officials' weights (summing to 100), and compute every
    company's score at once (`evaluation_round_compute`). Side effects: the round, its results, two events."""
    _require_district_official(actor, district_id)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give the round a title."), field="title")
    month_from, month_to = month_from.replace(day=1), month_to.replace(day=1)
    if month_to < month_from:
        raise ValidationError(_("The last month is before the first."), field="month_to")
    if month_to >= timezone.localdate().replace(day=1):
        raise ValidationError(_("Evaluate finished months only: the last month must be before this one."), field="month_to")
    values: dict = {}
    for name, value in (weights or {}).items():
        if name not in evaluation.WEIGHTS:
            raise ValidationError(_("Unknown weight."), field=name)
        if value is not None:
            values[name] = Decimal(value)
    for name, value in (("complaint_penalty", complaint_penalty), ("supervision_penalty", supervision_penalty)):
        if value is not None:
            if Decimal(value) < 0:
                raise ValidationError(_("A penalty cannot be negative."), field=name)
            values[name] = Decimal(value)
    if board_size is not None:
        if not 1 <= int(board_size) <= 20:
            raise ValidationError(_("Put 1 to 20 companies on each side of the list."), field="board_size")
        values["board_size"] = int(board_size)
    evaluation_round = EvaluationRound(
        district_id=district_id, title=title, month_from=month_from, month_to=month_to, created_by=actor, **values
    )
    weights_now = [getattr(evaluation_round, w) for w in evaluation.WEIGHTS]
    if any(w < 0 for w in weights_now):
        raise ValidationError(_("Weights cannot be negative."), field="weights")
    if sum(weights_now) != 100:
        raise ValidationError(_("The weights must sum to 100 (now %(sum)s).") % {"sum": sum(weights_now)}, field="weights")
    evaluation_round.save()
    _event(evaluation_round, EvaluationEvent.Kind.CREATED, actor)
    return evaluation_round_compute(actor=actor, round_id=evaluation_round.pk)


@transaction.atomic
def evaluation_round_compute(*, actor: User, round_id: int) -> EvaluationRound:
    """(Re)compute every company's figures and score from the metric snapshots; a draft round only.

    Replaces earlier results of the round (and their confirmations). The companies are those managing a
    compound of the district on the round's last day; each figure is the catalogue's (ratings.evaluation).
    Reads two queries; writes the results, their compounds and one event.
    """
    evaluation_round = EvaluationRound.objects.select_for_update().filter(pk=round_id).first()
    if evaluation_round is None:
        raise ScopeError(_("Evaluation round not found."))
    _require_district_official(actor, evaluation_round.district_id)
    if evaluation_round.status != EvaluationRound.Status.DRAFT:
        raise WorkflowError(_("Only a draft round can be computed."))
    span = selectors.span_of(evaluation_round.month_from, evaluation_round.month_to)
    last_day = engine.add_months(evaluation_round.month_to, 1) - timedelta(days=1)
    rows, compounds = selectors.company_evaluation_rows(
        evaluation_round.district_id, last_day, indicators.rows_from(span), evaluation_round.month_to
    )
    settings = evaluation.round_settings(evaluation_round)
    CompanyEvaluation.objects.filter(round=evaluation_round).delete()
    results, links = [], []
    for company_id, compound_ids in compounds.items():
        series = rows.get(company_id, [])
        figures = indicators.figures(series, span, [i.key for i in evaluation.INPUTS])
        # Stored exactly as the catalogue's figures (6 places), and scored from what is stored, so the
        # breakdown shown later adds up to the score.
        values = {i.key: (figures[i.key].value if i.indicator.is_count else _q6(figures[i.key].value)) for i in evaluation.INPUTS}
        last = next((r for r in reversed(series) if r["month"] == evaluation_round.month_to), None)
        computed = evaluation.score(values, settings=settings, compounds=len(compound_ids))
        results.append(
            CompanyEvaluation(
                round=evaluation_round,
                company_id=company_id,
                compound_count=len(compound_ids),
                households=last["households"] if last else 0,
                computed_score=computed,
                **{i.field: values[i.key] for i in evaluation.INPUTS},
            )
        )
    CompanyEvaluation.objects.bulk_create(results)
    through = CompanyEvaluation.compounds.through
    for result in results:
        links += [through(companyevaluation_id=result.pk, compound_id=c) for c in compounds[result.company_id]]
    through.objects.bulk_create(links)
    evaluation_round.computed_at = timezone.now()
    evaluation_round.save(update_fields=["computed_at"])
    _event(evaluation_round, EvaluationEvent.Kind.COMPUTED, actor, note=_("%(n)d companies") % {"n": len(results)})
    return evaluation_round


@transaction.atomic
def evaluation_confirm(*, actor: User, evaluation_id: int, score: Decimal | None = None, reason: str = "") -> CompanyEvaluation:
    """Confirm a company's computed score, or adjust it: a different score needs a reason (400 otherwise).
    Side effects: the decision on the result and an event (confirmed, or adjusted with the reason)."""
    result = CompanyEvaluation.objects.filter(pk=evaluation_id).first()
    if result is None or not selectors.evaluations_visible_to(actor).filter(pk=evaluation_id).exists():
        raise ScopeError(_("Evaluation not found."))
    # The round's row lock orders this against confirming the round (which checks every score is settled).
    evaluation_round = EvaluationRound.objects.select_for_update().get(pk=result.round_id)
    result = CompanyEvaluation.objects.select_for_update().filter(pk=evaluation_id).first()
    if result is None:  # the round was recomputed meanwhile
        raise ScopeError(_("Evaluation not found."))
    _require_district_official(actor, evaluation_round.district_id)
    if evaluation_round.status != EvaluationRound.Status.DRAFT:
        raise WorkflowError(_("Scores can be confirmed or adjusted only while the round is a draft."))
    score = result.computed_score if score is None else Decimal(score).quantize(evaluation.PLACES)
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError(_("A score lies between 0 and 100."), field="score")
    reason = (reason or "").strip()
    adjusted = score != result.computed_score
    if adjusted and not reason:
        raise ValidationError(_("Give a reason for adjusting the computed score."), field="reason")
    if len(reason) > 300:
        raise ValidationError(_("At most 300 characters."), field="reason")
    before = result.score
    result.score, result.reason = score, reason if adjusted else ""
    result.confirmed_by, result.confirmed_at = actor, timezone.now()
    result.save(update_fields=["score", "reason", "confirmed_by", "confirmed_at"])
    kind = EvaluationEvent.Kind.ADJUSTED if adjusted else EvaluationEvent.Kind.CONFIRMED
    _event(
        evaluation_round,
        kind,
        actor,
        company_id=result.company_id,
        score_from=before if before is not None else result.computed_score,
        score_to=score,
        note=reason if adjusted else "",
    )
    return result


@transaction.atomic
def evaluation_confirm_all(*, actor: User, round_id: int) -> int:
    """Confirm every company not yet confirmed at its computed score. Returns how many; one event each."""
    evaluation_round = EvaluationRound.objects.select_for_update().filter(pk=round_id).first()
    if evaluation_round is None:
        raise ScopeError(_("Evaluation round not found."))
    _require_district_official(actor, evaluation_round.district_id)
    if evaluation_round.status != EvaluationRound.Status.DRAFT:
        raise WorkflowError(_("Scores can be confirmed or adjusted only while the round is a draft."))
    pending = list(evaluation_round.results.filter(score__isnull=True).values_list("pk", "company_id", "computed_score"))
    evaluation_round.results.filter(pk__in=[p[0] for p in pending]).update(
        score=F("computed_score"), reason="", confirmed_by=actor, confirmed_at=timezone.now()
    )
    EvaluationEvent.objects.bulk_create(
        EvaluationEvent(
            round=evaluation_round, kind=EvaluationEvent.Kind.CONFIRMED, actor=actor, company_id=company, score_from=s, score_to=s
        )
        for _pk, company, s in pending
    )
    return len(pending)


def _round_at(*, actor: User, round_id: int, source: str) -> EvaluationRound:
    """The round, locked, if the actor may manage it and it is in `source` status (404 / 403 / 409 otherwise)."""
    evaluation_round = EvaluationRound.objects.select_for_update().filter(pk=round_id).first()
    if evaluation_round is None or not selectors.evaluation_rounds_visible_to(actor).filter(pk=round_id).exists():
        raise ScopeError(_("Evaluation round not found."))
    _require_district_official(actor, evaluation_round.district_id)
    if evaluation_round.status != source:
        raise WorkflowError(
            _("This step needs a %(status)s round.") % {"status": EvaluationRound.Status(source).label},
        )
    return evaluation_round


@transaction.atomic
def evaluation_round_confirm(*, actor: User, round_id: int) -> EvaluationRound:
    """draft → confirmed, once every company's score is confirmed (409 otherwise). Side effect: an event."""
    evaluation_round = _round_at(actor=actor, round_id=round_id, source=EvaluationRound.Status.DRAFT)
    if not evaluation_round.results.exists():
        raise WorkflowError(_("The round has no companies."))
    if evaluation_round.results.filter(score__isnull=True).exists():
        raise WorkflowError(_("Confirm or adjust every company's score first."))
    if not EvaluationRound.objects.filter(pk=round_id, status=EvaluationRound.Status.DRAFT).update(status=EvaluationRound.Status.CONFIRMED):
        raise WorkflowError(_("This round has changed; reload it."))
    evaluation_round.status = EvaluationRound.Status.CONFIRMED
    _event(evaluation_round, EvaluationEvent.Kind.ROUND_CONFIRMED, actor)
    return evaluation_round


def board_sides(count: int, size: int) -> tuple[int, int]:
    """How many companies go on the red and on the black list: `size` each, never the same company twice."""
    n = min(size, count // 2)
    return n, n


@transaction.atomic
def evaluation_round_publish(*, actor: User, round_id: int) -> EvaluationRound:
    """confirmed → published: rank the companies by confirmed score (ties share a rank) and put the best and
    the worst `board_size` on the red and black lists (红黑榜). Company staff see their result from now on."""
    evaluation_round = _round_at(actor=actor, round_id=round_id, source=EvaluationRound.Status.CONFIRMED)
    results = list(evaluation_round.results.order_by("-score", "company__name", "company_id"))
    red, black = board_sides(len(results), evaluation_round.board_size)
    rank, previous = 0, None
    for position, result in enumerate(results, start=1):
        if result.score != previous:
            rank, previous = position, result.score
        result.rank = rank
        result.board = ""
        if position <= red:
            result.board = CompanyEvaluation.Board.RED
        elif position > len(results) - black:
            result.board = CompanyEvaluation.Board.BLACK
    CompanyEvaluation.objects.bulk_update(results, ["rank", "board"])
    now = timezone.now()
    if not EvaluationRound.objects.filter(pk=round_id, status=EvaluationRound.Status.CONFIRMED).update(
        status=EvaluationRound.Status.PUBLISHED, published_at=now, published_by=actor
    ):
        raise WorkflowError(_("This round has changed; reload it."))
    evaluation_round.status, evaluation_round.published_at, evaluation_round.published_by = EvaluationRound.Status.PUBLISHED, now, actor
    _event(evaluation_round, EvaluationEvent.Kind.PUBLISHED, actor, note=_("%(n)d companies ranked") % {"n": len(results)})
    _notify_published(evaluation_round, results)
    return evaluation_round


def _notify_published(evaluation_round: EvaluationRound, results: list[CompanyEvaluation]) -> None:
    """Each evaluated company's staff hear of their published rank and score, with a link to the breakdown."""
    staff = staff_by_company([r.company_id for r in results])
    boards = {CompanyEvaluation.Board.RED: _("on the red list"), CompanyEvaluation.Board.BLACK: _("on the black list")}
    messages = []
    for result in results:
        title = _("%(round)s published: rank %(rank)d of %(n)d, score %(score)s") % {
            "round": evaluation_round.title,
            "rank": result.rank,
            "n": len(results),
            "score": calc.two_places(result.score),
        }
        if result.board:
            title += _(", %(board)s") % {"board": boards[result.board]}
        url = reverse("ratings:company_evaluation", args=[result.company_id]) + f"?round={evaluation_round.pk}"
        messages.append(Message(users=staff.get(result.company_id, []), kind="evaluation.published", title=title, url=url))
    notify_many(messages)
