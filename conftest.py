"""The shared test world: an insider and an outsider for every role (STYLE.md, Tests).

    泉港区
    ├── 后龙镇 / 福炼社区 / 福炼小区      managed by 一方物业
    ├── 界山镇 / 界山社区 / 天马华耀城    managed by 怡家园物业
    └── 山腰街道 / 锦祥社区 / 锦祥安置小区 self-managed

Users carry the demo names: district, town_houlong, town_jieshan, community_fulian,
staff_yifang, staff_yijiayuan, resident_fulian, resident_tianma, committee_fulian,
committee_tianma, mediator_shanyao, mediator_houlong.
"""

import os
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from communities.tests import factories as f


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request's LocaleMiddleware activates its own in
    this thread (a test sending Accept-Language: en would otherwise leave English to the next one)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (this worker's keys only): a value cached for a user id
    or a page in one test (the top bar's count, a public page) never answers in the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):
    district = f.DistrictFactory(name="泉港区")
    houlong = f.SubdistrictFactory(district=district, name="后龙镇")
    jieshan = f.SubdistrictFactory(district=district, name="界山镇")
    shanyao = f.SubdistrictFactory(district=district, name="山腰街道", kind="street")
    fulian_c = f.CommunityFactory(subdistrict=houlong, name="福炼社区")
    jieshan_c = f.CommunityFactory(subdistrict=jieshan, name="界山社区")
    jinxiang_c = f.CommunityFactory(subdistrict=shanyao, name="锦祥社区")
    yifang = f.CompanyFactory(name="一方物业")
    yijiayuan = f.CompanyFactory(name="怡家园物业")
    fulian = f.CompoundFactory(community=fulian_c, name="福炼小区", household_count=486, aliases="福炼新村", address="后龙镇福炼路1号")
    tianma = f.CompoundFactory(community=jieshan_c, name="天马华耀城", household_count=1268, address="界山镇天马路88号")
    jinxiang = f.CompoundFactory(community=jinxiang_c, name="锦祥安置小区", household_count=932)
    f.ContractFactory(compound=fulian, company=yifang)
    f.ContractFactory(compound=tianma, company=yijiayuan)

    u = f.UserFactory
    w = SimpleNamespace(
        district_area=district,
        houlong=houlong,
        jieshan=jieshan,
        shanyao=shanyao,
        fulian_community=fulian_c,
        jieshan_community=jieshan_c,
        jinxiang_community=jinxiang_c,
        yifang=yifang,
        yijiayuan=yijiayuan,
        fulian=fulian,
        tianma=tianma,
        jinxiang=jinxiang,
        password=f.PASSWORD,
    )
    w.district = u(username="district", display_name="林主任")
    f.role(w.district, "official", district=district)
    w.town_houlong = u(username="town_houlong")
    f.role(w.town_houlong, "official", subdistrict=houlong)
    w.town_jieshan = u(username="town_jieshan")
    f.role(w.town_jieshan, "official", subdistrict=jieshan)
    w.community_fulian = u(username="community_fulian")
    f.role(w.community_fulian, "official", community=fulian_c)
    w.staff_yifang = u(username="staff_yifang", phone="13805950001")
    f.role(w.staff_yifang, "staff", company=yifang, is_admin=True)
    w.staff_yijiayuan = u(username="staff_yijiayuan", phone="13805950002")
    f.role(w.staff_yijiayuan, "staff", company=yijiayuan, is_admin=True)
    w.resident_fulian = u(username="resident_fulian", display_name="王红", phone="13905951234")
    f.role(w.resident_fulian, "resident")
    w.resident_fulian_unit = f.give_unit(w.resident_fulian, fulian)
    w.resident_tianma = u(username="resident_tianma", display_name="李明", phone="13905950000")
    f.role(w.resident_tianma, "resident")
    w.resident_tianma_unit = f.give_unit(w.resident_tianma, tianma)
    w.committee_fulian = u(username="committee_fulian")
    f.role(w.committee_fulian, "committee", compound=fulian)
    w.committee_tianma = u(username="committee_tianma")
    f.role(w.committee_tianma, "committee", compound=tianma)
    w.mediator_shanyao = u(username="mediator_shanyao")
    f.role(w.mediator_shanyao, "mediator", subdistrict=shanyao)
    w.mediator_houlong = u(username="mediator_houlong")
    f.role(w.mediator_houlong, "mediator", subdistrict=houlong)
    return w


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates it (session-less, like a token)."""
    client = APIClient()

    def as_user(user):
        client.force_authenticate(user=user)
        return client

    client.as_user = as_user
    return client


# --- Browser tests -----------------------------------------------------------------------------
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download by Playwright itself)."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by tests around it are safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def login(page):
    """`login(username)` signs in through the portal's own form."""

    def do(username: str, password: str = f.PASSWORD):
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit].primary")
        # Signed in once the form's redirect has left the login page (a goto before that would cancel it).
        page.wait_for_url(lambda url: "/login/" not in url)
        page.wait_for_load_state("networkidle")
        return page

    return do
