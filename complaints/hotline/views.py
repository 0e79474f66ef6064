"""Portal pages of the 12345 import: upload with the batch list, and one batch's per-row report."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.selectors import has_role
from complaints.hotline import report, service
from complaints.models import HotlineImport, HotlineImportRow
from core import errors, privacy


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("12345 export (CSV or Excel)"))


def _officials_only(request: HttpRequest) -> None:
    # Out of scope reads as "not here", as everywhere else in the portal.
    if not (request.user.is_superuser or has_role(request.user, "official")):
        raise Http404


@login_required
def hotline_import(request: HttpRequest) -> HttpResponse:
    _officials_only(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = service.hotline_import_create(file=form.cleaned_data["file"], uploaded_by=request.user)
        except errors.DomainError as exc:
            form.add_error("file", exc.message)
        else:
            if batch.status == HotlineImport.Status.DONE:
                messages.success(
                    request,
                    _("Imported %(imported)d, already imported %(duplicates)d, refused %(refused)d.")
                    % {"imported": batch.imported, "duplicates": batch.duplicates, "refused": batch.refused},
                )
            else:
                messages.info(request, _("The file is being imported in the background; this page shows its progress."))
            return redirect("complaints:hotline_import_detail", pk=batch.pk)
    page = Paginator(service.hotline_imports_visible_to(request.user).select_related("uploaded_by"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/hotline_import.html",
        {"form": form, "page": page, "columns": list(service.iter_expected_columns()), "threshold": service.ASYNC_THRESHOLD},
    )


@login_required
def hotline_import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    _officials_only(request)
    batch = get_object_or_404(service.hotline_imports_visible_to(request.user), pk=pk)
    if request.method == "POST" and service.hotline_import_requeue(batch=batch):
        messages.info(request, _("The import was queued again."))
    return redirect("complaints:hotline_import_detail", pk=batch.pk)


@login_required
def hotline_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _officials_only(request)
    batch = get_object_or_404(service.hotline_imports_visible_to(request.user), pk=pk)
    rows = service.hotline_import_rows(batch)
    outcome = request.GET.get("outcome", "")
    if outcome in HotlineImportRow.Outcome.values:
        rows = rows.filter(outcome=outcome)
    if request.GET.get("export") == "xlsx":
        privacy.log_export(user=request.user, what="hotline.report.xlsx", rows=rows.count(), params=request.GET, request=request)
        return report.batch_report_response(batch=batch, rows=rows)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    running = batch.status in (HotlineImport.Status.QUEUED, HotlineImport.Status.RUNNING)
    percent = round(100 * batch.processed_rows / batch.total_rows) if batch.total_rows else 0
    return render(
        request,
        "complaints/hotline_import_detail.html",
        {
            "batch": batch,
            "page": page,
            "outcome": outcome,
            "outcomes": HotlineImportRow.Outcome.choices,
            "running": running,
            "percent": percent,
        },
    )
