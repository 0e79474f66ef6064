"""Reads of the ratings app, scoped to the user (communities.selectors decides the scope).

Dashboards read snapshots only: each function here is one query whatever the number of compounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Avg, Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from communities import selectors as places
from communities.models import Community, Compound, District, Subdistrict
from complaints.models import Complaint
from complaints.surges import surge_warnings_visible_to, week_start
from core.errors import ScopeError
from core.models import User
from inspections.models import RectificationList
from mediation.models import ActionItem
from ratings import indicators
from ratings.engine import add_months, local_month
from ratings.models import (
    CompanyEvaluation,
    EvaluationRound,
    Level,
    MetricSnapshot,
    StarRating,
    StarRatingRound,
    SurveyResponse,
    SurveyRound,
    Target,
)

Role = places.Role
LEVEL_ORDER = [Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY, Level.COMPOUND]
CHILD = {Level.DISTRICT: Level.SUBDISTRICT, Level.SUBDISTRICT: Level.COMMUNITY, Level.COMMUNITY: Level.COMPOUND}
MODELS = {Level.DISTRICT: District, Level.SUBDISTRICT: Subdistrict, Level.COMMUNITY: Community, Level.COMPOUND: Compound}
# The snapshot column that names a row's parent area at each level.
PARENT_FIELD = {Level.SUBDISTRICT: "district_id", Level.COMMUNITY: "subdistrict_id", Level.COMPOUND: "community_id"}
SUM_FIELDS = [f.name for f in MetricSnapshot._meta.fields if f.get_internal_type() in ("IntegerField", "BigIntegerField")] + [
    "inspection_score_sum"
]
SUM_FIELDS = [f for f in SUM_FIELDS if f not in ("area_id",)]
# A snapshot carries the id of each area above it (an official sees the rows inside their area).
SNAPSHOT_COLUMNS = {"district": "district_id", "subdistrict": "subdistrict_id", "community": "community_id"}


@dataclass(frozen=True)
class Area:
    level: str
    obj: object

    @property
    def id(self) -> int:
        return self.obj.pk

    @property
    def name(self) -> str:
        return self.obj.name

    def tree(self) -> dict[str, int | None]:
        """district_id, subdistrict_id, community_id, compound_id of this area (None below its level)."""
        o = self.obj
        if self.level == Level.COMPOUND:
            return {
                "compound_id": o.pk,
                "community_id": o.community_id,
                "subdistrict_id": o.community.subdistrict_id,
                "district_id": o.community.subdistrict.district_id,
            }
        if self.level == Level.COMMUNITY:
            return {"compound_id": None, "community_id": o.pk, "subdistrict_id": o.subdistrict_id, "district_id": o.subdistrict.district_id}
        if self.level == Level.SUBDISTRICT:
            return {"compound_id": None, "community_id": None, "subdistrict_id": o.pk, "district_id": o.district_id}
        return {"compound_id": None, "community_id": None, "subdistrict_id": None, "district_id": o.pk}

    def breadcrumb(self) -> list[Area]:
        """The areas above this one, top first, this one last."""
        o, chain = self.obj, []
        if self.level == Level.COMPOUND:
            chain = [Area(Level.COMPOUND, o)]
            o = o.community
        if self.level in (Level.COMPOUND, Level.COMMUNITY):
            chain.insert(0, Area(Level.COMMUNITY, o))
            o = o.subdistrict
        if self.level != Level.DISTRICT:
            chain.insert(0, Area(Level.SUBDISTRICT, o))
            o = o.district
        chain.insert(0, Area(Level.DISTRICT, o))
        return chain


def area_get(level: str, pk: int) -> Area | None:
    model = MODELS.get(level)
    if model is None:
        return None
    related = {
        Level.COMPOUND: ["community__subdistrict__district"],
        Level.COMMUNITY: ["subdistrict__district"],
        Level.SUBDISTRICT: ["district"],
        Level.DISTRICT: [],
    }[level]
    obj = model.objects.select_related(*related).filter(pk=pk).first()
    return Area(level, obj) if obj else None


def area_visible_to(user: User, area: Area) -> bool:
    """Officials see their area and everything below it; a compound is also visible to whoever sees it in full."""
    if getattr(user, "is_superuser", False):
        return True
    tree = area.tree()
    mine = places.areas_of(user, roles=[Role.OFFICIAL])
    if any(tree[f"{level}_id"] in mine[level] for level in ("district", "subdistrict", "community")):
        return True
    if area.level == Level.COMPOUND:
        return places.compounds_visible_to(user, roles=[Role.OFFICIAL, Role.STAFF]).filter(pk=area.id).exists()
    return False


def area_for(user: User, level: str, pk: int) -> Area:
    """The area if the user may see it; ScopeError (404) otherwise, whether or not it exists."""
    area = area_get(level, pk)
    if area is None or not area_visible_to(user, area):
        raise ScopeError("Area not found.")
    return area


def home_area(user: User) -> Area | None:
    """The widest area the user oversees as an official (the dashboard's landing level)."""
    if getattr(user, "is_superuser", False):
        district = District.objects.order_by("id").first()
        return Area(Level.DISTRICT, district) if district else None
    mine = places.areas_of(user, roles=[Role.OFFICIAL])
    for level in (Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY):
        if mine[level]:
            return area_get(level, min(mine[level]))
    return None


staff_company_ids = places.company_ids_of


# --- Snapshots -----------------------------------------------------------------------------------
def snapshots_visible_to(user: User) -> QuerySet[MetricSnapshot]:
    """Compound rows of compounds the user sees; area rows of areas inside an official's scope."""
    qs = MetricSnapshot.objects.all()
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(level=Level.COMPOUND, area_id__in=places.compound_ids_visible_to(user))
    q |= places.area_q(user, roles=[Role.OFFICIAL], columns=SNAPSHOT_COLUMNS)
    return qs.filter(q)


def default_span(today: date | None = None) -> tuple[date, date]:
    """The last twelve months, the current one included."""
    current = local_month(timezone.now()) if today is None else today.replace(day=1)
    return add_months(current, -11), current


def area_series(area: Area, month_from: date, month_to: date) -> list[dict]:
    """The area's monthly rows over the span, oldest first (one query)."""
    return list(
        MetricSnapshot.objects.filter(level=area.level, area_id=area.id, month__gte=month_from, month__lte=month_to)
        .order_by("month")
        .values()
    )


def span_of(month_from: date, month_to: date, *, include_partial: bool = False, today: date | None = None) -> indicators.Span:
    """The span a page shows, read today (Asia/Shanghai): the month of today is unfinished."""
    return indicators.Span(month_from, month_to, today or timezone.localdate(), include_partial)


def area_figures(area: Area, span: indicators.Span, keys: list[str] | None = None) -> dict[str, indicators.Figure]:
    """Every catalogue indicator of the area over the span (one query): what its dashboard shows."""
    return indicators.figures(area_series(area, indicators.rows_from(span), span.month_to), span, keys)


def _series_by_area(qs: QuerySet) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for row in qs.order_by("area_id", "month").values():
        out.setdefault(row["area_id"], []).append(row)
    return out


def children_figures(area: Area, span: indicators.Span) -> list[dict]:
    """One row per child area with its figures over the span (catalogue rules, as on the child's own page),
    ranked by monthly-average complaint ratio, lowest first. One query for the rows, one for the names."""
    child = CHILD.get(area.level)
    if child is None:
        return []
    qs = MetricSnapshot.objects.filter(
        level=child, month__gte=indicators.rows_from(span), month__lte=span.month_to, **{PARENT_FIELD[child]: area.id}
    )
    series = _series_by_area(qs)
    names = dict(MODELS[child].objects.filter(pk__in=list(series)).values_list("id", "name"))
    rows = [
        {"area_id": pk, "name": names.get(pk, "?"), "level": child, "figures": indicators.figures(monthly, span)}
        for pk, monthly in series.items()
        if span.rows(monthly)
    ]
    return sorted(rows, key=lambda r: _rank_key(r["figures"]["complaint_ratio"].value, r["area_id"]))


def _rank_key(value, pk: int) -> tuple:
    return (value is None, value if value is not None else 0, pk)


def _compound_figures(ids: list[int], span: indicators.Span) -> dict[int, dict]:
    """Catalogue figures of a few compounds (one query)."""
    qs = MetricSnapshot.objects.filter(
        level=Level.COMPOUND, area_id__in=ids, month__gte=indicators.rows_from(span), month__lte=span.month_to
    )
    return {pk: indicators.figures(monthly, span) for pk, monthly in _series_by_area(qs).items()}


def _mean_months(span: indicators.Span) -> tuple[date, date]:
    """The months a monthly average covers: the span without its unfinished month unless it is included."""
    last = span.month_to
    if span.has_partial and not span.include_partial and span.month_from < span.current:
        last = add_months(span.current, -1)
    return span.month_from, last


def compound_rankings(area: Area, span: indicators.Span, *, limit: int = 10) -> tuple[list[dict], list[dict]]:
    """The area's best and worst compounds by monthly-average complaint ratio over the span.

    Three queries whatever the number of compounds: one pass over the snapshots grouped by compound id only
    (the best and the worst ends from the same aggregate), then the few compounds returned: their names and
    their monthly rows, from which the catalogue computes the figures shown (as on each compound's page).
    """
    tree_field = {Level.DISTRICT: "district_id", Level.SUBDISTRICT: "subdistrict_id", Level.COMMUNITY: "community_id"}.get(area.level)
    if tree_field is None:
        return [], []
    first, last = _mean_months(span)
    sql = f"""WITH agg AS (
            SELECT area_id, AVG(complaint_ratio) AS avg_ratio
            FROM {MetricSnapshot._meta.db_table}
            WHERE level = %s AND {tree_field} = %s AND month >= %s AND month <= %s GROUP BY area_id)
        SELECT * FROM (SELECT 'best' AS side, agg.* FROM agg ORDER BY avg_ratio ASC NULLS LAST, area_id LIMIT %s) b
        UNION ALL
        SELECT * FROM (SELECT 'worst' AS side, agg.* FROM agg ORDER BY avg_ratio DESC NULLS LAST, area_id LIMIT %s) w"""
    with connection.cursor() as cur:
        cur.execute(sql, [Level.COMPOUND, area.id, first, last, limit, limit])
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    ids = list({r["area_id"] for r in rows})
    compounds = {c.pk: c for c in Compound.objects.filter(pk__in=ids).select_related("community__subdistrict")}
    figures = _compound_figures(ids, span)
    for r in rows:
        c = compounds.get(r["area_id"])
        r["compound__name"] = c.name if c else "?"
        r["community__name"] = c.community.name if c else ""
        r["subdistrict__name"] = c.community.subdistrict.name if c else ""
        r["stars"] = c.published_stars if c else None
        r["figures"] = figures.get(r["area_id"]) or indicators.figures([], span)
    return [r for r in rows if r["side"] == "best"], [r for r in rows if r["side"] == "worst"]


def company_compounds(company_ids: list[int], span: indicators.Span) -> tuple[list[dict], int]:
    """The companies' compounds with their span figures and rank among every compound of their district(s).

    Rank 1 is the lowest monthly-average complaint ratio. Three queries whatever the number of compounds.
    """
    if not company_ids:
        return [], 0
    mine = set(_managed_ids(company_ids).values_list("compound_id", flat=True))
    districts = MetricSnapshot.objects.filter(level=Level.COMPOUND, area_id__in=mine).values("district_id")
    first, last = _mean_months(span)
    qs = MetricSnapshot.objects.filter(level=Level.COMPOUND, month__gte=first, month__lte=last, district_id__in=districts)
    ranked = list(
        qs.values("area_id", "compound__name", "community__name", "subdistrict__name")
        .annotate(avg_ratio=Avg("complaint_ratio"), stars=Max("compound__published_stars"))
        .order_by(F("avg_ratio").asc(nulls_last=True), "area_id")
    )
    out = [dict(r, rank=rank) for rank, r in enumerate(ranked, start=1) if r["area_id"] in mine]
    figures = _compound_figures([r["area_id"] for r in out], span)
    for r in out:
        r["figures"] = figures.get(r["area_id"]) or indicators.figures([], span)
    return out, len(ranked)


def company_series(company_ids: list[int], month_from: date, month_to: date) -> list[dict]:
    """Monthly sums over the companies' compounds (one query)."""
    ids = Compound.objects.filter(pk__in=_managed_ids(company_ids)).values("id")
    qs = MetricSnapshot.objects.filter(level=Level.COMPOUND, area_id__in=ids, month__gte=month_from, month__lte=month_to)
    rows = list(qs.values("month").annotate(**{f: Sum(f) for f in SUM_FIELDS}).order_by("month"))
    return rows


def _managed_ids(company_ids: list[int]) -> QuerySet:
    from communities.models import ManagementContract

    return ManagementContract.objects.in_force().filter(company_id__in=company_ids).values("compound_id")


def star_distribution(area: Area) -> tuple[dict[int, int], list[dict]]:
    """Published stars in the area: totals per star count, and per town (two queries)."""
    tree = area.tree()
    q = Q()
    if area.level == Level.COMPOUND:
        q = Q(pk=area.id)
    elif area.level == Level.COMMUNITY:
        q = Q(community_id=area.id)
    elif area.level == Level.SUBDISTRICT:
        q = Q(community__subdistrict_id=area.id)
    else:
        q = Q(community__subdistrict__district_id=tree["district_id"])
    qs = Compound.objects.filter(q, published_stars__isnull=False)
    totals = {s: 0 for s in (5, 4, 3, 2, 1)}
    for row in qs.values("published_stars").annotate(n=Count("id")):
        totals[row["published_stars"]] = row["n"]
    by_town: dict[int, dict] = {}
    for row in qs.values("community__subdistrict_id", "community__subdistrict__name", "published_stars").annotate(n=Count("id")):
        town = by_town.setdefault(
            row["community__subdistrict_id"], {"name": row["community__subdistrict__name"], **{f"s{s}": 0 for s in (5, 4, 3, 2, 1)}}
        )
        town[f"s{row['published_stars']}"] = row["n"]
    return totals, [by_town[k] for k in sorted(by_town)]


def round_distribution(star_round: StarRatingRound) -> list[dict]:
    """Per town: how many compounds of the round have 5, 4, 3, 2, 1 stars (confirmed, else proposed). One query."""
    from django.db.models.functions import Coalesce

    rows = (
        StarRating.objects.filter(round=star_round)
        .annotate(final=Coalesce("stars", "proposed_stars"))
        .values("compound__community__subdistrict_id", "compound__community__subdistrict__name", "final")
        .annotate(n=Count("id"))
        .order_by("compound__community__subdistrict_id")
    )
    towns: dict[int, dict] = {}
    for r in rows:
        town = towns.setdefault(
            r["compound__community__subdistrict_id"],
            {
                "subdistrict": r["compound__community__subdistrict_id"],
                "subdistrict_name": r["compound__community__subdistrict__name"],
                **{f"stars_{n}": 0 for n in (5, 4, 3, 2, 1)},
            },
        )
        town[f"stars_{r['final']}"] = r["n"]
    return list(towns.values())


def overdue_complaints(user: User, area: Area | None, *, limit: int = 20) -> QuerySet:
    """Open complaints past a deadline in the area, most overdue first.

    The one dashboard read that is not a snapshot: 20 rows of the partial index of open overdue
    complaints by sign-for deadline (`complaint_open_overdue_due`), however many there are. The caller
    has checked that the user may see the area.
    """
    qs = Complaint.objects.filter(is_overdue=True, status__in=Complaint.AWAITING_RESOLUTION)
    if area is None:
        qs = places.scope_by_compound(qs, user)
    else:
        qs = qs.filter(compound_id__in=_area_compounds(area))
    return qs.select_related("compound", "category").order_by("response_due", "id")[:limit]


def _area_compounds(area: Area) -> QuerySet:
    return {
        Level.COMPOUND: Compound.objects.filter(pk=area.id),
        Level.COMMUNITY: Compound.objects.filter(community_id=area.id),
        Level.SUBDISTRICT: Compound.objects.filter(community__subdistrict_id=area.id),
        Level.DISTRICT: Compound.objects.filter(community__subdistrict__district_id=area.id),
    }[area.level].values("id")


def overdue_rectification_lists(area: Area, *, limit: int = 20) -> list:
    """Rectification lists past their deadline without an accepted report, in the area. A bounded read
    through the inspections app's partial index on open lists."""
    return list(
        RectificationList.objects.overdue()
        .filter(compound_id__in=_area_compounds(area))
        .select_related("compound", "company")
        .order_by("deadline", "id")[:limit]
    )


def overdue_action_items(area: Area, *, limit: int = 20) -> list:
    """Meeting action items not done by their due date, in the area (the mediation app's partial index)."""
    return list(
        ActionItem.objects.exclude(status=ActionItem.Status.DONE)
        .filter(due_date__lt=timezone.localdate(), meeting__compound_id__in=_area_compounds(area))
        .select_related("meeting__compound")
        .order_by("due_date", "id")[:limit]
    )


# --- Surveys, star ratings, targets ---------------------------------------------------------------
def _official_area_q(user: User) -> Q:
    """Survey rounds whose area (district, town, community or compound) lies inside an official's scope."""
    q = Q(pk__in=[])
    for level in ("district", "subdistrict", "community", "compound"):
        q |= places.area_q(user, roles=[Role.OFFICIAL], path=level, level=level)
    return q


def survey_rounds_visible_to(user: User) -> QuerySet[SurveyRound]:
    """Officials: rounds over areas inside their scope. Residents: rounds covering a compound they own a unit in."""
    qs = SurveyRound.objects.select_related("district", "subdistrict", "community", "compound")
    if getattr(user, "is_superuser", False):
        return qs
    q = _official_area_q(user)
    # Rounds over an area holding an official's place (a district-wide round covers their town) or a compound
    # the resident owns a unit in.
    for level in ("district", "subdistrict", "community", "compound"):
        q |= places.containing_q(user, roles=[Role.OFFICIAL, Role.RESIDENT], path=level, level=level)
    return qs.filter(pk__in=SurveyRound.objects.filter(q).values("pk"))


def survey_round_is_official(user: User, survey: SurveyRound) -> bool:
    """May the user manage the round (import, close)? Only officials whose scope contains the round's area."""
    if getattr(user, "is_superuser", False):
        return True
    return SurveyRound.objects.filter(_official_area_q(user), pk=survey.pk).exists()


def survey_responses_visible_to(user: User) -> QuerySet[SurveyResponse]:
    """Officials: responses from compounds in their scope. Residents: their own households' responses."""
    qs = SurveyResponse.objects.select_related("unit", "compound")
    if getattr(user, "is_superuser", False):
        return qs
    official = places.scope_by_compound(qs, user, roles=[Role.OFFICIAL])
    own = qs.filter(unit__in=places.units_of_resident(user).values("id"))
    return (official | own).distinct()


def star_rounds_visible_to(user: User) -> QuerySet[StarRatingRound]:
    """Officials of the district (town and community officials included) see its rounds."""
    return StarRatingRound.objects.filter(district_id__in=_districts_of_official(user))


def star_ratings_visible_to(user: User) -> QuerySet[StarRating]:
    """Officials and staff see ratings of compounds in their scope; anyone else only published ones of their compounds."""
    qs = StarRating.objects.select_related("round", "compound__community__subdistrict")
    if getattr(user, "is_superuser", False):
        return qs
    inside = places.scope_by_compound(qs, user, roles=[Role.OFFICIAL, Role.STAFF])
    public = places.scope_by_compound(qs, user).filter(round__status=StarRatingRound.Status.PUBLISHED)
    return (inside | public).distinct()


def star_ratings_of_company(user: User) -> QuerySet[StarRating]:
    """Published star ratings of the compounds the user's companies manage now (staff), newest round first.

    Stars are the district's until published (officials confirm them first); staff read the breakdown after.
    """
    qs = StarRating.objects.filter(round__status=StarRatingRound.Status.PUBLISHED).select_related(
        "round", "compound__community__subdistrict"
    )
    return places.scope_by_compound(qs, user, roles=[Role.STAFF]).order_by("-round__month_to", "-round_id", "-score", "compound_id")


def is_district_official(user: User, district_id: int) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return district_id in places.areas_of(user, roles=[Role.OFFICIAL])["district"]


def official_districts(user: User) -> QuerySet[District]:
    """Districts the user oversees as a district-level official (may run ratings and set targets)."""
    if getattr(user, "is_superuser", False):
        return District.objects.all()
    return District.objects.filter(pk__in=places.areas_of(user, roles=[Role.OFFICIAL])["district"])


def targets_visible_to(user: User) -> QuerySet[Target]:
    """Every official of the district sees its targets."""
    return Target.objects.filter(district_id__in=_districts_of_official(user)).select_related("district")


def _districts_of_official(user: User) -> QuerySet:
    """The districts holding an official's area, whatever its level (one subquery)."""
    if getattr(user, "is_superuser", False):
        return District.objects.values_list("id", flat=True)
    q = Q(pk__in=[])
    for level in ("district", "subdistrict", "community"):
        # A district lies above its towns and communities: rows of those levels inside the official's area name it.
        model = {"district": District, "subdistrict": Subdistrict, "community": Community}[level]
        column = {"district": "id", "subdistrict": "district_id", "community": "subdistrict__district_id"}[level]
        inside = model.objects.filter(places.area_q(user, roles=[Role.OFFICIAL], path="", level=level)).values(column)
        q |= Q(pk__in=inside)
    return District.objects.filter(q).values_list("id", flat=True)


@dataclass
class TargetStatus:
    target: Target
    actual: object
    baseline: object
    achieved: bool
    on_track: bool
    figure: indicators.Figure | None = None
    baseline_period: str = ""


def target_status(
    target: Target, area: Area | None = None, *, series: list[dict] | None = None, include_partial: bool = False
) -> TargetStatus:
    """The indicator's actual over the target's span (for `area`, the district by default), against the target.

    The actual follows the catalogue's period rule; a monthly average uses finished months unless
    `include_partial` (the official picked the current month). For an area below the district with a
    baseline span, the baseline is the area's own over that span. Achieved: the actual has reached the
    target. On track: achieved, or moved from the baseline the right way. `series` (the area's monthly
    rows covering both spans, from January of the first) saves the query.
    """
    if area is None:
        area = Area(Level.DISTRICT, target.district)
    indicator = indicators.get(target.indicator)
    span = span_of(target.month_from, target.month_to or local_month(timezone.now()), include_partial=include_partial)
    if series is None:
        start = min(indicators.rows_from(span), target.baseline_from or span.month_from)
        series = area_series(area, start, max(span.month_to, target.baseline_to or span.month_to))
    figure = indicator.figure(series, span)
    baseline, baseline_period = target.baseline, ""
    if target.baseline_from and target.baseline_to:
        base = indicator.figure(series, span_of(target.baseline_from, target.baseline_to, include_partial=True, today=span.today))
        baseline_period = base.period
        if area.level != Level.DISTRICT:
            baseline = base.value
    actual = figure.value
    if actual is None:
        return TargetStatus(target, None, baseline, False, False, figure, baseline_period)
    rise = target.direction == Target.Direction.RISE
    achieved = actual >= target.target if rise else actual <= target.target
    improved = baseline is not None and (actual > baseline if rise else actual < baseline)
    return TargetStatus(target, actual, baseline, achieved, achieved or improved, figure, baseline_period)


def area_warnings(user: User, area: Area, *, weeks: int = 4, limit: int = 20) -> list:
    """The early warnings of the last `weeks` weeks in the area that the user may see (read live, not
    cached with the page's figures: the detector runs between metrics runs)."""
    since = week_start(timezone.localdate()) - timedelta(weeks=weeks - 1)
    qs = surge_warnings_visible_to(user).filter(week_start__gte=since)
    tree = area.tree()
    if area.level == Level.SUBDISTRICT:
        qs = qs.filter(subdistrict_id=area.id)
    elif area.level in (Level.COMMUNITY, Level.COMPOUND):
        qs = qs.filter(community_id=tree["community_id"])
    elif area.level == Level.DISTRICT:
        qs = qs.filter(subdistrict__district_id=area.id)
    return list(qs.order_by("-week_start", "p_value")[:limit])


# --- Company evaluations (物业企业信用评价) ------------------------------------------------------------
def evaluation_rounds_visible_to(user: User) -> QuerySet[EvaluationRound]:
    """Officials of the district (town and community officials included) see its rounds; company staff the
    published rounds in which their company was evaluated."""
    qs = EvaluationRound.objects.select_related("district")
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(district_id__in=_districts_of_official(user))
    staff = places.company_ids_of(user)
    if staff:
        q |= Q(status=EvaluationRound.Status.PUBLISHED, pk__in=CompanyEvaluation.objects.filter(company_id__in=staff).values("round_id"))
    return qs.filter(q)


def evaluations_visible_to(user: User) -> QuerySet[CompanyEvaluation]:
    """Officials: the results of companies that managed a compound of their area in the round (a town official
    sees the companies working in the town). Staff: their own company's results in published rounds."""
    qs = CompanyEvaluation.objects.select_related("round", "company")
    if getattr(user, "is_superuser", False):
        return qs
    evaluated = CompanyEvaluation.compounds.through.objects.filter(
        compound_id__in=places.compound_ids_visible_to(user, roles=[Role.OFFICIAL])
    ).values("companyevaluation_id")
    q = Q(pk__in=evaluated, round__district_id__in=_districts_of_official(user))
    staff = places.company_ids_of(user)
    if staff:
        q |= Q(company_id__in=staff, round__status=EvaluationRound.Status.PUBLISHED)
    return qs.filter(q)


def company_evaluation_rows(
    district_id: int, on: date, month_from: date, month_to: date
) -> tuple[dict[int, list[dict]], dict[int, list[int]]]:
    """The monthly snapshot rows summed over each company's compounds, and those compounds (two queries).

    A company's compounds are those of the district under its contract in force on `on` (the round's last
    day); their compound rows are summed per month in SQL (Σ numerators, Σ denominators), so the catalogue
    computes a company's figures exactly as it computes an area's.
    """
    from communities.models import ManagementContract

    contracts = ManagementContract.objects.in_force(on).filter(compound__community__subdistrict__district_id=district_id)
    compounds: dict[int, list[int]] = {}
    for compound_id, company_id in contracts.order_by("compound_id").values_list("compound_id", "company_id"):
        compounds.setdefault(company_id, []).append(compound_id)
    company = Subquery(contracts.filter(compound_id=OuterRef("area_id")).values("company_id")[:1])
    qs = (
        MetricSnapshot.objects.filter(
            level=Level.COMPOUND,
            district_id=district_id,
            area_id__in=contracts.values("compound_id"),
            month__gte=month_from,
            month__lte=month_to,
        )
        .annotate(evaluated_company=company)
        .values("evaluated_company", "month")
        .annotate(**{f: Sum(f) for f in SUM_FIELDS})
        .order_by("evaluated_company", "month")
    )
    rows: dict[int, list[dict]] = {}
    for row in qs:
        rows.setdefault(row.pop("evaluated_company"), []).append(row)
    return rows, compounds


def evaluation_trend(evaluations: QuerySet[CompanyEvaluation], company_ids: list[int], district_id: int) -> dict[int, list[dict]]:
    """Each company's confirmed score and rank in the district's published rounds, oldest first (one query).
    `evaluations` is the user's scoped queryset."""
    out: dict[int, list[dict]] = {}
    rows = (
        evaluations.filter(company_id__in=company_ids, round__district_id=district_id, round__status=EvaluationRound.Status.PUBLISHED)
        .order_by("round__month_to", "round_id")
        .values("company_id", "round_id", "round__title", "round__month_from", "round__month_to", "score", "rank")
    )
    for r in rows:
        out.setdefault(r["company_id"], []).append(r)
    return out
