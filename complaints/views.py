"""Portal pages of the complaints app: the queue, a complaint's page, supervision list and exports.

Every page starts from complaints.selectors; every button posts to `act`, which calls the same
services as the API. Out of scope is a 404; a step the workflow refuses comes back as a message.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from communities.models import Community, Compound, PropertyCompany
from communities.selectors import compounds_visible_to, has_role
from complaints import selectors, services
from complaints.api.filters import ComplaintFilter
from complaints.api.serializers import hides_reporter
from complaints.models import Category, Complaint
from core import errors
from core.uploads import InvalidUpload

EXPORT_LIMIT = 100_000


def _filtered(request: HttpRequest, base: QuerySet[Complaint]) -> tuple[ComplaintFilter, QuerySet[Complaint]]:
    filterset = ComplaintFilter.for_user(request.GET, queryset=base, user=request.user)
    qs = filterset.qs if filterset.is_valid() else base.none()
    if not request.GET.get("ordering"):
        qs = qs.order_by("-made_at", "-id")
    return filterset, qs


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The work-order queue: staff see their company's, officials their area's, residents their own."""
    filterset, qs = _filtered(request, selectors.complaints_for_list(request.user))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "complaints/queue.html", {"filter": filterset, "page": page, "query": query.urlencode()})


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    """Officials' supervision list (督办): open complaints of their area, overdue first."""
    if not (request.user.is_superuser or has_role(request.user, "official")):
        raise Http404
    filterset, _qs = _filtered(request, selectors.supervision_list(request.user))
    qs = filterset.qs.order_by("-is_overdue", "resolve_due", "id") if filterset.is_valid() else _qs
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "complaints/supervision.html", {"filter": filterset, "page": page})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        complaint = selectors.complaint_get(user=request.user, pk=pk)
    except errors.ScopeError:
        raise Http404 from None
    hidden = hides_reporter(request.user, complaint)
    return render(
        request,
        "complaints/detail.html",
        {
            "c": complaint,
            "hide_reporter": hidden,
            "events": complaint.events.all(),
            "photos": complaint.photos.all(),
            "actions": services.allowed_actions(request.user, complaint),
            "ratings": Complaint.Rating.choices,
            "reject_reasons": Complaint.RejectReason.choices,
            "companies": PropertyCompany.objects.order_by("name")
            if has_role(request.user, "official") or request.user.is_superuser
            else [],
            "communities": Community.objects.filter(pk=complaint.compound.community_id),
        },
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
@require_POST
def act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Take one workflow step from the complaint page, through the same services as the API."""
    try:
        complaint = selectors.complaint_get(user=request.user, pk=pk)
    except errors.ScopeError:
        raise Http404 from None
    if step not in services.ACTIONS:
        raise Http404
    p, user = request.POST, request.user
    try:
        match step:
            case "accept":
                services.complaint_accept(complaint=complaint, actor=user)
            case "return":
                services.complaint_return(complaint=complaint, actor=user, reason=p.get("reason", ""))
            case "resolve":
                services.complaint_resolve(complaint=complaint, actor=user, note=p.get("note", ""), photos=request.FILES.getlist("photos"))
            case "confirm":
                services.complaint_confirm(complaint=complaint, actor=user, rating=p.get("rating", ""), note=p.get("note", ""))
            case "reopen":
                services.complaint_reopen(complaint=complaint, actor=user, note=p.get("note", ""))
            case "reject":
                original = None
                if p.get("duplicate_of"):
                    original = selectors.complaints_visible_to(user).filter(number=p["duplicate_of"].strip()).first()
                    if original is None:
                        raise errors.ValidationError(_("No such complaint."), field="duplicate_of")
                services.complaint_reject(
                    complaint=complaint, actor=user, reason=p.get("reason", ""), note=p.get("note", ""), duplicate_of=original
                )
            case "reassign":
                company = PropertyCompany.objects.filter(pk=_int(p.get("company"))).first()
                community = Community.objects.filter(pk=_int(p.get("community"))).first()
                services.complaint_reassign(complaint=complaint, actor=user, company=company, community=community, note=p.get("note", ""))
            case "extend":
                services.complaint_extend(complaint=complaint, actor=user, days=_int(p.get("days")) or 0, reason=p.get("reason", ""))
            case "supervise":
                services.complaint_supervise(complaint=complaint, actor=user, note=p.get("note", ""))
            case "answer":
                services.complaint_answer_supervision(complaint=complaint, actor=user, note=p.get("note", ""))
            case "comment":
                services.complaint_comment(complaint=complaint, actor=user, note=p.get("note", ""))
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    except InvalidUpload as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("complaints:detail", pk=complaint.pk)


class WalkInForm(forms.Form):
    """A walk-in complaint recorded by a community worker (channel `walkin`)."""

    compound = forms.ModelChoiceField(queryset=Compound.objects.none(), label=_lazy("compound"))
    category = forms.ModelChoiceField(queryset=Category.objects.filter(is_active=True), label=_lazy("category"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=services.DESCRIPTION_MAX, label=_lazy("description"))
    location = forms.CharField(max_length=200, required=False, label=_lazy("location in the compound"))
    reporter_name = forms.CharField(max_length=50, required=False, label=_lazy("reporter's name"))
    reporter_phone = forms.CharField(max_length=20, required=False, label=_lazy("reporter's phone"))
    is_anonymous = forms.BooleanField(required=False, label=_lazy("anonymous"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds_visible_to(user, roles=["official"]).order_by("name")


@login_required
def walk_in(request: HttpRequest) -> HttpResponse:
    """Officials (community workers) record a complaint made in person; it is dispatched at once."""
    if not (request.user.is_superuser or has_role(request.user, "official")):
        raise Http404
    form = WalkInForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_create(
                **form.cleaned_data, channel=Complaint.Channel.WALKIN, photos=request.FILES.getlist("photos"), actor=request.user
            )
        except errors.DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except InvalidUpload as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Complaint %(number)s recorded and dispatched.") % {"number": complaint.number})
            return redirect("complaints:detail", pk=complaint.pk)
    return render(request, "complaints/walk_in.html", {"form": form})


# --- exports ---------------------------------------------------------------------------------------
def _rows(request: HttpRequest, qs: QuerySet[Complaint]):
    yield [
        _("number"),
        _("made at"),
        _("town / subdistrict"),
        _("compound"),
        _("category"),
        _("channel"),
        _("status"),
        _("overdue"),
        _("assigned to"),
        _("description"),
        _("reporter's name"),
        _("reporter's phone"),
        _("sign for by"),
        _("resolve by"),
        _("rating"),
    ]
    is_official = request.user.is_superuser or has_role(request.user, "official")
    # Labels resolved once: get_FOO_display() on lazy choices costs more than the rest of a row.
    status = {k: str(v) for k, v in Complaint.Status.choices}
    channel = {k: str(v) for k, v in Complaint.Channel.choices}
    rating = {k: str(v) for k, v in Complaint.Rating.choices}
    yes = _("yes")

    def when(moment) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    columns = (
        "number",
        "made_at",
        "compound__community__subdistrict__name",
        "compound__name",
        "category__name_zh",
        "channel",
        "status",
        "is_overdue",
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
    # Plain tuples, not model instances: an export is a few columns of many rows.
    for row in qs[:EXPORT_LIMIT].values_list(*columns).iterator(chunk_size=2000):
        r = dict(zip(columns, row, strict=True))
        hidden = r["is_anonymous"] and not is_official and r["reporter_id"] != request.user.pk
        yield [
            r["number"],
            when(r["made_at"]),
            r["compound__community__subdistrict__name"],
            r["compound__name"],
            r["category__name_zh"],
            channel[r["channel"]],
            status[r["status"]],
            yes if r["is_overdue"] else "",
            r["assigned_company__name"] or r["assigned_community__name"] or "",
            r["description"],
            "" if hidden else r["reporter_name"],
            "" if hidden else r["reporter_phone"],
            when(r["response_due"]),
            when(r["resolve_due"]),
            rating.get(r["rating"], ""),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list as Excel (.xlsx) or CSV (UTF-8 with a BOM, so Excel reads the Chinese)."""
    _filter, qs = _filtered(request, selectors.complaints_for_list(request.user))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"
            for row in _rows(request, qs):
                yield writer.writerow(row)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="complaints-{stamp}.csv"'
        return response
    if fmt != "xlsx":
        raise Http404
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Complaints"))
    for row in _rows(request, qs):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="complaints-{stamp}.xlsx"'
    return response
