import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches no database (a load balancer polls it often)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database and broker reachable (else 503), and the age of the last metrics run."""
    ready, report = health.readiness()
    return JsonResponse(report, status=200 if ready else 503)


def _connection_lost() -> bool:
    """psycopg reports a connection that died mid-query with odd DatabaseErrors; a dead connection tells them apart."""
    conn = connections["default"]
    return conn.connection is None or not conn.is_usable()


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. A database that is down or restarting is a temporary outage: 503 with Retry-After.

    Django calls this inside its `except` block, so the exception is still in `sys.exc_info()`.
    Touches neither the database nor templates that might.
    """
    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, OperationalError | InterfaceError) or (isinstance(exc, DatabaseError) and _connection_lost())
    status = 503 if unavailable else 500
    detail = "Service temporarily unavailable; try again shortly." if unavailable else "Server error."
    wants_json = request.path.startswith(("/api/", "/open311/")) or "json" in request.headers.get("Accept", "")
    if wants_json:
        response: HttpResponse = JsonResponse({"detail": detail}, status=status)
    else:
        response = HttpResponse(f"<!DOCTYPE html><title>{status}</title><h1>{status}</h1><p>{detail}</p>", status=status)
    if unavailable:
        response["Retry-After"] = "5"
    return response
