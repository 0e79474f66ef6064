"""Personal information (PIPL): masking, the export log, a resident's own data and its erasure."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from complaints.models import Category, Complaint, ComplaintEvent
from core.models import ExportLog, Notification, User
from core.privacy import log_export, mask_email, mask_name, mask_phone

pytestmark = pytest.mark.django_db


# --- Masking ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("+86 138-1234-1234", "138****1234"),
        ("0595-87654321", "059*****4321"),
        ("12345", "***45"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_keeps_only_the_ends(raw, masked):
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"), [("王红", "王*"), ("欧阳娜娜", "欧***"), ("李", "*"), ("Wang Hong", "W*** H***"), ("", ""), (None, "")]
)
def test_mask_name_keeps_the_surname_only(raw, masked):
    assert mask_name(raw) == masked


def test_mask_email_keeps_the_first_letter_and_the_domain():
    assert mask_email("wanghong@example.com") == "w*******@example.com"


# --- Export log ------------------------------------------------------------------------------------


def test_log_export_records_who_what_rows_and_filters(world, rf):
    request = rf.get("/complaints/export/?status=closed&compound=3", REMOTE_ADDR="10.1.2.3")
    entry = log_export(user=world.district, what="complaints.xlsx", rows=42, params=request.GET, request=request)
    entry.refresh_from_db()
    assert (entry.user, entry.username, entry.what, entry.rows) == (world.district, "district", "complaints.xlsx", 42)
    assert entry.params == {"status": "closed", "compound": "3"}
    assert entry.ip_address == "10.1.2.3"
    assert entry.at is not None


def test_export_log_keeps_the_username_after_the_account_is_gone(world):
    log_export(user=world.town_houlong, what="owners", rows=3, params={"compound": world.fulian})
    world.town_houlong.delete()
    entry = ExportLog.objects.get()
    assert entry.user is None and entry.username == "town_houlong"
    assert entry.params == {"compound": world.fulian.pk}


def test_district_official_reads_every_export_on_the_portal_page(world, client):
    log_export(user=world.town_houlong, what="complaints.xlsx", rows=7, params={"status": "closed"})
    client.force_login(world.district)
    response = client.get("/exports/log/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "town_houlong" in body and "complaints.xlsx" in body and "status=closed" in body


def test_town_official_reads_only_their_own_exports(world, client):
    log_export(user=world.district, what="district-wide.xlsx", rows=100)
    log_export(user=world.town_houlong, what="houlong.xlsx", rows=5)
    client.force_login(world.town_houlong)
    body = client.get("/exports/log/").content.decode()
    assert "houlong.xlsx" in body and "district-wide.xlsx" not in body


@pytest.mark.parametrize("who", ["resident_fulian", "staff_yifang", "committee_fulian", "mediator_shanyao"])
def test_export_log_page_is_404_for_non_officials(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get("/exports/log/").status_code == 404


def test_export_log_is_read_only_in_the_admin(world, client):
    admin = User.objects.create_superuser("root", "root@example.com", "x")
    entry = log_export(user=world.district, what="x", rows=1)
    client.force_login(admin)
    assert client.get("/admin/core/exportlog/").status_code == 200
    assert client.get("/admin/core/exportlog/add/").status_code == 403
    assert client.post(f"/admin/core/exportlog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ExportLog.objects.filter(pk=entry.pk).exists()


# --- A resident's own data -------------------------------------------------------------------------


@pytest.fixture
def category(db):
    return Category.objects.get_or_create(code="test-sanitation", defaults={"name_zh": "环境卫生", "name_en": "Sanitation"})[0]


def _complaint(world, category, reporter, compound, number, **extra):
    return Complaint.objects.create(
        number=number,
        compound=compound,
        category=category,
        description="楼道垃圾三天没人清理",
        reporter=reporter,
        reporter_name=reporter.display_name,
        reporter_phone=reporter.phone,
        made_at=timezone.now() - timedelta(days=1),
        **extra,
    )


def test_resident_sees_their_account_units_and_complaints_but_nobody_elses(world, api, category):
    _complaint(world, category, world.resident_fulian, world.fulian, "T-1")
    _complaint(world, category, world.resident_tianma, world.tianma, "T-2")
    Notification.objects.create(user=world.resident_fulian, kind="test", title="您的投诉已受理")
    data = api.as_user(world.resident_fulian).get("/api/v1/me/data/").json()
    assert data["account"]["username"] == "resident_fulian"
    assert data["account"]["phone"] == "13905951234"
    assert [u["compound"] for u in data["units"]] == ["福炼小区"]
    assert [c["number"] for c in data["complaints"]] == ["T-1"]
    assert data["complaints"][0]["reporter_phone"] == "13905951234"
    assert [n["title"] for n in data["notifications"]] == ["您的投诉已受理"]
    assert "李明" not in str(data) and "13905950000" not in str(data)


def test_my_data_requires_authentication():
    assert APIClient().get("/api/v1/me/data/").status_code == 401


def test_resident_erases_their_account_and_complaints_keep_their_substance(world, category):
    complaint = _complaint(world, category, world.resident_fulian, world.fulian, "T-3")
    ComplaintEvent.objects.create(complaint=complaint, kind="create", actor=world.resident_fulian, to_status="submitted")
    Notification.objects.create(user=world.resident_fulian, kind="test", title="x")
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": "resident_fulian", "password": world.password}, format="json").json()["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = client.delete("/api/v1/me/", HTTP_X_CONFIRM_PASSWORD=world.password)

    assert response.status_code == 204
    user = User.objects.get(pk=world.resident_fulian.pk)
    assert not user.is_active and not user.has_usable_password()
    assert user.username.startswith("deleted-")
    assert (user.display_name, user.phone, user.email) == ("", "", "")
    complaint.refresh_from_db()
    assert (complaint.reporter_name, complaint.reporter_phone) == ("", "")
    assert complaint.description == "楼道垃圾三天没人清理" and complaint.compound == world.fulian and complaint.category == category
    assert not Notification.objects.filter(user=user).exists()
    assert not user.roles.filter(is_active=True).exists()
    # The old token no longer works and the old credentials sign nobody in.
    assert client.get("/api/v1/me/").status_code == 401
    fresh = APIClient().post("/api/v1/auth/token/", {"username": "resident_fulian", "password": world.password}, format="json")
    assert fresh.status_code == 401


def test_erasure_needs_the_current_password(world, api):
    client = api.as_user(world.resident_fulian)
    assert client.delete("/api/v1/me/").status_code == 400
    response = client.delete("/api/v1/me/", HTTP_X_CONFIRM_PASSWORD="wrong")
    assert response.status_code == 400 and "X-Confirm-Password" in response.json()
    assert User.objects.get(pk=world.resident_fulian.pk).is_active


@pytest.mark.parametrize("who", ["district", "staff_yifang", "committee_fulian", "mediator_shanyao"])
def test_role_holders_cannot_erase_their_own_accounts(world, api, who):
    user = getattr(world, who)
    response = api.as_user(user).delete("/api/v1/me/", HTTP_X_CONFIRM_PASSWORD=world.password)
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.is_active and user.username == who


# --- Audit trail -------------------------------------------------------------------------------------


def test_official_sees_complaint_events_of_their_area_only(world, client, category):
    fulian = _complaint(world, category, world.resident_fulian, world.fulian, "T-10")
    tianma = _complaint(world, category, world.resident_tianma, world.tianma, "T-11")
    ComplaintEvent.objects.create(complaint=fulian, kind="accept", actor=world.staff_yifang, from_status="dispatched", to_status="accepted")
    ComplaintEvent.objects.create(
        complaint=tianma, kind="accept", actor=world.staff_yijiayuan, from_status="dispatched", to_status="accepted"
    )
    client.force_login(world.community_fulian)
    body = client.get("/audit/").content.decode()
    assert "T-10" in body and "staff_yifang" in body
    assert "T-11" not in body and "staff_yijiayuan" not in body
    client.force_login(world.district)
    body = client.get("/audit/").content.decode()
    assert "T-10" in body and "T-11" in body


@pytest.mark.parametrize("who", ["resident_fulian", "staff_yifang", "committee_fulian", "mediator_houlong"])
def test_audit_page_is_404_for_non_officials(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get("/audit/").status_code == 404


def test_official_sees_history_of_committees_in_their_area_with_what_changed(world, client):
    import datetime as dt

    from committees.models import Committee

    mine = Committee.objects.create(compound=world.fulian, term_start=dt.date(2026, 1, 1), term_end=dt.date(2030, 12, 31))
    Committee.objects.create(compound=world.tianma, term_start=dt.date(2026, 2, 1), term_end=dt.date(2030, 12, 31))
    mine.status = Committee.Status.ACTIVE
    mine.save()
    client.force_login(world.community_fulian)
    body = client.get("/audit/", {"source": "committees.committee"}).content.decode()
    rows = [line for line in body.splitlines() if "<tr><td>20" in line]
    assert len(rows) == 2  # created, then changed: both of 福炼小区's committee only
    assert "修改" in rows[0] and "状态" in rows[0]  # the change names the field that changed
    assert "新建" in rows[1]
    client.force_login(world.district)
    body = client.get("/audit/", {"source": "committees.committee"}).content.decode()
    assert len([line for line in body.splitlines() if "<tr><td>20" in line]) == 3


# --- Masking applied: complaint lists and exports ------------------------------------------------


def test_complaint_list_masks_the_reporter_for_staff_but_the_detail_shows_it_to_the_handler(world, api, category):
    c = _complaint(world, category, world.resident_fulian, world.fulian, "T-20", status="dispatched", assigned_company=world.yifang)
    staff = api.as_user(world.staff_yifang)
    row = next(r for r in staff.get("/api/v1/complaints/").json()["results"] if r["id"] == c.pk)
    assert (row["reporter_name"], row["reporter_phone"]) == ("王*", "139****1234")
    detail = staff.get(f"/api/v1/complaints/{c.pk}/").json()
    assert (detail["reporter_name"], detail["reporter_phone"]) == ("王红", "13905951234")
    own = api.as_user(world.resident_fulian).get("/api/v1/complaints/").json()["results"]
    assert [(r["reporter_name"], r["reporter_phone"]) for r in own] == [("王红", "13905951234")]


def test_complaint_export_is_logged_with_who_rows_and_filters(world, client, category):
    _complaint(world, category, world.resident_fulian, world.fulian, "T-21")
    client.force_login(world.community_fulian)
    response = client.get("/complaints/export.csv", {"status": "submitted"})
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    entry = ExportLog.objects.get()
    assert (entry.username, entry.what, entry.rows, entry.params) == ("community_fulian", "complaints.csv", 1, {"status": "submitted"})
