"""Portal pages: queue, complaint page with exactly the allowed buttons, supervision list, exports."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from complaints.models import Complaint
from complaints.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def do(user):
        client.force_login(user)
        return client

    return do


def buttons(html: str) -> set[str]:
    import re

    return set(re.findall(r"/complaints/\d+/(\w+)/", html))


def test_queue_lists_the_companys_complaints_in_chinese(world, as_user):
    f.complaint(world, description="楼道电动车充电")
    f.complaint(world, compound=world.tianma, reporter=world.resident_tianma, description="天马的事")
    r = as_user(world.staff_yifang).get("/complaints/")
    html = r.content.decode()
    assert r.status_code == 200 and "投诉" in html
    assert "楼道电动车充电" in html and "天马的事" not in html


def test_queue_filters_by_chinese_text_and_overdue(world, as_user):
    a = f.complaint(world, description="三号楼有人被困在轿厢里")
    b = f.complaint(world, description="草坪没人修剪")
    Complaint.objects.filter(pk=b.pk).update(is_overdue=True)
    html = as_user(world.district).get("/complaints/", {"q": "轿厢"}).content.decode()
    assert a.number in html and b.number not in html
    html = as_user(world.district).get("/complaints/", {"overdue": "true"}).content.decode()
    assert a.number not in html and b.number in html


def test_complaint_page_shows_exactly_the_buttons_the_user_may_use(world, as_user):
    c = f.complaint(world)
    assert buttons(as_user(world.staff_yifang).get(f"/complaints/{c.pk}/").content.decode()) == {"accept", "return", "comment"}
    assert buttons(as_user(world.town_houlong).get(f"/complaints/{c.pk}/").content.decode()) == {
        "reject",
        "reassign",
        "extend",
        "supervise",
        "comment",
    }
    r = f.complaint(world, status="resolved")
    assert buttons(as_user(world.resident_fulian).get(f"/complaints/{r.pk}/").content.decode()) == {"confirm", "reopen", "comment"}
    closed = f.complaint(world, status="closed")
    assert buttons(as_user(world.staff_yifang).get(f"/complaints/{closed.pk}/").content.decode()) == set()


def test_staff_signs_for_and_resolves_through_the_portal(world, as_user):
    c = f.complaint(world)
    client = as_user(world.staff_yifang)
    assert client.post(f"/complaints/{c.pk}/accept/").status_code == 302
    r = client.post(f"/complaints/{c.pk}/resolve/", {"note": "已处理", "photos": [f.image()]}, follow=True)
    c.refresh_from_db()
    assert c.status == Complaint.Status.RESOLVED and c.photos.filter(stage="resolution").exists()
    assert "已办结" in r.content.decode() or "办结" in r.content.decode()


def test_refused_step_comes_back_as_a_message_and_changes_nothing(world, as_user):
    c = f.complaint(world, status="accepted")
    r = as_user(world.staff_yifang).post(f"/complaints/{c.pk}/accept/", follow=True)
    assert "已经签收" in r.content.decode()
    r = as_user(world.resident_fulian).post(f"/complaints/{c.pk}/reject/", {"reason": "invalid"}, follow=True)
    c.refresh_from_db()
    assert c.status == Complaint.Status.ACCEPTED


def test_outsider_gets_404_on_page_actions_and_exports(world, as_user):
    c = f.complaint(world, description="福炼的事")
    client = as_user(world.staff_yijiayuan)
    assert client.get(f"/complaints/{c.pk}/").status_code == 404
    for step in ("accept", "return", "resolve", "comment", "reject"):
        assert client.post(f"/complaints/{c.pk}/{step}/", {"note": "x", "reason": "x"}).status_code == 404
    assert "福炼的事" not in client.get("/complaints/").content.decode()
    assert "福炼的事" not in client.get("/complaints/export.csv").getvalue().decode("utf-8-sig")
    c.refresh_from_db()
    assert c.status == Complaint.Status.DISPATCHED


def test_supervision_list_puts_overdue_first_and_is_for_officials(world, as_user):
    a = f.complaint(world, description="按时的")
    b = f.complaint(world, description="超期的")
    Complaint.objects.filter(pk=b.pk).update(is_overdue=True)
    html = as_user(world.town_houlong).get("/complaints/supervision/").content.decode()
    assert html.index("超期的") < html.index("按时的")
    assert a.number in html
    assert as_user(world.staff_yifang).get("/complaints/supervision/").status_code == 404


def test_csv_export_has_a_bom_and_the_filtered_rows(world, as_user):
    f.complaint(world, description="电梯困人", is_anonymous=True)
    f.complaint(world, description="草坪")
    r = as_user(world.staff_yifang).get("/complaints/export.csv", {"q": "电梯"})
    raw = r.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 2 and "电梯困人" in rows[1]
    assert "王红" not in rows[1]  # anonymous: hidden from company staff in exports too


def test_excel_export_opens_with_chinese(world, as_user):
    f.complaint(world, description="路灯不亮")
    r = as_user(world.district).get("/complaints/export.xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "编号" and "路灯不亮" in values[1]
    assert as_user(world.district).get("/complaints/export.pdf").status_code == 404


def test_community_worker_records_a_walk_in_complaint(world, as_user):
    client = as_user(world.community_fulian)
    assert "登记来访投诉" in client.get("/complaints/walk-in/").content.decode()
    r = client.post(
        "/complaints/walk-in/",
        {"compound": world.fulian.pk, "category": f.category("noise").pk, "description": "夜间装修噪声", "reporter_name": "赵大爷"},
    )
    c = Complaint.objects.get()
    assert r.status_code == 302 and (c.channel, c.reporter_name, c.assigned_company) == ("walkin", "赵大爷", world.yifang)


def test_walk_in_form_refuses_compounds_outside_the_area_and_non_officials(world, as_user):
    client = as_user(world.community_fulian)
    r = client.post("/complaints/walk-in/", {"compound": world.tianma.pk, "category": f.category("noise").pk, "description": "x"})
    assert r.status_code == 400 and not Complaint.objects.exists()
    assert as_user(world.staff_yifang).get("/complaints/walk-in/").status_code == 404


def test_anonymous_reporter_is_hidden_from_staff_on_the_complaint_page(world, as_user):
    c = f.complaint(world, is_anonymous=True)
    staff_html = as_user(world.staff_yifang).get(f"/complaints/{c.pk}/").content.decode()
    assert "王红" not in staff_html and "13905951234" not in staff_html
    assert "匿名" in staff_html
    assert "王红" in as_user(world.community_fulian).get(f"/complaints/{c.pk}/").content.decode()


def form_html(response, form_id: str) -> str:
    """The HTML of one <form> of the page (from its opening tag to its end)."""
    content = response.content.decode()
    start = content.index(f'id="{form_id}"')
    return content[content.rindex("<form", 0, start) : content.index("</form>", start)]


def errors_in(form: str) -> str:
    return " ".join(re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', form, re.S))


def test_resolve_with_a_bad_photo_keeps_the_text_and_names_the_files_to_choose_again(world, as_user):
    c = f.complaint(world, status="accepted")
    bad = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 not an image", content_type="application/pdf")
    r = as_user(world.staff_yifang).post(
        f"/complaints/{c.pk}/resolve/", {"note": "已更换电梯主板，恢复运行", "photos": [f.image("after.jpg"), bad]}
    )
    assert r.status_code == 400
    form = form_html(r, "act-resolve")
    # The typed 处理情况 is back in its textarea, the error sits in the form next to the photo input.
    assert re.search(r'<textarea[^>]*id="resolve-note"[^>]*>\s*已更换电梯主板，恢复运行</textarea>', form)
    photo_errors = re.search(r'<ul class="errorlist" id="resolve-photos_error">(.*?)</ul>', form).group(1)
    assert "scan.pdf 不是 JPEG、PNG 或 WebP 图片" in photo_errors
    assert "请重新选择" in photo_errors and "after.jpg" in photo_errors
    assert 'class="form-errors"' in form and 'class="messages"' not in r.content.decode()
    c.refresh_from_db()
    assert c.status == Complaint.Status.ACCEPTED and not c.photos.filter(stage="resolution").exists()


def test_a_step_refused_by_the_workflow_keeps_the_typed_reason(world, as_user):
    c = f.complaint(world)
    # A reason longer than the service allows: the form says so next to the field and keeps the text.
    r = as_user(world.staff_yifang).post(f"/complaints/{c.pk}/return/", {"reason": "不" * 2001})
    assert r.status_code == 400
    form = form_html(r, "act-return")
    assert 'value="' + "不" * 2001 + '"' in form
    assert errors_in(form)


def test_walk_in_form_keeps_every_typed_value_on_an_error(world, as_user):
    client = as_user(world.community_fulian)
    r = client.post(
        "/complaints/walk-in/",
        {
            "compound": world.fulian.pk,
            "category": f.category("noise").pk,
            "description": "夜间广场舞噪音",
            "reporter_name": "张三",
            "photos": [SimpleUploadedFile("x.jpg", b"not a jpeg", content_type="image/jpeg")],
        },
    )
    assert r.status_code == 400 and not Complaint.objects.exists()
    form = form_html(r, "walk-in-form")
    assert re.search(r'id="id_description"[^>]*>\s*夜间广场舞噪音</textarea>', form)
    assert 'value="张三"' in form
    assert "x.jpg" in errors_in(form)
