"""What `inspections` adds to the desk (core.desk): its menu and the rectification lists waiting for each role."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import RoleAssignment
from communities.selectors import company_ids_of, scope_by_compound
from core.desk import Link, Task, register_group, register_tasks
from core.models import User
from inspections import selectors
from inspections.models import RectificationList

Status = RectificationList.Status


def _lists(status: str) -> str:
    return f"{reverse('inspections:list_list')}?status={status}"


def links(request) -> list[Link]:
    user = request.user
    if selectors.is_official(user):
        return [
            Link(_("Inspections"), reverse("inspections:inspection_list")),
            Link(_("Rectification"), reverse("inspections:list_list")),
            Link(_("Report review"), reverse("inspections:review_queue")),
            Link(_("Rectification figures"), reverse("inspections:figures")),
        ]
    if company_ids_of(user):
        return [Link(_("Rectification lists"), reverse("inspections:list_list"))]
    return []


def staff_tasks(user: User) -> list[Task]:
    """Lists issued to the company and waiting for its first report, and those whose report was sent back."""
    counts = RectificationList.objects.filter(company_id__in=company_ids_of(user)).aggregate(
        issued=Count("pk", filter=Q(status=Status.ISSUED)), returned=Count("pk", filter=Q(status=Status.RETURNED))
    )
    return [
        Task(
            "inspections.to_answer",
            pgettext_lazy("desk task", "Rectification lists to answer"),
            counts["issued"],
            _lists(Status.ISSUED),
            "inspections",
        ),
        Task(
            "inspections.sent_back",
            pgettext_lazy("desk task", "Rectification reports sent back"),
            counts["returned"],
            _lists(Status.RETURNED),
            "inspections",
            urgent=True,
        ),
    ]


def review_tasks(user: User) -> list[Task]:
    return [
        Task(
            "inspections.to_review",
            pgettext_lazy("desk task", "Rectification reports to review"),
            selectors.review_queue(user).count(),
            reverse("inspections:review_queue"),
            "inspections",
        )
    ]


def overdue_tasks(user: User) -> list[Task]:
    in_area = scope_by_compound(RectificationList.objects.all(), user, roles=[RoleAssignment.Role.OFFICIAL])
    return [
        Task(
            "inspections.past_deadline",
            pgettext_lazy("desk task", "Rectification lists past their deadline"),
            in_area.overdue(timezone.localdate()).count(),
            _lists("overdue"),
            "inspections",
            urgent=True,
        )
    ]


def register() -> None:
    register_group("inspections", pgettext_lazy("work group", "Inspections"), order=20, links=links)
    register_tasks("staff", staff_tasks)
    register_tasks("community", review_tasks)
    register_tasks("official", overdue_tasks)
    register_tasks("official", review_tasks)
