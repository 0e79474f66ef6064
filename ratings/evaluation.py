"""The property-company evaluation's inputs and its scoring rule (no I/O; ratings.services writes).

Each input is a figure of the indicator catalogue (`ratings.indicators`), computed by the catalogue's own
period rule over the round's months from the monthly snapshot rows summed over the company's compounds
(Σ numerators ÷ Σ denominators per month, exactly as an area's roll-up). Each is then put on a 0–100
scale:

| input | catalogue key | 0–100 points |
| --- | --- | --- |
| complaint ratio | `complaint_ratio` (monthly average) | 100 − complaint_penalty × ratio, floored at 0 |
| response rate | `response_rate` | the rate itself |
| resolution rate | `resolution_rate` | the rate itself |
| ticket satisfaction | `ticket_satisfaction_rate` | the rate itself |
| survey satisfaction | `satisfaction_rate_span` (cumulative) | the rate itself |
| inspection score | `inspection_score` (latest, as of the last month) | the score itself (points out of 100) |
| on-time rectification | `rectification_rate` | the rate itself |
| supervision (督办) | `supervised` (count) | 100 − supervision_penalty × count ÷ compounds, floored at 0 |

Score = Σ weight × points ÷ Σ weight over the inputs that have a value (an input without a denominator —
no rated complaints, no inspection, no list due — leaves its weight out, as star ratings do). The weights
are the round's and sum to 100. Scores are rounded to 4 places.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from ratings import indicators

HUNDRED = Decimal(100)
PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Input:
    key: str  # the catalogue indicator
    weight: str  # EvaluationRound field
    field: str  # CompanyEvaluation field holding the figure
    scale: str = "rate"  # rate | complaint_penalty | supervision_penalty

    @property
    def indicator(self) -> indicators.Indicator:
        return indicators.get(self.key)


INPUTS = [
    Input("complaint_ratio", "w_complaint_ratio", "complaint_ratio", "complaint_penalty"),
    Input("response_rate", "w_response", "response_rate"),
    Input("resolution_rate", "w_resolution", "resolution_rate"),
    Input("ticket_satisfaction_rate", "w_ticket_satisfaction", "ticket_satisfaction_rate"),
    Input("satisfaction_rate_span", "w_satisfaction", "satisfaction_rate"),
    Input("inspection_score", "w_inspection", "inspection_score"),
    Input("rectification_rate", "w_rectification", "rectification_rate"),
    Input("supervised", "w_supervision", "supervised", "supervision_penalty"),
]
WEIGHTS = [i.weight for i in INPUTS]
BY_KEY = {i.key: i for i in INPUTS}


def points(item: Input, value, *, settings: Mapping, compounds: int) -> Decimal | None:
    """The input's 0–100 points (None when the figure has no value)."""
    if value is None:
        return None
    value = Decimal(value)
    if item.scale == "complaint_penalty":
        return max(Decimal(0), HUNDRED - Decimal(settings["complaint_penalty"]) * value)
    if item.scale == "supervision_penalty":
        per_compound = value / compounds if compounds else Decimal(0)
        return max(Decimal(0), HUNDRED - Decimal(settings["supervision_penalty"]) * per_compound)
    return min(HUNDRED, max(Decimal(0), value))


def score(values: Mapping[str, object], *, settings: Mapping, compounds: int) -> Decimal:
    """The weighted score of one company: `values` by input key, `settings` the round's weights and penalties."""
    total_weight, total = Decimal(0), Decimal(0)
    for item in INPUTS:
        p = points(item, values.get(item.key), settings=settings, compounds=compounds)
        if p is None:
            continue
        weight = Decimal(settings[item.weight])
        total_weight += weight
        total += weight * p
    if not total_weight:
        return Decimal(0)
    return (total / total_weight).quantize(PLACES)


def round_settings(evaluation_round) -> dict:
    """The round's weights and penalties as a plain mapping."""
    return {name: getattr(evaluation_round, name) for name in [*WEIGHTS, "complaint_penalty", "supervision_penalty"]}


def breakdown(result, settings: Mapping) -> list[dict]:
    """Each input of a CompanyEvaluation: the catalogue's name and formatted figure, its points, weight and share
    of the score (weight × points ÷ Σ weights of the inputs with a value)."""
    parts = []
    for item in INPUTS:
        value = getattr(result, item.field)
        if item.indicator.is_count and value is not None:
            value = int(value)
        p = points(item, value, settings=settings, compounds=result.compound_count)
        parts.append({"input": item, "key": item.key, "value": value, "text": item.indicator.format(value), "points": p})
    used = sum((Decimal(settings[item.weight]) for item, part in zip(INPUTS, parts, strict=True) if part["points"] is not None), Decimal(0))
    for item, part in zip(INPUTS, parts, strict=True):
        part["weight"] = Decimal(settings[item.weight])
        part["contribution"] = (part["weight"] * part["points"] / used).quantize(PLACES) if used and part["points"] is not None else None
    return parts


def mean_points(breakdowns: list[list[dict]]) -> dict[str, Decimal]:
    """Each input's mean points over the companies of a round that have it."""
    out = {}
    for item in INPUTS:
        values = [p["points"] for parts in breakdowns for p in parts if p["key"] == item.key and p["points"] is not None]
        if values:
            out[item.key] = sum(values, Decimal(0)) / len(values)
    return out


def reasons(parts: list[dict], means: dict[str, Decimal], n: int = 2, *, best: bool = True) -> list[dict]:
    """Why a company is on the red (best) or black list: the inputs that lifted it above, or pulled it below,
    the round's average the most — weight × (points − the round's mean points of that input)."""
    scored = []
    for p in parts:
        if p["points"] is None or not p["weight"] or p["key"] not in means:
            continue
        lift = p["weight"] * (p["points"] - means[p["key"]])
        if (lift > 0) if best else (lift < 0):
            scored.append((abs(lift), -INPUTS.index(p["input"]), p))
    return [p for _lift, _order, p in sorted(scored, key=lambda t: (t[0], t[1]), reverse=True)[:n]]


def round_span(evaluation_round) -> indicators.Span:
    from django.utils import timezone

    return indicators.Span(evaluation_round.month_from, evaluation_round.month_to, timezone.localdate())


def round_period(evaluation_round) -> str:
    """The months a round evaluates, as every figure names them ("2026年5—10月")."""
    span = round_span(evaluation_round)
    return indicators.span_period(span.months(), span)


def input_periods(evaluation_round) -> dict[str, str]:
    """The period each input covers in the round: the catalogue's rule over the round's months (the
    inspection score is the state on the round's last day)."""
    span = round_span(evaluation_round)
    months = span.months()
    return {
        item.key: indicators.as_of_period(evaluation_round.month_to, span)
        if item.indicator.rule == indicators.Rule.AS_OF
        else indicators.span_period(months, span)
        for item in INPUTS
    }
