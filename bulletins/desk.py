"""What `bulletins` adds to the desk (core.desk): the menu entry and the drafts waiting for publication."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bulletins import selectors
from bulletins.models import Bulletin
from communities.selectors import has_role
from core.desk import Link, Task, register_links, register_tasks
from core.models import User


def links(request) -> list[Link]:
    if getattr(request.user, "is_superuser", False) or has_role(request.user, "official"):
        return [Link(_("Monthly bulletins"), reverse("bulletins:list"))]
    return []


def draft_tasks(user: User) -> list[Task]:
    drafts = selectors.bulletins_visible_to(user).filter(selectors.covers_q(user), status=Bulletin.Status.DRAFT)
    return [
        Task(
            "bulletins.to_publish",
            pgettext_lazy("desk task", "Monthly bulletins to review and publish"),
            drafts.count(),
            reverse("bulletins:list"),
            "ratings",  # shown with the ratings group, whose menu carries this app's link
        )
    ]


def register() -> None:
    register_links("ratings", links)
    register_tasks("official", draft_tasks)
