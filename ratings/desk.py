"""What `ratings` adds to the desk (core.desk): its menu and the company evaluations waiting for officials."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities import selectors as places
from communities.models import RoleAssignment
from core.desk import Item, Link, Task, register_group, register_tasks
from core.models import User
from ratings import selectors
from ratings.models import EvaluationRound

Role = RoleAssignment.Role


def links(request) -> list[Link]:
    user = request.user
    if user.is_superuser or places.has_role(user, Role.OFFICIAL):
        return [
            Link(_("Dashboard"), reverse("ratings:dashboard")),
            Link(_("Surveys"), reverse("ratings:surveys")),
            Link(_("Star ratings"), reverse("ratings:star_rounds")),
            Link(_("Company evaluation"), reverse("ratings:companies")),
            Link(_("Red and black list"), reverse("ratings:boards")),
            Link(_("Targets"), reverse("ratings:targets")),
        ]
    if places.has_role(user, Role.STAFF):
        return [
            Link(_("Our figures"), reverse("ratings:company")),
            Link(_("Our stars"), reverse("ratings:company_stars")),
            Link(_("Our evaluation"), reverse("ratings:companies")),
        ]
    return []


def evaluation_tasks(user: User) -> list[Task]:
    """Rounds the user may decide on as a district official: drafts to confirm and confirmed rounds to publish."""
    if not (user.is_superuser or places.areas_of(user, roles=[Role.OFFICIAL])["district"]):
        return []  # town and community officials see the rounds but do not decide on them
    districts = selectors.official_districts(user)
    rounds = list(
        selectors.evaluation_rounds_visible_to(user)
        .filter(district__in=districts, status__in=[EvaluationRound.Status.DRAFT, EvaluationRound.Status.CONFIRMED])
        .order_by("month_to", "id")
    )
    url = reverse("ratings:companies")

    def task(key: str, label, status: str) -> Task:
        mine = [r for r in rounds if r.status == status]
        items = tuple(Item(r.title, 1, f"{url}?round={r.pk}") for r in mine)
        return Task(key, label, len(mine), items[0].url if len(items) == 1 else url, "ratings", items=items)

    return [
        task("ratings.evaluations_to_confirm", pgettext_lazy("desk task", "Company evaluations to confirm"), EvaluationRound.Status.DRAFT),
        task(
            "ratings.evaluations_to_publish", pgettext_lazy("desk task", "Company evaluations to publish"), EvaluationRound.Status.CONFIRMED
        ),
    ]


def register() -> None:
    register_group("ratings", pgettext_lazy("work group", "Ratings"), order=50, links=links)
    register_tasks("official", evaluation_tasks)
