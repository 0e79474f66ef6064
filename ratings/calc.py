"""Derived figures from snapshot rows (SPEC §5), in exact Decimal arithmetic.

The period rule of each indicator lives in the catalogue (`ratings.indicators`); these are the arithmetic
it uses: a rate over a span is Σ numerators ÷ Σ denominators; the monthly-average complaint ratio is the
mean of the monthly ratios; the change against a baseline is (now − baseline) ÷ baseline × 100.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def ratio(num, den, scale: Decimal = HUNDRED) -> Decimal | None:
    """num ÷ den × scale, exactly (28 significant digits); None without a denominator."""
    if not den:
        return None
    return Decimal(num) * scale / Decimal(den)


def span_rate(rows: Iterable[Mapping], num: str, den: str) -> Decimal | None:
    rows = list(rows)
    return ratio(sum(r[num] for r in rows), sum(r[den] for r in rows))


def monthly_average(rows: Iterable[Mapping], num: str = "complaints", den: str = "households") -> Decimal | None:
    """Mean of the monthly ratios (months without households do not count)."""
    values = [ratio(r[num], r[den]) for r in rows]
    values = [v for v in values if v is not None]
    if not values:
        return None
    return sum(values, Decimal(0)) / len(values)


def latest_rate(rows: Iterable[Mapping], num: str, den: str) -> Decimal | None:
    rows = [r for r in rows if r[den]]
    if not rows:
        return None
    last = max(rows, key=lambda r: r["month"])
    return ratio(last[num], last[den])


def change(now: Decimal | None, baseline: Decimal | None) -> Decimal | None:
    """(now − baseline) ÷ baseline, as a percentage; None when either is missing or the baseline is 0."""
    if now is None or baseline is None or baseline == 0:
        return None
    return (now - baseline) / baseline * HUNDRED


def two_places(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def pct(value: Decimal | None) -> str:
    """84.12% (two decimals, half up); an em dash when there is no value."""
    return "—" if value is None else f"{two_places(value)}%"
