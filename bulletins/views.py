"""Portal pages: the bulletins an official may read, one bulletin (HTML, PDF, Excel), regenerating a draft and publishing.

Every queryset starts from `bulletins_visible_to` (out of scope → 404); domain errors become messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bulletins import documents, selectors, services
from bulletins.models import Bulletin
from core.errors import DomainError, ScopeError
from core.privacy import log_export
from core.xlsx import CONTENT_TYPE as XLSX


def _get(request: HttpRequest, pk: int) -> Bulletin:
    bulletin = selectors.bulletins_visible_to(request.user).select_related("district", "subdistrict", "published_by").filter(pk=pk).first()
    if bulletin is None:
        raise Http404
    return bulletin


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    qs = (
        selectors.bulletins_visible_to(request.user).select_related("district", "subdistrict").order_by("-month", "level", "subdistrict_id")
    )
    return render(request, "bulletins/list.html", {"page": Paginator(qs, 50).get_page(request.GET.get("page"))})


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get(request, pk)
    return render(
        request,
        "bulletins/detail.html",
        {"bulletin": bulletin, "body": documents.as_html(bulletin), "may_publish": selectors.may_publish(request.user, bulletin)},
    )


def _filename(bulletin: Bulletin, ext: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(f'{bulletin.area_name}-{bulletin.month:%Y-%m}-月度通报.{ext}')}"


@login_required
def bulletin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get(request, pk)
    response = HttpResponse(documents.as_pdf(bulletin), content_type="application/pdf")
    response["Content-Disposition"] = _filename(bulletin, "pdf")
    return response


@login_required
def bulletin_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get(request, pk)
    log_export(user=request.user, what="bulletin", rows=1, params={"bulletin": bulletin.pk})
    response = HttpResponse(documents.as_xlsx(bulletin), content_type=XLSX)
    response["Content-Disposition"] = _filename(bulletin, "xlsx")
    return response


def _attempt(request: HttpRequest, fn, ok: str) -> None:
    try:
        fn()
    except ScopeError as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)


@login_required
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get(request, pk)
    _attempt(request, lambda: services.bulletin_publish(actor=request.user, bulletin_id=bulletin.pk), _("Bulletin published."))
    return redirect("bulletins:detail", pk=bulletin.pk)


@login_required
@require_POST
def bulletin_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get(request, pk)
    if not selectors.may_publish(request.user, bulletin):
        raise Http404

    def regenerate():
        services.bulletin_generate(area=selectors.area_of(bulletin), month=bulletin.month)

    _attempt(request, regenerate, _("Bulletin regenerated from the latest figures."))
    return redirect("bulletins:detail", pk=bulletin.pk)
