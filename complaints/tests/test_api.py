"""The residents' and staff API: filing, bad input, idempotency, actions and their HTTP codes."""

import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import ScopedRateThrottle

from complaints.api.views import ComplaintCreateThrottle
from complaints.models import Complaint, ComplaintEvent, ComplaintPhoto, IdempotencyKey
from complaints.tests import factories as f
from core.models import Notification, User

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints/"


@pytest.fixture(autouse=True)
def _fresh_throttle(monkeypatch):
    # Throttle history lives in the shared cache; user ids repeat between test runs, so start clean.
    from django.core.cache.backends.locmem import LocMemCache

    monkeypatch.setattr(ComplaintCreateThrottle, "cache", LocMemCache("throttle-test", {}))


def payload(world, **kw):
    return {"compound": world.fulian.pk, "category": f.category("elevator").pk, "description": "3号楼电梯停运两天了", **kw}


def png_header(width, height):
    """A PNG whose header declares width×height (the pixels never need to exist)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


# --- filing ----------------------------------------------------------------------------------------
def test_resident_files_a_complaint_as_json(world, api):
    r = api.as_user(world.resident_fulian).post(URL, payload(world), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "dispatched" and body["assigned_to"] == "一方物业"
    assert [e["kind"] for e in body["events"]] == ["create", "dispatch"]
    assert body["actions"] == ["comment"]


def test_resident_files_with_two_photos_as_multipart(world, api):
    data = {**payload(world), "photos": [f.image("a.jpg"), f.image("b.png", "PNG")]}
    r = api.as_user(world.resident_fulian).post(URL, data, format="multipart")
    assert r.status_code == 201, r.content
    assert len(r.json()["photos"]) == 2
    photo_url = r.json()["photos"][0]["url"]
    assert api.get(photo_url).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"compound": 999999}, "compound"),
        ({"category": 999999}, "category"),
        ({"description": ""}, "description"),
        ({"description": "长" * 10000}, "description"),
        ({"channel": "hotline"}, "channel"),
    ],
)
def test_bad_fields_are_400_naming_the_field_and_nothing_is_saved(world, api, change, field):
    r = api.as_user(world.resident_fulian).post(URL, payload(world, **change), format="json")
    assert r.status_code == 400
    assert field in r.json()
    assert not Complaint.objects.exists() and not Notification.objects.exists()


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([SimpleUploadedFile("scan.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="image/jpeg")], 400),
        ([SimpleUploadedFile("huge.png", png_header(20000, 20000), content_type="image/png")], 413),
        ([SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (50 * 1024 * 1024), content_type="image/jpeg")], 413),
        ([f.image(f"p{i}.jpg") for i in range(7)], 400),
    ],
    ids=["pdf-renamed-jpg", "20000x20000-png", "50MB", "seven-photos"],
)
def test_bad_photos_are_refused_and_nothing_is_saved(world, api, files, code):
    r = api.as_user(world.resident_fulian).post(URL, {**payload(world), "photos": files}, format="multipart")
    assert r.status_code == code, r.content
    assert "photos" in r.json()
    assert not Complaint.objects.exists() and not ComplaintPhoto.objects.exists() and not ComplaintEvent.objects.exists()
    assert not Notification.objects.exists()


def test_idempotent_retry_returns_the_first_response_and_creates_nothing(world, api):
    client = api.as_user(world.resident_fulian)
    first = client.post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Complaint.objects.count() == 1 and IdempotencyKey.objects.count() == 1
    other = client.post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 201 and Complaint.objects.count() == 2


def test_same_key_with_a_different_request_is_a_conflict(world, api):
    client = api.as_user(world.resident_fulian)
    client.post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    r = client.post(URL, payload(world, description="另一件事"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert r.status_code == 409 and Complaint.objects.count() == 1


def test_same_key_by_another_user_is_a_new_complaint(world, api):
    api.as_user(world.resident_fulian).post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    r = api.as_user(world.resident_tianma).post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert r.status_code == 201 and Complaint.objects.count() == 2


def test_failed_filing_does_not_burn_the_key(world, api):
    client = api.as_user(world.resident_fulian)
    assert client.post(URL, payload(world, description=""), format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 400
    assert client.post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201


def test_creation_is_throttled(world, api, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "complaint_create", "2/min")
    client = api.as_user(world.resident_fulian)
    codes = [client.post(URL, payload(world), format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert client.get(URL).status_code == 200  # reading is not throttled by this scope


def test_anonymous_complaint_hides_the_reporter_from_company_staff(world, api):
    c = f.complaint(world, is_anonymous=True)
    staff = api.as_user(world.staff_yifang).get(f"{URL}{c.pk}/").json()
    assert staff["reporter_name"] == "" and staff["reporter_phone"] == ""
    assert "王红" not in str(staff)
    listed = api.as_user(world.staff_yifang).get(URL).json()["results"][0]
    assert listed["reporter_name"] == "" and listed["reporter_phone"] == ""
    official = api.as_user(world.community_fulian).get(f"{URL}{c.pk}/").json()
    assert official["reporter_name"] == "王红"
    own = api.as_user(world.resident_fulian).get(f"{URL}{c.pk}/").json()
    assert own["reporter_phone"] == "13905951234"


def test_named_complaint_shows_the_reporter_to_staff(world, api):
    c = f.complaint(world)
    assert api.as_user(world.staff_yifang).get(f"{URL}{c.pk}/").json()["reporter_name"] == "王红"


# --- actions and their codes -----------------------------------------------------------------------
def test_full_walk_through_by_api(world, api):
    c = api.as_user(world.resident_fulian).post(URL, payload(world), format="json").json()
    staff = api.as_user(world.staff_yifang)
    assert staff.post(f"{URL}{c['id']}/accept/").status_code == 200
    r = staff.post(f"{URL}{c['id']}/resolve/", {"note": "已更换控制板", "photos": [f.image()]}, format="multipart")
    assert r.status_code == 200, r.content
    r = api.as_user(world.resident_fulian).post(f"{URL}{c['id']}/confirm/", {"rating": "satisfied"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    events = r.json()["events"]
    assert [e["kind"] for e in events] == ["create", "dispatch", "accept", "resolve", "confirm"]
    assert events[2]["actor"] == "staff_yifang" and events[2]["at"]


def test_second_sign_for_is_409_with_the_reason(world, api):
    c = f.complaint(world)
    api.as_user(world.staff_yifang).post(f"{URL}{c.pk}/accept/")
    r = api.as_user(world.staff_yifang).post(f"{URL}{c.pk}/accept/")
    assert (r.status_code == 409 and "已" in r.json()["detail"]) or "already" in r.json()["detail"]


def test_resident_may_see_but_not_sign_for_403(world, api):
    c = f.complaint(world)
    assert api.as_user(world.resident_fulian).post(f"{URL}{c.pk}/accept/").status_code == 403


def test_wrong_satisfaction_value_is_400(world, api):
    c = f.complaint(world, status="resolved")
    r = api.as_user(world.resident_fulian).post(f"{URL}{c.pk}/confirm/", {"rating": "great"}, format="json")
    assert r.status_code == 400 and "rating" in r.json()
    c.refresh_from_db()
    assert c.status == "resolved"


def test_official_actions_by_api(world, api):
    c = f.complaint(world, status="submitted")
    town = api.as_user(world.town_houlong)
    r = town.post(f"{URL}{c.pk}/reassign/", {"company": world.yijiayuan.pk, "note": "改派"}, format="json")
    assert r.status_code == 200 and r.json()["assigned_to"] == "怡家园物业"
    assert town.post(f"{URL}{c.pk}/extend/", {"days": 2, "reason": "配件"}, format="json").status_code == 200
    assert town.post(f"{URL}{c.pk}/extend/", {"days": 2, "reason": "配件"}, format="json").status_code == 409
    assert town.post(f"{URL}{c.pk}/supervise/", {"note": "请尽快"}, format="json").status_code == 200
    r = api.as_user(world.staff_yijiayuan).post(f"{URL}{c.pk}/answer/", {"note": "已安排"}, format="json")
    assert r.status_code == 200 and r.json()["supervision_answered"]
    town = api.as_user(world.town_houlong)  # one client: as_user switches who it is
    r = town.post(f"{URL}{c.pk}/reject/", {"reason": "invalid", "note": "无效"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert town.post(f"{URL}{c.pk}/comment/", {"note": "x"}, format="json").status_code == 409


def test_return_and_comment_and_reopen_by_api(world, api):
    c = f.complaint(world)
    assert api.as_user(world.staff_yifang).post(f"{URL}{c.pk}/return/", {"reason": ""}, format="json").status_code == 400
    assert api.as_user(world.staff_yifang).post(f"{URL}{c.pk}/comment/", {"note": "明天上门"}, format="json").status_code == 201
    assert api.as_user(world.staff_yifang).post(f"{URL}{c.pk}/return/", {"reason": "不归我们管"}, format="json").status_code == 200
    d = f.complaint(world, status="resolved")
    r = api.as_user(world.resident_fulian).post(f"{URL}{d.pk}/reopen/", {"note": "没修好"}, format="json")
    assert r.status_code == 200 and r.json()["reopen_count"] == 1


def test_reject_as_duplicate_of_an_invisible_complaint_is_400(world, api):
    other = f.complaint(world, compound=world.tianma, reporter=world.resident_tianma)
    c = f.complaint(world)
    r = api.as_user(world.town_houlong).post(f"{URL}{c.pk}/reject/", {"reason": "duplicate", "duplicate_of": other.pk}, format="json")
    assert r.status_code == 400 and "duplicate_of" in r.json()


# --- scope -----------------------------------------------------------------------------------------
ACTIONS = ["accept", "return", "resolve", "confirm", "reopen", "reject", "reassign", "extend", "supervise", "answer", "comment"]


def test_staff_of_other_company_gets_404_everywhere(world, api):
    c = f.complaint(world, status="resolved")
    client = api.as_user(world.staff_yijiayuan)
    assert client.get(URL).json()["count"] == 0
    assert client.get(URL, {"compound": world.fulian.pk}).json()["count"] == 0
    assert client.get(f"{URL}{c.pk}/").status_code == 404
    for name in ACTIONS:
        assert client.post(f"{URL}{c.pk}/{name}/", {"note": "x", "reason": "x", "rating": "satisfied"}, format="json").status_code == 404, (
            name
        )
    assert client.get(f"/api/v1/complaint-photos/{c.photos.first().pk if c.photos.exists() else 0}/").status_code == 404


def test_staff_of_other_company_cannot_see_the_photos(world, api):
    c = f.complaint(world, photos=[f.image()])
    photo = c.photos.get()
    assert api.as_user(world.staff_yijiayuan).get(f"/api/v1/complaint-photos/{photo.pk}/").status_code == 404
    assert api.as_user(world.staff_yifang).get(f"/api/v1/complaint-photos/{photo.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["resident_tianma", "committee_fulian", "mediator_houlong", "town_jieshan", "staff_yijiayuan"])
def test_outsiders_get_404_and_empty_lists(world, api, who):
    c = f.complaint(world)
    client = api.as_user(getattr(world, who))
    assert client.get(f"{URL}{c.pk}/").status_code == 404
    assert client.get(URL).json()["count"] == 0


@pytest.mark.parametrize("who", ["district", "town_houlong", "community_fulian", "staff_yifang", "resident_fulian"])
def test_insiders_see_it(world, api, who):
    c = f.complaint(world)
    client = api.as_user(getattr(world, who))
    assert client.get(f"{URL}{c.pk}/").status_code == 200
    assert client.get(URL).json()["count"] == 1


def test_staff_see_complaints_assigned_to_their_company_elsewhere(world, api):
    c = f.complaint(world, compound=world.jinxiang, reporter=world.resident_tianma)
    api.as_user(world.district).post(f"{URL}{c.pk}/reassign/", {"company": world.yijiayuan.pk}, format="json")
    assert api.as_user(world.staff_yijiayuan).get(f"{URL}{c.pk}/").status_code == 200


def test_residents_see_only_their_own(world, api):
    f.complaint(world)
    f.complaint(world, compound=world.tianma, reporter=world.resident_tianma)
    assert api.as_user(world.resident_fulian).get(URL).json()["count"] == 1


# --- lists -----------------------------------------------------------------------------------------
def test_list_issues_the_same_number_of_queries_for_5_and_50_rows(world, api):
    def count(n):
        Complaint.objects.all().delete()
        f.bulk(world, n)
        client = api.as_user(User.objects.get(pk=world.district.pk))  # a fresh user per request, as in production
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(URL, {"page_size": 100})
        assert r.json()["count"] == n
        return len(ctx.captured_queries)

    assert count(5) == count(50)


def test_filters(world, api):
    f.complaint(world, description="电梯困人半小时", code="elevator-entrapment")
    f.complaint(world, compound=world.tianma, reporter=world.resident_tianma, description="小区路灯不亮")
    f.bulk(world, 2, is_overdue=True)
    client = api.as_user(world.district)

    def n(**params):
        r = client.get(URL, params)
        assert r.status_code == 200, r.content
        return r.json()["count"]

    assert n() == 4
    assert n(q="困人") == 1
    assert n(q="路灯") == 1
    assert n(subdistrict=world.jieshan.pk) == 1
    assert n(compound=world.fulian.pk) == 3
    assert n(category=f.category("elevator-entrapment").pk) == 1
    assert n(overdue="true") == 2
    assert n(status="dispatched") == 4 and n(status="closed") == 0
    assert n(channel="hotline") == 0
    assert n(made_from="2000-01-01", made_to="2999-01-01") == 4
    assert client.get(URL, {"ordering": "-overdue"}).json()["results"][0]["is_overdue"]
    assert client.get(URL, {"status": "nonsense"}).status_code == 400


def test_categories_endpoint(world, api):
    r = api.as_user(world.resident_fulian).get("/api/v1/categories/")
    assert r.status_code == 200
    assert {c["code"] for c in r.json()} >= {"ebike", "fire-lane", "noise", "fees", "other"}


def test_bad_json_types_never_500(world, api):
    client = api.as_user(world.resident_fulian)
    for body in ({"compound": "abc"}, {"photos": "x"}, {"compound": [1]}, {"is_anonymous": "maybe"}, []):
        assert client.post(URL, body, format="json").status_code == 400


def test_png_header_helper_declares_size():
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS  # unchanged; only the header is read below
    with pytest.raises(Image.DecompressionBombError):
        Image.open(BytesIO(png_header(20000, 20000)))


def test_chinese_search_can_use_the_trigram_index(world):
    from django.db import connection

    qs = Complaint.objects.filter(description__icontains="消防通道被私家车")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "complaint_description_trgm" in plan


def test_community_worker_records_a_walk_in_complaint(world, api):
    r = api.as_user(world.community_fulian).post(
        URL, payload(world, channel="walkin", reporter_name="赵大爷", reporter_phone="13900000000"), format="json"
    )
    assert r.status_code == 201, r.content
    c = Complaint.objects.get(pk=r.json()["id"])
    assert (c.channel, c.reporter, c.reporter_name) == ("walkin", None, "赵大爷")


def test_residents_cannot_record_walk_ins(world, api):
    r = api.as_user(world.resident_fulian).post(URL, payload(world, channel="walkin"), format="json")
    assert r.status_code == 400 and "channel" in r.json()


@pytest.mark.parametrize(
    "params",
    [
        {"compound": "abc"},
        {"compound": "99999999999999999999999"},
        {"made_from": "yesterday"},
        {"overdue": "maybe"},
        {"ordering": "password"},
        {"page": "999"},
        {"page_size": "-1"},
        {"q": "%_\\"},
        {"category": "0"},
    ],
)
def test_odd_list_parameters_never_500(world, api, params):
    f.complaint(world)
    r = api.as_user(world.district).get(URL, params)
    assert r.status_code in (200, 400, 404), (params, r.status_code)


def test_filing_works_while_the_throttle_cache_is_unreachable(world, api, monkeypatch):
    from django.core.cache.backends.redis import RedisCache

    # A real Redis client pointed at a port where nothing listens: Redis "down".
    monkeypatch.setattr(ComplaintCreateThrottle, "cache", RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}))
    r = api.as_user(world.resident_fulian).post(URL, payload(world), format="json")
    assert r.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_retries_with_one_key_create_one_complaint(world):
    import threading

    from rest_framework.test import APIClient

    barrier = threading.Barrier(2)
    codes, bodies = [], []

    def post():
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=world.resident_fulian.pk))
        barrier.wait()
        try:
            r = client.post(URL, payload(world), format="json", HTTP_IDEMPOTENCY_KEY="same-key")
            codes.append(r.status_code)
            bodies.append(r.json()["id"])
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [201, 201]
    assert bodies[0] == bodies[1]
    assert Complaint.objects.count() == 1 and IdempotencyKey.objects.count() == 1
