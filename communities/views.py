"""Portal pages: home, the officials' compound list and compound page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse

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
