"""Portal pages: the district dashboard (drill-down by area), the company view, surveys, star ratings, targets,
and the indicator definitions.

The dashboard reads snapshots (plus a bounded list of overdue complaints); its query count does not depend
on the number of compounds. A page's figures are cached until the next metrics run changes the snapshots.
Every table can be downloaded as Excel with `?export=<table key>`. Every figure takes its name, rule and
period from the indicator catalogue (`ratings.indicators`) and says the period it covers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

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
from core import portal, xlsx
from core.errors import DomainError, ScopeError
from ratings import calc, charts, evaluation, indicators, selectors, services
from ratings.engine import add_months
from ratings.exports import xlsx_response
from ratings.forms import StarRoundForm, SurveyRoundForm, TargetForm, with_district_id
from ratings.indicators import Figure, Span
from ratings.models import CompanyEvaluation, EvaluationRound, Level, MetricRun, StarRating, StarRatingRound, Target

KPI_ORDER = [
    "formation_rate",
    "red_ratio",
    "satisfaction_rate",
    "satisfaction_rate_span",
    "complaint_ratio",
    "response_rate",
    "resolution_rate",
    "rectification_rate",
    "ticket_satisfaction_rate",
    "inspection_score",
    "overdue_rate",
]
MEDIATION_KPIS = ["disputes", "disputes_settled", "meetings", "micro_consultations"]
COMPANY_KPIS = ["complaint_ratio", "satisfaction_rate", "response_rate", "resolution_rate", "ticket_satisfaction_rate"]
CHILD_COLUMNS = ["complaints", "complaint_ratio", "satisfaction_rate", "response_rate", "resolution_rate"]
RANKING_COLUMNS = ["complaints", "complaint_ratio", "satisfaction_rate"]
TREND_COLUMNS = [
    "complaints",
    "complaint_ratio",
    "satisfaction_rate",
    "ticket_satisfaction_rate",
    "response_rate",
    "resolution_rate",
    "rectification_rate",
    "formation_rate",
    "red_ratio",
]
SURVEY_COLUMNS = ["satisfaction_rate", *indicators.DIMENSION_KEYS]
# Part of the page cache key: raise it when the pages' tables or charts are drawn differently, so pages
# cached before a deploy are not served until the next metrics run (2: whole month labels, aligned headers).
PAGE_LAYOUT = 2
STAR_ROUND_SETTINGS = ["w_satisfaction", "w_inspection", "w_complaints", "w_rectification", "cut_5", "cut_4", "cut_3", "cut_2"]


@dataclass(frozen=True)
class Column:
    """A table header naming a catalogue indicator, with the period its column covers ("" when per row)."""

    key: str
    label: str
    period: str = ""

    @property
    def url(self) -> str:
        return indicators.definition_url(self.key)

    @property
    def definition(self) -> str:
        return str(indicators.get(self.key).definition)

    def __str__(self) -> str:
        return portal.aside(self.label, self.period) if self.period else self.label


@dataclass(frozen=True)
class Num:
    """A number already written out (a score with two decimals): right-aligned like a Figure."""

    text: str


def _column(key: str, period: str = "", *, month: bool = False) -> Column:
    return Column(key, indicators.get(key).label(month=month), period)


@dataclass
class Table:
    key: str
    title: str
    headers: list  # a header is a string or a Column
    rows: list[list] = field(default_factory=list)  # a cell is a value, (text, url) or a Figure
    note: str = ""
    export_url: str = ""
    period: str = ""

    @property
    def columns(self) -> list[dict]:
        numeric = self._numeric_columns()
        return [
            {"text": h.label, "url": h.url, "title": h.definition, "period": h.period, "key": h.key, "num": i in numeric}
            if isinstance(h, Column)
            else {"text": h, "num": i in numeric}
            for i, h in enumerate(self.headers)
        ]

    @staticmethod
    def _is_number(c) -> bool:
        return isinstance(c, Figure | Num) or (isinstance(c, int) and not isinstance(c, bool))

    def _numeric_columns(self) -> set[int]:
        """Columns whose filled cells are all numbers: their header is right-aligned over them (class `num`)."""
        out = set()
        for i in range(len(self.headers)):
            filled = [row[i] for row in self.rows if i < len(row) and row[i] not in ("", None)]
            if filled and all(self._is_number(c) for c in filled):
                out.add(i)
        return out

    def _figure_text(self, i: int, fig: Figure) -> str:
        header = self.headers[i] if i < len(self.headers) else None
        # A figure whose period differs from its column's says so in the cell.
        if isinstance(header, Column) and header.period and header.period != fig.period:
            return portal.aside(fig.text, fig.period)
        return fig.text

    @property
    def cells(self) -> list[list[dict]]:
        out = []
        for row in self.rows:
            cells = []
            for i, c in enumerate(row):
                if isinstance(c, Figure):
                    cells.append({"text": self._figure_text(i, c), "url": None, "num": True, "key": c.key, "period": c.period})
                elif isinstance(c, tuple):
                    cells.append({"text": c[0], "url": c[1]})
                elif isinstance(c, Num):
                    cells.append({"text": c.text, "url": None, "num": True})
                else:
                    cells.append({"text": c, "url": None, "num": self._is_number(c)})
            out.append(cells)
        return out

    def _plain(self, i: int, c) -> object:
        if isinstance(c, Num):
            return c.text
        if isinstance(c, Figure):
            text = self._figure_text(i, c)
            # A count stays a number in Excel; rates keep the page's text (two decimals and the % sign).
            return int(c.value) if isinstance(c.value, int) and text == c.text else text
        return c[0] if isinstance(c, tuple) else c

    def plain_rows(self) -> list[list]:
        return [[self._plain(i, c) for i, c in enumerate(row)] for row in self.rows]

    def _typed(self, i: int, c) -> object:
        """A cell for Excel: a figure whose period is its column's is a number (a rate a percent-formatted
        fraction); one covering another period keeps the page's text, which names that period."""
        if isinstance(c, Figure):
            if c.value is None or self._figure_text(i, c) != c.text:
                return self._plain(i, c)
            return xlsx.Cell(c.value, _xlsx_kind(indicators.get(c.key)))
        if isinstance(c, Decimal):
            return xlsx.Cell(c, xlsx.NUMBER)
        return self._plain(i, c)

    def excel_rows(self) -> list[list]:
        return [[self._typed(i, c) for i, c in enumerate(row)] for row in self.rows]


def _xlsx_kind(indicator: indicators.Indicator) -> str:
    """An indicator's cells in Excel: a rate is a percent-formatted fraction, a count an integer, the rest numbers."""
    if indicator.unit == indicators.Unit.PERCENT:
        return xlsx.PERCENT
    return xlsx.INTEGER if indicator.unit == indicators.Unit.COUNT else xlsx.NUMBER


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


def _span(request: HttpRequest) -> Span:
    """The months asked for (the last twelve by default). `partial=1`: monthly averages include the current,
    unfinished month; by default they use finished months only."""
    _default_from, default_to = selectors.default_span()
    month_to = _month(request.GET.get("to")) or default_to
    month_from = _month(request.GET.get("from")) or add_months(month_to, -11)
    if month_from > month_to:
        month_from = month_to
    return selectors.span_of(month_from, month_to, include_partial=request.GET.get("partial") == "1")


def _export(request: HttpRequest, tables: list[Table], name: str) -> HttpResponse | None:
    key = request.GET.get("export")
    if not key:
        return None
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        raise Http404
    notes = [_("Period covered: %(period)s") % {"period": table.period}] if table.period else []
    if table.note:
        notes.append(table.note)
    return xlsx_response(f"{name}-{table.title}", table.title, [str(h) for h in table.headers], table.excel_rows(), notes=notes)


def _stars_text(stars: int | None) -> str:
    """Published stars as ★s; a compound without published stars says so instead of an empty cell."""
    return "★" * stars if stars else str(_("not rated"))


def _area_url(level: str, pk: int) -> str:
    return reverse("ratings:area", args=[level, pk])


def _month_label(month: date, span: Span) -> str:
    label = f"{month:%Y-%m}"
    if span.is_partial(month):
        return _("%(month)s (not finished, to day %(day)d)") % {"month": label, "day": span.today.day}
    return label


def _num(value) -> str:
    return "—" if value is None else f"{calc.two_places(value)}"


def _span_context(span: Span) -> dict:
    return {
        "month_from": span.month_from,
        "month_to": span.month_to,
        "span": span,
        "span_period": indicators.span_period(span.months(), span),
        "partial_month": span.current if span.has_partial else None,
    }


# --- Definitions ---------------------------------------------------------------------------------
@login_required
def definitions(request: HttpRequest) -> HttpResponse:
    """Every indicator of the catalogue: name, formula, unit, better direction, period rule, definition."""
    return render(request, "ratings/definitions.html", {"indicators": list(indicators.INDICATORS.values())})


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


def _card(fig: Figure) -> dict:
    indicator = indicators.get(fig.key)
    return {
        "key": fig.key,
        "label": indicator.label(),
        "value": fig.text,
        "raw": fig.value,
        "period": fig.period,
        "url": indicators.definition_url(fig.key),
        "definition": str(indicator.definition),
    }


def _kpis(area: selectors.Area, series: list[dict], span: Span, targets: dict[str, Target], keys: list[str]) -> list[dict]:
    cards = []
    for key in keys:
        fig = indicators.get(key).figure(series, span)
        card = _card(fig)
        target = targets.get(key)
        if target is not None:
            status = selectors.target_status(target, area, series=series, include_partial=span.include_partial)
            indicator = indicators.get(key)
            card.update(
                target=indicator.format(target.target),
                baseline=indicator.format(status.baseline),
                baseline_period=status.baseline_period,
                target_period=status.figure.period if status.figure else "",
                target_actual=status.figure.text if status.figure else "—",
                badge="ok" if status.achieved else ("warn" if status.on_track else "bad"),
                status=_("achieved") if status.achieved else (_("on track") if status.on_track else _("off track")),
            )
            if key == "complaint_ratio":
                # The target's own comparison: the measured months against the baseline months.
                card["change"] = calc.pct(calc.change(status.actual, status.baseline))
        cards.append(card)
    return cards


def _trend(area_rows: list[dict], span: Span) -> tuple[Table, list]:
    by_month = {r["month"]: r for r in area_rows}
    months = span.months()
    labels = [_month_label(m, span) for m in months]
    table = Table(
        "trend",
        _("Monthly figures"),
        [
            _("Month"),
            *[_column(k, month=True) for k in TREND_COLUMNS[:1]],
            _("Households"),
            *[_column(k, month=True) for k in TREND_COLUMNS[1:]],
        ],
        period=indicators.span_period(months, span),
        note=_("Each row is one month; a month not yet finished is marked and drawn dashed in the charts.") if span.has_partial else "",
    )
    columns: dict[str, list[Figure]] = {
        k: [indicators.get(k).month_figure(by_month.get(m), m, span) for m in months] for k in TREND_COLUMNS
    }
    for i, m in enumerate(months):
        r = by_month.get(m)
        row = [labels[i], columns["complaints"][i], r["households"] if r else 0]
        row += [columns[k][i] for k in TREND_COLUMNS[1:]]
        table.rows.append(row)
    partial = [span.is_partial(m) for m in months]

    def series(key: str) -> tuple[str, list]:
        return (indicators.get(key).label(month=True), [f.value for f in columns[key]])

    # The charts mark the unfinished month by its dashed segment and legend, so its axis label stays a month.
    axis = [f"{m:%Y-%m}" for m in months]
    svgs = [
        charts.line_chart(
            _("%(name)s (complaints per 100 households)") % {"name": indicators.get("complaint_ratio").label(month=True)},
            axis,
            [series("complaint_ratio")],
            unit="",
            partial=partial,
        ),
        charts.line_chart(_("Satisfaction"), axis, [series("satisfaction_rate"), series("ticket_satisfaction_rate")], partial=partial),
        charts.line_chart(
            _("Handling"), axis, [series("response_rate"), series("resolution_rate"), series("rectification_rate")], partial=partial
        ),
    ]
    return table, svgs


def _common_period(rows: list[dict], key: str) -> str:
    """The period most rows of a column share (shown in the header; a row that differs says so in its cell)."""
    periods = [r["figures"][key].period for r in rows if r["figures"][key].value is not None]
    return max(set(periods), key=periods.count) if periods else ""


def _children_table(rows: list[dict]) -> Table | None:
    if not rows:
        return None
    child = rows[0]["level"]
    titles = {Level.SUBDISTRICT: _("Towns"), Level.COMMUNITY: _("Communities of the town"), Level.COMPOUND: _("Compounds of the community")}
    table = Table(
        "children",
        titles[child],
        [_("Rank"), _("Area"), *[_column(k, _common_period(rows, k)) for k in CHILD_COLUMNS]],
        note=_("Ranked by %(name)s, lowest first.") % {"name": indicators.get("complaint_ratio").label()},
    )
    for rank, r in enumerate(rows, start=1):
        table.rows.append([rank, (r["name"], _area_url(child, r["area_id"])), *[r["figures"][k] for k in CHILD_COLUMNS]])
    return table


def _ranking_table(key: str, title: str, rows: list[dict]) -> Table:
    table = Table(
        key,
        title,
        [_("Compound"), _("Town"), _("Community"), *[_column(k, _common_period(rows, k)) for k in RANKING_COLUMNS], _("Stars")],
    )
    for r in rows:
        table.rows.append(
            [
                (r["compound__name"], _area_url(Level.COMPOUND, r["area_id"])),
                r["subdistrict__name"],
                r["community__name"],
                *[r["figures"][k] for k in RANKING_COLUMNS],
                _stars_text(r["stars"]),
            ]
        )
    return table


def _survey_table(series: list[dict], span: Span) -> Table:
    """The “520” survey: each round in the span with the overall rate and the five dimensions."""
    table = Table(
        "survey",
        _("Satisfaction survey (“520”): overall and the five dimensions"),
        [_("Survey round"), _("Responses"), *[_column(k) for k in SURVEY_COLUMNS]],
        period=indicators.span_period(span.months(), span),
    )
    rows = sorted(series, key=lambda r: r["month"])
    for r in span.rows(rows):
        if not r["survey_responses"]:
            continue
        # Each round's figures are the catalogue's latest-round rule applied up to that round's month.
        upto = selectors.span_of(span.month_from, r["month"], today=span.today)
        figs = indicators.figures(rows, upto, SURVEY_COLUMNS)
        table.rows.append([figs["satisfaction_rate"].period, r["survey_responses"], *[figs[k] for k in SURVEY_COLUMNS]])
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
    """A key that changes whenever the snapshots do (each metrics run), with the language and the day."""
    run = MetricRun.objects.order_by("-id").values_list("id", "finished_at").first()
    stamp = f"{run[0]}.{run[1].timestamp() if run[1] else 0}" if run else "none"
    raw = ":".join(str(p) for p in (PAGE_LAYOUT, stamp, get_language(), *parts))
    return "ratings:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _area_content(request: HttpRequest, area: selectors.Area, span: Span, targets: dict[str, Target]) -> dict:
    """Everything the area page shows, computed from the snapshots (cached per metrics run)."""
    fetch_from = min(
        [
            indicators.rows_from(span),
            *[t.baseline_from for t in targets.values() if t.baseline_from],
            *[t.month_from.replace(month=1) for t in targets.values()],
        ]
    )
    fetch_to = max(
        [
            span.month_to,
            *[t.month_to or span.month_to for t in targets.values()],
            *[t.baseline_to for t in targets.values() if t.baseline_to],
        ]
    )
    series = selectors.area_series(area, fetch_from, fetch_to)
    rows = span.rows(series)
    kpis = _kpis(area, series, span, targets, KPI_ORDER)
    dimensions = [_card(indicators.get(k).figure(series, span)) for k in indicators.DIMENSION_KEYS]
    trend, svgs = _trend(rows, span)

    tables = [trend, _survey_table(series, span)]
    children = _children_table(selectors.children_figures(area, span))
    if children:
        tables.append(children)
    if area.level != Level.COMPOUND:
        best, worst = selectors.compound_rankings(area, span)
        tables.append(_ranking_table("best", _("Best compounds"), best))
        tables.append(_ranking_table("worst", _("Compounds needing attention"), worst))
    totals, by_town = selectors.star_distribution(area)
    if any(totals.values()):
        svgs.append(charts.bar_chart(_("Star distribution"), [f"{n}★" for n in totals], list(totals.values())))
    stars = Table("stars", _("Star distribution by town"), [_("Town"), "5★", "4★", "3★", "2★", "1★"], note=_("Published stars today."))
    for town in by_town:
        stars.rows.append([town["name"], town["s5"], town["s4"], town["s3"], town["s2"], town["s1"]])
    stars.rows.append([_("Total"), totals[5], totals[4], totals[3], totals[2], totals[1]])
    tables.append(stars)
    tables.append(_overdue_table(request, area))
    tables.append(_overdue_rect_table(area))
    tables.append(_overdue_actions_table(area))
    mediation = [_card(indicators.get(k).figure(series, span)) for k in MEDIATION_KPIS]
    return {"kpis": kpis, "dimensions": dimensions, "charts": svgs, "tables": tables, "star_totals": totals, "mediation": mediation}


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
    span = _span(request)
    tree = area.tree()
    targets = {t.indicator: t for t in Target.objects.filter(district_id=tree["district_id"])}
    key = _cache_key(
        "area",
        area.level,
        area.id,
        span.month_from,
        span.month_to,
        span.include_partial,
        span.today,
        sorted((t.pk, t.updated_at.timestamp()) for t in targets.values()),
    )
    content = cache.get(key)
    if content is None:
        content = _area_content(request, area, span, targets)
        cache.set(key, content, CACHE_SECONDS)
    exported = _export(request, content["tables"], area.name)
    if exported:
        return exported
    return render(
        request,
        "ratings/dashboard.html",
        {
            **content,
            **_span_context(span),
            "area": area,
            "crumbs": [(a.name, _area_url(a.level, a.id)) for a in area.breadcrumb()],
            "tables": _with_export_urls(request, content["tables"]),
            "compound_page": reverse("communities:compound_detail", args=[area.id]) if area.level == Level.COMPOUND else None,
            "public_compound": area.obj if area.level == Level.COMPOUND else None,
            "warnings": selectors.area_warnings(request.user, area),
        },
    )


@login_required
def company(request: HttpRequest) -> HttpResponse:
    """Property-company staff: their company's figures and where each of its compounds ranks in the district."""
    company_ids = selectors.staff_company_ids(request.user)
    if not company_ids:
        raise Http404
    span = _span(request)
    series = selectors.company_series(company_ids, indicators.rows_from(span), span.month_to)
    kpis = [_card(indicators.get(k).figure(series, span)) for k in COMPANY_KPIS]
    trend, svgs = _trend(span.rows(series), span)
    compounds, total = selectors.company_compounds(company_ids, span)
    columns = ["complaints", "complaint_ratio", "satisfaction_rate", "response_rate", "resolution_rate"]
    ranking = Table(
        "compounds",
        _("Our compounds"),
        [_("Rank in the district"), _("Compound"), _("Town"), *[_column(k, _common_period(compounds, k)) for k in columns], _("Stars")],
        note=_("Rank among %(n)d compounds by %(name)s, lowest first.") % {"n": total, "name": indicators.get("complaint_ratio").label()},
    )
    for r in compounds:
        ranking.rows.append(
            [
                f"{r['rank']} / {total}",
                (r["compound__name"], reverse("communities:compound_detail", args=[r["area_id"]])),
                r["subdistrict__name"],
                *[r["figures"][k] for k in columns],
                _stars_text(r["stars"]),
            ]
        )
    tables = [ranking, trend]
    exported = _export(request, tables, _("company"))
    if exported:
        return exported
    return render(
        request,
        "ratings/company.html",
        {"kpis": kpis, "charts": svgs, "tables": _with_export_urls(request, tables), **_span_context(span)},
    )


# --- Surveys -------------------------------------------------------------------------------------
def _official(request: HttpRequest) -> None:
    if not (request.user.is_superuser or places.has_role(request.user, "official")):
        raise Http404


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    _official(request)
    area = selectors.home_area(request.user)
    form = SurveyRoundForm(
        request.POST or None, auto_id="s-%s", initial={"level": area.level if area else None, "area_id": area.id if area else None}
    )
    if request.method == "POST":
        opened = portal.submit(form, lambda d: services.survey_round_create(actor=request.user, **d))
        if opened:
            messages.success(request, _("Survey opened."))
            return redirect("ratings:survey_detail", opened.result.pk)
    rounds = selectors.survey_rounds_visible_to(request.user).order_by("-period_end", "-id")
    return render(request, "ratings/survey_list.html", {"rounds": rounds[:100], "form": form}, status=400 if form.errors else 200)


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
        table.rows.append([r["compound__name"], r["n"], r["ok"], Num(calc.pct(calc.ratio(r["ok"], r["n"])))])
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
    form = StarRoundForm(request.POST or None, auto_id="r-%s", districts=districts)
    if request.method == "POST":
        opened = portal.submit(
            form, lambda d: services.star_round_create(actor=request.user, **with_district_id(d)), fields={"district_id": "district"}
        )
        if opened:
            return redirect("ratings:star_round_detail", opened.result.pk)
    rounds = selectors.star_rounds_visible_to(request.user).order_by("-month_to", "-id")
    defaults = {f: StarRatingRound._meta.get_field(f).get_default() for f in STAR_ROUND_SETTINGS}
    return render(
        request, "ratings/star_round_list.html", {"rounds": rounds, "form": form, "defaults": defaults}, status=400 if form.errors else 200
    )


STAR_FIELDS = {
    "satisfaction_rate_span": "satisfaction_rate",
    "inspection_score": "inspection_score",
    "complaint_ratio": "complaint_ratio",
    "rectification_rate": "rectification_rate",
}


def _star_table(star_round, ratings, *, key: str, title: str, for_staff: bool = False) -> Table:
    """One round's breakdown: each compound's components over the round's months, its score and stars.

    Officials see the proposal, the confirmed stars and the reason for an adjustment; staff (published rounds
    only) see the stars as published.
    """
    # The breakdown's figures follow the catalogue's rules over the round's months (stored at proposal time).
    span = selectors.span_of(star_round.month_from, star_round.month_to, include_partial=True)
    periods = {
        "satisfaction_rate_span": indicators.span_period(span.months(), span),
        "inspection_score": indicators.as_of_period(star_round.month_to, span),
        "complaint_ratio": indicators.span_period(span.months(), span),
        "rectification_rate": indicators.span_period(span.months(), span),
    }
    tail = [_("Stars"), _("Reason")] if for_staff else [_("Proposed stars"), _("Confirmed"), _("Reason")]
    table = Table(
        key,
        title,
        [_("Compound"), _("Town"), *[_column(k, periods[k]) for k in STAR_FIELDS], _("Score"), *tail],
        period=periods["satisfaction_rate_span"],
        note=_cutoffs_text(star_round),
    )
    for r in ratings:
        figures = [
            Figure(
                k, getattr(r, f), indicators.get(k).format(getattr(r, f)), periods[k], month_from=span.month_from, month_to=span.month_to
            )
            for k, f in STAR_FIELDS.items()
        ]
        name = r.compound.name if for_staff else (r.compound.name, reverse("ratings:area", args=[Level.COMPOUND, r.compound_id]))
        stars = [r.stars or ""] if for_staff else [r.proposed_stars, r.stars or ""]
        table.rows.append([name, r.compound.community.subdistrict.name, *figures, Num(_num(r.score)), *stars, r.reason])
    return table


def _cutoffs_text(star_round) -> str:
    """The round's own cut-offs, as set by the officials (not the defaults of a new round)."""
    return _("Cut-offs of this round: five stars from %(c5)s points, four from %(c4)s, three from %(c3)s, two from %(c2)s.") % {
        "c5": _num(star_round.cut_5),
        "c4": _num(star_round.cut_4),
        "c3": _num(star_round.cut_3),
        "c2": _num(star_round.cut_2),
    }


@login_required
def star_round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not (request.user.is_superuser or places.has_role(request.user, "official")):
        # Staff read their compounds' breakdown of a published round on their own page.
        if selectors.star_ratings_of_company(request.user).filter(round_id=pk).exists():
            return redirect(f"{reverse('ratings:company_stars')}?round={pk}")
        raise Http404
    star_round = get_object_or_404(selectors.star_rounds_visible_to(request.user), pk=pk)
    ratings = (
        StarRating.objects.filter(round=star_round).select_related("compound__community__subdistrict").order_by("-score", "compound_id")
    )
    table = _star_table(star_round, ratings, key="ratings", title=_("Proposed and confirmed stars"))
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
def company_stars(request: HttpRequest) -> HttpResponse:
    """Property-company staff: the published star ratings of their compounds, each with its breakdown."""
    if not selectors.staff_company_ids(request.user):
        raise Http404
    ratings = selectors.star_ratings_of_company(request.user)
    wanted = request.GET.get("round", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        ratings = ratings.filter(round_id=int(wanted))
    by_round: dict[int, list[StarRating]] = {}
    for r in ratings:
        by_round.setdefault(r.round_id, []).append(r)
    tables = [
        _star_table(rs[0].round, rs, key=f"round-{round_id}", title=rs[0].round.title, for_staff=True) for round_id, rs in by_round.items()
    ]
    exported = _export(request, tables, _("stars"))
    if exported:
        return exported
    return render(request, "ratings/company_stars.html", {"tables": _with_export_urls(request, tables), "round": wanted})


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
    indicator_choices = [(k, indicators.get(k).label()) for k in Target.Indicator.values]
    form = TargetForm(request.POST or None, auto_id="t-%s", districts=districts, indicators=indicator_choices)
    if request.method == "POST" and portal.submit(
        form, lambda d: services.target_set(actor=request.user, **with_district_id(d)), fields={"district_id": "district"}
    ):
        messages.success(request, _("Target saved."))
        return redirect("ratings:targets")
    targets = list(selectors.targets_visible_to(request.user))
    include_partial = request.GET.get("partial") == "1"
    table = Table(
        "targets",
        _("Five rises, two falls"),
        [_("Indicator"), _("Direction"), _("Baseline"), _("Target"), _("Actual"), _("Period of the actual"), _("Status")],
        note=_("Monthly averages use finished months unless the current month is included.") if not include_partial else "",
    )
    statuses = []
    for t in targets:
        s = selectors.target_status(t, include_partial=include_partial)
        statuses.append(s)
        indicator = indicators.get(t.indicator)
        status = _("achieved") if s.achieved else (_("on track") if s.on_track else _("off track"))
        baseline = indicator.format(s.baseline)
        if s.baseline_period:
            baseline = portal.aside(baseline, s.baseline_period)
        table.rows.append(
            [
                (indicator.label(), indicators.definition_url(t.indicator)),
                t.get_direction_display(),
                Num(baseline),
                Num(indicator.format(t.target)),
                s.figure,
                s.figure.period,
                status,
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
            "form": form,
            "include_partial": include_partial,
        },
        status=400 if form.errors else 200,
    )


# --- Company evaluations (物业企业信用评价) ------------------------------------------------------------
SORTS = ["rank", "company", "compounds", "score", *[i.key for i in evaluation.INPUTS]]


def _provisional_ranks(evaluation_round: EvaluationRound) -> dict[int, int]:
    """Rank of every company of the round by its current score (confirmed, else computed); ties share a rank.
    A published round keeps the ranks fixed at publication."""
    from django.db.models.functions import Coalesce

    scores = list(
        CompanyEvaluation.objects.filter(round=evaluation_round)
        .annotate(final=Coalesce("score", "computed_score"))
        .order_by("-final", "company__name", "company_id")
        .values_list("pk", "final", "rank")
    )
    if evaluation_round.status == EvaluationRound.Status.PUBLISHED:
        return {pk: rank for pk, _final, rank in scores}
    ranks, rank, previous = {}, 0, None
    for position, (pk, final, _rank) in enumerate(scores, start=1):
        if final != previous:
            rank, previous = position, final
        ranks[pk] = rank
    return ranks


def _evaluation_rows(user, evaluation_round: EvaluationRound, results: list[CompanyEvaluation]) -> list[dict]:
    settings = evaluation.round_settings(evaluation_round)
    ranks = _provisional_ranks(evaluation_round)
    trends = selectors.evaluation_trend(
        selectors.evaluations_visible_to(user), [r.company_id for r in results], evaluation_round.district_id
    )
    rows = []
    for r in results:
        parts = evaluation.breakdown(r, settings)
        rows.append(
            {
                "result": r,
                "rank": ranks.get(r.pk),
                "score": r.final_score,
                "parts": parts,
                "points": {p["key"]: p["points"] for p in parts},
                "trend": trends.get(r.company_id, []),
            }
        )
    return rows


def _sorted_rows(rows: list[dict], sort: str, descending: bool) -> list[dict]:
    def key(row: dict):
        if sort == "company":
            value = row["result"].company.name
        elif sort == "compounds":
            value = row["result"].compound_count
        elif sort == "score":
            value = row["score"]
        elif sort == "rank":
            value = row["rank"]
        else:
            value = row["points"].get(sort)
        return value

    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=lambda r: (key(r), r["result"].company_id), reverse=descending)
    return present + missing  # a company without the figure goes last either way


@login_required
def companies(request: HttpRequest) -> HttpResponse:
    """The league table of an evaluation round: every company of the official's area with its breakdown per
    input and its trend over published rounds; sortable. Company staff go to their own company's page.
    District officials create rounds here and confirm, adjust and publish them."""
    user = request.user
    if not (user.is_superuser or places.has_role(user, "official")):
        staff = selectors.staff_company_ids(user)
        if staff:
            return redirect("ratings:company_evaluation", min(staff))
        raise Http404
    districts = selectors.official_districts(user)
    if request.method == "POST":
        return _evaluation_round_create(request)
    rounds = list(selectors.evaluation_rounds_visible_to(user).order_by("-month_to", "-id"))
    chosen = None
    if request.GET.get("round"):
        try:
            chosen = next((r for r in rounds if r.pk == int(request.GET["round"])), None)
        except ValueError:
            chosen = None
        if chosen is None:
            raise Http404
    else:
        chosen = next((r for r in rounds if r.status == EvaluationRound.Status.PUBLISHED), rounds[0] if rounds else None)
    context: dict = {"rounds": rounds, "round": chosen, "districts": districts, "weights": _weight_fields()}
    if chosen is not None:
        sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "rank"
        default_desc = sort not in ("rank", "company")
        descending = {"desc": True, "asc": False}.get(request.GET.get("dir", ""), default_desc)
        results = list(selectors.evaluations_visible_to(user).filter(round=chosen).select_related("company"))
        rows = _sorted_rows(_evaluation_rows(user, chosen, results), sort, descending)
        periods = evaluation.input_periods(chosen)
        context.update(
            rows=rows,
            sort=sort,
            descending=descending,
            headers=[
                {
                    "key": i.key,
                    "label": i.indicator.label(),
                    "period": periods[i.key],
                    "url": indicators.definition_url(i.key),
                    "weight": getattr(chosen, i.weight),
                }
                for i in evaluation.INPUTS
            ],
            period=evaluation.round_period(chosen),
            can_manage=selectors.is_district_official(user, chosen.district_id),
            total=CompanyEvaluation.objects.filter(round=chosen).count(),
            unconfirmed=sum(1 for r in results if r.score is None),
        )
        if request.GET.get("export") == "xlsx":
            return _league_xlsx(chosen, rows, context["headers"], context["period"])
        export = request.GET.copy()
        export["export"] = "xlsx"
        context["export_url"] = "?" + export.urlencode()
    return render(request, "ratings/companies.html", context)


def _league_xlsx(evaluation_round: EvaluationRound, rows: list[dict], headers: list[dict], period: str) -> HttpResponse:
    """The league table as the official sees it (their area, their sort order) in one sheet: numbers stay
    numbers, rounded to the two places the page shows, each input with its figure and its points; the notes
    say the round, its period and its weights."""
    columns = [
        xlsx.Col(_("Rank"), xlsx.INTEGER),
        xlsx.Col(_("Property company"), width=24),
        xlsx.Col(_("Red and black list")),
        xlsx.Col(_("Compounds"), xlsx.INTEGER),
        xlsx.Col(_("Score"), xlsx.NUMBER),
        xlsx.Col(_("Computed score"), xlsx.NUMBER),
        xlsx.Col(_("Reason for adjusting"), width=30),
    ]
    for item in evaluation.INPUTS:
        label = item.indicator.label()
        columns += [xlsx.Col(label, _xlsx_kind(item.indicator)), xlsx.Col(_("%(name)s: points") % {"name": label}, xlsx.NUMBER)]
    boards = {CompanyEvaluation.Board.RED: _("red list"), CompanyEvaluation.Board.BLACK: _("black list")}
    table = []
    for row in rows:
        result = row["result"]
        cells = [
            row["rank"],
            result.company.name,
            boards.get(result.board, ""),
            result.compound_count,
            calc.two_places(row["score"]),
            calc.two_places(result.computed_score),
            result.reason if result.adjusted else "",
        ]
        for part in row["parts"]:
            value = part["value"] if isinstance(part["value"], int) else calc.two_places(part["value"])
            cells += [value, calc.two_places(part["points"])]
        table.append(cells)
    notes = [
        portal.aside(evaluation_round.title, evaluation_round.get_status_display()),
        _("Period covered: %(period)s") % {"period": period},
        _("Weights: %(weights)s") % {"weights": " · ".join(f"{h['label']} {h['weight']}" for h in headers)},
        *[_("%(name)s: %(period)s") % {"name": h["label"], "period": h["period"]} for h in headers if h["period"] != period],
    ]
    if evaluation_round.status != EvaluationRound.Status.PUBLISHED:
        notes.append(_("Not published: ranks and scores may still change."))
    title = _("Company evaluation")
    return xlsx_response(f"{title}-{evaluation_round.title}", title, columns, table, notes=notes)


def _weight_fields() -> list[dict]:
    defaults = EvaluationRound()
    return [{"name": i.weight, "label": i.indicator.label(), "default": getattr(defaults, i.weight)} for i in evaluation.INPUTS]


def _evaluation_round_create(request: HttpRequest) -> HttpResponse:
    from decimal import Decimal, InvalidOperation

    try:
        weights = {i.weight: Decimal(request.POST[i.weight]) for i in evaluation.INPUTS if request.POST.get(i.weight, "").strip()}
        evaluation_round = services.evaluation_round_create(
            actor=request.user,
            district_id=int(request.POST.get("district") or 0),
            title=request.POST.get("title", ""),
            month_from=_month(request.POST.get("month_from")) or date(1, 1, 1),
            month_to=_month(request.POST.get("month_to")) or date(1, 1, 1),
            weights=weights,
            board_size=int(request.POST["board_size"]) if request.POST.get("board_size") else None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    except (InvalidOperation, ValueError):
        messages.error(request, _("Enter numbers for the weights."))
    else:
        messages.success(request, _("Evaluation round opened and scores computed."))
        return redirect(f"{reverse('ratings:companies')}?round={evaluation_round.pk}")
    return redirect("ratings:companies")


@login_required
@require_POST
def evaluation_round_action(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """A step of a round: recompute, confirm or adjust one company, confirm the rest, confirm the round, publish."""
    from decimal import Decimal, InvalidOperation

    evaluation_round = get_object_or_404(selectors.evaluation_rounds_visible_to(request.user), pk=pk)
    try:
        if step == "compute":
            services.evaluation_round_compute(actor=request.user, round_id=evaluation_round.pk)
        elif step == "confirm":
            score = request.POST.get("score", "").strip()
            services.evaluation_confirm(
                actor=request.user,
                evaluation_id=int(request.POST.get("evaluation") or 0),
                score=Decimal(score) if score else None,
                reason=request.POST.get("reason", ""),
            )
        elif step == "confirm-all":
            services.evaluation_confirm_all(actor=request.user, round_id=evaluation_round.pk)
        elif step == "confirm-round":
            services.evaluation_round_confirm(actor=request.user, round_id=evaluation_round.pk)
        elif step == "publish":
            services.evaluation_round_publish(actor=request.user, round_id=evaluation_round.pk)
            messages.success(request, _("Evaluation published."))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    except (InvalidOperation, ValueError):
        messages.error(request, _("A score lies between 0 and 100."))
    return redirect(f"{reverse('ratings:companies')}?round={evaluation_round.pk}")


@login_required
def company_evaluation(request: HttpRequest, company_id: int) -> HttpResponse:
    """One company's rank and breakdown per round, with its trend. Staff: their own company, published rounds
    only; another company is a 404. Officials: a company of their area."""
    results = list(
        selectors.evaluations_visible_to(request.user)
        .filter(company_id=company_id)
        .select_related("round", "company")
        .order_by("-round__month_to", "-round_id")
    )
    if not results:
        raise Http404
    chosen = results[0]
    if request.GET.get("round"):
        chosen = next((r for r in results if str(r.round_id) == request.GET["round"]), None)
        if chosen is None:
            raise Http404
    evaluation_round = chosen.round
    row = _evaluation_rows(request.user, evaluation_round, [chosen])[0]
    total = CompanyEvaluation.objects.filter(round=evaluation_round).count()
    periods = evaluation.input_periods(evaluation_round)
    for part in row["parts"]:
        part["period"] = periods[part["key"]]
        part["label"] = part["input"].indicator.label()
        part["url"] = indicators.definition_url(part["key"])
    return render(
        request,
        "ratings/company_evaluation.html",
        {
            "company": chosen.company,
            "row": row,
            "round": evaluation_round,
            "total": total,
            "results": results,
            "period": evaluation.round_period(evaluation_round),
        },
    )


@login_required
def boards(request: HttpRequest) -> HttpResponse:
    """The 红黑榜 of every published round, newest first, with the reasons (officials)."""
    _official(request)
    rounds = list(
        selectors.evaluation_rounds_visible_to(request.user).filter(status=EvaluationRound.Status.PUBLISHED).order_by("-month_to", "-id")
    )
    on_board = (
        selectors.evaluations_visible_to(request.user)
        .filter(round__in=rounds)
        .exclude(board="")
        .select_related("company")
        .order_by("rank", "company__name")
    )
    by_round: dict[int, dict] = {r.pk: {"round": r, "period": evaluation.round_period(r), "red": [], "black": []} for r in rounds}
    # Reasons compare a company with the round's average of each input (over every company of the round).
    everyone: dict[int, list] = {}
    settings = {r.pk: evaluation.round_settings(r) for r in rounds}
    for result in CompanyEvaluation.objects.filter(round__in=rounds):
        everyone.setdefault(result.round_id, []).append(evaluation.breakdown(result, settings[result.round_id]))
    means = {pk: evaluation.mean_points(parts) for pk, parts in everyone.items()}
    for result in on_board:
        entry = by_round[result.round_id]
        parts = evaluation.breakdown(result, settings[result.round_id])
        best = result.board == CompanyEvaluation.Board.RED
        why = evaluation.reasons(parts, means[result.round_id], best=best)
        entry["red" if best else "black"].append({"result": result, "reasons": [(p["input"].indicator.label(), p["text"]) for p in why]})
    return render(request, "ratings/boards.html", {"boards": list(by_round.values())})
