"""With DEBUG off, errors are the portal's own pages: in the user's language, in the portal's layout, no debug
output (issue 14, item 11)."""

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from core.views import server_error

pytestmark = pytest.mark.django_db
DEBUG_MARKS = ["Traceback", "Technical", "Django tried these URL patterns", "DEBUG = True", "urlconf"]


def assert_portal_page(html: str) -> None:
    assert 'class="topbar"' in html and 'class="foot"' in html  # base.html
    assert not [m for m in DEBUG_MARKS if m in html]


def test_a_missing_page_is_the_portals_404_in_chinese_with_the_menus(world, client, settings):
    settings.DEBUG = False
    client.force_login(world.staff_yifang)
    got = client.get("/no-such-page/")
    assert got.status_code == 404
    html = got.content.decode()
    assert_portal_page(html)
    assert "页面不存在" in html and "返回我的待办" in html
    assert 'data-group="complaints"' in html  # the user's menus are there to go on from


def test_an_object_outside_the_scope_gets_the_same_404(world, client, settings):
    settings.DEBUG = False
    client.force_login(world.resident_fulian)
    got = client.get("/ratings/company/stars/")
    assert got.status_code == 404 and "页面不存在" in got.content.decode()


def test_a_forbidden_page_is_the_portals_403(world, client, settings):
    settings.DEBUG = False
    client.force_login(world.staff_yifang)
    got = client.get("/claims/")  # officials only
    assert got.status_code == 403
    html = got.content.decode()
    assert_portal_page(html)
    assert "无权操作" in html


def test_the_404_follows_the_language_of_the_user(world, settings):
    settings.DEBUG = False
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.district)
    got = client.get("/no-such-page/")
    assert got.status_code == 404 and "Page not found" in got.content.decode()


def test_a_stale_form_gets_the_portals_csrf_page(world, settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.staff_yifang)
    got = client.post("/notifications/read-all/")
    assert got.status_code == 403
    html = got.content.decode()
    assert_portal_page(html)
    assert "表单已过期" in html


def test_a_server_error_is_the_portals_500_page_without_database_queries(django_assert_num_queries):
    request = RequestFactory().get("/complaints/")
    with django_assert_num_queries(0):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            got = server_error(request)
    assert got.status_code == 500
    html = got.content.decode()
    assert_portal_page(html)
    assert "系统出错了" in html and "boom" not in html


def test_a_database_outage_is_a_503_page_with_retry_after():
    request = RequestFactory().get("/complaints/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        got = server_error(request)
    assert got.status_code == 503 and got["Retry-After"] == "5"
    assert "服务暂时不可用" in got.content.decode()
