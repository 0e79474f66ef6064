"""Reads of the complaints app, already limited to what the user may see (SPEC §3).

- property staff: complaints of compounds their company manages now, plus those assigned to it;
- officials (district, town, community): complaints of compounds in their area — a community
  worker therefore also sees (and handles) the self-managed compounds of the community;
- everyone: the complaints they filed themselves. Committee members and mediators see no other
  complaints (SPEC §3 gives them committee and dispute data, not work orders).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from communities.models import Community, Compound, ManagementContract, PropertyCompany, RoleAssignment, Subdistrict
from communities.selectors import compound_ids_visible_to, roles_of
from complaints.models import Category, Complaint, ComplaintEvent, ComplaintPhoto
from core import errors
from core.models import Notification, User
from core.sql import ModelColumns, fetch_all

Role = RoleAssignment.Role


def complaints_visible_to(user: User) -> QuerySet[Complaint]:
    """Every complaint the user may see, in one query (subqueries, no Python loops over rows)."""
    if not getattr(user, "is_authenticated", False):
        return Complaint.objects.none()
    if user.is_superuser:
        return Complaint.objects.all()
    q = Q(reporter=user)
    company_ids = [r.company_id for r in roles_of(user) if r.role == Role.STAFF and r.company_id]
    if company_ids:
        q |= Q(assigned_company_id__in=company_ids)
        q |= Q(compound__in=ManagementContract.objects.in_force().filter(company_id__in=company_ids).values("compound_id"))
    if any(r.role == Role.OFFICIAL for r in roles_of(user)):
        q |= Q(compound__in=compound_ids_visible_to(user, roles=[Role.OFFICIAL]))
    return Complaint.objects.filter(q)


def complaints_for_list(user: User) -> QuerySet[Complaint]:
    """The visible complaints with what a list row shows, joined (a fixed number of queries)."""
    return complaints_visible_to(user).select_related(
        "compound__community__subdistrict", "category", "assigned_company", "assigned_community", "reporter"
    )


def complaints_for_detail(user: User) -> QuerySet[Complaint]:
    return complaints_for_list(user).prefetch_related(
        Prefetch("events", queryset=ComplaintEvent.objects.select_related("actor").order_by("at", "id")),
        Prefetch("photos", queryset=ComplaintPhoto.objects.order_by("id")),
    )


def complaint_get(*, user: User, pk: int | str) -> Complaint:
    """One complaint with its timeline and photos; ScopeError (404) if the user may not see it."""
    try:
        return complaints_for_detail(user).get(pk=pk)
    except (Complaint.DoesNotExist, ValueError):
        raise errors.ScopeError("Not found.") from None


def photo_get(*, user: User, pk: int) -> ComplaintPhoto:
    """A photo of a complaint the user may see; ScopeError (404) otherwise."""
    item = ComplaintPhoto.objects.filter(pk=pk, complaint__in=complaints_visible_to(user).values("id")).first()
    if item is None:
        raise errors.ScopeError("Not found.")
    return item


def supervision_list(user: User) -> QuerySet[Complaint]:
    """Open complaints for the supervising official: overdue first, then by nearest deadline."""
    return complaints_for_list(user).filter(status__in=("submitted", "dispatched", "accepted")).order_by("-is_overdue", "resolve_due", "id")


# Filing a complaint reads these rows on every request. The ORM spent several times longer building
# their SQL than the database spent answering it (bench/complaint_create_profile.py), so the read
# below is written once, by hand, over column lists taken from the models (core.sql).
# It is portable SQL (PostgreSQL and the SQLite of `make run`); complaints/tests/test_filing_reads.py
# holds it equal to the ORM querysets it replaces.
_COMPOUND = ModelColumns(Compound, "c")
_COMMUNITY = ModelColumns(Community, "cm")
_SUBDISTRICT = ModelColumns(Subdistrict, "sd")
_CATEGORY = ModelColumns(Category, "cat")
_USER = ModelColumns(User, "u")


@cache
def _filing_targets_sql() -> str:
    contract = ManagementContract._meta.db_table
    # Today's contract, by the rule of communities.models.ContractQuerySet.in_force (start <= day,
    # end open or >= day; test_filing_reads holds the two equal). At most one is in force per compound.
    in_force = (
        f"SELECT mc.company_id FROM {contract} mc WHERE mc.compound_id = c.id AND mc.start <= %(today)s"
        f' AND (mc."end" IS NULL OR mc."end" >= %(today)s) LIMIT 1'
    )
    # One row per staff role of that company (at least one row, all NULL where nothing matched).
    return (
        f"SELECT {_COMPOUND.sql}, {_COMMUNITY.sql}, {_SUBDISTRICT.sql}, {_CATEGORY.sql}, pc.id, pc.name, {_USER.sql}"
        f" FROM (SELECT 1 AS one) q"
        f" LEFT JOIN {_COMPOUND.table} c ON c.id = %(compound)s AND c.is_active"
        f" LEFT JOIN {_COMMUNITY.table} cm ON cm.id = c.community_id"
        f" LEFT JOIN {_SUBDISTRICT.table} sd ON sd.id = cm.subdistrict_id"
        f" LEFT JOIN {PropertyCompany._meta.db_table} pc ON pc.id = ({in_force})"
        f" LEFT JOIN {_CATEGORY.table} cat ON cat.id = %(category)s AND cat.is_active"
        f" LEFT JOIN {RoleAssignment._meta.db_table} r ON r.company_id = pc.id AND r.role = %(staff)s AND r.is_active"
        f" LEFT JOIN {_USER.table} u ON u.id = r.user_id AND u.is_active"
        f" ORDER BY r.id"
    )


@dataclass
class FilingTargets:
    """What filing a complaint about a compound in a category needs to know (see filing_targets)."""

    compound: Compound | None
    category: Category | None
    staff: list[User]  # the active staff of the compound's managing company, to notify of the new assignment


def filing_targets(*, compound_id: int, category_id: int) -> FilingTargets:
    """The active compound and category a complaint is filed about (None if unknown or inactive), in one query.

    The compound comes with its community and town and with today's managing company (`cc_id`,
    `cc_name`, as communities.selectors.with_current_company annotates them), which is what
    complaint_create needs to dispatch it; `staff` are that company's active staff
    (complaint_create's `handlers`).
    """
    params = {"compound": compound_id, "category": category_id, "today": timezone.localdate(), "staff": Role.STAFF}
    rows = fetch_all(_filing_targets_sql(), params)
    row = rows[0]
    at = 0
    compound = _COMPOUND.instance(row, at)
    at += len(_COMPOUND)
    community = _COMMUNITY.instance(row, at)
    at += len(_COMMUNITY)
    subdistrict = _SUBDISTRICT.instance(row, at)
    at += len(_SUBDISTRICT)
    category = _CATEGORY.instance(row, at)
    at += len(_CATEGORY)
    if compound is not None:
        community.subdistrict = subdistrict
        compound.community = community
        compound.cc_id, compound.cc_name = row[at], row[at + 1]
    at += 2
    staff: dict[int, User] = {}
    for row in rows:
        member = _USER.instance(row, at)
        if member is not None:
            staff.setdefault(member.pk, member)  # one user may hold two staff roles of the company
    return FilingTargets(compound=compound, category=category, staff=list(staff.values()))


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def notifications_of(user: User) -> QuerySet[Notification]:
    """The signed-in user's own notifications, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)
