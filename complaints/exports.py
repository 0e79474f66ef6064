"""The complaint list as a file (portal `/complaints/export.xlsx` and `.csv`), through core.exports.

The rows are the queue's rows: the same selector (`complaints_for_list`, scoped to the user), the same
filters (`ComplaintFilter`) and the same order, read as plain tuples with `.iterator()` so a job of a
million rows holds one chunk at a time. Small exports download at once, large ones run as a job.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.selectors import has_role
from complaints import selectors
from complaints.api.filters import ComplaintFilter
from complaints.models import Complaint
from core import errors, exports, xlsx
from core.models import User

KIND = "complaints"

_COLUMNS = (
    "number",
    "made_at",
    "compound__community__subdistrict__name",
    "compound__name",
    "category__name_zh",
    "channel",
    "status",
    "assigned_company__name",
    "assigned_community__name",
    "description",
    "is_anonymous",
    "reporter_id",
    "reporter_name",
    "reporter_phone",
    "response_due",
    "resolve_due",
    "rating",
)


def complaints_for_export(user: User, params: QueryDict) -> QuerySet[Complaint]:
    """The queue's rows for these filters, in the queue's order. ValidationError for filters that do not parse."""
    filterset = ComplaintFilter.for_user(params, queryset=selectors.complaints_for_list(user), user=user)
    if not filterset.is_valid():
        raise errors.ValidationError(_("The filters are not valid: %(errors)s") % {"errors": filterset.errors.as_text()})
    qs = filterset.qs
    if not params.get("ordering"):
        qs = qs.order_by("-made_at", "-id")
    return qs


def _columns() -> list[xlsx.Col]:
    return [
        xlsx.Col(_("number"), width=20),
        xlsx.Col(_("made at"), xlsx.DATETIME),
        xlsx.Col(_("town / subdistrict"), width=14),
        xlsx.Col(_("compound"), width=22),
        xlsx.Col(_("category"), width=16),
        xlsx.Col(_("channel"), width=10),
        xlsx.Col(_("status"), width=10),
        xlsx.Col(_("overdue (missed deadline)"), width=16),
        xlsx.Col(_("assigned to"), width=22),
        xlsx.Col(_("description"), width=50),
        xlsx.Col(_("reporter's name"), width=12),
        xlsx.Col(_("reporter's phone"), width=14),
        xlsx.Col(_("sign for by"), xlsx.DATETIME),
        xlsx.Col(_("resolve by"), xlsx.DATETIME),
        xlsx.Col(_("rating"), width=12),
    ]


def _rows(user: User, qs: QuerySet[Complaint], limit: int) -> Iterator[list]:
    is_official = user.is_superuser or has_role(user, "official")
    # Labels resolved once: get_FOO_display() on lazy choices costs more than the rest of a row.
    status = {k: str(v) for k, v in Complaint.Status.choices}
    channel = {k: str(v) for k, v in Complaint.Channel.choices}
    rating = {k: str(v) for k, v in Complaint.Rating.choices}
    missed_label = {k: str(v) for k, v in Complaint.Overdue.choices}
    now = timezone.now()
    # Plain tuples, not model instances: an export is a few columns of many rows.
    for row in qs[:limit].prefetch_related(None).values_list(*_COLUMNS).iterator(chunk_size=exports.CHUNK_ROWS):
        r = dict(zip(_COLUMNS, row, strict=True))
        hidden = r["is_anonymous"] and not is_official and r["reporter_id"] != user.pk
        yield [
            r["number"],
            r["made_at"],
            r["compound__community__subdistrict__name"],
            r["compound__name"],
            r["category__name_zh"],
            channel[r["channel"]],
            status[r["status"]],
            "、".join(
                missed_label[m]
                for m in Complaint.deadlines_missed(
                    status=r["status"], response_due=r["response_due"], resolve_due=r["resolve_due"], now=now
                )
            ),
            r["assigned_company__name"] or r["assigned_community__name"] or "",
            r["description"],
            "" if hidden else r["reporter_name"],
            "" if hidden else r["reporter_phone"],
            r["response_due"],
            r["resolve_due"],
            rating.get(r["rating"], ""),
        ]


def complaints_export_source(user: User, params: QueryDict) -> exports.Source:
    qs = complaints_for_export(user, params)

    def count(limit: int | None) -> int:
        # Capped: deciding "small or large" must not count a million rows inside the request.
        return qs.order_by()[:limit].count() if limit else qs.count()

    return exports.Source(columns=_columns(), count=count, rows=lambda limit: _rows(user, qs, limit), sheet=_("Complaints"))


def register() -> None:
    exports.register(exports.ExportKind(key=KIND, title=gettext_lazy("Complaints"), source=complaints_export_source))


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered queue as Excel (.xlsx) or CSV (UTF-8 with a BOM): at once when small, else as a job."""
    return exports.export_respond(request, kind=KIND, fmt=fmt)
