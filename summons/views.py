"""Portal pages: officials record summonses and review answers; the summoned party answers with evidence.

Views parse the form, call one service or selector and render; every queryset starts from a selector
(out of scope → 404). Domain errors become a message on the page the user came from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities import selectors as places
from core.errors import DomainError, ScopeError
from core.uploads import InvalidUpload
from ratings import indicators
from summons import selectors, services
from summons.models import Commitment, Evidence, Summons

COMMITMENT_ROWS = 6


def _attempt(request: HttpRequest, fn: Callable[[], object], *, ok_message: str = "") -> object | None:
    """Run a service; a domain error becomes a message (404 for scope). Returns the result, None on failure."""
    try:
        result = fn()
    except ScopeError as exc:
        raise Http404 from exc
    except (DomainError, InvalidUpload) as exc:
        messages.error(request, exc.message)
        return None
    if ok_message:
        messages.success(request, ok_message)
    return result


def _date(value: str | None) -> date | None:
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def _ids(value: str) -> list[int]:
    return [int(v) for v in value.replace("，", ",").split(",") if v.strip().isdigit()]


@login_required
def summons_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.summonses_visible_to(request.user)
    today = timezone.localdate()
    if request.GET.get("overdue") == "1":
        qs = qs.filter(pk__in=Commitment.objects.overdue(today).values("summons_id"))
    waiting = request.GET.get("waiting")
    if waiting == "review":
        qs = qs.filter(
            pk__in=Commitment.objects.filter(selectors.reviewable_q(request.user), status=Commitment.Status.ANSWERED).values("summons_id")
        )
    elif waiting == "answer":
        open_ = Q(status__in=[Commitment.Status.OPEN, Commitment.Status.RETURNED])
        qs = qs.filter(pk__in=Commitment.objects.filter(selectors.answerable_q(request.user), open_).values("summons_id"))
    qs = selectors.with_progress(qs.select_related("company", "subdistrict"), today).order_by("-held_on", "-id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "summons/list.html",
        {"page": page, "may_record": selectors.may_record(request.user), "overdue": request.GET.get("overdue") == "1", "waiting": waiting},
    )


def _commitment_inputs(request: HttpRequest) -> list[services.CommitmentInput]:
    out = []
    for n in range(1, COMMITMENT_ROWS + 1):
        text = request.POST.get(f"commitment_{n}", "").strip()
        deadline = _date(request.POST.get(f"deadline_{n}"))
        if text or deadline:
            if deadline is None:
                raise DomainError(_("Commitment %(n)d has no deadline.") % {"n": n}, field="commitments")
            out.append(services.CommitmentInput(text, deadline))
    return out


@login_required
def summons_new(request: HttpRequest) -> HttpResponse:
    if not selectors.may_record(request.user):
        raise Http404
    if request.method == "POST":
        p = request.POST
        held_on = _date(p.get("held_on"))
        month = _date(f"{p.get('figure_month', '')}-01") if p.get("figure_month") else None

        def record():
            if held_on is None:
                raise DomainError(_("Give the date of the summons."), field="held_on")
            return services.summons_record(
                actor=request.user,
                subject=p.get("subject", ""),
                company_id=int(p["company"]) if p.get("company", "").isdigit() else None,
                subdistrict_id=int(p["subdistrict"]) if p.get("subdistrict", "").isdigit() else None,
                held_on=held_on,
                venue=p.get("venue", ""),
                reason=p.get("reason", ""),
                attendees=p.get("attendees", ""),
                commitments=_commitment_inputs(request),
                complaint_ids=_ids(p.get("complaints", "")),
                rectification_list_ids=_ids(p.get("rectification_lists", "")),
                figure_keys=p.getlist("figures"),
                figure_month=month,
            )

        summons = _attempt(request, record, ok_message=_("Summons recorded."))
        if summons is not None:
            return redirect("summons:detail", pk=summons.pk)
        status = 400
    else:
        status = 200
    return render(
        request,
        "summons/form.html",
        {
            "towns": places.subdistricts_in_official_area(request.user).order_by("id"),
            "companies": places.companies_visible_to(request.user).order_by("name"),
            "subjects": Summons.Subject.choices,
            "figures": [(k, indicators.get(k).label(month=True)) for k in services.CITABLE],
            "rows": range(1, COMMITMENT_ROWS + 1),
            "form": request.POST,
        },
        status=status,
    )


@login_required
def summons_detail(request: HttpRequest, pk: int) -> HttpResponse:
    summons = selectors.summons_get(request.user, pk)
    if summons is None:
        raise Http404
    today = timezone.localdate()
    commitments = list(summons.commitments.select_related("answered_by", "reviewed_by").prefetch_related("evidence"))
    for c in commitments:
        c.overdue = c.is_overdue(today)
    return render(
        request,
        "summons/detail.html",
        {
            "summons": summons,
            "commitments": commitments,
            "complaints": summons.complaints.select_related("compound", "category").order_by("made_at"),
            "lists": summons.rectification_lists.select_related("compound").order_by("issued_at"),
            "may_answer": selectors.may_answer(request.user, summons),
            "may_review": selectors.may_review(request.user, summons),
        },
    )


@login_required
@require_POST
def commitment_answer(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.commitments_visible_to(request.user).filter(pk=pk).first()
    if commitment is None:
        raise Http404
    _attempt(
        request,
        lambda: services.commitment_answer(
            actor=request.user, commitment_id=pk, answer=request.POST.get("answer", ""), files=request.FILES.getlist("files")
        ),
        ok_message=_("Answer filed."),
    )
    return redirect("summons:detail", pk=commitment.summons_id)


@login_required
@require_POST
def commitment_review(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.commitments_visible_to(request.user).filter(pk=pk).first()
    if commitment is None:
        raise Http404
    _attempt(
        request,
        lambda: services.commitment_review(
            actor=request.user, commitment_id=pk, decision=request.POST.get("decision", ""), comment=request.POST.get("comment", "")
        ),
        ok_message=_("Review saved."),
    )
    return redirect("summons:detail", pk=commitment.summons_id)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file, only to those who may read its summons."""
    evidence = Evidence.objects.filter(pk=pk, commitment__in=selectors.commitments_visible_to(request.user)).first()
    if evidence is None:
        raise Http404
    return FileResponse(evidence.image.open("rb"))
