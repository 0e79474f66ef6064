"""The indicator catalogue (SPEC §5): every figure the portal, the exports and the API show, in one place.

`INDICATORS` is a plain registry keyed by indicator key. Each entry names its numerator and denominator
(snapshot columns), its unit, which way is better, its period rule and a one-sentence definition. Pages,
exports and the API take labels, formulas and period rules from here, so one label always means one
computation, and every figure carries the period it covers (`Figure.period`).

Period rules over a span of months (`Span`):
- `span`: Σ numerator ÷ Σ denominator over the months (a count without a denominator is the plain sum);
- `mean`: the mean of the monthly values, over finished months only unless the official includes the
  current, unfinished month;
- `round`: the latest survey round in the span (responses count in the month their round ends);
- `as_of`: the state on the span's last day (today for the current month).
A single month is the same computation over that month alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from ratings import calc


class Rule(TextChoices):
    SPAN = "span", gettext_lazy("span of months: Σ numerator ÷ Σ denominator")
    MEAN = "mean", gettext_lazy("mean of the monthly values (finished months)")
    ROUND = "round", gettext_lazy("latest survey round in the span")
    AS_OF = "as_of", gettext_lazy("state on the span's last day")


class Unit(TextChoices):
    PERCENT = "percent", "%"
    PER_100_HOUSEHOLDS = "per_100_households", gettext_lazy("complaints per 100 households")
    POINTS = "points", gettext_lazy("points out of 100")
    COUNT = "count", gettext_lazy("count")


class Better(TextChoices):
    HIGHER = "higher", gettext_lazy("higher is better")
    LOWER = "lower", gettext_lazy("lower is better")
    NEITHER = "neither", gettext_lazy("neither (a volume of work)")


@dataclass(frozen=True)
class Span:
    """The months a page covers and the day it is read. The month of `today` is unfinished (partial)."""

    month_from: date
    month_to: date
    today: date
    include_partial: bool = False

    @property
    def current(self) -> date:
        return self.today.replace(day=1)

    def months(self) -> list[date]:
        from ratings.engine import month_span

        return month_span(self.month_from, self.month_to)

    def is_partial(self, month: date) -> bool:
        return month >= self.current

    @property
    def has_partial(self) -> bool:
        return self.month_to >= self.current

    def rows(self, rows: Iterable[Mapping]) -> list[Mapping]:
        return [r for r in rows if self.month_from <= r["month"] <= self.month_to]


@dataclass(frozen=True)
class Figure:
    """One indicator's value for one area and period, with the label of the period it covers."""

    key: str
    value: Decimal | int | None
    text: str
    period: str
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None
    month_from: date | None = None
    month_to: date | None = None
    partial: bool = False


@dataclass(frozen=True)
class Indicator:
    key: str
    name: Promise
    numerator: str
    numerator_label: Promise
    denominator: str | None
    denominator_label: Promise | None
    unit: str
    better: str
    rule: str
    definition: Promise
    # The name of the value of one month when it differs (the monthly-average complaint ratio of one month
    # is that month's complaint ratio).
    month_name: Promise | None = None
    scale: Decimal = field(default=calc.HUNDRED)

    @property
    def unit_display(self) -> str:
        return str(Unit(self.unit).label)

    @property
    def better_display(self) -> str:
        return str(Better(self.better).label)

    @property
    def rule_display(self) -> str:
        if self.is_count:
            return str(gettext_lazy("sum over the span"))
        return str(Rule(self.rule).label)

    @property
    def is_count(self) -> bool:
        return self.denominator is None

    def label(self, *, month: bool = False) -> str:
        return str(self.month_name if month and self.month_name else self.name)

    def names(self) -> dict[str, str]:
        out = {}
        for lang in ("zh-hans", "en"):
            with override(lang):
                out[lang] = str(self.name)
        return out

    def formula(self) -> str:
        if self.is_count:
            return _("Σ %(num)s over the months") % {"num": self.numerator_label}
        scale = "" if self.scale == 1 else " × 100"
        return f"{self.numerator_label} ÷ {self.denominator_label}{scale}"

    def format(self, value) -> str:
        if value is None:
            return "—"
        if self.unit == Unit.PERCENT:
            return calc.pct(value)
        if self.unit == Unit.COUNT:
            return str(int(value))
        return str(calc.two_places(value))

    # --- values ------------------------------------------------------------------------------------
    def _ratio(self, num, den) -> Decimal | None:
        return calc.ratio(num, den, self.scale)

    def month_value(self, row: Mapping | None):
        if row is None:
            return 0 if self.is_count else None
        if self.is_count:
            return row[self.numerator]
        return self._ratio(row[self.numerator], row[self.denominator])

    def figure(self, rows: Iterable[Mapping], span: Span) -> Figure:
        """The value over the span by the indicator's rule, and the period it covers.

        `rows` are the area's monthly snapshot rows; they may start before the span (a survey round is
        numbered within its year, so callers pass rows from January of the span's first year).
        """
        rows = sorted(rows, key=lambda r: r["month"])
        inside = span.rows(rows)
        months = span.months()
        if self.is_count:
            total = sum(r[self.numerator] for r in inside)
            return self._fig(total, total, None, months, span)
        if self.rule == Rule.SPAN:
            num, den = sum(r[self.numerator] for r in inside), sum(r[self.denominator] for r in inside)
            return self._fig(self._ratio(num, den), num, den, months, span)
        if self.rule == Rule.MEAN:
            used = [m for m in months if span.include_partial or not span.is_partial(m)]
            by_month = {r["month"]: r for r in inside}
            values = [self.month_value(by_month.get(m)) for m in used]
            values = [v for v in values if v is not None]
            value = sum(values, Decimal(0)) / len(values) if values else None
            num = sum(by_month[m][self.numerator] for m in used if m in by_month)
            den = sum(by_month[m][self.denominator] for m in used if m in by_month)
            period = mean_period(used, months, span)
            return Figure(self.key, value, self.format(value), period, num, den, used[0] if used else None, used[-1] if used else None)
        # round / as_of: the latest month of the span with a denominator
        with_den = [r for r in inside if r[self.denominator]]
        if not with_den:
            return Figure(self.key, None, "—", span_period(months, span), month_from=span.month_from, month_to=span.month_to)
        last = with_den[-1]
        value = self._ratio(last[self.numerator], last[self.denominator])
        if self.rule == Rule.ROUND:
            n = sum(1 for r in rows if r[self.denominator] and r["month"].year == last["month"].year and r["month"] <= last["month"])
            period = round_period(n, last["month"])
        else:
            period = as_of_period(last["month"], span)
        return Figure(
            self.key,
            value,
            self.format(value),
            period,
            last[self.numerator],
            last[self.denominator],
            last["month"],
            last["month"],
            span.is_partial(last["month"]),
        )

    def month_figure(self, row: Mapping | None, month: date, span: Span) -> Figure:
        """The value of one month (what the monthly table and the charts show)."""
        value = self.month_value(row)
        num = row[self.numerator] if row else None
        den = row[self.denominator] if row and self.denominator else None
        return Figure(self.key, value, self.format(value), month_period(month, span), num, den, month, month, span.is_partial(month))

    def _fig(self, value, num, den, months: list[date], span: Span) -> Figure:
        return Figure(
            self.key,
            value,
            self.format(value),
            span_period(months, span),
            num,
            den,
            months[0],
            months[-1],
            span.has_partial,
        )


# --- Period labels ----------------------------------------------------------------------------------
def month_period(month: date, span: Span) -> str:
    if span.is_partial(month):
        return _("%(year)d-%(month)02d, to day %(day)d (not finished)") % {"year": month.year, "month": month.month, "day": span.today.day}
    return _("%(year)d-%(month)02d") % {"year": month.year, "month": month.month}


def _range(first: date, last: date) -> str:
    if first.year == last.year:
        if first == last:
            return _("%(year)d-%(month)02d") % {"year": first.year, "month": first.month}
        return _("%(year)d-%(m1)02d to %(year)d-%(m2)02d") % {"year": first.year, "m1": first.month, "m2": last.month}
    return _("%(y1)d-%(m1)02d to %(y2)d-%(m2)02d") % {"y1": first.year, "m1": first.month, "y2": last.year, "m2": last.month}


def span_period(months: list[date], span: Span) -> str:
    """ "2026年1—12月", with the unfinished last month marked: "2026年1—12月（12月截至4日）"."""
    if len(months) == 1:
        return month_period(months[0], span)
    label = _range(months[0], months[-1])
    if span.is_partial(months[-1]):
        label = _("%(range)s (month %(month)d counted to day %(day)d)") % {"range": label, "month": months[-1].month, "day": span.today.day}
    return label


def mean_period(used: list[date], months: list[date], span: Span) -> str:
    if not used:
        return span_period(months, span)
    if len(used) < len(months):
        return _("%(range)s (month %(month)d not finished, left out)") % {"range": _range(used[0], used[-1]), "month": months[-1].month}
    return span_period(used, span)


def round_period(n: int, month: date) -> str:
    """ "2026年第4轮调查（11月）": the n-th survey month of the year for this area."""
    return _("survey round %(n)d of %(year)d (month %(month)d)") % {"n": n, "year": month.year, "month": month.month}


def as_of_period(month: date, span: Span) -> str:
    from ratings.engine import add_months

    day = span.today if span.is_partial(month) else add_months(month, 1) - timedelta(days=1)
    return _("as of %(year)d-%(month)02d-%(day)02d") % {"year": day.year, "month": day.month, "day": day.day}


# --- The catalogue ----------------------------------------------------------------------------------

_COMPLAINTS = gettext_lazy("complaints made in the month (rejected ones excluded)")
_RESPONSES = gettext_lazy("survey responses (one per household per round)")


def _indicator(key, name, num, num_label, den, den_label, unit, better, rule, definition, **kw) -> Indicator:
    return Indicator(key, name, num, num_label, den, den_label, unit, better, rule, definition, **kw)


def _dimension(key: str, name: Promise, num_label: Promise, definition: Promise) -> Indicator:
    return _indicator(key, name, key, num_label, "survey_responses", _RESPONSES, Unit.PERCENT, Better.HIGHER, Rule.ROUND, definition)


_ALL = [
    _indicator(
        "complaint_ratio",
        gettext_lazy("monthly-average complaint ratio"),
        "complaints",
        _COMPLAINTS,
        "households",
        gettext_lazy("households"),
        Unit.PER_100_HOUSEHOLDS,
        Better.LOWER,
        Rule.MEAN,
        gettext_lazy(
            "Complaints made in a month per 100 households (Σ complaints ÷ Σ households × 100 over the area's compounds); "
            "over several months, the mean of the monthly ratios."
        ),
        month_name=gettext_lazy("complaint ratio"),
    ),
    _indicator(
        "complaints",
        gettext_lazy("number of complaints"),
        "complaints",
        _COMPLAINTS,
        None,
        None,
        Unit.COUNT,
        Better.LOWER,
        Rule.SPAN,
        gettext_lazy("Complaints about the area's compounds made in the period, through any channel, rejected ones excluded."),
    ),
    _indicator(
        "satisfaction_rate",
        gettext_lazy("residents' satisfaction rate"),
        "survey_satisfied",
        gettext_lazy("responses satisfied or basically satisfied"),
        "survey_responses",
        _RESPONSES,
        Unit.PERCENT,
        Better.HIGHER,
        Rule.ROUND,
        gettext_lazy(
            "Share of households answering satisfied or basically satisfied in one satisfaction survey round; "
            "over several months, the latest round."
        ),
    ),
    _indicator(
        "satisfaction_rate_span",
        gettext_lazy("cumulative satisfaction rate"),
        "survey_satisfied",
        gettext_lazy("responses satisfied or basically satisfied"),
        "survey_responses",
        _RESPONSES,
        Unit.PERCENT,
        Better.HIGHER,
        Rule.SPAN,
        gettext_lazy("Satisfied and basically satisfied responses of every survey round in the period ÷ all their responses."),
    ),
    _dimension(
        "dim_governance",
        gettext_lazy("satisfaction with governance"),
        gettext_lazy("responses satisfied with governance"),
        gettext_lazy(
            "Share of households satisfied or basically satisfied with how the compound is governed (“520” survey), latest round."
        ),
    ),
    _dimension(
        "dim_environment",
        gettext_lazy("satisfaction with the living environment"),
        gettext_lazy("responses satisfied with the living environment"),
        gettext_lazy("Share of households satisfied or basically satisfied with the living environment (“520” survey), latest round."),
    ),
    _dimension(
        "dim_service",
        gettext_lazy("satisfaction with service"),
        gettext_lazy("responses satisfied with service"),
        gettext_lazy("Share of households satisfied or basically satisfied with the property service (“520” survey), latest round."),
    ),
    _dimension(
        "dim_order",
        gettext_lazy("satisfaction with public order"),
        gettext_lazy("responses satisfied with public order"),
        gettext_lazy("Share of households satisfied or basically satisfied with public order (“520” survey), latest round."),
    ),
    _dimension(
        "dim_neighbours",
        gettext_lazy("satisfaction with neighbour relations"),
        gettext_lazy("responses satisfied with neighbour relations"),
        gettext_lazy("Share of households satisfied or basically satisfied with neighbour relations (“520” survey), latest round."),
    ),
    _indicator(
        "ticket_satisfaction_rate",
        gettext_lazy("ticket satisfaction rate"),
        "rated_satisfied",
        gettext_lazy("closed complaints rated satisfied or basically satisfied"),
        "rated",
        gettext_lazy("closed complaints with a rating"),
        Unit.PERCENT,
        Better.HIGHER,
        Rule.SPAN,
        gettext_lazy("Of the period's complaints now closed with a rating, the share rated satisfied or basically satisfied."),
    ),
    _indicator(
        "response_rate",
        gettext_lazy("response rate"),
        "responded_on_time",
        gettext_lazy("complaints signed for within their deadline"),
        "response_due",
        gettext_lazy("complaints due for signing (deadline passed, or signed for)"),
        Unit.PERCENT,
        Better.HIGHER,
        Rule.SPAN,
        gettext_lazy(
            "Of the period's complaints due for signing (the sign-for deadline has passed or they were signed for), "
            "the share signed for within the deadline."
        ),
    ),
    _indicator(
        "resolution_rate",
        gettext_lazy("resolution rate"),
        "resolved",
        gettext_lazy("complaints now resolved or closed"),
        "complaints",
        _COMPLAINTS,
        Unit.PERCENT,
        Better.HIGHER,
        Rule.SPAN,
        gettext_lazy("Of the period's complaints, the share now resolved or closed."),
    ),
    _indicator(
        "overdue_rate",
        gettext_lazy("overdue complaint rate"),
        "overdue",
        gettext_lazy("complaints now past a deadline"),
        "complaints",
        _COMPLAINTS,
        Unit.PERCENT,
        Better.LOWER,
        Rule.SPAN,
        gettext_lazy("Of the period's complaints, the share now past their sign-for or resolve deadline."),
    ),
    _indicator(
        "supervised",
        gettext_lazy("complaints under supervision"),
        "supervised",
        gettext_lazy("complaints put under supervision (督办)"),
        None,
        None,
        Unit.COUNT,
        Better.LOWER,
        Rule.SPAN,
        gettext_lazy("Complaints made in the period that an official put under supervision (督办) because they were overdue."),
    ),
    _indicator(
        "rectification_rate",
        gettext_lazy("on-time rectification rate"),
        "rect_on_time",
        gettext_lazy("rectification lists accepted by their deadline"),
        "rect_due",
        gettext_lazy("rectification lists due (deadline in the period and passed, or accepted)"),
        Unit.PERCENT,
        Better.HIGHER,
        Rule.SPAN,
        gettext_lazy("Of the rectification lists due in the period, the share whose report was accepted by the deadline."),
    ),
    _indicator(
        "inspection_score",
        gettext_lazy("inspection score"),
        "inspection_score_sum",
        gettext_lazy("sum of the latest inspection scores"),
        "inspections",
        gettext_lazy("compounds with an inspection score"),
        Unit.POINTS,
        Better.HIGHER,
        Rule.AS_OF,
        gettext_lazy("Mean of each compound's latest submitted inspection score (percentage of the checklist) on the day shown."),
        scale=Decimal(1),
    ),
    _indicator(
        "formation_rate",
        gettext_lazy("committee formation rate"),
        "committee_formed",
        gettext_lazy("eligible compounds with an active owners' committee"),
        "committee_eligible",
        gettext_lazy("compounds eligible to form a committee"),
        Unit.PERCENT,
        Better.HIGHER,
        Rule.AS_OF,
        gettext_lazy("Share of the compounds eligible to form an owners' committee that have an active one, on the day shown."),
    ),
    _indicator(
        "red_ratio",
        gettext_lazy("red committee ratio"),
        "committees_red",
        gettext_lazy("red committees (Party members more than half of the seated members)"),
        "committees_active",
        gettext_lazy("active committees"),
        Unit.PERCENT,
        Better.HIGHER,
        Rule.AS_OF,
        gettext_lazy(
            "Share of active owners' committees in which Party members are more than half of the seated members, on the day shown."
        ),
    ),
    _indicator(
        "disputes",
        gettext_lazy("dispute cases registered"),
        "disputes",
        gettext_lazy("dispute cases registered"),
        None,
        None,
        Unit.COUNT,
        Better.NEITHER,
        Rule.SPAN,
        gettext_lazy("Neighbour and property disputes registered for mediation in the period."),
    ),
    _indicator(
        "disputes_settled",
        gettext_lazy("disputes settled"),
        "disputes_settled",
        gettext_lazy("dispute cases closed with an agreement"),
        None,
        None,
        Unit.COUNT,
        Better.HIGHER,
        Rule.SPAN,
        gettext_lazy("Dispute cases closed with an agreement in the period."),
    ),
    _indicator(
        "meetings",
        gettext_lazy("meetings held"),
        "meetings",
        gettext_lazy("deliberation and joint meetings held"),
        None,
        None,
        Unit.COUNT,
        Better.NEITHER,
        Rule.SPAN,
        gettext_lazy("Deliberation days, micro-consultations, four-party joint meetings and tea-house meetings held in the period."),
    ),
    _indicator(
        "micro_consultations",
        gettext_lazy("micro-consultations held"),
        "micro_consultations",
        gettext_lazy("micro-consultations held"),
        None,
        None,
        Unit.COUNT,
        Better.NEITHER,
        Rule.SPAN,
        gettext_lazy("Micro-consultations (微协商) held in the period; they are also counted among the meetings."),
    ),
]

INDICATORS: dict[str, Indicator] = {i.key: i for i in _ALL}
DIMENSION_KEYS = ["dim_governance", "dim_environment", "dim_service", "dim_order", "dim_neighbours"]


def get(key: str) -> Indicator:
    return INDICATORS[key]


def figures(rows: Iterable[Mapping], span: Span, keys: Iterable[str] | None = None) -> dict[str, Figure]:
    """Every (or the named) indicator's figure for one area's monthly rows over the span."""
    rows = list(rows)
    return {key: INDICATORS[key].figure(rows, span) for key in (keys or INDICATORS)}


def rows_from(span: Span) -> date:
    """The first month whose rows a caller should read for `figure` (January of the span's first year)."""
    return span.month_from.replace(month=1)


def definition_url(key: str) -> str:
    from django.urls import reverse

    return f"{reverse('ratings:definitions')}#{key}"
