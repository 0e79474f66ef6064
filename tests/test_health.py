"""/healthz and /readyz for the load balancer; a database outage answers 503, never 500."""

import pytest

from tests import production

pytestmark = pytest.mark.django_db

CLOSED_PORT_DB = "postgres://postgres@127.0.0.1:1/linli_unreachable"


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_broker_and_metrics(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True}
    assert body["broker"] == {"ok": True}
    assert body["metrics"]["last_run"] == "unknown" or body["metrics"]["age_seconds"] >= 0
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_readyz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["ok"] is False
    assert body["database"] == {"ok": True}


def test_readyz_is_503_when_the_database_is_unreachable():
    # A real server process whose DATABASE_URL points at a closed port: a real failed connection.
    result = production.run_json(
        """
from django.test import Client
r = Client(raise_request_exception=False).get("/readyz", HTTP_HOST="testserver")
print(json.dumps({"status": r.status_code, "body": r.json()}))
""",
        DATABASE_URL=CLOSED_PORT_DB,
    )
    assert result["status"] == 503
    assert result["body"]["database"]["ok"] is False
    assert result["body"]["database"]["error"] == "OperationalError"
    assert result["body"]["status"] == "unavailable"


def test_api_and_portal_answer_503_not_500_while_the_database_is_unreachable():
    result = production.run_json(
        """
from django.test import Client
c = Client(raise_request_exception=False)
api = c.post("/api/v1/auth/token/", {"username": "resident_fulian", "password": "x"}, content_type="application/json",
             HTTP_HOST="testserver", secure=True)
page = c.get("/compounds/", HTTP_HOST="testserver", secure=True, HTTP_COOKIE="sessionid=" + "a" * 32)
print(json.dumps({"api": [api.status_code, api.headers.get("Retry-After"), api.json()],
                  "page": [page.status_code, page.headers.get("Retry-After")]}))
""",
        DATABASE_URL=CLOSED_PORT_DB,
    )
    assert result["api"][0] == 503 and result["api"][1] == "5"
    assert "unavailable" in result["api"][2]["detail"]
    assert result["page"] == [503, "5"]


def test_readyz_reports_the_age_of_the_last_finished_metrics_run(client):
    from datetime import timedelta

    from django.utils import timezone

    from ratings.models import MetricRun

    now = timezone.now()
    MetricRun.objects.create(kind="full", started_at=now - timedelta(minutes=12), finished_at=now - timedelta(minutes=10), watermark=now)
    MetricRun.objects.create(kind="incremental", started_at=now - timedelta(minutes=1), finished_at=None, watermark=now)  # still running
    metrics = client.get("/readyz").json()["metrics"]
    assert 590 <= metrics["age_seconds"] <= 660
    assert metrics["last_run"] == (now - timedelta(minutes=10)).isoformat()
