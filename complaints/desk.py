"""What `complaints` adds to the desk (core.desk): its menu and the work orders waiting for each role."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import RoleAssignment
from communities.selectors import community_ids_of, company_ids_of, has_role, is_resident
from complaints import selectors
from complaints.models import Complaint
from core.desk import Item, Link, Task, register_group, register_tasks
from core.models import User

Role = RoleAssignment.Role
Status = Complaint.Status
OPEN = list(Complaint.AWAITING_RESOLUTION)


def _queue(**params) -> str:
    return reverse("complaints:queue") + ("?" + urlencode(params, doseq=True) if params else "")


def _official(user: User) -> bool:
    return user.is_superuser or has_role(user, Role.OFFICIAL)


def links(request) -> list[Link]:
    user = request.user
    if _official(user):
        return [
            Link(_("Complaints"), reverse("complaints:queue")),
            Link(_("Supervision"), reverse("complaints:supervision")),
            Link(_("Target problems and warnings"), reverse("complaints:target_problems")),
            Link(_("Record a walk-in complaint"), reverse("complaints:walk_in")),
            Link(_("12345 import"), reverse("complaints:hotline_import")),
        ]
    if has_role(user, Role.STAFF):
        return [Link(_("Complaints"), reverse("complaints:queue"))]
    if is_resident(user):
        return [Link(pgettext_lazy("menu", "My complaints"), reverse("complaints:queue"))]
    return []


def _handler_tasks(qs, *, prefix: str) -> list[Task]:
    """待签收, 即将超时, 已超时 and supervision notices to answer, over the complaints assigned to the user's desk."""
    now = timezone.now()
    open_ = Q(status__in=OPEN)
    counts = qs.aggregate(
        to_sign=Count("pk", filter=Q(status=Status.DISPATCHED)),
        due_soon=Count("pk", filter=selectors.due_soon_q(now)),
        overdue=Count("pk", filter=open_ & Q(is_overdue=True)),
        supervised=Count("pk", filter=open_ & Q(supervised=True, supervision_answered=False)),
    )
    return [
        Task(f"{prefix}.to_sign", pgettext_lazy("desk task", "To sign for"), counts["to_sign"], _queue(status="dispatched"), "complaints"),
        Task(
            f"{prefix}.due_soon",
            pgettext_lazy("desk task", "Deadline within 4 working hours"),
            counts["due_soon"],
            _queue(due_soon="true"),
            "complaints",
            urgent=True,
        ),
        Task(
            f"{prefix}.overdue",
            pgettext_lazy("desk task", "Overdue"),
            counts["overdue"],
            _queue(overdue="true", status=OPEN),
            "complaints",
            urgent=True,
        ),
        Task(
            f"{prefix}.supervised",
            pgettext_lazy("desk task", "Supervision notices to answer"),
            counts["supervised"],
            _queue(supervised="true", status=OPEN),
            "complaints",
            urgent=True,
        ),
    ]


def staff_tasks(user: User) -> list[Task]:
    companies = company_ids_of(user)
    return _handler_tasks(selectors.complaints_visible_to(user).filter(assigned_company_id__in=companies), prefix="complaints.staff")


def community_tasks(user: User) -> list[Task]:
    """A community worker handles the complaints of self-managed compounds, assigned to the community."""
    communities = community_ids_of(user)
    return _handler_tasks(
        selectors.complaints_visible_to(user).filter(assigned_community_id__in=communities), prefix="complaints.community"
    )


def official_tasks(user: User) -> list[Task]:
    """The supervision list, overdue complaints by town, and returned complaints waiting to be reassigned."""
    qs = selectors.complaints_visible_to(user).filter(status__in=OPEN)
    by_town = (
        qs.filter(is_overdue=True)
        .values("compound__community__subdistrict_id", "compound__community__subdistrict__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "compound__community__subdistrict_id")
    )
    supervision = reverse("complaints:supervision")
    towns = tuple(
        Item(
            row["compound__community__subdistrict__name"],
            row["n"],
            f"{supervision}?overdue=true&subdistrict={row['compound__community__subdistrict_id']}",
        )
        for row in by_town
    )
    returned = qs.filter(status=Status.SUBMITTED).count()
    return [
        Task(
            "complaints.supervision",
            pgettext_lazy("desk task", "Supervision list: overdue complaints"),
            sum(t.count for t in towns),
            f"{supervision}?overdue=true",
            "complaints",
            urgent=True,
            items=towns,
        ),
        Task(
            "complaints.returned",
            pgettext_lazy("desk task", "Returned complaints to reassign"),
            returned,
            _queue(status="submitted"),
            "complaints",
        ),
    ]


def resident_tasks(user: User) -> list[Task]:
    counts = Complaint.objects.filter(reporter=user).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN)), resolved=Count("pk", filter=Q(status=Status.RESOLVED))
    )
    return [
        Task(
            "complaints.mine_open",
            pgettext_lazy("desk task", "My complaints being handled"),
            counts["open"],
            _queue(status=OPEN),
            "complaints",
        ),
        Task(
            "complaints.mine_resolved",
            pgettext_lazy("desk task", "My complaints to confirm and rate"),
            counts["resolved"],
            _queue(status="resolved"),
            "complaints",
        ),
    ]


def register() -> None:
    register_group("complaints", _("Complaints"), order=10, links=links)
    register_tasks("staff", staff_tasks)
    register_tasks("community", community_tasks)
    register_tasks("official", official_tasks)
    register_tasks("resident", resident_tasks)
