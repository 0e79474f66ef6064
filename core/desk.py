"""What is waiting for a user, and the portal's navigation: one selector per desk role, filled in by the apps.

`core` knows no app. Each app registers, in its `AppConfig.ready()`:
- its work group (`register_group`: key, label, order, and the links a user sees in its menu);
- sources of tasks for desk roles (`register_tasks(role, source)`, a function `user -> list[Task]`
  that reads the app's own selectors);
and the app that owns role assignments registers how a user's desk roles are found
(`set_role_resolver`). `tasks_for(user, role)` is the selector of one role; `tasks_waiting(user)`
gathers them for every role the user holds. The home page, the count in the top bar and
`GET /api/v1/me/tasks/` all read `tasks_waiting`, so they always agree.

The top bar's number is on every page, so it is cached per user for `TOTAL_SECONDS`
(`cached_waiting_count`): any write the user makes (a POST, PUT, PATCH or DELETE, through the
portal or the API) drops it (`DeskCountMiddleware`), and the home page stores the total it has
just computed, so the user's own work shows at once and the home page and the bar never disagree;
work done by others shows within `TOTAL_SECONDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.translation import pgettext_lazy

from core.models import User

# Desk roles, in the order the home page shows them. "community" is an official whose area is one
# community (a community worker 社区工作者); "official" one of a town or the district.
ROLES: dict[str, object] = {
    "official": pgettext_lazy("desk role", "Supervision"),
    "community": pgettext_lazy("desk role", "Community work"),
    "staff": pgettext_lazy("desk role", "Property company"),
    "committee": pgettext_lazy("desk role", "Owners' committee"),
    "mediator": pgettext_lazy("desk role", "Mediation"),
    "resident": pgettext_lazy("desk role", "My affairs"),
}


@dataclass(frozen=True)
class Link:
    label: object
    url: str


@dataclass(frozen=True)
class Group:
    """A work group of the portal (complaints, inspections, …): a menu in the top bar, a heading on the home page."""

    key: str
    label: object
    order: int
    links: Callable[[object], list[Link]]  # request -> the links this user may follow (none: no menu)


_GROUPS: dict[str, Group] = {}
_MORE_LINKS: dict[str, list[Callable[[object], list[Link]]]] = {}


def register_group(key: str, label, *, order: int, links: Callable[[object], list[Link]]) -> None:
    _GROUPS[key] = Group(key, label, order, links)


def register_links(key: str, links: Callable[[object], list[Link]]) -> None:
    """An app adds its links to another app's work group (the top bar keeps to six menus)."""
    if links not in _MORE_LINKS.setdefault(key, []):
        _MORE_LINKS[key].append(links)


def group_label(key: str):
    group = _GROUPS.get(key)
    return group.label if group else key


def menus(request) -> list[tuple[Group, list[Link]]]:
    """The top bar: each work group with the links this user may follow; groups without any are left out."""
    out = []
    for group in sorted(_GROUPS.values(), key=lambda g: g.order):
        links = group.links(request) + [link for more in _MORE_LINKS.get(group.key, []) for link in more(request)]
        if links:
            out.append((group, links))
    return out


@dataclass(frozen=True)
class Item:
    """One line under a task: e.g. one town's overdue complaints, or one vote with ballots to sign off."""

    label: str
    count: int
    url: str


@dataclass(frozen=True)
class Task:
    """Something waiting for the user: how many, and where to do it."""

    key: str  # stable identifier, e.g. "complaints.to_sign" (the API's `key`)
    label: object  # translated lazily
    count: int
    url: str
    group: str  # a registered work group
    urgent: bool = False  # counts in red (past a deadline, or about to be)
    items: tuple[Item, ...] = field(default_factory=tuple)


TaskSource = Callable[[User], list[Task]]
_SOURCES: dict[str, list[TaskSource]] = {}
_role_resolver: Callable[[User], set[str]] | None = None


def register_tasks(role: str, source: TaskSource) -> None:
    """An app declares a source of tasks for a desk role (call it from `AppConfig.ready()`)."""
    if role not in ROLES:
        raise ValueError(f"unknown desk role {role!r}")
    if source not in _SOURCES.setdefault(role, []):
        _SOURCES[role].append(source)


def set_role_resolver(resolver: Callable[[User], set[str]]) -> None:
    """Where a user's desk roles come from (registered by the app that owns role assignments)."""
    global _role_resolver
    _role_resolver = resolver


def desk_roles(user: User) -> list[str]:
    """The user's desk roles, in the order of ROLES."""
    if not getattr(user, "is_authenticated", False) or _role_resolver is None:
        return []
    held = _role_resolver(user)
    return [role for role in ROLES if role in held]


def tasks_for(user: User, role: str) -> list[Task]:
    """The selector of one desk role: every task the apps contribute to it, in registration order."""
    return [task for source in _SOURCES.get(role, []) for task in source(user)]


@dataclass(frozen=True)
class Desk:
    role: str
    label: object
    tasks: list[Task]

    @property
    def count(self) -> int:
        return sum(t.count for t in self.tasks)


def tasks_waiting(user: User) -> list[Desk]:
    """Every desk role the user holds with its tasks (tasks with nothing waiting included, count 0).

    A task two of the user's roles share (a committee member who is also an owner sees the open
    votes as both) is listed under the first role only.
    """
    seen: set[str] = set()
    desks = []
    for role in desk_roles(user):
        tasks = [t for t in tasks_for(user, role) if t.key not in seen]
        seen.update(t.key for t in tasks)
        if tasks:
            desks.append(Desk(role, ROLES[role], tasks))
    return desks


def waiting_count(desks: list[Desk]) -> int:
    """The number in the top bar: everything waiting, over all the user's roles."""
    return sum(desk.count for desk in desks)


TOTAL_SECONDS = 30


def _total_key(user_id: int) -> str:
    return f"desk:total:{user_id}"


def cached_waiting_count(user: User) -> int:
    """The top bar's number: `waiting_count(tasks_waiting(user))`, at most `TOTAL_SECONDS` old."""
    key = _total_key(user.pk)
    total = cache.get(key)
    if total is None:
        total = remember_total(user, waiting_count(tasks_waiting(user)))
    return total


def known_total(user: User) -> int | None:
    """The top bar's number if one is cached (at most `TOTAL_SECONDS` old), else None: a page then shows the
    bar without it and the browser asks `desk_count` for it, so no page waits for the desk's counts."""
    return cache.get(_total_key(user.pk))


def remember_total(user: User, total: int) -> int:
    """Store a total just computed (the home page's), so the top bar shows the same number."""
    cache.set(_total_key(user.pk), total, TOTAL_SECONDS)
    return total


def forget_total(user_id: int) -> None:
    cache.delete(_total_key(user_id))


class DeskCountMiddleware:
    """After any write by a signed-in user, drop their cached top-bar number (their own work shows at once)."""

    WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in self.WRITES:
            # Read after the view: an API view authenticates (JWT) inside, and sets request.user then.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                forget_total(user.pk)
        return response
