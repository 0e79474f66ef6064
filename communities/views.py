"""Portal pages: home, the officials' compound list and compound page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from communities import selectors
from communities.models import Subdistrict

# Landing page per role, first match wins; a page that does not exist yet is skipped.
HOME_BY_ROLE = [
    ("official", "ratings:dashboard"),
    ("staff", "complaints:queue"),
    ("mediator", "mediation:home"),
    ("committee", "committees:home"),
    ("official", "communities:compound_list"),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    for role, url_name in HOME_BY_ROLE:
        if request.user.is_superuser or selectors.has_role(request.user, role):
            try:
                return redirect(reverse(url_name))
            except NoReverseMatch:
                continue
    return render(request, "communities/home.html")


@login_required
def compound_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.with_current_company(selectors.compounds_visible_to(request.user).select_related("community__subdistrict")).order_by(
        "community__subdistrict_id", "community_id", "id"
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(aliases__icontains=q) | Q(address__icontains=q))
    subdistrict = request.GET.get("subdistrict", "")
    if subdistrict.isdigit():
        qs = qs.filter(community__subdistrict_id=int(subdistrict))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    subdistricts = Subdistrict.objects.filter(pk__in=selectors.compounds_visible_to(request.user).values("community__subdistrict_id"))
    return render(
        request,
        "communities/compound_list.html",
        {"page": page, "q": q, "subdistricts": subdistricts, "subdistrict": subdistrict},
    )


@login_required
def compound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    compound = get_object_or_404(
        selectors.with_current_company(selectors.compounds_visible_to(request.user).select_related("community__subdistrict__district")),
        pk=pk,
    )
    contracts = compound.contracts.select_related("company").order_by("-start")
    units = compound.units.all()
    return render(
        request,
        "communities/compound_detail.html",
        {"compound": compound, "contracts": contracts, "unit_count": units.count(), "units": units.prefetch_related("owners")[:50]},
    )


# --- Audit trail and export log (officials) ------------------------------------------------------


def _official_or_404(request: HttpRequest) -> None:
    if not (request.user.is_superuser or selectors.has_role(request.user, "official")):
        raise Http404


HISTORY_ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


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
    page = Paginator(selectors.exports_visible_to(request.user).select_related("user"), 50).get_page(request.GET.get("page"))
    return render(request, "communities/export_log.html", {"page": page})
