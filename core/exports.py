"""Large exports as background jobs: a request starts a job, a Celery task streams the rows into a file.

An app declares what it exports in `AppConfig.ready()` (core names none of them):

    exports.register(exports.ExportKind(key="orders", title=_("Orders"), source=orders_export_source))

where `source(user, params)` returns a `Source`: the typed columns, a count and a generator of rows,
already scoped to `user` and filtered by `params` (the request's query string). The portal's export
view calls `export_respond`: below `SYNC_MAX_ROWS` rows the file is written at once and downloaded;
above it an `ExportJob` is queued and the user is sent to its page, which shows the progress. The task
(`core.tasks.run_export`) writes the file in constant memory (openpyxl's write-only mode, CSV row by
row to disk, the rows read with `.iterator(chunk_size=…)`), records the progress every chunk, logs the
export (PIPL, core.privacy) and notifies the owner. The file is downloadable by its owner alone and
deleted after `EXPORT_KEEP_HOURS` by `core.purge_expired_exports`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core import errors, privacy, xlsx
from core.models import ExportJob, User

log = logging.getLogger(__name__)

CHUNK_ROWS = 2000  # rows read per query and written between two progress updates
FORMATS = ("xlsx", "csv")
NOTIFICATION_KIND = "export_ready"


def sync_max_rows() -> int:
    """Exports of at most this many rows are written inside the request; larger ones become jobs."""
    return int(getattr(settings, "LINLI_EXPORT_SYNC_MAX_ROWS", 5000))


def keep_hours() -> int:
    return int(getattr(settings, "LINLI_EXPORT_KEEP_HOURS", 24))


def max_rows() -> int:
    # An .xlsx sheet holds 1,048,576 rows; one header row.
    return int(getattr(settings, "LINLI_EXPORT_MAX_ROWS", 1_000_000))


@dataclass
class Source:
    """What one export writes: typed columns, how many rows (at most `limit`), and the first `limit` rows
    (the limit belongs in the query: a sorted read of a whole area stops early only with a LIMIT)."""

    columns: list[xlsx.Col]
    count: Callable[[int | None], int]
    rows: Callable[[int], Iterator[Sequence[Any]]]
    sheet: str


@dataclass(frozen=True)
class ExportKind:
    key: str
    title: str | Promise
    source: Callable[[User, QueryDict], Source]
    formats: tuple[str, ...] = FORMATS


_KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> None:
    _KINDS[kind.key] = kind


def kind_get(key: str) -> ExportKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise errors.ScopeError(_("No such export.")) from None


def _query(params: Mapping[str, Any] | QueryDict) -> QueryDict:
    if isinstance(params, QueryDict):
        return params
    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, values if isinstance(values, list) else [values])
    return query


def _params_of(query: QueryDict) -> dict[str, list[str]]:
    return {key: query.getlist(key) for key in query if key not in ("page", "cursor")}


# --- Writing ------------------------------------------------------------------------------------------


def _csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(xlsx.local_zone()) if value.tzinfo is not None else value
        return value.strftime("%Y-%m-%d" if kind == xlsx.DATE else "%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m" if kind == xlsx.MONTH else "%Y-%m-%d")
    if kind == xlsx.PERCENT:
        return f"{Decimal(str(value)):.2f}%"
    return value


def write(source: Source, fmt: str, out: io.IOBase, *, limit: int, progress: Callable[[int], None] | None = None) -> int:
    """Stream at most `limit` rows of `source` into the binary file `out` as `fmt`. Returns the rows written.

    Constant memory: rows come from a generator (the selectors read with `.iterator()`), the workbook
    is write-only and CSV goes straight to the file. `progress(n)` is called every CHUNK_ROWS rows.
    """
    written = 0
    kinds = [c.kind for c in source.columns]
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")  # the BOM lets Excel read the Chinese
        writer = csv.writer(text)
        writer.writerow([str(c.header) for c in source.columns])
        for row in source.rows(limit):
            if written >= limit:
                break
            writer.writerow([_csv_value(v, k) for v, k in zip(row, kinds, strict=False)])
            written += 1
            if progress and written % CHUNK_ROWS == 0:
                progress(written)
        text.flush()
        text.detach()
        return written
    book = xlsx.workbook()
    sheet = xlsx.Sheet(book, source.sheet, source.columns)
    try:
        for row in source.rows(limit):
            if written >= limit:
                break
            sheet.append(row)
            written += 1
            if progress and written % CHUNK_ROWS == 0:
                progress(written)
    except BaseException:
        sheet.sheet.close()  # the write-only sheet's temporary file, before the error goes up
        raise
    book.save(out)
    return written


def _filename(kind: ExportKind, fmt: str) -> str:
    return f"{kind.key}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{fmt}"


def content_type(fmt: str) -> str:
    return xlsx.CONTENT_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"


# --- Requests -----------------------------------------------------------------------------------------


def export_respond(request: HttpRequest, *, kind: str, fmt: str) -> HttpResponse:
    """The portal's export view: a small export downloads at once, a large one becomes a job (redirect to it).

    An unknown kind or format answers 404, filters a source refuses 400. Every export is logged (PIPL): a small
    one here, a job when its file is written (with the address of this request).
    """
    try:
        export_kind = kind_get(kind)
        if fmt not in export_kind.formats:
            raise errors.ScopeError(_("No such export."))
        source = export_kind.source(request.user, request.GET)
    except errors.ScopeError as exc:
        raise Http404 from exc
    except errors.ValidationError as exc:
        return HttpResponseBadRequest(exc.message)
    threshold = sync_max_rows()
    # A count capped just above the threshold: cheap whatever the size of the area.
    if source.count(threshold + 1) > threshold:
        job = export_start(user=request.user, kind=kind, fmt=fmt, params=request.GET, ip_address=privacy.client_ip(request))
        return redirect("export_job", pk=job.pk)
    buffer = io.BytesIO()
    rows = write(source, fmt, buffer, limit=threshold)
    privacy.log_export(user=request.user, what=f"{kind}.{fmt}", rows=rows, params=request.GET, request=request)
    response = HttpResponse(buffer.getvalue(), content_type=content_type(fmt))
    response["Content-Disposition"] = xlsx.content_disposition(_filename(export_kind, fmt))
    return response


def export_start(*, user: User, kind: str, fmt: str, params: Mapping[str, Any] | QueryDict, ip_address: str | None = None) -> ExportJob:
    """Queue an export job for `user` and enqueue its task after commit. Raises ScopeError for an unknown kind/format."""
    export_kind = kind_get(kind)
    if fmt not in export_kind.formats:
        raise errors.ScopeError(_("No such export."))
    job = ExportJob.objects.create(owner=user, kind=kind, format=fmt, params=_params_of(_query(params)), ip_address=ip_address)
    from core import tasks

    transaction.on_commit(lambda: _enqueue(tasks.run_export, job.pk))
    return job


def _enqueue(task, job_id: int) -> None:
    try:
        task.delay(job_id)
    except Exception:  # broker down: the job stays queued; its page offers to queue it again
        log.warning("broker unavailable; export job %s stays queued", job_id)


def export_requeue(*, job: ExportJob) -> bool:
    """Enqueue a job that is still queued (its first enqueue was lost). Returns whether it was queued."""
    if job.status != ExportJob.Status.QUEUED:
        return False
    from core import tasks

    transaction.on_commit(lambda: _enqueue(tasks.run_export, job.pk))
    return True


def export_run(*, job_id: int) -> ExportJob | None:
    """Write the job's file (the task's body). Idempotent: only a queued job is claimed and run.

    Side effects: the job's progress and status, the file in the private export storage, an
    ExportLog row (PIPL) and a notification to the owner once the file is ready.
    """
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(status=ExportJob.Status.RUNNING)
    if not claimed:
        return None
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    export_kind = kind_get(job.kind)
    try:
        source = export_kind.source(job.owner, _query(job.params))
        limit = max_rows()
        total = source.count(limit)
        ExportJob.objects.filter(pk=job.pk).update(total_rows=total)

        def progress(n: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=n)

        filename = _filename(export_kind, job.format)
        with tempfile.TemporaryFile(dir=_tmp_dir()) as tmp:
            rows = write(source, job.format, tmp, limit=limit, progress=progress)
            tmp.seek(0)
            job.file.save(filename, File(tmp), save=False)
    except Exception as exc:
        log.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now())
        raise
    now = timezone.now()
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE,
            file=job.file.name,
            filename=filename,
            rows_done=rows,
            total_rows=rows,
            finished_at=now,
            expires_at=now + dt.timedelta(hours=keep_hours()),
        )
        privacy.log_export(user=job.owner, what=f"{job.kind}.{job.format}", rows=rows, params=_query(job.params), ip_address=job.ip_address)
        from core.notifications import notify

        notify(
            users=[job.owner],
            kind=NOTIFICATION_KIND,
            title=_("Your export is ready: %(name)s") % {"name": filename},
            body=_("%(rows)d rows. The file is kept until %(until)s.")
            % {"rows": rows, "until": timezone.localtime(now + dt.timedelta(hours=keep_hours())).strftime("%Y-%m-%d %H:%M")},
            url=reverse("export_job", args=[job.pk]),
        )
    job.refresh_from_db()
    return job


def _tmp_dir() -> str:
    root = settings.LINLI_EXPORT_ROOT
    root.mkdir(parents=True, exist_ok=True)
    return str(root)


def exports_of(user: User) -> Any:
    """The user's own export jobs (nobody sees anyone else's)."""
    if not getattr(user, "is_authenticated", False):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(owner=user)


def export_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the files of finished jobs past their expiry and mark the jobs expired. Returns how many."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now).iterator(chunk_size=500):
        if job.file:
            job.file.delete(save=False)
        purged += ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(status=ExportJob.Status.EXPIRED, file="")
    return purged
