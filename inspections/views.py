"""Portal pages: inspections and rectification for officials, lists and reports for companies.

Views parse the form, call one service or selector and render; every queryset starts from a selector
(out of scope → 404). A refused form (core.portal.submit) re-renders its page with the typed values
and each error by its field (400); a refused button (portal.attempt) becomes a message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.selectors import compounds_visible_to
from complaints.models import Complaint
from core import portal
from inspections import selectors, services
from inspections.forms import FindingForm, InspectionForm, IssueForm, ReportForm, ScoresForm
from inspections.models import (
    ChecklistItem,
    Finding,
    Inspection,
    RectificationList,
    RectificationReport,
    ReportAction,
)


def _official_only(request: HttpRequest) -> None:
    if not selectors.is_official(request.user):
        raise Http404


def _attempt(request: HttpRequest, fn: Callable[[], object], *, ok_message: str = "") -> bool:
    """A button's service call (core.portal.attempt): a domain error becomes a message, scope a 404."""
    return bool(portal.attempt(request, fn, ok_message=ok_message))


def _date(value: str | None) -> date | None:
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def _count_of(model) -> Subquery:
    """Rows of `model` per inspection, as a correlated subquery (cheap for one page of inspections)."""
    return Subquery(model.objects.filter(inspection=OuterRef("pk")).order_by().values("inspection").annotate(n=Count("id")).values("n"))


# --- Inspections --------------------------------------------------------------------------------


def _list_page(request: HttpRequest, *, form: InspectionForm | None = None) -> HttpResponse:
    """The inspections list with the form to start one; a refused form comes back bound (400)."""
    qs = (
        selectors.inspections_visible_to(request.user)
        .select_related("compound__community__subdistrict", "company")
        .annotate(
            finding_count=Coalesce(_count_of(Finding), 0),
            list_count=Coalesce(_count_of(RectificationList), 0),
        )
        .order_by("-inspected_on", "-id")
    )
    status = request.GET.get("status", "")
    if status in Inspection.Status.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(compound__name__icontains=q)
    page, query = portal.keyset_page(request, qs, ordering=["-inspected_on", "-id"], size=30)
    if form is None:
        form = InspectionForm(compounds=_official_compounds(request))
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "page": page,
            "query": query,
            "status": status,
            "q": q,
            "statuses": Inspection.Status.choices,
            "form": form,
            "today": timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


def _official_compounds(request: HttpRequest):
    return compounds_visible_to(request.user, roles=["official"]).order_by("name").only("id", "name")


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    _official_only(request)
    return _list_page(request)


@login_required
@require_POST
def inspection_create(request: HttpRequest) -> HttpResponse:
    _official_only(request)
    form = InspectionForm(request.POST, compounds=_official_compounds(request))
    created = portal.submit(
        form,
        lambda d: services.inspection_create(
            actor=request.user, compound_id=d["compound"], inspected_on=d["inspected_on"], summary=d["summary"]
        ),
    )
    if not created:
        return _list_page(request, form=form)
    return redirect("inspections:inspection_detail", pk=created.result.pk)


def _visible_inspection(request: HttpRequest, pk: int) -> Inspection:
    return get_object_or_404(
        selectors.inspections_visible_to(request.user).select_related(
            "compound__community__subdistrict", "company", "template", "recorded_by"
        ),
        pk=pk,
    )


def _areas(inspection: Inspection) -> list:
    """The checklist by area: (area, [(item, score or None)]) in checklist order."""
    scores = {s.item_id: s for s in inspection.scores.all()}
    return [
        (area, [(item, scores.get(item.pk)) for item in area.items.all()])
        for area in inspection.template.areas.order_by("order").prefetch_related(
            Prefetch("items", queryset=ChecklistItem.objects.order_by("order"))
        )
    ]


def _scores_form(areas: list, data=None) -> ScoresForm:
    rows = [row for _area, rows in areas for row in rows]
    return ScoresForm(data, items=[item for item, _s in rows], scores={item.pk: s for item, s in rows if s})


def _detail_page(
    request: HttpRequest,
    inspection: Inspection,
    *,
    areas: list | None = None,
    scores_form: ScoresForm | None = None,
    finding_form: FindingForm | None = None,
    issue_form: IssueForm | None = None,
) -> HttpResponse:
    """The inspection page; a refused form comes back bound (typed values, errors by their fields, 400)."""
    areas = areas if areas is not None else _areas(inspection)
    findings = inspection.findings.select_related("item").prefetch_related("photos").order_by("id")
    listed = set(RectificationList.objects.filter(inspection=inspection).values_list("items__finding_id", flat=True))
    complaints = Complaint.objects.filter(compound=inspection.compound).exclude(status__in=["closed", "rejected"]).order_by("-made_at")[:30]
    if scores_form is None:
        scores_form = _scores_form(areas)
    if finding_form is None:
        finding_form = FindingForm(areas=areas)
    if issue_form is None:
        issue_form = IssueForm(initial={"findings": [f.pk for f in findings if f.pk not in listed]})
    scored = sum(1 for _a, rows in areas for _i, s in rows if s)
    item_total = sum(len(rows) for _a, rows in areas)
    refused = bool(scores_form.errors or finding_form.errors or issue_form.errors)
    # Each row carries its score input (typed value and error in place after a refused save).
    areas = [(area, [(item, s, scores_form[f"score_{item.pk}"]) for item, s in rows]) for area, rows in areas]
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "areas": areas,
            "scored": scored,
            "item_total": item_total,
            "findings": findings,
            "listed": listed,
            "lists": inspection.rectification_lists.select_related("company").order_by("-id"),
            "complaints": complaints,
            "current_company": inspection.compound.current_company,
            "today": timezone.localdate(),
            "scores_form": scores_form,
            "finding_form": finding_form,
            "issue_form": issue_form,
            "ticked_findings": issue_form.ticked("findings"),
            "ticked_complaints": issue_form.ticked("complaints"),
        },
        status=400 if refused else 200,
    )


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _official_only(request)
    return _detail_page(request, _visible_inspection(request, pk))


@login_required
@require_POST
def inspection_scores(request: HttpRequest, pk: int) -> HttpResponse:
    _official_only(request)
    inspection = _visible_inspection(request, pk)
    areas = _areas(inspection)
    form = _scores_form(areas, request.POST)
    saved = portal.submit(
        form, lambda _d: services.inspection_scores_set(actor=request.user, inspection_id=inspection.pk, scores=form.scores())
    )
    if not saved:
        return _detail_page(request, inspection, areas=areas, scores_form=form)
    messages.success(request, _("Scores saved."))
    return redirect("inspections:inspection_detail", pk=pk)


@login_required
@require_POST
def inspection_finding(request: HttpRequest, pk: int) -> HttpResponse:
    _official_only(request)
    inspection = _visible_inspection(request, pk)
    areas = _areas(inspection)
    form = FindingForm(request.POST, request.FILES, areas=areas)
    added = portal.submit(
        form,
        lambda d: services.finding_add(
            actor=request.user,
            inspection_id=inspection.pk,
            item_id=d["item"],
            severity=d["severity"],
            description=d["description"],
            location=d["location"],
            photos=d["photos"],
        ),
    )
    if not added:
        return _detail_page(request, inspection, areas=areas, finding_form=form)
    messages.success(request, _("Finding added."))
    return redirect(reverse("inspections:inspection_detail", args=[pk]) + "#findings")


@login_required
@require_POST
def inspection_submit(request: HttpRequest, pk: int) -> HttpResponse:
    _official_only(request)
    _attempt(request, lambda: services.inspection_submit(actor=request.user, inspection_id=pk), ok_message=_("Inspection submitted."))
    return redirect("inspections:inspection_detail", pk=pk)


@login_required
@require_POST
def inspection_issue(request: HttpRequest, pk: int) -> HttpResponse:
    _official_only(request)
    inspection = _visible_inspection(request, pk)
    form = IssueForm(request.POST)
    issued = portal.submit(
        form,
        lambda d: services.rectification_list_issue(
            actor=request.user,
            inspection_id=inspection.pk,
            finding_ids=d["findings"],
            complaint_ids=d["complaints"],
            deadline=d["deadline"],
            requirements=d["requirements"],
        ),
    )
    if not issued:
        return _detail_page(request, inspection, issue_form=form)
    messages.success(request, _("Rectification list %(number)s issued.") % {"number": issued.result.number})
    return redirect("inspections:list_detail", pk=issued.result.pk)


# --- Rectification lists -----------------------------------------------------------------------------


@login_required
def list_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = selectors.rectification_lists_visible_to(request.user).select_related("compound__community__subdistrict", "company")
    status = request.GET.get("status", "")
    if status == "overdue":
        qs = qs.overdue(today)
    elif status in RectificationList.Status.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(compound__name__icontains=q) | Q(company__name__icontains=q))
    page, query = portal.keyset_page(request, qs, ordering=["-issued_at", "-id"], size=30)
    return render(
        request,
        "inspections/list_list.html",
        {"page": page, "query": query, "status": status, "q": q, "statuses": RectificationList.Status.choices, "today": today},
    )


def _visible_list(request: HttpRequest, pk: int) -> RectificationList:
    return get_object_or_404(
        selectors.rectification_lists_visible_to(request.user).select_related(
            "compound__community__subdistrict__district", "company", "issued_by", "inspection"
        ),
        pk=pk,
    )


def _reports(rect: RectificationList):
    actions = Prefetch("actions", queryset=ReportAction.objects.select_related("item").prefetch_related("photos").order_by("item__order"))
    return rect.reports.select_related("submitted_by", "reviewed_by").prefetch_related(actions).order_by("round")


@login_required
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rect = _visible_list(request, pk)
    may_review = selectors.may_review(request.user, rect)
    history = []
    if may_review:
        list_history = list(rect.history.select_related("history_user").order_by("history_date"))
        report_history = list(
            RectificationReport.history.filter(rectification_list_id=rect.pk).select_related("history_user").order_by("history_date")
        )
        history = sorted(
            [("list", h) for h in list_history] + [("report", h) for h in report_history], key=lambda pair: pair[1].history_date
        )
    return render(
        request,
        "inspections/list_detail.html",
        {
            "rect": rect,
            "items": rect.items.select_related("finding__item", "complaint").prefetch_related("finding__photos").order_by("order"),
            "reports": _reports(rect),
            "may_review": may_review,
            "may_report": selectors.may_report(request.user, rect)
            and rect.status in (RectificationList.Status.ISSUED, RectificationList.Status.RETURNED),
            "is_overdue": rect.is_overdue(),
            "history": history,
        },
    )


@login_required
def list_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """整改通知书: the printable notice of a list."""
    rect = _visible_list(request, pk)
    return render(
        request,
        "inspections/notice.html",
        {"rect": rect, "items": rect.items.select_related("finding__item").order_by("order"), "today": timezone.localdate()},
    )


@login_required
def report_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The company's report form: one block per item with a text field and a camera-ready photo input.

    A refused report comes back with every typed text in place, each error next to its field and the
    photos to choose again named (core.portal)."""
    rect = _visible_list(request, pk)
    if not selectors.may_report(request.user, rect):
        raise Http404
    items = list(rect.items.order_by("order"))
    form = ReportForm(request.POST or None, request.FILES or None, items=items)
    if request.method == "POST":
        filed = portal.submit(
            form,
            lambda d: services.rectification_report_file(actor=request.user, list_id=rect.pk, actions=form.actions(), summary=d["summary"]),
        )
        if filed:
            messages.success(request, _("Rectification report filed."))
            return redirect("inspections:list_detail", pk=rect.pk)
    last = rect.reports.order_by("-round").first()
    return render(
        request,
        "inspections/report_form.html",
        {"rect": rect, "form": form, "rows": form.rows(), "last": last},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def list_review(request: HttpRequest, pk: int) -> HttpResponse:
    rect = _visible_list(request, pk)
    decision = request.POST.get("decision", "")
    ok_message = _("Report accepted; the list is closed.") if decision == "accept" else _("Report returned to the company.")
    _attempt(
        request,
        lambda: services.rectification_report_review(
            actor=request.user, list_id=rect.pk, decision=decision, comment=request.POST.get("comment", "")
        ),
        ok_message=ok_message,
    )
    return redirect("inspections:list_detail", pk=rect.pk)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _official_only(request)
    qs = selectors.review_queue(request.user).select_related("compound__community__subdistrict", "company")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "inspections/review_queue.html", {"page": page, "today": timezone.localdate()})


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    if not (selectors.is_official(request.user) or selectors.company_ids_of(request.user)):
        raise Http404
    start, end = _date(request.GET.get("start")), _date(request.GET.get("end"))
    by_town = selectors.rectification_figures(request.user, by="town", start=start, end=end)
    by_company = selectors.rectification_figures(request.user, by="company", start=start, end=end)
    return render(
        request,
        "inspections/figures.html",
        {"by_town": by_town, "by_company": by_company, "start": start, "end": end, "today": timezone.localdate()},
    )
