"""Portal pages: inspections and rectification for officials, lists and reports for companies.

Views parse the form, call one service or selector and render; every queryset starts from a selector
(out of scope → 404). Domain errors become a message on the page the user came from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

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
from core.errors import DomainError, ScopeError
from core.uploads import InvalidUpload
from inspections import selectors, services
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
    """Run a service; turn a domain error into a message (404 for scope). Returns success."""
    try:
        fn()
    except ScopeError as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    except InvalidUpload as exc:
        messages.error(request, exc.message)
        return False
    if ok_message:
        messages.success(request, ok_message)
    return True


def _date(value: str | None) -> date | None:
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def _count_of(model) -> Subquery:
    """Rows of `model` per inspection, as a correlated subquery (cheap for one page of inspections)."""
    return Subquery(model.objects.filter(inspection=OuterRef("pk")).order_by().values("inspection").annotate(n=Count("id")).values("n"))


# --- Inspections --------------------------------------------------------------------------------


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    _official_only(request)
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
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    compounds = compounds_visible_to(request.user, roles=["official"]).order_by("name").only("id", "name")
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "statuses": Inspection.Status.choices,
            "compounds": compounds,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def inspection_create(request: HttpRequest) -> HttpResponse:
    _official_only(request)
    compound = request.POST.get("compound", "")
    inspected_on = _date(request.POST.get("inspected_on"))
    if not compound.isdigit() or inspected_on is None:
        messages.error(request, _("Choose a compound and a date."))
        return redirect("inspections:inspection_list")
    created: list[Inspection] = []
    ok = _attempt(
        request,
        lambda: created.append(
            services.inspection_create(
                actor=request.user, compound_id=int(compound), inspected_on=inspected_on, summary=request.POST.get("summary", "")
            )
        ),
    )
    if not ok:
        return redirect("inspections:inspection_list")
    return redirect("inspections:inspection_detail", pk=created[0].pk)


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _official_only(request)
    inspection = get_object_or_404(
        selectors.inspections_visible_to(request.user).select_related(
            "compound__community__subdistrict", "company", "template", "recorded_by"
        ),
        pk=pk,
    )
    scores = {s.item_id: s for s in inspection.scores.all()}
    areas = []
    for area in inspection.template.areas.order_by("order").prefetch_related(
        Prefetch("items", queryset=ChecklistItem.objects.order_by("order"))
    ):
        rows = [(item, scores.get(item.pk)) for item in area.items.all()]
        areas.append((area, rows))
    findings = inspection.findings.select_related("item").prefetch_related("photos").order_by("id")
    listed = set(RectificationList.objects.filter(inspection=inspection).values_list("items__finding_id", flat=True))
    complaints = Complaint.objects.filter(compound=inspection.compound).exclude(status__in=["closed", "rejected"]).order_by("-made_at")[:30]
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "areas": areas,
            "scored": len(scores),
            "item_total": sum(len(rows) for _a, rows in areas),
            "findings": findings,
            "listed": listed,
            "severities": Finding.Severity.choices,
            "lists": inspection.rectification_lists.select_related("company").order_by("-id"),
            "complaints": complaints,
            "current_company": inspection.compound.current_company,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def inspection_scores(request: HttpRequest, pk: int) -> HttpResponse:
    _official_only(request)
    rows = []
    for key, value in request.POST.items():
        if not key.startswith("score_") or not value.strip():
            continue
        item_id = key.removeprefix("score_")
        try:
            score = Decimal(value.strip())
        except InvalidOperation:
            messages.error(request, _("Scores must be numbers."))
            return redirect("inspections:inspection_detail", pk=pk)
        if item_id.isdigit():
            rows.append(services.ScoreInput(item_id=int(item_id), score=score, note=request.POST.get(f"note_{item_id}", "")))
    _attempt(
        request,
        lambda: services.inspection_scores_set(actor=request.user, inspection_id=pk, scores=rows),
        ok_message=_("Scores saved."),
    )
    return redirect("inspections:inspection_detail", pk=pk)


@login_required
@require_POST
def inspection_finding(request: HttpRequest, pk: int) -> HttpResponse:
    _official_only(request)
    item = request.POST.get("item", "")
    if not item.isdigit():
        messages.error(request, _("Choose the checklist item the finding cites."))
        return redirect("inspections:inspection_detail", pk=pk)
    _attempt(
        request,
        lambda: services.finding_add(
            actor=request.user,
            inspection_id=pk,
            item_id=int(item),
            severity=request.POST.get("severity", Finding.Severity.MINOR),
            description=request.POST.get("description", ""),
            location=request.POST.get("location", ""),
            photos=request.FILES.getlist("photos"),
        ),
        ok_message=_("Finding added."),
    )
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
    deadline = _date(request.POST.get("deadline"))
    if deadline is None:
        messages.error(request, _("Give a deadline."))
        return redirect("inspections:inspection_detail", pk=pk)
    findings = [int(v) for v in request.POST.getlist("findings") if v.isdigit()]
    complaints = [int(v) for v in request.POST.getlist("complaints") if v.isdigit()]
    issued: list[RectificationList] = []
    ok = _attempt(
        request,
        lambda: issued.append(
            services.rectification_list_issue(
                actor=request.user,
                inspection_id=pk,
                finding_ids=findings,
                complaint_ids=complaints,
                deadline=deadline,
                requirements=request.POST.get("requirements", ""),
            )
        ),
    )
    if not ok:
        return redirect("inspections:inspection_detail", pk=pk)
    messages.success(request, _("Rectification list %(number)s issued.") % {"number": issued[0].number})
    return redirect("inspections:list_detail", pk=issued[0].pk)


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
    qs = qs.order_by("-issued_at", "-id")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/list_list.html",
        {"page": page, "status": status, "q": q, "statuses": RectificationList.Status.choices, "today": today},
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
    """The company's report form: one block per item with a text field and a camera-ready photo input."""
    rect = _visible_list(request, pk)
    if not selectors.may_report(request.user, rect):
        raise Http404
    items = list(rect.items.order_by("order"))
    if request.method == "POST":
        actions = [
            services.ActionInput(
                item_id=item.pk, action=request.POST.get(f"action_{item.pk}", ""), photos=request.FILES.getlist(f"photos_{item.pk}")
            )
            for item in items
        ]
        ok = _attempt(
            request,
            lambda: services.rectification_report_file(
                actor=request.user, list_id=rect.pk, actions=actions, summary=request.POST.get("summary", "")
            ),
            ok_message=_("Rectification report filed."),
        )
        if ok:
            return redirect("inspections:list_detail", pk=rect.pk)
    last = rect.reports.order_by("-round").first()
    rows = [(item, request.POST.get(f"action_{item.pk}", "")) for item in items]
    return render(request, "inspections/report_form.html", {"rect": rect, "rows": rows, "last": last})


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
    if not (selectors.is_official(request.user) or selectors.company_ids_of_staff(request.user)):
        raise Http404
    start, end = _date(request.GET.get("start")), _date(request.GET.get("end"))
    by_town = selectors.rectification_figures(request.user, by="town", start=start, end=end)
    by_company = selectors.rectification_figures(request.user, by="company", start=start, end=end)
    return render(
        request,
        "inspections/figures.html",
        {"by_town": by_town, "by_company": by_company, "start": start, "end": end, "today": timezone.localdate()},
    )
