"""Reads of the bulletins app: which bulletins a user sees, and the composition of one bulletin.

`compose(area, month)` gathers what the bulletin says from the same reads the dashboard uses
(`ratings.selectors`: the area's figures, its children's, the best and worst compounds, the targets) and
the catalogue's formulas (`ratings.indicators`), so a bulletin's figure equals the dashboard's for the
same month and area; it adds the counts only the domain tables hold (target problems, inspection
findings, summonses). It returns plain JSON: the values as text with the period they cover.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, DateField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from bulletins.models import Bulletin
from communities import selectors as places
from communities.models import Community, ManagementContract, PropertyCompany
from complaints.models import Category, Complaint
from core.models import User
from inspections.models import Finding, Inspection
from ratings import calc, indicators
from ratings import selectors as metrics
from ratings.engine import add_months
from ratings.models import Level, MetricSnapshot, Target
from summons.models import Summons
from summons.selectors import with_progress

Role = places.Role
SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADLINE = [
    "complaint_ratio",
    "complaints",
    "satisfaction_rate",
    "ticket_satisfaction_rate",
    "response_rate",
    "resolution_rate",
    "overdue_rate",
    "rectification_rate",
    "inspection_score",
]
RANKED = ["complaint_ratio", "complaints", "satisfaction_rate", "ticket_satisfaction_rate", "resolution_rate"]
TREND_MONTHS = 6
NONE = calc.pct(None)  # what a figure without a value reads: "—"


# --- Scope ------------------------------------------------------------------------------------------
def covers_q(user: User) -> Q:
    """Bulletins of an area the user is an official of (drafts included): they review and publish them."""
    return places.area_q(user, roles=[Role.OFFICIAL], path="district", level="district") | (
        Q(level=Bulletin.Level.SUBDISTRICT) & places.area_q(user, roles=[Role.OFFICIAL], path="subdistrict", level="subdistrict")
    )


def bulletins_visible_to(user: User) -> QuerySet[Bulletin]:
    """Officials of the area see its bulletins, drafts included; once published, a bulletin is also read by
    the officials of the towns and communities inside it."""
    if getattr(user, "is_superuser", False):
        return Bulletin.objects.all()
    around = (Q(level=Bulletin.Level.DISTRICT) & places.containing_q(user, roles=[Role.OFFICIAL], path="district", level="district")) | (
        Q(level=Bulletin.Level.SUBDISTRICT) & places.containing_q(user, roles=[Role.OFFICIAL], path="subdistrict", level="subdistrict")
    )
    ids = Bulletin.objects.filter(covers_q(user) | (Q(status=Bulletin.Status.PUBLISHED) & around)).values("pk")
    return Bulletin.objects.filter(pk__in=ids)


def may_publish(user: User, bulletin: Bulletin) -> bool:
    """Officials of the bulletin's area (a town's bulletin: its officials or the district's)."""
    return Bulletin.objects.filter(covers_q(user), pk=bulletin.pk).exists()


def area_of(bulletin: Bulletin) -> metrics.Area:
    return metrics.area_get(bulletin.level, bulletin.area_id)


# --- Composition ------------------------------------------------------------------------------------
def _value(v) -> str | None:
    return None if v is None else str(v)


def _figure(f: indicators.Figure) -> dict:
    return {"key": f.key, "name": indicators.get(f.key).label(month=True), "text": f.text, "value": _value(f.value), "period": f.period}


def _decimal(v) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _change(now, base) -> str:
    """(now − base) ÷ base as a percentage (ratings.calc.change), for counts and catalogue values alike."""
    return calc.pct(calc.change(_decimal(now), _decimal(base)))


def _headline(area: metrics.Area, month: date, today: date) -> list[dict]:
    """The area's catalogue figures for the month (what the dashboard shows for that month), with the month
    before and the same month a year before, and the change against each."""
    prev, last_year = add_months(month, -1), add_months(month, -12)
    spans = {name: metrics.span_of(m, m, today=today) for name, m in (("now", month), ("prev", prev), ("yoy", last_year))}
    series = metrics.area_series(area, indicators.rows_from(spans["yoy"]), month)
    recorded = {r["month"] for r in series}
    out = []
    for key in HEADLINE:
        indicator = indicators.get(key)
        now, before, year_ago = (indicator.figure(series, spans[n]) for n in ("now", "prev", "yoy"))
        figure = {
            **_figure(now),
            "prev": before.text,
            "prev_period": before.period,
            "mom": _change(now.value, before.value),
            "yoy_value": year_ago.text,
            "yoy_period": year_ago.period,
            "yoy": _change(now.value, year_ago.value),
            "better": indicator.better,
        }
        # A month before the area's records began has no figures, not zero complaints.
        if prev not in recorded:
            figure.update(prev=NONE, mom=NONE)
        if last_year not in recorded:
            figure.update(yoy_value=NONE, yoy=NONE)
        out.append(figure)
    return out


def _rank_key(value, pk: int) -> tuple:
    """Lowest first, areas without a value last (the dashboard's order)."""
    return (value is None, value if value is not None else 0, pk)


def _ranked(rows: list[dict]) -> list[dict]:
    return [{"rank": n, "name": r["name"], "figures": {k: r["figures"][k].text for k in RANKED}} for n, r in enumerate(rows, start=1)]


def _communities(area: metrics.Area, span: indicators.Span) -> list[dict]:
    """Every community of the area with its figures, ranked like the dashboard's children (lowest complaint ratio first)."""
    if area.level == Level.SUBDISTRICT:
        return metrics.children_figures(area, span)
    qs = MetricSnapshot.objects.filter(
        level=Level.COMMUNITY, district_id=area.id, month__gte=indicators.rows_from(span), month__lte=span.month_to
    )
    series: dict[int, list[dict]] = {}
    for row in qs.order_by("area_id", "month").values():
        series.setdefault(row["area_id"], []).append(row)
    names = dict(Community.objects.filter(pk__in=list(series)).values_list("id", "name"))
    rows = [{"area_id": pk, "name": names.get(pk, "?"), "figures": indicators.figures(m, span)} for pk, m in series.items() if span.rows(m)]
    return sorted(rows, key=lambda r: _rank_key(r["figures"]["complaint_ratio"].value, r["area_id"]))


def _companies(area: metrics.Area, span: indicators.Span) -> list[dict]:
    """Every company managing compounds of the area at the month's end, with the catalogue's figures over
    those compounds (Σ ÷ Σ, as an area roll-up), ranked by complaint ratio. One query for the sums."""
    month_end = add_months(span.month_to, 1) - timedelta(days=1)
    tree_field = {Level.DISTRICT: "district_id", Level.SUBDISTRICT: "subdistrict_id"}[area.level]
    company = ManagementContract.objects.in_force(month_end).filter(compound_id=OuterRef("area_id")).values("company_id")[:1]
    rows = (
        MetricSnapshot.objects.filter(
            level=Level.COMPOUND, month__gte=indicators.rows_from(span), month__lte=span.month_to, **{tree_field: area.id}
        )
        .annotate(company_id=Subquery(company))
        .exclude(company_id=None)
        .values("company_id", "month")
        .annotate(**{f: Sum(f) for f in metrics.SUM_FIELDS})
        .order_by("company_id", "month")
    )
    series: dict[int, list[dict]] = {}
    for row in rows:
        series.setdefault(row["company_id"], []).append(row)
    names = dict(PropertyCompany.objects.filter(pk__in=list(series)).values_list("id", "name"))
    out = [
        {"area_id": pk, "name": names.get(pk, "?"), "figures": indicators.figures(m, span), "compounds": m[-1]["compounds"]}
        for pk, m in series.items()
        if span.rows(m)
    ]
    return sorted(out, key=lambda r: _rank_key(r["figures"]["complaint_ratio"].value, r["area_id"]))


def _compounds(rows: list[dict]) -> list[dict]:
    return [
        {
            "name": r["compound__name"],
            "town": r["subdistrict__name"],
            "community": r["community__name"],
            "figures": {k: r["figures"][k].text for k in RANKED},
        }
        for r in rows
    ]


def _targets(area: metrics.Area, month: date, today: date) -> list[dict]:
    """Each district target measured up to the bulletin's month (for a town, the town's own figures)."""
    out = []
    district_id = area.tree()["district_id"]
    for target in Target.objects.filter(district_id=district_id).order_by("direction", "id"):
        if target.month_from > month:
            continue
        upto = copy.copy(target)
        upto.month_to = min(target.month_to or month, month)
        status = metrics.target_status(upto, area)
        indicator = indicators.get(target.indicator)
        out.append(
            {
                "key": target.indicator,
                "name": indicator.label(),
                "direction": target.get_direction_display(),
                "baseline": indicator.format(status.baseline),
                "target": indicator.format(target.target),
                "actual": status.figure.text if status.figure else "—",
                "period": status.figure.period if status.figure else "",
                "status": "achieved" if status.achieved else ("on_track" if status.on_track else "off_track"),
                "status_text": _("achieved") if status.achieved else (_("on track") if status.on_track else _("off track")),
            }
        )
    return out


def _compound_q(area: metrics.Area, prefix: str) -> Q:
    if area.level == Level.SUBDISTRICT:
        return Q(**{f"{prefix}community__subdistrict_id": area.id})
    return Q(**{f"{prefix}community__subdistrict__district_id": area.id})


def _local_midnight(day: date):
    from datetime import datetime, time

    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def _problems(area: metrics.Area, month: date) -> list[dict]:
    """The target categories' complaints (made in the month, rejected ones excluded: the catalogue's count)
    over the last six months and the same month a year before, with the changes. One GROUP BY. A year-ago
    month before the area's records began (no metric rows) reads "—", not 0."""
    months = [add_months(month, -k) for k in range(TREND_MONTHS - 1, -1, -1)]
    last_year = add_months(month, -12)
    wanted = [last_year, *months]
    rows = (
        Complaint.objects.filter(
            _compound_q(area, "compound__"),
            category__is_target=True,
            made_at__gte=_local_midnight(last_year),
            made_at__lt=_local_midnight(add_months(month, 1)),
        )
        .exclude(status=Complaint.Status.REJECTED)
        .annotate(m=TruncMonth("made_at", output_field=DateField(), tzinfo=SHANGHAI))
        .filter(m__in=wanted)
        .values("category_id", "m")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {(r["category_id"], r["m"]): r["n"] for r in rows}
    year_ago_recorded = MetricSnapshot.objects.filter(level=area.level, area_id=area.id, month=last_year).exists()
    out = []
    for category in Category.objects.filter(is_target=True).order_by("sort_order", "id"):
        trend = [counts.get((category.pk, m), 0) for m in months]
        now, prev, year_ago = trend[-1], trend[-2], counts.get((category.pk, last_year), 0)
        out.append(
            {
                "category": category.name_zh,
                "months": [f"{m:%Y-%m}" for m in months],
                "trend": trend,
                "count": now,
                "prev": prev,
                "last_year": year_ago if year_ago_recorded else NONE,
                "mom": _change(now, prev),
                "yoy": _change(now, year_ago) if year_ago_recorded else NONE,
            }
        )
    return sorted(out, key=lambda r: (-r["count"], r["category"]))


def _findings(area: metrics.Area, month: date) -> dict:
    """Findings of the inspections submitted for the month's visits, totalled by checklist area and item."""
    inspections = Inspection.objects.filter(
        _compound_q(area, "compound__"), status=Inspection.Status.SUBMITTED, inspected_on__gte=month, inspected_on__lt=add_months(month, 1)
    )
    rows = (
        Finding.objects.filter(inspection__in=inspections)
        .values("item__area__order", "item__area__name", "item__order", "item__code", "item__description")
        .annotate(n=Count("id"), compounds=Count("inspection__compound", distinct=True))
        .order_by("item__area__order", "-n", "item__order")
    )
    areas: dict[str, dict] = {}
    for r in rows:
        block = areas.setdefault(r["item__area__name"], {"area": r["item__area__name"], "count": 0, "items": []})
        block["count"] += r["n"]
        block["items"].append({"code": r["item__code"], "item": r["item__description"], "count": r["n"], "compounds": r["compounds"]})
    blocks = sorted(areas.values(), key=lambda b: -b["count"])
    return {"inspections": inspections.count(), "total": sum(b["count"] for b in blocks), "areas": blocks}


def _summonses(area: metrics.Area, month: date, today: date) -> list[dict]:
    qs = Summons.objects.filter(held_on__gte=month, held_on__lt=add_months(month, 1))
    qs = qs.filter(subdistrict_id=area.id) if area.level == Level.SUBDISTRICT else qs.filter(district_id=area.id)
    out = []
    for s in with_progress(qs.select_related("company", "subdistrict"), today).order_by("held_on", "id"):
        out.append(
            {
                "number": s.number,
                "held_on": f"{s.held_on:%Y-%m-%d}",
                "subject": s.subject_name,
                "town": s.subdistrict.name if s.subdistrict_id else "",
                "status": s.get_status_display(),
                "commitments": s.n_commitments,
                "done": s.n_done,
                "overdue": s.n_overdue,
            }
        )
    return out


def compose(area: metrics.Area, month: date, *, today: date | None = None) -> dict:
    """Everything the bulletin of `area` for `month` says, as JSON (values as text with their periods)."""
    today = today or timezone.localdate()
    span = metrics.span_of(month, month, today=today)
    best, worst = metrics.compound_rankings(area, span, limit=5)
    towns = metrics.children_figures(area, span) if area.level == Level.DISTRICT else []
    return {
        "area": {"level": area.level, "id": area.id, "name": area.name},
        "month": f"{month:%Y-%m}",
        "period": indicators.month_period(month, span),
        "as_of": f"{today:%Y-%m-%d}",
        "headline": _headline(area, month, today),
        "ranked_columns": [{"key": k, "name": indicators.get(k).label(month=True)} for k in RANKED],
        "towns": _ranked(towns),
        "communities": _ranked(_communities(area, span)),
        "companies": _ranked(_companies(area, span)),
        "best": _compounds(best),
        "worst": _compounds(worst),
        "targets": _targets(area, month, today),
        "problems": _problems(area, month),
        "findings": _findings(area, month),
        "summonses": _summonses(area, month, today),
    }


def readers(bulletin: Bulletin) -> QuerySet[User]:
    """Officials told of a publication: those of the bulletin's area and of the towns and communities in it."""
    from communities.models import RoleAssignment

    place = (
        Q(district_id=bulletin.district_id)
        | Q(subdistrict__district_id=bulletin.district_id)
        | Q(community__subdistrict__district_id=bulletin.district_id)
    )
    if bulletin.subdistrict_id:
        place = (
            Q(district_id=bulletin.district_id)
            | Q(subdistrict_id=bulletin.subdistrict_id)
            | Q(community__subdistrict_id=bulletin.subdistrict_id)
        )
    ids = RoleAssignment.objects.filter(place, role=Role.OFFICIAL, is_active=True).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)
