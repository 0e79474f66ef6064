"""Security bars of SPEC §8: lockout, throttles, headers, production settings, `check --deploy`."""

import re
import sys
import uuid
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests import production

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def _fresh_address() -> str:
    """A client address no other test (or earlier run) has used, so throttle and lockout counts start at zero."""
    n = uuid.uuid4().int
    return f"10.{n % 250 + 1}.{(n >> 8) % 250 + 1}.{(n >> 16) % 250 + 1}"


# --- Lockout ---------------------------------------------------------------------------------


def test_portal_login_locks_out_after_repeated_failures_even_with_the_right_password(world, client):
    addr = _fresh_address()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/login/", {"username": "resident_fulian", "password": "wrong"}, REMOTE_ADDR=addr)
        assert response.status_code in (200, 429)
    response = client.post("/login/", {"username": "resident_fulian", "password": world.password}, REMOTE_ADDR=addr)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "登录" in response.content.decode()  # the lockout page speaks Chinese
    assert AccessAttempt.objects.filter(username="resident_fulian", ip_address=addr).exists()


def test_portal_login_below_the_limit_still_signs_in(world, client):
    addr = _fresh_address()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/login/", {"username": "resident_fulian", "password": "wrong"}, REMOTE_ADDR=addr)
    response = client.post("/login/", {"username": "resident_fulian", "password": world.password}, REMOTE_ADDR=addr)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.resident_fulian.pk)


def test_token_endpoint_locks_out_after_repeated_failures(world):
    client = APIClient()
    addr = _fresh_address()
    codes = [
        client.post(TOKEN_URL, {"username": "staff_yifang", "password": "wrong"}, format="json", REMOTE_ADDR=addr).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the failure that reaches the limit locks
    response = client.post(TOKEN_URL, {"username": "staff_yifang", "password": world.password}, format="json", REMOTE_ADDR=addr)
    assert response.status_code == 429
    assert "access" not in response.json()


def test_token_lockout_is_per_username_and_address(world):
    client = APIClient()
    addr = _fresh_address()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(TOKEN_URL, {"username": "staff_yifang", "password": "wrong"}, format="json", REMOTE_ADDR=addr)
    # The same account from another address, and another account from the same address, still work.
    other_addr = client.post(
        TOKEN_URL, {"username": "staff_yifang", "password": world.password}, format="json", REMOTE_ADDR=_fresh_address()
    )
    assert other_addr.status_code == 200 and "access" in other_addr.json()
    other_user = client.post(TOKEN_URL, {"username": "district", "password": world.password}, format="json", REMOTE_ADDR=addr)
    assert other_user.status_code == 200


# --- Throttles ---------------------------------------------------------------------------------


@pytest.fixture
def low_rates(monkeypatch):
    """Lower the anonymous and per-user rates for this test (the test settings raise them)."""
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/min")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "4/min")


def test_anonymous_address_is_throttled_with_429(world, low_rates):
    client = APIClient()
    addr = _fresh_address()
    cache.delete(f"throttle_anon_{addr}")
    codes = [client.post(TOKEN_URL, {"username": "nobody", "password": "x"}, format="json", REMOTE_ADDR=addr).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    # Another address is not affected.
    assert client.post(TOKEN_URL, {"username": "nobody", "password": "x"}, format="json", REMOTE_ADDR=_fresh_address()).status_code == 401


def test_user_is_throttled_with_429_whatever_the_address(world, api, low_rates):
    user = world.resident_fulian
    cache.delete(f"throttle_user_{user.pk}")
    client = api.as_user(user)
    codes = [client.get("/api/v1/me/", REMOTE_ADDR=_fresh_address()).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert "Retry-After" in client.get("/api/v1/me/").headers


# --- Headers -----------------------------------------------------------------------------------


def test_portal_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/login/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *(Path(settings.BASE_DIR) / app / "templates" for app in settings.LINLI_APPS)]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_our_templates_have_no_inline_script_or_style_the_policy_would_block():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for pattern, what in INLINE:
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert not found, "CSP forbids inline code; move it to static/ files:\n" + "\n".join(found)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    production.collect_own_static(root)
    return root


def test_production_settings_send_hsts_secure_cookies_csp_and_redirect_to_https(static_root):
    result = production.run_json(
        """
from django.test import Client
c = Client()
plain = c.get("/login/", HTTP_HOST="linli.example.cn")
secure = c.get("/login/", HTTP_HOST="linli.example.cn", secure=True)
health = c.get("/healthz", HTTP_HOST="linli.example.cn")
print(json.dumps({
    "plain": [plain.status_code, plain.headers.get("Location", "")],
    "hsts": secure.headers.get("Strict-Transport-Security", ""),
    "csp": secure.headers.get("Content-Security-Policy", ""),
    "nosniff": secure.headers.get("X-Content-Type-Options", ""),
    "frame": secure.headers.get("X-Frame-Options", ""),
    "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
    "health": health.status_code,
}))
""",
        STATIC_ROOT=str(static_root),
    )
    assert result["plain"] == [301, "https://linli.example.cn/login/"]
    assert result["hsts"].startswith("max-age=31536000") and "includeSubDomains" in result["hsts"]
    assert "script-src 'self'" in result["csp"]
    assert result["nosniff"] == "nosniff"
    assert result["frame"] == "DENY"
    assert result["csrf_cookie_secure"] is True
    assert result["health"] == 200  # the load balancer's plain-HTTP probe is not redirected


def test_production_settings_hash_passwords_with_argon2():
    result = production.run_json(
        """
from django.contrib.auth.hashers import make_password
print(json.dumps(make_password("linli-demo-2026")[:8]))
"""
    )
    assert result == "argon2$a"


def test_production_settings_refuse_to_start_without_a_secret_key():
    done = production.run_python("print('started')", SECRET_KEY=None)
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


def test_production_settings_refuse_the_development_key():
    done = production.run_python(
        "print('started')", SECRET_KEY=settings.SECRET_KEY if settings.SECRET_KEY.startswith("linli-dev") else "short"
    )
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr


def test_check_deploy_is_clean_with_production_settings():
    done = production.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_api_docs_load_their_script_from_a_url_so_the_policy_allows_it(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script has a src
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    script_url = re.findall(r'<script src="([^"]+)"', html)[-1].replace("&amp;", "&")
    script = client.get(script_url)
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
