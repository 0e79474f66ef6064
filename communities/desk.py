"""What `communities` adds to the desk (core.desk): how a user's desk roles are found, the
administration menu, and the ownership claims a community worker verifies."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities import selectors
from communities.models import RoleAssignment
from core.desk import Link, Task, register_group, register_tasks, set_role_resolver
from core.models import User

Role = RoleAssignment.Role


def desk_roles(user: User) -> set[str]:
    """An official of a community is a community worker (社区); of a town or the district, an official."""
    roles = set()
    if user.is_superuser:
        roles.add("official")
    for r in selectors.roles_of(user):
        if r.role == Role.OFFICIAL:
            roles.add("community" if r.community_id else "official")
        else:
            roles.add(r.role)
    if selectors.is_resident(user):  # a fresh registration holds no role yet and is a resident
        roles.add("resident")
    return roles


def is_official(user: User) -> bool:
    return user.is_superuser or selectors.has_role(user, Role.OFFICIAL)


def administration_links(request) -> list[Link]:
    user = request.user
    links = []
    if is_official(user):
        links += [
            Link(_("Compounds"), reverse("communities:compound_list")),
            Link(_("Ownership claims"), reverse("communities:claim_queue")),
            Link(_("Import"), reverse("communities:roster_import")),
        ]
    if is_official(user) or selectors.administered_company_ids(user):
        links.append(Link(_("Accounts"), reverse("communities:account_list")))
    if is_official(user):
        links += [Link(_("Audit trail"), reverse("communities:audit_log")), Link(_("Export log"), reverse("communities:export_log"))]
    if user.is_staff:
        links.append(Link(_("Admin"), reverse("admin:index")))
    return links


def claim_tasks(user: User) -> list[Task]:
    return [
        Task(
            key="communities.claims_to_verify",
            label=pgettext_lazy("desk task", "Ownership claims to verify"),
            count=selectors.claims_to_decide(user).count(),
            url=reverse("communities:claim_queue"),
            group="administration",
        )
    ]


def register() -> None:
    set_role_resolver(desk_roles)
    register_group("administration", pgettext_lazy("work group", "Administration"), order=60, links=administration_links)
    register_tasks("community", claim_tasks)
