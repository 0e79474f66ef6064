"""The figures of `/mediation/counts/` as Excel (`?export=xlsx`), through the shared helper (core.xlsx)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core import xlsx


def _columns(monthly: bool) -> list[xlsx.Col]:
    # The page's headers, in its order (mediation/counts.html).
    counts = [
        _("Meetings held"),
        _("Deliberation days"),
        _("Micro-consultations"),
        _("Four-party meetings"),
        _("Owners' tea house"),
        _("Topics settled"),
        _("Issues settled by four-party meetings"),
        _("Disputes registered"),
        _("Disputes resolved"),
        _("of which by judges' workstations"),
        _("Legal consultations"),
        _("Cases solved"),
        _("Screenings"),
        _("Hazards found"),
        _("Hazards handled"),
        _("Major hazards handled"),
    ]
    columns = [xlsx.Col(_("Area"), width=18)]
    if monthly:
        columns.append(xlsx.Col(_("Month"), xlsx.MONTH))
    return columns + [xlsx.Col(label, xlsx.INTEGER, width=12) for label in counts]


def counts_response(
    *, rows: list[dict], totals: dict[str, int], metrics: list[str], start: dt.date, end: dt.date, monthly: bool
) -> HttpResponse:
    """One row per area (and month), the totals row, and the period covered below the table."""
    book = xlsx.workbook()
    sheet = xlsx.Sheet(book, _("Deliberation and mediation figures"), _columns(monthly))
    for r in rows:
        sheet.append([r["area"].name, *([r["month"]] if monthly else []), *(r[m] for m in metrics)])
    if rows:
        sheet.append([_("Total"), *([None] if monthly else []), *(totals[m] for m in metrics)])
    period = _("From %(start)s to %(end)s.") % {"start": start.isoformat(), "end": end.isoformat()}
    sheet.notes([period])
    return xlsx.response(book, f"mediation-counts-{start:%Y%m%d}-{end:%Y%m%d}")
