import sys

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core import desk, health, notifications, portal


@never_cache
@require_GET
def desk_count(request: HttpRequest) -> JsonResponse:
    """The top bar's number when the page had none cached: exact, then cached for the next pages.

    Signed out, a 401 rather than the login redirect: a script's fetch would follow that redirect and render
    the login form, whose new CSRF cookie would then void a login form open in the same browser."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "not signed in"}, status=401)
    return JsonResponse({"total": desk.cached_waiting_count(request.user)})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The desk: what is waiting for the user in each of their roles, with counts and links."""
    desks = desk.tasks_waiting(request.user)
    total = desk.remember_total(request.user, desk.waiting_count(desks))
    return render(request, "core/home.html", {"desks": desks, "total": total})


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = notifications.notifications_of(request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    # Keyset pages: a user with 200,000 notifications costs what one with 20 does (no COUNT, no OFFSET).
    page, query = portal.keyset_page(request, qs, ordering=["-created_at", "-id"], size=30)
    return render(request, "core/notifications.html", {"page": page, "query": query, "unread_only": unread_only})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and follow its link (only a link into this site)."""
    note = get_object_or_404(notifications.notifications_of(request.user), pk=pk)
    notifications.notification_mark_read(user=request.user, ids=[note.pk])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications.notification_mark_read(user=request.user)
    return redirect("notifications")


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


def _error_page(status: int, unavailable: bool) -> str:
    """The portal's 500/503 page in the user's language, rendered without the request (no menus, no queries)."""
    try:
        return loader.render_to_string("500.html", {"status": status, "unavailable": unavailable})
    except Exception:  # the error page itself must never fail
        return f"<!DOCTYPE html><title>{status}</title><h1>{status}</h1>"


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
        response = HttpResponse(_error_page(status, unavailable), status=status)
    if unavailable:
        response["Retry-After"] = "5"
    return response
