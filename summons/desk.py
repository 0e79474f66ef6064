"""What `summons` adds to the desk (core.desk): its menu, overdue commitments for officials, answers to file
for the summoned party and answers to review."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.selectors import company_ids_of
from core.desk import Item, Link, Task, register_links, register_tasks
from core.models import User
from summons import selectors
from summons.models import Commitment

Status = Commitment.Status


def links(request) -> list[Link]:
    user = request.user
    if selectors.may_record(user) or company_ids_of(user):
        return [Link(_("Summonses"), reverse("summons:list"))]
    return []


def overdue_tasks(user: User) -> list[Task]:
    """逾期未完成的约谈承诺: commitments of summonses in the official's area past their deadline and not done,
    one line per summons."""
    today = timezone.localdate()
    overdue = (
        selectors.commitments_visible_to(user, roles=(selectors.Role.OFFICIAL,))
        .overdue(today)
        .values("summons_id", "summons__number", "summons__company__name", "summons__subdistrict__name")
        .order_by("summons__held_on", "summons_id")
    )
    per: dict[int, list] = {}
    for row in overdue:
        per.setdefault(row["summons_id"], []).append(row)
    items = tuple(
        Item(
            f"{rows[0]['summons__number']} {rows[0]['summons__company__name'] or rows[0]['summons__subdistrict__name']}",
            len(rows),
            reverse("summons:detail", args=[pk]),
        )
        for pk, rows in per.items()
    )
    return [
        Task(
            "summons.overdue",
            pgettext_lazy("desk task", "Overdue summons commitments not done"),
            sum(i.count for i in items),
            f"{reverse('summons:list')}?overdue=1",
            "ratings",  # shown with the ratings group, whose menu carries this app's link
            urgent=True,
            items=items,
        )
    ]


def review_tasks(user: User) -> list[Task]:
    waiting = Commitment.objects.filter(selectors.reviewable_q(user), status=Status.ANSWERED)
    return [
        Task(
            "summons.to_review",
            pgettext_lazy("desk task", "Summons commitment answers to review"),
            waiting.count(),
            f"{reverse('summons:list')}?waiting=review",
            "ratings",  # shown with the ratings group, whose menu carries this app's link
        )
    ]


def answer_tasks(user: User) -> list[Task]:
    waiting = Commitment.objects.filter(selectors.answerable_q(user), Q(status__in=[Status.OPEN, Status.RETURNED]))
    return [
        Task(
            "summons.to_answer",
            pgettext_lazy("desk task", "Summons commitments to answer"),
            waiting.count(),
            f"{reverse('summons:list')}?waiting=answer",
            "ratings",  # shown with the ratings group, whose menu carries this app's link
            urgent=waiting.filter(deadline__lt=timezone.localdate()).exists(),
        )
    ]


def office_answer_tasks(user: User) -> list[Task]:
    """A town official answers only when the town's office was summoned: shown only then."""
    return [t for t in answer_tasks(user) if t.count]


def register() -> None:
    register_links("ratings", links)
    register_tasks("official", overdue_tasks)
    register_tasks("official", review_tasks)
    register_tasks("official", office_answer_tasks)
    register_tasks("staff", answer_tasks)
