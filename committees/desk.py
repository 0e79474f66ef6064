"""What `committees` adds to the desk (core.desk): its menu, paper ballots to sign off, votes to certify, open votes."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from committees import selectors
from committees.models import Ballot, Vote
from communities import selectors as places
from communities.models import RoleAssignment
from core.desk import Item, Link, Task, register_group, register_tasks
from core.models import User

Role = RoleAssignment.Role


def links(request) -> list[Link]:
    user = request.user
    if user.is_superuser or places.has_role(user, Role.OFFICIAL, Role.COMMITTEE):
        return [Link(_("Owners' committees"), reverse("committees:home"))]
    if places.is_resident(user):
        return [Link(pgettext_lazy("menu", "My compound's committee"), reverse("committees:home"))]
    return []


def _vote_items(rows) -> tuple[Item, ...]:
    return tuple(Item(row["title"], row["n"], reverse("committees:vote", args=[row["pk"]])) for row in rows)


def paper_ballot_tasks(user: User) -> list[Task]:
    """Paper ballots entered by a committee and waiting for the community's sign-off, per vote."""
    pending = places.scope_by_compound(
        Ballot.objects.filter(channel=Ballot.Channel.PAPER, status=Ballot.Status.PENDING),
        user,
        field="vote__compound",
        roles=[Role.OFFICIAL],
    )
    rows = (
        Vote.objects.filter(pk__in=pending.values("vote_id")).annotate(n=Count("ballots", filter=_pending_q())).values("pk", "title", "n")
    )
    items = _vote_items(rows.order_by("closes_at", "pk"))
    return [
        Task(
            "committees.paper_ballots",
            pgettext_lazy("desk task", "Paper ballots to sign off"),
            sum(i.count for i in items),
            items[0].url if len(items) == 1 else reverse("committees:home"),
            "committees",
            items=items,
        )
    ]


def _pending_q() -> Q:
    return Q(ballots__channel=Ballot.Channel.PAPER, ballots__status=Ballot.Status.PENDING)


def certify_tasks(user: User) -> list[Task]:
    """Votes whose window has closed and whose result no official has certified yet."""
    closed = places.scope_by_compound(
        Vote.objects.filter(status=Vote.Status.OPEN, closes_at__lte=timezone.now()), user, roles=[Role.OFFICIAL]
    )
    items = tuple(Item(v.title, 1, reverse("committees:vote", args=[v.pk])) for v in closed.order_by("closes_at", "pk")[:20])
    return [
        Task(
            "committees.to_certify",
            pgettext_lazy("desk task", "Votes to certify"),
            closed.count(),
            items[0].url if len(items) == 1 else reverse("committees:home"),
            "committees",
            items=items,
        )
    ]


def open_vote_tasks(user: User) -> list[Task]:
    """Votes of the user's compounds open for ballots now."""
    now = timezone.now()
    votes = selectors.votes_visible_to(user).filter(status=Vote.Status.OPEN, opens_at__lte=now, closes_at__gt=now)
    items = tuple(Item(v.title, 1, reverse("committees:vote", args=[v.pk])) for v in votes.order_by("closes_at", "pk")[:20])
    return [
        Task(
            "committees.open_votes",
            pgettext_lazy("desk task", "Votes open now"),
            votes.count(),
            items[0].url if len(items) == 1 else reverse("committees:home"),
            "committees",
            items=items,
        )
    ]


def register() -> None:
    register_group("committees", _("Owners' committees"), order=30, links=links)
    register_tasks("community", paper_ballot_tasks)
    register_tasks("community", certify_tasks)
    register_tasks("official", certify_tasks)
    register_tasks("committee", open_vote_tasks)
    register_tasks("resident", open_vote_tasks)
