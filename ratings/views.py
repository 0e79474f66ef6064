"""Portal pages: the district dashboard (drill-down by area), the company view, surveys, star ratings, targets.

The dashboard reads snapshots (plus a bounded list of overdue complaints); its query count does not depend
on the number of compounds. A page's figures are cached until the next metrics run changes the snapshots.
Every table can be downloaded as Excel with `?export=<table key>`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities import selectors as places
from core.errors import DomainError, ScopeError
from ratings import calc, charts, selectors, services
from ratings.engine import add_months
from ratings.exports import xlsx_response
from ratings.models import Level, MetricRun, StarRating, Target

KPI_ORDER = [
    "formation_rate",
    "red_ratio",
    "satisfaction_rate",
    "complaint_ratio",
    "response_rate",
    "resolution_rate",
    "rectification_rate",
    "ticket_satisfaction_rate",
]


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # a cell is a value or (text, url)
    note: str = ""
    export_url: str = ""

    @property
    def cells(self) -> list[list[dict]]:
        return [
            [{"text": c[0], "url": c[1]} if isinstance(c, tuple) else {"text": c, "url": None, "num": isinstance(c, int)} for c in row]
            for row in self.rows
        ]


def _with_export_urls(request: HttpRequest, tables: list[Table]) -> list[Table]:
    out = []
    for table in tables:
        query = request.GET.copy()
        query["export"] = table.key
        out.append(replace(table, export_url="?" + query.urlencode()))
    return out


def _month(value: str | None) -> date | None:
    try:
        year, month = (value or "").split("-")[:2]
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def _span(request: HttpRequest) -> tuple[date, date]:
    _default_from, default_to = selectors.default_span()
    month_to = _month(request.GET.get("to")) or default_to
    month_from = _month(request.GET.get("from")) or add_months(month_to, -11)
    if month_from > month_to:
        month_from = month_to
    return month_from, month_to


def _export(request: HttpRequest, tables: list[Table], name: str) -> HttpResponse | None:
    key = request.GET.get("export")
    if not key:
        return None
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        raise Http404
    rows = [[c[0] if isinstance(c, tuple) else c for c in row] for row in table.rows]
    return xlsx_response(f"{name}-{table.title}", table.title, table.headers, rows)


def _area_url(level: str, pk: int) -> str:
    return reverse("ratings:area", args=[level, pk])


def _label(month: date) -> str:
    return f"{month:%Y-%m}"


def _num(value) -> str:
    return "—" if value is None else f"{calc.two_places(value)}"


# --- Dashboard -----------------------------------------------------------------------------------
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The officials' home: their widest area. Company staff go to their company's figures."""
    area = selectors.home_area(request.user)
    if area is not None:
        return _render_area(request, area)
    if selectors.staff_company_ids(request.user):
        return redirect("ratings:company")
    raise Http404


@login_required
def area(request: HttpRequest, level: str, pk: int) -> HttpResponse:
    try:
        found = selectors.area_for(request.user, level, pk)
    except ScopeError as exc:
        raise Http404 from exc
    if level == Level.COMPOUND and not places.has_role(request.user, "official") and not request.user.is_superuser:
        raise Http404  # staff read their compounds on the company page
    return _render_area(request, found)


def _kpis(area: selectors.Area, rows: list[dict], series: list[dict], targets: dict[str, Target]) -> list[dict]:
    cards = []
    labels = dict(Target.Indicator.choices)
    for indicator in KPI_ORDER:
        # A complaint ratio is complaints per 100 households, not a share: no % sign.
        fmt = _num if indicator == "complaint_ratio" else calc.pct
        value = calc.indicator_value(indicator, rows)
        card = {"key": indicator, "label": labels[indicator], "value": fmt(value), "raw": value}
        target = targets.get(indicator)
        if target is not None:
            status = selectors.target_status(target, area, series=series)
            card.update(
                target=fmt(target.target),
                baseline=fmt(status.baseline),
                badge="ok" if status.achieved else ("warn" if status.on_track else "bad"),
                status=_("achieved") if status.achieved else (_("on track") if status.on_track else _("off track")),
            )
            if indicator == "complaint_ratio":
                # The target's own comparison: the measured months against the baseline months.
                card["change"] = calc.pct(calc.change(status.actual, status.baseline))
        cards.append(card)
    return cards


def _trend(area_rows: list[dict], month_from: date, month_to: date) -> tuple[list[str], Table, list]:
    by_month = {r["month"]: r for r in area_rows}
    months = []
    m = month_from
    while m <= month_to:
        months.append(m)
        m = add_months(m, 1)
    labels = [_label(m) for m in months]

    def col(indicator):
        num, den, _kind = calc.INDICATORS[indicator]
        return [calc.ratio(by_month[m][num], by_month[m][den]) if m in by_month else None for m in months]

    ratio, sat, ticket = col("complaint_ratio"), col("satisfaction_rate"), col("ticket_satisfaction_rate")
    response, resolution, rect = col("response_rate"), col("resolution_rate"), col("rectification_rate")
    formation, red = col("formation_rate"), col("red_ratio")
    table = Table(
        "trend",
        _("Monthly figures"),
        [
            _("Month"),
            _("Number of complaints"),
            _("Households"),
            _("Complaint ratio"),
            _("Satisfaction rate"),
            _("Ticket satisfaction rate"),
            _("Response rate"),
            _("Resolution rate"),
            _("On-time rectification rate"),
            _("Committee formation rate"),
            _("Red committee ratio"),
        ],
    )
    for i, m in enumerate(months):
        r = by_month.get(m)
        table.rows.append(
            [
                labels[i],
                r["complaints"] if r else 0,
                r["households"] if r else 0,
                _num(ratio[i]),
                calc.pct(sat[i]),
                calc.pct(ticket[i]),
                calc.pct(response[i]),
                calc.pct(resolution[i]),
                calc.pct(rect[i]),
                calc.pct(formation[i]),
                calc.pct(red[i]),
            ]
        )
    svgs = [
        charts.line_chart(_("Complaint ratio (complaints per 100 households)"), labels, [(_("Complaint ratio"), ratio)], unit=""),
        charts.line_chart(_("Satisfaction"), labels, [(_("Survey satisfaction rate"), sat), (_("Ticket satisfaction rate"), ticket)]),
        charts.line_chart(
            _("Handling"),
            labels,
            [(_("Response rate"), response), (_("Resolution rate"), resolution), (_("On-time rectification rate"), rect)],
        ),
    ]
    return labels, table, svgs


def _children_table(area: selectors.Area, rows: list[dict]) -> Table | None:
    if not rows:
        return None
    child = rows[0]["level"]
    titles = {Level.SUBDISTRICT: _("Towns"), Level.COMMUNITY: _("Communities of the town"), Level.COMPOUND: _("Compounds of the community")}
    title = titles[child]
    table = Table(
        "children",
        title,
        [
            _("Rank"),
            _("Area"),
            _("Number of complaints"),
            _("Monthly-average complaint ratio"),
            _("Satisfaction rate"),
            _("Response rate"),
            _("Resolution rate"),
        ],
        note=_("Ranked by monthly-average complaint ratio, lowest first."),
    )
    for rank, r in enumerate(rows, start=1):
        table.rows.append(
            [
                rank,
                (r["name"], _area_url(child, r["area_id"])),
                r["complaints"],
                _num(r["avg_ratio"]),
                calc.pct(calc.ratio(r["survey_satisfied"], r["survey_responses"])),
                calc.pct(calc.ratio(r["responded_on_time"], r["response_due"])),
                calc.pct(calc.ratio(r["resolved"], r["complaints"])),
            ]
        )
    return table


def _ranking_table(key: str, title: str, rows: list[dict]) -> Table:
    table = Table(
        key,
        title,
        [
            _("Compound"),
            _("Town"),
            _("Community"),
            _("Number of complaints"),
            _("Monthly-average complaint ratio"),
            _("Satisfaction rate"),
            _("Stars"),
        ],
    )
    for r in rows:
        table.rows.append(
            [
                (r["compound__name"], _area_url(Level.COMPOUND, r["area_id"])),
                r["subdistrict__name"],
                r["community__name"],
                r["complaints"],
                _num(r["avg_ratio"]),
                calc.pct(r["satisfaction_rate"]),
                "★" * (r["stars"] or 0),
            ]
        )
    return table


def _overdue_table(request: HttpRequest, area: selectors.Area | None) -> Table:
    table = Table("overdue", _("Overdue complaints"), [_("Number"), _("Compound"), _("Category"), _("Made at"), _("Sign for by")])
    for c in selectors.overdue_complaints(request.user, area):
        try:
            link = reverse("complaints:detail", args=[c.pk])
        except NoReverseMatch:
            link = None
        number = (c.number, link) if link else c.number
        table.rows.append([number, c.compound.name, c.category.name_zh, f"{c.made_at:%Y-%m-%d %H:%M}", f"{c.response_due or ''}"[:16]])
    return table


CACHE_SECONDS = 15 * 60


def _cache_key(*parts) -> str:
    """A key that changes whenever the snapshots do (each metrics run) and with the language."""
    run = MetricRun.objects.order_by("-id").values_list("id", "finished_at").first()
    stamp = f"{run[0]}.{run[1].timestamp() if run[1] else 0}" if run else "none"
    raw = ":".join(str(p) for p in (stamp, get_language(), *parts))
    return "ratings:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _area_content(request: HttpRequest, area: selectors.Area, month_from: date, month_to: date, targets: dict[str, Target]) -> dict:
    """Everything the area page shows, computed from the snapshots (cached per metrics run)."""
    fetch_from = min(
        [month_from, *[t.baseline_from for t in targets.values() if t.baseline_from], *[t.month_from for t in targets.values()]]
    )
    series = selectors.area_series(area, fetch_from, max(month_to, *[t.month_to or month_to for t in targets.values()], month_to))
    rows = [r for r in series if month_from <= r["month"] <= month_to]
    kpis = _kpis(area, rows, series, targets)
    _labels, trend, svgs = _trend(rows, month_from, month_to)

    tables = [trend]
    children = _children_table(area, selectors.children_totals(area, month_from, month_to))
    if children:
        tables.append(children)
    if area.level != Level.COMPOUND:
        best, worst = selectors.compound_rankings(area, month_from, month_to)
        tables.append(_ranking_table("best", _("Best compounds"), best))
        tables.append(_ranking_table("worst", _("Compounds needing attention"), worst))
    totals, by_town = selectors.star_distribution(area)
    if any(totals.values()):
        svgs.append(charts.bar_chart(_("Star distribution"), [f"{n}★" for n in totals], list(totals.values())))
    stars = Table("stars", _("Star distribution by town"), [_("Town"), "5★", "4★", "3★", "2★", "1★"])
    for town in by_town:
        stars.rows.append([town["name"], town["s5"], town["s4"], town["s3"], town["s2"], town["s1"]])
    stars.rows.append([_("Total"), totals[5], totals[4], totals[3], totals[2], totals[1]])
    tables.append(stars)
    tables.append(_overdue_table(request, area))
    tables.append(_overdue_rect_table(area))
    tables.append(_overdue_actions_table(area))
    mediation = {k: sum(r[k] for r in rows) for k in ("disputes", "disputes_settled", "meetings", "micro_consultations")}
    return {"kpis": kpis, "charts": svgs, "tables": tables, "star_totals": totals, "mediation": mediation}


def _overdue_rect_table(area: selectors.Area) -> Table:
    table = Table(
        "overdue_rect",
        _("Overdue rectification lists"),
        [_("Number"), _("Compound"), _("Property company"), _("Deadline"), _("Status")],
    )
    for rect in selectors.overdue_rectification_lists(area):
        try:
            number = (rect.number, reverse("inspections:list_detail", args=[rect.pk]))
        except NoReverseMatch:
            number = rect.number
        table.rows.append([number, rect.compound.name, rect.company.name, f"{rect.deadline:%Y-%m-%d}", rect.get_status_display()])
    return table


def _overdue_actions_table(area: selectors.Area) -> Table:
    table = Table(
        "overdue_actions",
        _("Overdue action items"),
        [_("Action item"), _("Compound"), pgettext("action item owner", "owner"), _("Due date"), _("Meeting")],
    )
    for item in selectors.overdue_action_items(area):
        try:
            meeting = (item.meeting.title, reverse("mediation:meeting_detail", args=[item.meeting_id]))
        except NoReverseMatch:
            meeting = item.meeting.title
        table.rows.append([item.title, item.meeting.compound.name, item.owner_name, f"{item.due_date:%Y-%m-%d}", meeting])
    return table


def _render_area(request: HttpRequest, area: selectors.Area) -> HttpResponse:
    month_from, month_to = _span(request)
    tree = area.tree()
    targets = {t.indicator: t for t in Target.objects.filter(district_id=tree["district_id"])}
    key = _cache_key("area", area.level, area.id, month_from, month_to, sorted((t.pk, t.updated_at.timestamp()) for t in targets.values()))
    content = cache.get(key)
    if content is None:
        content = _area_content(request, area, month_from, month_to, targets)
        cache.set(key, content, CACHE_SECONDS)
    exported = _export(request, content["tables"], area.name)
    if exported:
        return exported
    return render(
        request,
        "ratings/dashboard.html",
        {
            **content,
            "area": area,
            "crumbs": [(a.name, _area_url(a.level, a.id)) for a in area.breadcrumb()],
            "month_from": month_from,
            "month_to": month_to,
            "tables": _with_export_urls(request, content["tables"]),
            "compound_page": reverse("communities:compound_detail", args=[area.id]) if area.level == Level.COMPOUND else None,
        },
    )


@login_required
def company(request: HttpRequest) -> HttpResponse:
    """Property-company staff: their company's figures and where each of its compounds ranks in the district."""
    company_ids = selectors.staff_company_ids(request.user)
    if not company_ids:
        raise Http404
    month_from, month_to = _span(request)
    series = selectors.company_series(company_ids, month_from, month_to)
    kpis = []
    labels = dict(Target.Indicator.choices)
    for indicator in ["complaint_ratio", "satisfaction_rate", "response_rate", "resolution_rate", "ticket_satisfaction_rate"]:
        value = calc.indicator_value(indicator, series)
        kpis.append(
            {"key": indicator, "label": labels[indicator], "value": _num(value) if indicator == "complaint_ratio" else calc.pct(value)}
        )
    _labels, trend, svgs = _trend(series, month_from, month_to)
    compounds, total = selectors.company_compounds(company_ids, month_from, month_to)
    ranking = Table(
        "compounds",
        _("Our compounds"),
        [
            _("Rank in the district"),
            _("Compound"),
            _("Town"),
            _("Number of complaints"),
            _("Monthly-average complaint ratio"),
            _("Satisfaction rate"),
            _("Response rate"),
            _("Resolution rate"),
            _("Stars"),
        ],
        note=_("Rank among %(n)d compounds by monthly-average complaint ratio, lowest first.") % {"n": total},
    )
    for r in compounds:
        ranking.rows.append(
            [
                f"{r['rank']} / {total}",
                (r["compound__name"], reverse("communities:compound_detail", args=[r["area_id"]])),
                r["subdistrict__name"],
                r["complaints"],
                _num(r["avg_ratio"]),
                calc.pct(r["satisfaction_rate"]),
                calc.pct(r["response_rate"]),
                calc.pct(r["resolution_rate"]),
                "★" * (r["stars"] or 0),
            ]
        )
    tables = [ranking, trend]
    exported = _export(request, tables, _("company"))
    if exported:
        return exported
    return render(
        request,
        "ratings/company.html",
        {"kpis": kpis, "charts": svgs, "tables": _with_export_urls(request, tables), "month_from": month_from, "month_to": month_to},
    )


# --- Surveys -------------------------------------------------------------------------------------
def _official(request: HttpRequest) -> None:
    if not (request.user.is_superuser or places.has_role(request.user, "official")):
        raise Http404


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    _official(request)
    if request.method == "POST":
        try:
            survey = services.survey_round_create(
                actor=request.user,
                title=request.POST.get("title", ""),
                level=request.POST.get("level", ""),
                area_id=int(request.POST.get("area_id") or 0),
                period_start=date.fromisoformat(request.POST.get("period_start", "")),
                period_end=date.fromisoformat(request.POST.get("period_end", "")),
            )
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("Check the dates and the area.")))
        else:
            messages.success(request, _("Survey opened."))
            return redirect("ratings:survey_detail", survey.pk)
    rounds = selectors.survey_rounds_visible_to(request.user).order_by("-period_end", "-id")
    area = selectors.home_area(request.user)
    return render(request, "ratings/survey_list.html", {"rounds": rounds[:100], "levels": Level.choices, "home": area})


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _official(request)
    survey = get_object_or_404(selectors.survey_rounds_visible_to(request.user), pk=pk)
    report = None
    if request.method == "POST" and request.FILES.get("file"):
        try:
            report = services.survey_import(actor=request.user, round_id=survey.pk, file=request.FILES["file"])
        except DomainError as exc:
            messages.error(request, exc.message)
    responses = selectors.survey_responses_visible_to(request.user).filter(round=survey)
    from django.db.models import Count, Q

    ok = Q(overall__in=["satisfied", "basic"])
    by_compound = list(
        responses.values("compound_id", "compound__name").annotate(n=Count("id"), ok=Count("id", filter=ok)).order_by("compound__name")
    )
    table = Table(
        "responses",
        _("Responses by compound"),
        [_("Compound"), _("Responses"), _("Satisfied or basically satisfied"), _("Satisfaction rate")],
    )
    for r in by_compound:
        table.rows.append([r["compound__name"], r["n"], r["ok"], calc.pct(calc.ratio(r["ok"], r["n"]))])
    exported = _export(request, [table], survey.title)
    if exported:
        return exported
    total = sum(r["n"] for r in by_compound)
    satisfied = sum(r["ok"] for r in by_compound)
    return render(
        request,
        "ratings/survey_detail.html",
        {
            "survey": survey,
            "table": _with_export_urls(request, [table])[0],
            "report": report,
            "total": total,
            "rate": calc.pct(calc.ratio(satisfied, total)),
        },
    )


# --- Star ratings ----------------------------------------------------------------------------------
@login_required
def star_round_list(request: HttpRequest) -> HttpResponse:
    _official(request)
    districts = selectors.official_districts(request.user)
    if request.method == "POST":
        try:
            star_round = services.star_round_create(
                actor=request.user,
                district_id=int(request.POST.get("district") or 0),
                title=request.POST.get("title", ""),
                month_from=_month(request.POST.get("month_from")) or date(1, 1, 1),
                month_to=_month(request.POST.get("month_to")) or date(1, 1, 1),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("ratings:star_round_detail", star_round.pk)
    rounds = selectors.star_rounds_visible_to(request.user).order_by("-month_to", "-id")
    return render(request, "ratings/star_round_list.html", {"rounds": rounds, "districts": districts})


@login_required
def star_round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _official(request)
    star_round = get_object_or_404(selectors.star_rounds_visible_to(request.user), pk=pk)
    ratings = (
        StarRating.objects.filter(round=star_round).select_related("compound__community__subdistrict").order_by("-score", "compound_id")
    )
    table = Table(
        "ratings",
        _("Proposed and confirmed stars"),
        [
            _("Compound"),
            _("Town"),
            _("Satisfaction rate"),
            _("Inspection score"),
            _("Monthly-average complaint ratio"),
            _("On-time rectification rate"),
            _("Score"),
            _("Proposed stars"),
            _("Confirmed"),
            _("Reason"),
        ],
    )
    for r in ratings:
        table.rows.append(
            [
                r.compound.name,
                r.compound.community.subdistrict.name,
                calc.pct(r.satisfaction_rate),
                _num(r.inspection_score),
                _num(r.complaint_ratio),
                calc.pct(r.rectification_rate),
                _num(r.score),
                r.proposed_stars,
                r.stars or "",
                r.reason,
            ]
        )
    exported = _export(request, [table], star_round.title)
    if exported:
        return exported
    return render(
        request,
        "ratings/star_round_detail.html",
        {
            "round": star_round,
            "ratings": ratings,
            "table": _with_export_urls(request, [table])[0],
            "can_manage": selectors.is_district_official(request.user, star_round.district_id),
        },
    )


@login_required
@require_POST
def star_round_action(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    _official(request)
    star_round = get_object_or_404(selectors.star_rounds_visible_to(request.user), pk=pk)
    try:
        if step == "propose":
            services.star_round_propose(actor=request.user, round_id=star_round.pk)
        elif step == "confirm-all":
            services.star_round_confirm_all(actor=request.user, round_id=star_round.pk)
        elif step == "publish":
            services.star_round_publish(actor=request.user, round_id=star_round.pk)
            messages.success(request, _("Stars published."))
        elif step == "confirm":
            stars = request.POST.get("stars")
            services.star_rating_confirm(
                actor=request.user,
                rating_id=int(request.POST.get("rating") or 0),
                stars=int(stars) if stars else None,
                reason=request.POST.get("reason", ""),
            )
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, _("Stars are 1 to 5."))
    return redirect("ratings:star_round_detail", star_round.pk)


# --- Targets -------------------------------------------------------------------------------------
@login_required
def target_list(request: HttpRequest) -> HttpResponse:
    _official(request)
    districts = selectors.official_districts(request.user)
    if request.method == "POST":
        from decimal import Decimal, InvalidOperation

        try:
            baseline = request.POST.get("baseline", "").strip()
            services.target_set(
                actor=request.user,
                district_id=int(request.POST.get("district") or 0),
                indicator=request.POST.get("indicator", ""),
                direction=request.POST.get("direction", ""),
                baseline=Decimal(baseline) if baseline else None,
                target=Decimal(request.POST.get("target", "")),
                baseline_from=_month(request.POST.get("baseline_from")),
                baseline_to=_month(request.POST.get("baseline_to")),
                month_from=_month(request.POST.get("month_from")) or date.today().replace(month=1, day=1),
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        except (InvalidOperation, ValueError):
            messages.error(request, _("Enter numbers for the baseline and the target."))
        else:
            messages.success(request, _("Target saved."))
            return redirect("ratings:targets")
    targets = list(selectors.targets_visible_to(request.user))
    table = Table(
        "targets",
        _("Five rises, two falls"),
        [_("Indicator"), _("Direction"), _("Baseline"), _("Target"), _("Actual"), _("Status"), _("Measured from")],
    )
    statuses = []
    for t in targets:
        s = selectors.target_status(t)
        statuses.append(s)
        fmt = _num if t.indicator == "complaint_ratio" else calc.pct
        status = _("achieved") if s.achieved else (_("on track") if s.on_track else _("off track"))
        table.rows.append(
            [
                t.get_indicator_display(),
                t.get_direction_display(),
                fmt(s.baseline),
                fmt(t.target),
                fmt(s.actual),
                status,
                f"{t.month_from:%Y-%m}",
            ]
        )
    exported = _export(request, [table], _("targets"))
    if exported:
        return exported
    return render(
        request,
        "ratings/target_list.html",
        {
            "table": _with_export_urls(request, [table])[0],
            "statuses": statuses,
            "districts": districts,
            "indicators": Target.Indicator.choices,
            "directions": Target.Direction.choices,
        },
    )
