"""Portal pages: home, the officials' compound list and compound page, the roster import,
workers' accounts and the ownership-claim verification queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from communities import forms, selectors, services, workbook
from communities.models import Subdistrict
from core import portal
from core.errors import PermissionDenied as DomainPermissionDenied
from core.errors import ValidationError, WorkflowError


@login_required
def compound_list(request: HttpRequest) -> HttpResponse:
    qs = (
        selectors.compounds_visible_to(request.user)
        .select_related("community__subdistrict")
        .order_by("community__subdistrict_id", "community_id", "id")
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(aliases__icontains=q) | Q(address__icontains=q))
    subdistrict = request.GET.get("subdistrict", "")
    if subdistrict.isdigit():
        qs = qs.filter(community__subdistrict_id=int(subdistrict))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    # The managing company of this page's compounds only: annotated on the whole list, PostgreSQL worked it
    # out for every compound the OFFSET skips (0.3 s on page 100 of a 10,000-compound district).
    shown = {c.pk: c for c in selectors.with_current_company(qs.filter(pk__in=[c.pk for c in page.object_list]))}
    page.object_list = [shown[c.pk] for c in page.object_list]
    subdistricts = Subdistrict.objects.filter(pk__in=selectors.compounds_visible_to(request.user).values("community__subdistrict_id"))
    return render(
        request,
        "communities/compound_list.html",
        {"page": page, "q": q, "subdistricts": subdistricts, "subdistrict": subdistrict},
    )


UNITS_PER_PAGE = 50


@login_required
def compound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    compound = get_object_or_404(
        selectors.with_current_company(selectors.compounds_visible_to(request.user).select_related("community__subdistrict__district")),
        pk=pk,
    )
    contracts = compound.contracts.select_related("company").order_by("-start")
    units = compound.units.all()
    # Owners' names are personal data: only officials of the area see the unit register.
    register = None
    if selectors.is_official_for(request.user, compound):
        register = Paginator(units.prefetch_related("owners"), UNITS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "communities/compound_detail.html",
        {"compound": compound, "contracts": contracts, "unit_count": units.count(), "units": register},
    )


# --- Audit trail and export log (officials) ------------------------------------------------------


def _official_or_404(request: HttpRequest) -> None:
    if not (request.user.is_superuser or selectors.has_role(request.user, "official")):
        raise Http404


HISTORY_ACTIONS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}


def _describe(entry: dict) -> dict:
    """What the audit page shows for one entry: when, who, which table, which object, what happened, what changed."""
    src, row = entry["source"], entry["row"]
    changes: list[str] = []
    if src["historical"]:
        action = HISTORY_ACTIONS.get(row.history_type, row.history_type)
        obj = row.instance
        if row.history_type == "~":
            previous = row.prev_record
            if previous is not None:
                changes = [str(row._meta.get_field(c.field).verbose_name) for c in row.diff_against(previous).changes]
    else:
        action = row.get_kind_display() if hasattr(row, "get_kind_display") else getattr(row, src["action"])
        obj = getattr(row, src["path"].split("__")[0], row)
        note = getattr(row, "note", "")
        if note:
            changes = [note[:120]]
    return {"at": entry["at"], "actor": entry["actor"], "table": src["label"], "object": str(obj), "action": action, "changes": changes}


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    _official_or_404(request)
    source = request.GET.get("source", "")
    before = parse_datetime(request.GET.get("before", "") or "") or None
    entries = selectors.audit_entries_visible_to(request.user, source=source, before=before, limit=50)
    rows = [_describe(e) for e in entries]
    next_before = entries[-1]["at"].isoformat() if len(entries) == 50 else ""
    sources = [(s["key"], s["label"]) for s in selectors.audit_sources()]
    return render(request, "communities/audit_log.html", {"rows": rows, "sources": sources, "source": source, "next_before": next_before})


@login_required
def export_log(request: HttpRequest) -> HttpResponse:
    _official_or_404(request)
    page, query = portal.keyset_page(
        request, selectors.exports_visible_to(request.user).select_related("user"), ordering=["-at", "-id"], size=50
    )
    return render(request, "communities/export_log.html", {"page": page, "query": query})


# --- Onboarding: the Excel roster import ------------------------------------------------------------


def _official_only(request: HttpRequest) -> None:
    if not (request.user.is_superuser or selectors.official_places(request.user)):
        raise PermissionDenied


@login_required
def roster_import(request: HttpRequest) -> HttpResponse:
    _official_only(request)
    form = forms.RosterImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.roster_import(actor=request.user, file=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc.message)
    rows, omitted = [], 0
    if report is not None:
        # Unchanged rows are only counted, and a huge roster lists its first rows: the API has them all.
        changed = [row for row in report.rows if row.outcome != "unchanged"]
        rows, omitted = changed[:REPORT_ROWS_SHOWN], len(changed[REPORT_ROWS_SHOWN:])
    return render(
        request,
        "communities/roster_import.html",
        {"form": form, "report": report, "rows": rows, "omitted": omitted, "layout": _layout()},
    )


REPORT_ROWS_SHOWN = 2000


def _layout() -> list[tuple[str, list[tuple[str, bool]]]]:
    return [
        (workbook.COMPOUND_SHEET, list(workbook.COMPOUND_COLUMNS.values())),
        (workbook.UNIT_SHEET, list(workbook.UNIT_COLUMNS.values())),
    ]


@login_required
def roster_sample(request: HttpRequest) -> HttpResponse:
    _official_only(request)
    response = HttpResponse(workbook.sample(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="linli-onboarding-sample.xlsx"'
    return response


# --- Accounts of workers ---------------------------------------------------------------------------


def _may_manage_accounts(user) -> bool:
    return user.is_superuser or bool(selectors.official_places(user)) or bool(selectors.administered_company_ids(user))


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    if not _may_manage_accounts(request.user):
        raise PermissionDenied
    qs = selectors.accounts_visible_to(request.user).select_related("user", "district", "subdistrict", "community", "compound", "company")
    role = request.GET.get("role", "")
    if role in {"official", "mediator", "staff"}:
        qs = qs.filter(role=role)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(user__username__icontains=q) | Q(user__display_name__icontains=q) | Q(user__phone__icontains=q))
    active = request.GET.get("active", "1")
    if active in {"0", "1"}:
        qs = qs.filter(is_active=active == "1")
    page = Paginator(qs.order_by("-is_active", "role", "id"), 50).get_page(request.GET.get("page"))
    return render(request, "communities/account_list.html", {"page": page, "role": role, "q": q, "active": active})


@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    if not _may_manage_accounts(request.user):
        raise PermissionDenied
    form = forms.AccountForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.account_create(actor=request.user, **form.to_service())
        except ValidationError as exc:
            form.add_error(form.field_for(exc.field), exc.message)
        except DomainPermissionDenied as exc:
            form.add_error("role", exc.message)
        else:
            messages.success(request, _("Account %(username)s created.") % {"username": assignment.user.username})
            return redirect("communities:account_list")
    return render(request, "communities/account_form.html", {"form": form})


@login_required
@require_POST
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(selectors.accounts_visible_to(request.user), pk=pk)
    try:
        assignment = services.account_deactivate(actor=request.user, assignment_id=pk)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Account %(username)s deactivated.") % {"username": assignment.user.username})
    return redirect("communities:account_list")


@login_required
@require_POST
def account_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(selectors.accounts_visible_to(request.user), pk=pk)
    try:
        assignment = services.account_reactivate(actor=request.user, assignment_id=pk)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Account %(username)s reactivated.") % {"username": assignment.user.username})
    return redirect("communities:account_list")


# --- Verifying residents' ownership claims -----------------------------------------------------------


@login_required
def claim_queue(request: HttpRequest) -> HttpResponse:
    _official_only(request)
    claims = selectors.claims_to_decide(request.user).select_related("user", "unit__compound__community").prefetch_related("unit__owners")
    page = Paginator(claims, 50).get_page(request.GET.get("page"))
    return render(request, "communities/claim_queue.html", {"page": page})


@login_required
@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(selectors.claims_to_decide(request.user), pk=pk)
    approve = request.POST.get("decision") == "verify"
    try:
        services.ownership_claim_decide(claim_id=pk, actor=request.user, approve=approve, reason=request.POST.get("reason", ""))
    except (WorkflowError, ValidationError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Claim verified.") if approve else _("Claim rejected."))
    return redirect("communities:claim_queue")
