"""Complaint exports as background jobs (core.exports): progress, notification, only the requester
downloads, the file's rows are the list's rows, the file expires. Tasks run eagerly after commit."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from complaints import exports as complaint_exports
from complaints.models import Complaint
from complaints.tests import factories as f
from core import exports, schedules, tasks
from core.models import ExportJob, ExportLog, Notification, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_threshold(settings):
    """Every export of more than two rows becomes a job."""
    settings.LINLI_EXPORT_SYNC_MAX_ROWS = 2


@pytest.fixture
def complaints(world):
    made = [f.complaint(world, description=f"福炼{i}号楼") for i in range(3)]
    made.append(f.complaint(world, description="已签收的", status="accepted"))
    made.append(f.complaint(world, compound=world.tianma, description="天马的事"))
    made.append(f.complaint(world, compound=world.tianma, description="天马办结", status="resolved"))
    return made


def _start(client, django_capture_on_commit_callbacks, path="/complaints/export.xlsx", params=None):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(path, params or {})
    assert response.status_code == 302, response.status_code
    job = ExportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    return response, job


def _xlsx_numbers(content: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def _api_numbers(api, user, params: dict) -> list[str]:
    client = api.as_user(user)
    numbers, url = [], "/api/v1/complaints/"
    query = dict(params)
    while url:
        body = client.get(url, query).json()
        numbers += [r["number"] for r in body["results"]]
        url, query = body["next"], {}
    return numbers


def test_large_export_becomes_a_job_that_notifies_the_owner_and_is_logged(
    world, complaints, client, small_threshold, django_capture_on_commit_callbacks
):
    client.force_login(world.district)
    response, job = _start(client, django_capture_on_commit_callbacks, params={"status": "dispatched"})
    assert response["Location"] == f"/downloads/{job.pk}/"
    job.refresh_from_db()
    assert (job.owner, job.kind, job.format, job.status) == (world.district, "complaints", "xlsx", ExportJob.Status.DONE)
    assert (job.total_rows, job.rows_done, job.params) == (4, 4, {"status": ["dispatched"]})
    assert job.expires_at - job.finished_at == dt.timedelta(hours=24)
    note = Notification.objects.get(user=world.district, kind=exports.NOTIFICATION_KIND)
    assert note.url == f"/downloads/{job.pk}/" and job.filename in note.title
    entry = ExportLog.objects.get()
    assert (entry.username, entry.what, entry.rows, entry.params) == ("district", "complaints.xlsx", 4, {"status": "dispatched"})
    page = client.get(f"/downloads/{job.pk}/").content.decode()
    assert f"/downloads/{job.pk}/file" in page and '<span id="export-rows">4</span> / 4 (100%)' in page


def test_small_export_still_answers_at_once_and_is_logged(world, complaints, client):
    client.force_login(world.district)
    response = client.get("/complaints/export.xlsx", {"q": "天马"})
    assert response.status_code == 200 and not ExportJob.objects.exists()
    assert len(_xlsx_numbers(response.content)) == 2
    assert ExportLog.objects.get().rows == 2


def test_progress_is_written_while_the_rows_stream(world, complaints, small_threshold, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    seen = []
    real_rows = complaint_exports._rows

    def watched(user, qs, limit):
        for row in real_rows(user, qs, limit):
            job = ExportJob.objects.get()
            seen.append((job.status, job.rows_done, job.total_rows))
            yield row

    monkeypatch.setattr(complaint_exports, "_rows", watched)
    job = exports.export_start(user=world.district, kind="complaints", fmt="csv", params={})
    tasks.run_export(job.pk)  # what the worker runs
    assert seen == [("running", 0, 6), ("running", 0, 6), ("running", 2, 6), ("running", 2, 6), ("running", 4, 6), ("running", 4, 6)]
    job.refresh_from_db()
    assert (job.status, job.rows_done) == ("done", 6)
    assert tasks.run_export(job.pk) == 0  # a duplicate delivery of the task leaves the finished job alone


def test_only_the_requester_downloads_the_file(world, complaints, client, small_threshold, django_capture_on_commit_callbacks):
    client.force_login(world.district)
    _response, job = _start(client, django_capture_on_commit_callbacks)
    own = client.get(f"/downloads/{job.pk}/file")
    assert own.status_code == 200 and own["Content-Disposition"].startswith("attachment")
    assert len(_xlsx_numbers(b"".join(own.streaming_content))) == 6
    for other in (world.town_houlong, world.staff_yifang, world.resident_fulian):
        client.force_login(other)
        assert client.get(f"/downloads/{job.pk}/file").status_code == 404
        assert client.get(f"/downloads/{job.pk}/").status_code == 404
        assert f"/downloads/{job.pk}/" not in client.get("/downloads/").content.decode()
    client.logout()
    assert client.get(f"/downloads/{job.pk}/file").status_code == 302  # to the login page


@pytest.mark.parametrize(
    ("who", "params"),
    [("district", {}), ("district", {"status": "dispatched"}), ("staff_yifang", {}), ("town_jieshan", {"q": "天马"})],
)
def test_the_files_rows_are_the_lists_rows(
    world, complaints, client, api, small_threshold, django_capture_on_commit_callbacks, who, params
):
    user = getattr(world, who)
    expected = _api_numbers(api, user, params)
    client.force_login(user)
    for fmt in ("xlsx", "csv"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(f"/complaints/export.{fmt}", params)
        if response.status_code == 302:  # a job: the file is downloaded from its page
            response = client.get(response["Location"] + "file")
            content = b"".join(response.streaming_content)
        else:  # two rows or fewer: at once
            content = response.content
        if fmt == "xlsx":
            numbers = _xlsx_numbers(content)
        else:
            numbers = [row[0] for row in list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]]
        assert sorted(numbers) == sorted(expected) and len(numbers) == len(set(numbers))
        assert numbers == [c.number for c in Complaint.objects.filter(number__in=numbers).order_by("-made_at", "-id")]


def test_expired_files_are_deleted_by_the_scheduled_cleanup(world, complaints, client, small_threshold, django_capture_on_commit_callbacks):
    assert schedules._DEFAULTS["core.purge_expired_exports"].task == "core.purge_expired_exports"
    client.force_login(world.district)
    _response, job = _start(client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    assert tasks.purge_expired_exports() == 0  # not yet expired
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert tasks.purge_expired_exports() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file and not storage.exists(name)
    assert client.get(f"/downloads/{job.pk}/file").status_code == 404
    assert 'data-status="expired"' in client.get(f"/downloads/{job.pk}/").content.decode()


def test_bad_filters_and_formats_answer_4xx_and_start_nothing(world, complaints, client, small_threshold):
    client.force_login(world.district)
    assert client.get("/complaints/export.xlsx", {"compound": "not-a-number"}).status_code == 400
    assert client.get("/complaints/export.pdf").status_code == 404
    assert not ExportJob.objects.exists() and not ExportLog.objects.exists()


def test_a_failed_job_says_so(world, complaints, small_threshold, monkeypatch):
    def broken(user, qs, limit):
        raise RuntimeError("disk full")
        yield

    monkeypatch.setattr(complaint_exports, "_rows", broken)
    job = exports.export_start(user=world.district, kind="complaints", fmt="xlsx", params={})
    with pytest.raises(RuntimeError):
        tasks.run_export(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportJob.Status.FAILED, "disk full")
    assert not Notification.objects.filter(kind=exports.NOTIFICATION_KIND).exists() and not ExportLog.objects.exists()


def test_complaints_workbook_has_real_dates_widths_and_a_frozen_header(world, client):
    c = f.complaint(world, description="路灯不亮")
    client.force_login(world.district)
    sheet = load_workbook(io.BytesIO(client.get("/complaints/export.xlsx").content)).active
    header = [cell.value for cell in sheet[1]]
    made, sign_by = sheet.cell(row=2, column=header.index("投诉时间") + 1), sheet.cell(row=2, column=header.index("签收期限") + 1)
    assert made.is_date and made.number_format == "yyyy-mm-dd hh:mm"
    assert abs(made.value - timezone.localtime(c.made_at).replace(tzinfo=None)) < dt.timedelta(milliseconds=2)  # local, tz-naive
    assert sign_by.is_date and sign_by.number_format == "yyyy-mm-dd hh:mm"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 20 and sheet.column_dimensions["J"].width == 50


def test_admin_lists_jobs_read_only_without_the_file(world, complaints, client, small_threshold, django_capture_on_commit_callbacks):
    client.force_login(world.district)
    _response, job = _start(client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    admin = User.objects.create_superuser("root", "root@example.cn", "x")
    client.force_login(admin)
    assert client.get("/admin/core/exportjob/").status_code == 200
    page = client.get(f"/admin/core/exportjob/{job.pk}/change/").content.decode()
    assert job.file.name not in page
    assert client.get("/admin/core/exportjob/add/").status_code == 403


def test_a_job_left_queued_is_queued_again_from_its_page_by_its_owner_only(world, complaints, client, django_capture_on_commit_callbacks):
    job = exports.export_start(user=world.district, kind="complaints", fmt="csv", params={})  # its enqueue never ran
    client.force_login(world.town_houlong)
    assert client.post(f"/downloads/{job.pk}/queue/").status_code == 404
    client.force_login(world.district)
    assert "重新排队" in client.get(f"/downloads/{job.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/downloads/{job.pk}/queue/").status_code == 302
    job.refresh_from_db()
    assert (job.status, job.rows_done) == (ExportJob.Status.DONE, 6)
