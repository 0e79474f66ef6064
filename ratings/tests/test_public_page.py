"""The public compound page /p/<public id>/ and its printed notice: no login, no personal data, 404 unless
published, cached, rate-limited, listed in the sitemap."""

import hashlib
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from committees.models import Committee, CommitteeMember
from communities import services as place_services
from communities.models import Compound, Owner, Ownership
from communities.tests import factories as f
from complaints.models import Complaint
from core.errors import ScopeError
from inspections import services as inspection_services
from inspections.tests.factories import actions_for, issue_list, make_inspection
from ratings import engine
from ratings.public import views as public_views
from ratings.tests.factories import complaint, local


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(world):
    """Owners, reporters and a committee director of 福炼小区, each with every personal field filled."""
    fulian = world.fulian
    owners = []
    for n, (name, phone) in enumerate([("欧阳晓梅", "13712340001"), ("司马建国", "13712340002")]):
        digest = hashlib.sha256(f"35052119800101{n:04d}".encode()).hexdigest()
        owner = Owner.objects.create(name=name, phone=phone, id_number_hash=digest)
        unit = f.UnitFactory(compound=fulian, building="紫荆楼", entrance=f"东{n}单元", room=f"壹{n}零捌室")
        Ownership.objects.create(unit=unit, owner=owner)
        owners.append((owner, unit))
    reporters = []
    for n, (name, phone) in enumerate([("诸葛春燕", "13698760001"), ("上官秋菊", "13698760002")]):
        c = complaint(
            fulian,
            local(2026, 10, 5 + n),
            reporter=world.resident_fulian,
            reporter_name=name,
            reporter_phone=phone,
            location=f"紫荆楼东{n}单元楼道",
        )
        Complaint.objects.filter(pk=c.pk).update(description=f"楼道灯坏了（{name}家门口）")
        c.refresh_from_db()
        reporters.append(c)
    director_user = f.UserFactory(username="director_fulian", display_name="端木振华", phone="13566668888")
    committee = Committee.objects.create(
        compound=fulian, status=Committee.Status.ACTIVE, term_start=date(2024, 6, 1), term_end=date(2029, 5, 31)
    )
    CommitteeMember.objects.create(
        committee=committee, name="端木振华", user=director_user, role=CommitteeMember.Role.DIRECTOR, seat_start=date(2024, 6, 1)
    )
    return {"owners": owners, "reporters": reporters, "director": director_user, "committee": committee}


def _publish(compound: Compound, stars: int | None = 4) -> Compound:
    Compound.objects.filter(pk=compound.pk).update(public_page=True, published_stars=stars)
    compound.refresh_from_db()
    return compound


def _personal_values(world, people) -> list[str]:
    values = []
    for owner, unit in people["owners"]:
        values += [owner.name, owner.phone, owner.id_number_hash, unit.building, unit.entrance, unit.room]
    for c in people["reporters"]:
        values += [c.reporter_name, c.reporter_phone, c.location, c.description, c.number]
    resident = world.resident_fulian
    values += [resident.display_name, resident.phone, resident.username, world.resident_fulian_unit.room + "室"]
    director = people["director"]
    values += [director.display_name, director.phone, director.username]
    return values


@pytest.mark.django_db
def test_public_page_shows_the_compound_without_any_personal_data(world, people):
    fulian = _publish(world.fulian)
    inspection = make_inspection(world.town_houlong, fulian, findings=3)
    rect = issue_list(world.town_houlong, inspection)
    other = issue_list(world.town_houlong, make_inspection(world.town_houlong, fulian, findings=2), days=20)
    inspection_services.rectification_report_file(actor=world.staff_yifang, list_id=rect.pk, actions=actions_for(rect))
    inspection_services.rectification_report_file(actor=world.staff_yifang, list_id=other.pk, actions=actions_for(other))
    inspection_services.rectification_report_review(actor=world.town_houlong, list_id=other.pk, decision="return", comment="照片不清")
    engine.compute(full=True)

    html = Client().get(f"/p/{fulian.public_id}/").content.decode()

    assert "福炼小区" in html and "一方物业" in html and "后龙镇" in html
    assert "4 星" in html or "4 stars" in html
    assert rect.number in html and "3 / 3" in html  # the report under review covers its three items
    assert other.number in html and "0 / 2" in html  # a returned report's items are not done
    assert "2024-06-01" in html and "2029-05-31" in html  # the committee's term
    assert "135****8888" in html  # the director's phone, masked
    assert "12345" in html and "/api/v1/complaints/" in html and "福炼社区" in html
    for value in _personal_values(world, people):
        assert value not in html, value


@pytest.mark.django_db
def test_printed_notice_carries_a_qr_code_of_the_page_and_no_personal_data(world, people):
    fulian = _publish(world.fulian)
    engine.compute(full=True)

    response = Client().get(f"/p/{fulian.public_id}/notice/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'class="segno"' in html
    assert f"http://testserver/p/{fulian.public_id}/" in html
    for value in _personal_values(world, people):
        assert value not in html, value


@pytest.mark.django_db
def test_unpublished_inactive_and_unknown_compounds_are_404(world):
    client = Client()
    assert client.get(f"/p/{world.tianma.public_id}/").status_code == 404
    assert client.get(f"/p/{world.tianma.public_id}/notice/").status_code == 404
    _publish(world.tianma)
    assert client.get(f"/p/{world.tianma.public_id}/").status_code == 200
    Compound.objects.filter(pk=world.tianma.pk).update(is_active=False)
    assert client.get(f"/p/{world.tianma.public_id}/").status_code == 404
    assert client.get(f"/p/{world.tianma.pk}/").status_code == 404  # the database id is not a public id
    assert client.get("/p/not-a-real-id/").status_code == 404


@pytest.mark.django_db
def test_withdrawing_a_page_takes_effect_at_once_despite_the_cache(world):
    fulian = _publish(world.fulian)
    client = Client()
    assert client.get(f"/p/{fulian.public_id}/").status_code == 200
    place_services.compound_public_page_set(actor=world.town_houlong, compound_id=fulian.pk, published=False)
    assert client.get(f"/p/{fulian.public_id}/").status_code == 404


@pytest.mark.django_db
def test_public_ids_are_unguessable_and_distinct(world):
    ids = [c.public_id for c in Compound.objects.all()]
    assert len(set(ids)) == len(ids)
    assert all(len(i) >= 22 and i != str(c) for i, c in zip(ids, Compound.objects.values_list("pk", flat=True), strict=True))


@pytest.mark.django_db
def test_only_an_official_of_the_area_publishes_a_page(world):
    with pytest.raises(ScopeError):
        place_services.compound_public_page_set(actor=world.town_jieshan, compound_id=world.fulian.pk, published=True)
    with pytest.raises(ScopeError):
        place_services.compound_public_page_set(actor=world.staff_yifang, compound_id=world.fulian.pk, published=True)
    world.fulian.refresh_from_db()
    assert world.fulian.public_page is False
    place_services.compound_public_page_set(actor=world.community_fulian, compound_id=world.fulian.pk, published=True)
    world.fulian.refresh_from_db()
    assert world.fulian.public_page is True


@pytest.mark.django_db
def test_figures_compare_the_compound_with_its_town_and_district_over_twelve_months(world):
    fulian = _publish(world.fulian)
    this_month = timezone.localdate().replace(day=1)
    for _ in range(3):
        complaint(fulian, timezone.now() - timedelta(minutes=5))
    complaint(world.tianma, timezone.now() - timedelta(minutes=5))
    engine.compute(full=True)

    html = Client().get(f"/p/{fulian.public_id}/").content.decode()

    # 3 complaints / 486 households × 100 = 0.62 this month; the district: 4 / (486+1268+932) × 100 = 0.15
    assert f"{this_month:%Y-%m}" in html
    assert "0.62" in html and "0.15" in html
    assert html.count("<tr><th>") >= 12  # twelve months
    assert html.count('<tr><th data-indicator="') == 3  # the three summary rows, named by the catalogue
    assert "月均投诉比" in html and "居民满意率" in html


@pytest.mark.django_db
def test_the_page_is_cached_until_the_next_metrics_run(world):
    fulian = _publish(world.fulian)
    engine.compute(full=True)
    client = Client()
    assert "0.21" not in client.get(f"/p/{fulian.public_id}/").content.decode()
    complaint(fulian, timezone.now() - timedelta(minutes=5))
    assert "0.21" not in client.get(f"/p/{fulian.public_id}/").content.decode()  # cached figures
    engine.compute(full=True)
    assert "0.21" in client.get(f"/p/{fulian.public_id}/").content.decode()  # 1/486 × 100 after the run


@pytest.mark.django_db
def test_an_address_is_limited_per_minute(world, monkeypatch):
    fulian = _publish(world.fulian)
    monkeypatch.setattr(public_views, "REQUESTS_PER_MINUTE", 3)
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [client.get(f"/p/{fulian.public_id}/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert Client(REMOTE_ADDR="203.0.113.10").get(f"/p/{fulian.public_id}/").status_code == 200


@pytest.mark.django_db
def test_english_is_available(world):
    fulian = _publish(world.fulian)
    html = Client().get(f"/p/{fulian.public_id}/?lang=en").content.decode()
    assert "How to complain" in html
    html = Client().get(f"/p/{fulian.public_id}/").content.decode()
    assert "如何投诉" in html


@pytest.mark.django_db
def test_sitemap_lists_published_compounds_only(world):
    fulian = _publish(world.fulian)
    xml = Client().get("/sitemap.xml").content.decode()
    assert f"/p/{fulian.public_id}/" in xml
    assert world.tianma.public_id not in xml and world.jinxiang.public_id not in xml


@pytest.mark.django_db
def test_an_official_publishes_from_the_compound_dashboard_and_an_outsider_gets_404(world, client):
    client.force_login(world.town_houlong)
    page = client.get(f"/ratings/compound/{world.fulian.pk}/").content.decode()
    assert "发布公示页面" in page
    response = client.post(f"/ratings/compound/{world.fulian.pk}/public/", {"publish": "1"})
    assert response.status_code == 302
    world.fulian.refresh_from_db()
    assert world.fulian.public_page is True
    page = client.get(f"/ratings/compound/{world.fulian.pk}/").content.decode()
    assert f"/p/{world.fulian.public_id}/notice/" in page

    client.force_login(world.town_jieshan)
    assert client.post(f"/ratings/compound/{world.fulian.pk}/public/", {"publish": "0"}).status_code == 404
    world.fulian.refresh_from_db()
    assert world.fulian.public_page is True


def _text_values(obj, skip=("password",)) -> list[str]:
    """Every filled text field of a row (choices excluded: their values are codes such as "dispatched")."""
    from django.db import models as m

    values = []
    for field in obj._meta.concrete_fields:
        if field.name in skip or field.choices or not isinstance(field, (m.CharField, m.TextField)):
            continue
        value = getattr(obj, field.attname)
        if value and len(str(value)) >= 2:
            values.append(str(value))
    return values


@pytest.mark.django_db
def test_no_field_of_any_owner_reporter_or_supporter_reaches_the_page_or_the_notice(world, people):
    """Every text field of the compound's owners (and their accounts and units), its complaints' reporters
    (the complaint rows and the accounts) and the residents who joined a complaint (我也遇到), filled with
    values of their own, is absent from the public page and the printed notice."""
    from complaints import services as complaint_services
    from complaints.models import ComplaintSupporter

    fulian = _publish(world.fulian)
    rows = []
    for n, (owner, unit) in enumerate(people["owners"]):
        account = f.UserFactory(
            username=f"owner_acct_{n}", display_name=f"{owner.name}号", phone=f"1331234000{n}", email=f"owner{n}@example.cn"
        )
        account.first_name, account.last_name = f"晓{n}", f"欧阳{n}"
        account.save()
        Owner.objects.filter(pk=owner.pk).update(user=account)
        owner.refresh_from_db()
        rows += [owner, account, unit]
    reporter = world.resident_fulian
    reporter.email, reporter.first_name, reporter.last_name = "wanghong@example.cn", "红", "王"
    reporter.save()
    rows.append(reporter)
    for c in people["reporters"]:
        Complaint.objects.filter(pk=c.pk).update(hotline_ticket=f"12345-{c.pk:06d}", created_at=timezone.now())
        c.refresh_from_db()
        rows.append(c)
    # A supporter of an open complaint of the compound: a neighbour with an account, and a walk-in visitor.
    open_one = people["reporters"][0]
    neighbour = f.UserFactory(username="neighbour_fulian", display_name="慕容雪", phone="13622223333", email="murong@example.cn")
    f.role(neighbour, "resident")
    f.give_unit(neighbour, fulian)
    complaint_services.complaint_support(complaint=open_one, actor=neighbour)
    complaint_services.complaint_support_walk_in(complaint=open_one, actor=world.community_fulian, name="公孙伯", phone="13744445555")
    rows += [neighbour, *ComplaintSupporter.objects.filter(complaint=open_one)]
    engine.compute(full=True)

    values = sorted({v for row in rows for v in _text_values(row)})
    assert {"wanghong@example.cn", "公孙伯", "13744445555", "慕容雪", "欧阳晓梅", "13712340001"} <= set(values)
    for url in (f"/p/{fulian.public_id}/", f"/p/{fulian.public_id}/notice/"):
        cache.clear()
        response = Client().get(url)
        assert response.status_code == 200
        html = response.content.decode()
        leaked = [v for v in values if v in html]
        assert leaked == [], (url, leaked)
