"""A 12345 batch's per-row report as Excel (`?export=xlsx` on the batch page), through core.xlsx: each row
with its outcome and the compound and category it was matched to."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from complaints.models import HotlineImport, HotlineImportRow
from core import xlsx


def batch_report_response(*, batch: HotlineImport, rows: QuerySet[HotlineImportRow]) -> HttpResponse:
    book = xlsx.workbook()
    sheet = xlsx.Sheet(
        book,
        _("12345 import"),
        [
            xlsx.Col(_("Row"), xlsx.INTEGER, width=8),
            xlsx.Col(_("Ticket number"), width=20),
            xlsx.Col(_("Outcome"), width=10),
            xlsx.Col(_("Reason"), width=40),
            xlsx.Col(_("Complaint"), width=20),
            xlsx.Col(_("Matched compound"), width=22),
            xlsx.Col(_("Matched category"), width=16),
            xlsx.Col(_("made at"), xlsx.DATETIME),
        ],
    )
    outcome = {k: str(v) for k, v in HotlineImportRow.Outcome.choices}
    for r in rows.iterator(chunk_size=2000):
        c = r.complaint
        sheet.append(
            [
                r.row_number,
                r.ticket,
                outcome.get(r.outcome, r.outcome),
                r.reason,
                c.number if c else "",
                c.compound.name if c else "",
                str(c.category) if c else "",
                c.made_at if c else None,
            ]
        )
    sheet.notes([f"{batch.original_name} · {_('Uploaded')} {xlsx.excel_value(batch.created_at, xlsx.DATETIME):%Y-%m-%d %H:%M}"])
    return xlsx.response(book, f"12345-{batch.pk}")
