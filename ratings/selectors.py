"""Reads of the ratings app, scoped to the user (communities.selectors decides the scope).

Dashboards read snapshots only: each function here is one query whatever the number of compounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Avg, Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone

from communities import selectors as places
from communities.models import Community, Compound, District, Subdistrict
from core.errors import ScopeError
from core.models import User
from ratings import calc
from ratings.engine import add_months, local_month
from ratings.models import Level, MetricSnapshot, StarRating, StarRatingRound, SurveyResponse, SurveyRound, Target

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
    for role in places.official_places(user):
        if (
            (role.district_id and tree["district_id"] == role.district_id)
            or (role.subdistrict_id and tree["subdistrict_id"] == role.subdistrict_id)
            or (role.community_id and tree["community_id"] == role.community_id)
        ):
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
    roles = places.official_places(user)
    for field, level in (("district_id", Level.DISTRICT), ("subdistrict_id", Level.SUBDISTRICT), ("community_id", Level.COMMUNITY)):
        for role in roles:
            if getattr(role, field):
                return area_get(level, getattr(role, field))
    return None


def staff_company_ids(user: User) -> list[int]:
    return [r.company_id for r in places.roles_of(user) if r.role == Role.STAFF and r.company_id]


# --- Snapshots -----------------------------------------------------------------------------------
def snapshots_visible_to(user: User) -> QuerySet[MetricSnapshot]:
    """Compound rows of compounds the user sees; area rows of areas inside an official's scope."""
    qs = MetricSnapshot.objects.all()
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(level=Level.COMPOUND, area_id__in=places.compound_ids_visible_to(user))
    for role in places.official_places(user):
        if role.district_id:
            q |= Q(district_id=role.district_id)
        elif role.subdistrict_id:
            q |= Q(subdistrict_id=role.subdistrict_id)
        elif role.community_id:
            q |= Q(community_id=role.community_id)
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


def span_totals(qs: QuerySet, group: str) -> QuerySet:
    """Sum every count over the span per `group`, plus the monthly-average complaint ratio."""
    return qs.values(group).annotate(
        **{f: Sum(f) for f in SUM_FIELDS},
        avg_ratio=Avg("complaint_ratio"),
        last_month=Max("month"),
    )


def children_totals(area: Area, month_from: date, month_to: date) -> list[dict]:
    """One row per child area with its span totals and name, ranked by monthly-average complaint ratio."""
    child = CHILD.get(area.level)
    if child is None:
        return []
    qs = MetricSnapshot.objects.filter(level=child, month__gte=month_from, month__lte=month_to, **{PARENT_FIELD[child]: area.id})
    rows = list(span_totals(qs, "area_id").order_by(F("avg_ratio").asc(nulls_last=True), "area_id"))
    names = dict(MODELS[child].objects.filter(pk__in=[r["area_id"] for r in rows]).values_list("id", "name"))
    for r in rows:
        r["name"] = names.get(r["area_id"], "?")
        r["level"] = child
    return rows


def compound_rankings(area: Area, month_from: date, month_to: date, *, limit: int = 10) -> tuple[list[dict], list[dict]]:
    """The area's best and worst compounds by monthly-average complaint ratio over the span.

    Two queries whatever the number of compounds: one pass over the snapshots grouped by compound id only
    (the best and the worst ends from the same aggregate), then the names of the few compounds returned.
    """
    tree_field = {Level.DISTRICT: "district_id", Level.SUBDISTRICT: "subdistrict_id", Level.COMMUNITY: "community_id"}.get(area.level)
    if tree_field is None:
        return [], []
    sql = f"""WITH agg AS (
            SELECT area_id, AVG(complaint_ratio) AS avg_ratio, SUM(complaints) AS complaints,
                SUM(survey_satisfied) AS survey_satisfied, SUM(survey_responses) AS survey_responses
            FROM {MetricSnapshot._meta.db_table}
            WHERE level = %s AND {tree_field} = %s AND month >= %s AND month <= %s GROUP BY area_id)
        SELECT * FROM (SELECT 'best' AS side, agg.* FROM agg ORDER BY avg_ratio ASC NULLS LAST, area_id LIMIT %s) b
        UNION ALL
        SELECT * FROM (SELECT 'worst' AS side, agg.* FROM agg ORDER BY avg_ratio DESC NULLS LAST, area_id LIMIT %s) w"""
    with connection.cursor() as cur:
        cur.execute(sql, [Level.COMPOUND, area.id, month_from, month_to, limit, limit])
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    compounds = {c.pk: c for c in Compound.objects.filter(pk__in={r["area_id"] for r in rows}).select_related("community__subdistrict")}
    for r in rows:
        c = compounds.get(r["area_id"])
        r["compound__name"] = c.name if c else "?"
        r["community__name"] = c.community.name if c else ""
        r["subdistrict__name"] = c.community.subdistrict.name if c else ""
        r["stars"] = c.published_stars if c else None
        r["satisfaction_rate"] = calc.ratio(r["survey_satisfied"], r["survey_responses"])
    return [r for r in rows if r["side"] == "best"], [r for r in rows if r["side"] == "worst"]


def company_compounds(company_ids: list[int], month_from: date, month_to: date) -> tuple[list[dict], int]:
    """The companies' compounds with their span figures and rank among every compound of their district(s).

    Rank 1 is the lowest monthly-average complaint ratio. Two queries whatever the number of compounds.
    """
    if not company_ids:
        return [], 0
    mine = set(_managed_ids(company_ids).values_list("compound_id", flat=True))
    districts = MetricSnapshot.objects.filter(level=Level.COMPOUND, area_id__in=mine).values("district_id")
    qs = MetricSnapshot.objects.filter(level=Level.COMPOUND, month__gte=month_from, month__lte=month_to, district_id__in=districts)
    ranked = list(
        qs.values("area_id", "compound__name", "community__name", "subdistrict__name")
        .annotate(
            avg_ratio=Avg("complaint_ratio"),
            complaints=Sum("complaints"),
            households=Max("households"),
            survey_satisfied=Sum("survey_satisfied"),
            survey_responses=Sum("survey_responses"),
            resolved=Sum("resolved"),
            responded_on_time=Sum("responded_on_time"),
            response_due=Sum("response_due"),
            stars=Max("compound__published_stars"),
        )
        .order_by(F("avg_ratio").asc(nulls_last=True), "area_id")
    )
    out = []
    for rank, r in enumerate(ranked, start=1):
        if r["area_id"] in mine:
            r["rank"] = rank
            r["satisfaction_rate"] = calc.ratio(r["survey_satisfied"], r["survey_responses"])
            r["resolution_rate"] = calc.ratio(r["resolved"], r["complaints"])
            r["response_rate"] = calc.ratio(r["responded_on_time"], r["response_due"])
            out.append(r)
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

    The one dashboard read that is not a snapshot: a bounded list through the complaints'
    (status, is_overdue) index. The caller has checked that the user may see the area.
    """
    from complaints.models import Complaint

    qs = Complaint.objects.filter(is_overdue=True, status__in=["submitted", "dispatched", "accepted"])
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
    """Rectification lists past their deadline without an accepted report, in the area (empty before the
    inspections app is installed). A bounded read through that app's partial index on open lists."""
    from django.apps import apps

    try:
        model = apps.get_model("inspections", "RectificationList")
    except LookupError:
        return []
    return list(
        model.objects.overdue()
        .filter(compound_id__in=_area_compounds(area))
        .select_related("compound", "company")
        .order_by("deadline", "id")[:limit]
    )


def overdue_action_items(area: Area, *, limit: int = 20) -> list:
    """Meeting action items not done by their due date, in the area (the mediation app's partial index)."""
    from django.apps import apps

    try:
        model = apps.get_model("mediation", "ActionItem")
    except LookupError:
        return []
    return list(
        model.objects.exclude(status="done")
        .filter(due_date__lt=timezone.localdate(), meeting__compound_id__in=_area_compounds(area))
        .select_related("meeting__compound")
        .order_by("due_date", "id")[:limit]
    )


# --- Surveys, star ratings, targets ---------------------------------------------------------------
def _official_area_q(user: User, prefix: str = "") -> Q:
    """Rows tied to an area (district/subdistrict/community/compound fields) inside an official's scope."""
    q = Q(pk__in=[])
    for role in places.official_places(user):
        if role.district_id:
            q |= (
                Q(**{f"{prefix}district_id": role.district_id})
                | Q(**{f"{prefix}subdistrict__district_id": role.district_id})
                | Q(**{f"{prefix}community__subdistrict__district_id": role.district_id})
                | Q(**{f"{prefix}compound__community__subdistrict__district_id": role.district_id})
            )
        elif role.subdistrict_id:
            q |= (
                Q(**{f"{prefix}subdistrict_id": role.subdistrict_id})
                | Q(**{f"{prefix}community__subdistrict_id": role.subdistrict_id})
                | Q(**{f"{prefix}compound__community__subdistrict_id": role.subdistrict_id})
            )
        elif role.community_id:
            q |= Q(**{f"{prefix}community_id": role.community_id}) | Q(**{f"{prefix}compound__community_id": role.community_id})
    return q


def survey_rounds_visible_to(user: User) -> QuerySet[SurveyRound]:
    """Officials: rounds over areas inside their scope. Residents: rounds covering a compound they own a unit in."""
    qs = SurveyRound.objects.select_related("district", "subdistrict", "community", "compound")
    if getattr(user, "is_superuser", False):
        return qs
    q = _official_area_q(user)
    # Officials also see rounds over the areas above theirs (a district-wide round covers their town).
    for role in places.official_places(user):
        if role.subdistrict_id:
            q |= Q(subdistrict_id=role.subdistrict_id) | Q(district__subdistricts__id=role.subdistrict_id)
        elif role.community_id:
            q |= Q(subdistrict__communities__id=role.community_id) | Q(district__subdistricts__communities__id=role.community_id)
    if places.is_resident(user):
        units = places.units_of_resident(user)
        compounds = Compound.objects.filter(pk__in=units.values("compound_id")).select_related("community__subdistrict")
        for c in compounds:
            q |= (
                Q(compound_id=c.pk)
                | Q(community_id=c.community_id)
                | Q(subdistrict_id=c.community.subdistrict_id)
                | Q(district_id=c.community.subdistrict.district_id)
            )
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


def is_district_official(user: User, district_id: int) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(r.district_id == district_id for r in places.official_places(user))


def official_districts(user: User) -> QuerySet[District]:
    """Districts the user oversees as a district-level official (may run ratings and set targets)."""
    if getattr(user, "is_superuser", False):
        return District.objects.all()
    return District.objects.filter(pk__in=[r.district_id for r in places.official_places(user) if r.district_id])


def targets_visible_to(user: User) -> QuerySet[Target]:
    """Every official of the district sees its targets."""
    return Target.objects.filter(district_id__in=_districts_of_official(user)).select_related("district")


def _districts_of_official(user: User) -> list[int]:
    if getattr(user, "is_superuser", False):
        return list(District.objects.values_list("id", flat=True))
    ids = set()
    for role in places.official_places(user):
        if role.district_id:
            ids.add(role.district_id)
        elif role.subdistrict_id:
            ids.add(Subdistrict.objects.filter(pk=role.subdistrict_id).values_list("district_id", flat=True).first())
        elif role.community_id:
            ids.add(Community.objects.filter(pk=role.community_id).values_list("subdistrict__district_id", flat=True).first())
    return [i for i in ids if i]


@dataclass
class TargetStatus:
    target: Target
    actual: object
    baseline: object
    achieved: bool
    on_track: bool


def target_status(target: Target, area: Area | None = None, *, series: list[dict] | None = None) -> TargetStatus:
    """The indicator's actual over the target's span (for `area`, the district by default), against the target.

    For an area below the district with a baseline span, the baseline is the area's own over that span.
    Achieved: the actual has reached the target. On track: achieved, or moved from the baseline the right way.
    `series` (the area's monthly rows covering both spans) saves the query.
    """
    if area is None:
        area = Area(Level.DISTRICT, target.district)
    month_to = target.month_to or local_month(timezone.now())
    if series is None:
        start = min(target.month_from, target.baseline_from or target.month_from)
        series = area_series(area, start, max(month_to, target.baseline_to or month_to))
    rows = [r for r in series if target.month_from <= r["month"] <= month_to]
    actual = calc.indicator_value(target.indicator, rows)
    baseline = target.baseline
    if area.level != Level.DISTRICT and target.baseline_from and target.baseline_to:
        baseline = calc.indicator_value(target.indicator, [r for r in series if target.baseline_from <= r["month"] <= target.baseline_to])
    if actual is None:
        return TargetStatus(target, None, baseline, False, False)
    rise = target.direction == Target.Direction.RISE
    achieved = actual >= target.target if rise else actual <= target.target
    improved = baseline is not None and (actual > baseline if rise else actual < baseline)
    return TargetStatus(target, actual, baseline, achieved, achieved or improved)
