"""The top bar: the work-group menus, the number of things waiting and the unread notifications.

Each value is computed when a template first reads it, once per request.
"""

from collections.abc import Callable

from django.http import HttpRequest

from core import desk, notifications

UNREAD_CAP = 100


def _once(compute: Callable):
    box: list = []

    def get():
        if not box:
            box.append(compute())
        return box[0]

    return get


def topbar(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "menus": _once(lambda: desk.menus(request)),
        # The cached number, or None: the page is not held up by the desk's counts; static/js/desk-count.js
        # fetches the number (core.views.desk_count computes and caches it) after the page has loaded.
        "desk_total": _once(lambda: desk.known_total(user)),
        # Counted up to 100 (the bell shows 99+): a user with 200,000 unread notifications costs as little as one with 5.
        "unread_count": _once(lambda: notifications.notifications_of(user).filter(read_at__isnull=True).values("pk")[:UNREAD_CAP].count()),
    }
