"""What `mediation` adds to the desk (core.desk): its menu, open dispute cases and overdue action items."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities import selectors as places
from communities.models import RoleAssignment
from core.desk import Link, Task, register_group, register_tasks
from core.models import User
from mediation import selectors
from mediation.models import DisputeCase

Role = RoleAssignment.Role


def links(request) -> list[Link]:
    user = request.user
    if user.is_superuser or places.has_role(user, Role.OFFICIAL, Role.MEDIATOR):
        return [
            Link(_("Mediation"), reverse("mediation:home")),
            Link(_("Meetings"), reverse("mediation:meeting_list")),
            Link(_("Dispute cases"), reverse("mediation:dispute_list")),
        ]
    if places.has_role(user, Role.COMMITTEE):
        return [Link(_("Meetings"), reverse("mediation:meeting_list"))]
    return []


def mediator_tasks(user: User) -> list[Task]:
    return [
        Task(
            "mediation.open_cases",
            pgettext_lazy("desk task", "Open dispute cases"),
            selectors.disputes_visible_to(user).filter(status=DisputeCase.Status.OPEN).count(),
            f"{reverse('mediation:dispute_list')}?status=open",
            "mediation",
        ),
        Task(
            "mediation.overdue_items",
            pgettext_lazy("desk task", "Overdue action items"),
            selectors.action_items_overdue(user).count(),
            f"{reverse('mediation:action_item_list')}?overdue=1",
            "mediation",
            urgent=True,
        ),
    ]


def register() -> None:
    register_group("mediation", _("Mediation"), order=40, links=links)
    register_tasks("mediator", mediator_tasks)
