"""Portal pages of the export jobs (core.exports), mounted at /downloads/: the user's own jobs only.

Anyone else's job answers 404, the page and the file alike (SPEC §3: no leak of existence).
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import exports, xlsx
from core.models import ExportJob


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(exports.exports_of(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/export_list.html", {"page": page})


@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress (the page refreshes itself while it runs) and, once ready, the download link."""
    job = get_object_or_404(exports.exports_of(request.user), pk=pk)
    return render(request, "core/export_job.html", {"job": job, "keep_hours": exports.keep_hours()})


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(exports.exports_of(request.user), pk=pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    response = FileResponse(job.file.open("rb"), content_type=exports.content_type(job.format))
    response["Content-Disposition"] = xlsx.content_disposition(job.filename or job.file.name.rsplit("/", 1)[-1])
    return response


@login_required
@require_POST
def export_requeue(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(exports.exports_of(request.user), pk=pk)
    exports.export_requeue(job=job)
    return redirect("export_job", pk=job.pk)
