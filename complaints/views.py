"""Portal pages of the complaints app: the queue, a complaint's page and the supervision list (exports: complaints.exports).

Every page starts from complaints.selectors; every button posts to `act`, which calls the same
services as the API. Out of scope is a 404; a step the workflow refuses comes back as a message.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from communities.models import Compound
from communities.selectors import compounds_visible_to, has_role
from complaints import forms as complaint_forms
from complaints import selectors, services, surges
from complaints.api.filters import ComplaintFilter
from complaints.api.serializers import hides_reporter
from complaints.forms import step_form
from complaints.models import Category, Complaint
from core import errors, portal
from core.portal import PhotosField

OPEN_STATUSES = Complaint.AWAITING_RESOLUTION
# Columns the queue sorts by (?ordering=made_at / -made_at …); each has an index (complaints migration 0009).
SORTABLE = ("made_at", "resolve_due", "status")


def _filtered(
    request: HttpRequest, base: QuerySet[Complaint], *, default_open: bool = False
) -> tuple[ComplaintFilter, QuerySet[Complaint]]:
    data = request.GET.copy()
    if (default_open and "status" not in data) or data.getlist("status") == ["open"]:
        data.setlist("status", list(OPEN_STATUSES))  # staff start from what is still to do
    elif data.getlist("status") == [""]:
        del data["status"]  # "any status", asked for explicitly
    filterset = ComplaintFilter.for_user(data, queryset=base, user=request.user)
    qs = filterset.qs if filterset.is_valid() else base.none()
    if not data.get("ordering"):
        qs = qs.order_by("-made_at", "-id")
    return filterset, qs


def _chosen(filterset: ComplaintFilter) -> dict[str, str]:
    """Names of the places the filter names, for the searchable inputs (the page carries no list of places)."""
    data = getattr(filterset.form, "cleaned_data", {}) or {}
    return {name: str(data[name]) for name in ("compound", "community") if data.get(name)}


PAGE_SIZE = 30


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The work-order queue: staff see their company's (open ones unless asked), officials their area's, residents their own."""
    filterset, qs = _filtered(request, selectors.complaints_for_list(request.user), default_open=has_role(request.user, "staff"))
    ordering = request.GET.get("ordering", "")
    page, query = portal.keyset_page(request, qs, size=PAGE_SIZE)
    context = {
        "filter": filterset,
        "page": page,
        "query": query,
        "sort_query": portal.query_without(request, "page", "cursor", "ordering"),
        "ordering": ordering,
        "sortable": SORTABLE,
        "chosen": _chosen(filterset),
        "open_statuses": OPEN_STATUSES,
    }
    return render(request, "complaints/queue.html", context)


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    """Officials' supervision list (督办): open complaints of their area, overdue first."""
    if not (request.user.is_superuser or has_role(request.user, "official")):
        raise Http404
    filterset, _qs = _filtered(request, selectors.supervision_list(request.user))
    qs = filterset.qs if filterset.is_valid() else _qs
    page, query = portal.keyset_page(request, qs, ordering=["-is_overdue", "resolve_due", "id"], size=PAGE_SIZE)
    context = {"filter": filterset, "page": page, "query": query, "chosen": _chosen(filterset)}
    return render(request, "complaints/supervision.html", context)


def _detail_page(request: HttpRequest, complaint: Complaint, *, failed: tuple[str, object] | None = None) -> HttpResponse:
    """The complaint page; `failed` is (step, form) of a step just refused, re-shown with what was typed."""
    hidden = hides_reporter(request.user, complaint)
    actions = services.allowed_actions(request.user, complaint)
    step_forms = [
        (step, failed[1] if failed and failed[0] == step else step_form(step, complaint))
        for step in complaint_forms.FORMS
        if step in actions
    ]
    return render(
        request,
        "complaints/detail.html",
        {
            "c": complaint,
            "hide_reporter": hidden,
            "events": complaint.events.all(),
            "photos": complaint.photos.all(),
            "actions": actions,
            "step_forms": step_forms,
        },
        status=400 if failed else 200,
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        complaint = selectors.complaint_get(user=request.user, pk=pk)
    except errors.ScopeError:
        raise Http404 from None
    return _detail_page(request, complaint)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Take one workflow step from the complaint page, through the same services as the API.

    A refused step re-renders the page with the step's form as it was typed and the error next to its
    field (core.portal); a step no longer offered (someone else took it) comes back as a message.
    """
    try:
        complaint = selectors.complaint_get(user=request.user, pk=pk)
    except errors.ScopeError:
        raise Http404 from None
    if step not in services.ACTIONS:
        raise Http404
    user = request.user
    form = step_form(step, complaint, request.POST, request.FILES)

    def call(d: dict):
        match step:
            case "accept":
                return services.complaint_accept(complaint=complaint, actor=user)
            case "return":
                return services.complaint_return(complaint=complaint, actor=user, reason=d["reason"])
            case "resolve":
                return services.complaint_resolve(complaint=complaint, actor=user, note=d["note"], photos=d["photos"])
            case "confirm":
                return services.complaint_confirm(complaint=complaint, actor=user, rating=d["rating"], note=d["note"])
            case "reopen":
                return services.complaint_reopen(complaint=complaint, actor=user, note=d["note"])
            case "reject":
                original = None
                if d["duplicate_of"].strip():
                    original = selectors.complaints_visible_to(user).filter(number=d["duplicate_of"].strip()).first()
                    if original is None:
                        raise errors.ValidationError(_("No such complaint."), field="duplicate_of")
                return services.complaint_reject(complaint=complaint, actor=user, reason=d["reason"], note=d["note"], duplicate_of=original)
            case "reassign":
                return services.complaint_reassign(
                    complaint=complaint, actor=user, company=d["company"], community=d["community"], note=d["note"]
                )
            case "extend":
                return services.complaint_extend(complaint=complaint, actor=user, days=d["days"], reason=d["reason"])
            case "supervise":
                return services.complaint_supervise(complaint=complaint, actor=user, note=d["note"])
            case "answer":
                return services.complaint_answer_supervision(complaint=complaint, actor=user, note=d["note"])
            case "comment":
                return services.complaint_comment(complaint=complaint, actor=user, note=d["note"])

    if portal.submit(form, call):
        messages.success(request, _("Done."))
        return redirect("complaints:detail", pk=complaint.pk)
    # Re-read: another user may have taken a step meanwhile (or moved it out of this user's scope).
    try:
        complaint = selectors.complaint_get(user=request.user, pk=pk)
    except errors.ScopeError:
        raise Http404 from None
    if step not in services.allowed_actions(user, complaint):
        for error in form.non_field_errors() or [e for errs in form.errors.values() for e in errs]:
            messages.error(request, error)
        return redirect("complaints:detail", pk=complaint.pk)
    return _detail_page(request, complaint, failed=(step, form))


class WalkInForm(forms.Form):
    """A walk-in complaint recorded by a community worker (channel `walkin`)."""

    compound = forms.ModelChoiceField(queryset=Compound.objects.none(), label=_lazy("compound"))
    category = forms.ModelChoiceField(queryset=Category.objects.filter(is_active=True), label=_lazy("category"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=services.DESCRIPTION_MAX, label=_lazy("description"))
    location = forms.CharField(max_length=200, required=False, label=_lazy("location in the compound"))
    reporter_name = forms.CharField(max_length=50, required=False, label=_lazy("reporter's name"))
    reporter_phone = forms.CharField(max_length=20, required=False, label=_lazy("reporter's phone"))
    is_anonymous = forms.BooleanField(required=False, label=_lazy("anonymous"))
    photos = PhotosField(label=_lazy("Photos (up to 6)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds_visible_to(user, roles=["official"]).order_by("name")


@login_required
def walk_in(request: HttpRequest) -> HttpResponse:
    """Officials (community workers) record a complaint made in person; it is dispatched at once."""
    if not services.may_file_walk_ins(request.user):
        raise Http404
    form = WalkInForm(request.POST or None, request.FILES or None, user=request.user)
    suggestions: list[selectors.Similar] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("join"):
            return _walk_in_join(request, form)
        # 我也遇到: before filing, offer the open complaints like this one; the worker files anew only once
        # they have seen them ("decision=new"), or records the visitor as a supporter of one ("join").
        if request.POST.get("decision") != "new":
            suggestions = selectors.similar_complaints(
                request.user,
                compound_id=data["compound"].pk,
                category_id=data["category"].pk,
                text=data["description"],
                roles=["official"],
            )
        if suggestions:
            return render(request, "complaints/walk_in.html", {"form": form, "suggestions": suggestions})
    if request.method == "POST":
        filed = portal.submit(form, lambda d: services.complaint_file(actor=request.user, **d, channel=Complaint.Channel.WALKIN))
        if filed:
            complaint = filed.result.complaint
            messages.success(request, _("Complaint %(number)s recorded and dispatched.") % {"number": complaint.number})
            return redirect("complaints:detail", pk=complaint.pk)
    return render(request, "complaints/walk_in.html", {"form": form, "suggestions": suggestions}, status=400 if form.errors else 200)


def _walk_in_join(request: HttpRequest, form: WalkInForm) -> HttpResponse:
    """Record the walk-in visitor as a supporter of the open complaint they chose instead of filing anew."""
    join = request.POST.get("join", "")
    try:
        complaint = selectors.complaint_joinable_get(user=request.user, pk=int(join) if join.isdigit() else 0, roles=["official"])
        _row, joined = services.complaint_support_walk_in(
            complaint=complaint,
            actor=request.user,
            name=form.cleaned_data["reporter_name"],
            phone=form.cleaned_data["reporter_phone"],
        )
    except errors.ScopeError:
        raise Http404 from None
    except errors.DomainError as exc:
        form.add_error(None, exc.message)
        return render(request, "complaints/walk_in.html", {"form": form, "suggestions": []})
    number = {"number": complaint.number}
    if joined:
        messages.success(request, _("Recorded as a supporter of complaint %(number)s; no new complaint was filed.") % number)
    else:
        messages.info(request, _("This visitor already supports complaint %(number)s.") % number)
    return redirect("complaints:detail", pk=complaint.pk)


# --- Target problems and early warning (officials) --------------------------------------------------


@login_required
def target_problems(request: HttpRequest) -> HttpResponse:
    """The target categories' monthly counts by town over six months, and the early warnings."""
    if not (request.user.is_superuser or has_role(request.user, "official")):
        raise Http404
    months = surges.recent_months(6)
    rows = surges.target_trends(request.user, months=months)
    warnings = surges.surge_warnings_visible_to(request.user)[:50]
    return render(
        request,
        "complaints/target_problems.html",
        {"months": months, "rows": rows, "warnings": warnings, "threshold": surges.P_THRESHOLD, "min_count": surges.MIN_COUNT},
    )


@login_required
def surge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One warning with the complaints behind it (those of its category, area and week)."""
    warning = surges.surge_warnings_visible_to(request.user).filter(pk=pk).first()
    if warning is None:
        raise Http404
    complaints = surges.surge_complaints(warning, request.user)
    return render(request, "complaints/surge_detail.html", {"warning": warning, "complaints": complaints})
