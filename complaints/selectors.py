"""Reads of the complaints app, already limited to what the user may see (SPEC §3).

- property staff: complaints of compounds their company manages now, plus those assigned to it;
- officials (district, town, community): complaints of compounds in their area — a community
  worker therefore also sees (and handles) the self-managed compounds of the community;
- everyone: the complaints they filed themselves. Committee members and mediators see no other
  complaints (SPEC §3 gives them committee and dispute data, not work orders).
"""

from __future__ import annotations

from django.db.models import JSONField, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject

from communities.models import Compound, ManagementContract, RoleAssignment
from communities.selectors import compound_ids_visible_to, roles_of, with_current_company
from complaints.models import Category, Complaint, ComplaintEvent, ComplaintPhoto
from core import errors
from core.models import Notification, User

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


def filing_targets(*, compound_id: int, category_id: int) -> tuple[Compound | None, Category | None]:
    """The active compound and category a complaint is filed about, in one query (None if unknown or inactive).

    The compound comes with its community and town and with today's managing company (`cc_id`,
    `cc_name`, see communities.selectors.with_current_company), which is what complaint_create
    needs to dispatch it; the category rides along as a JSON row.
    """
    fields = Category._meta.concrete_fields
    category = Category.objects.filter(pk=category_id, is_active=True).values(row=JSONObject(**{f.attname: f.attname for f in fields}))
    compound = (
        with_current_company(Compound.objects.filter(pk=compound_id, is_active=True).select_related("community__subdistrict"))
        .annotate(category_row=Subquery(category[:1], output_field=JSONField()))
        .first()
    )
    if compound is None:  # the error path: still say whether the category is fine
        return None, Category.objects.filter(pk=category_id, is_active=True).first()
    row = compound.category_row
    if row is None:
        return compound, None
    return compound, Category.from_db(compound._state.db, [f.attname for f in fields], [f.to_python(row[f.attname]) for f in fields])


def roles_and_company_staff(*, user: User, company_id: int) -> list[User]:
    """The active staff of a company (who handle its complaints), reading `user`'s own roles in the same query.

    Filing a complaint needs both: the staff to notify, the filer's roles for the actions the
    response offers. The filer's roles are left where communities.selectors.roles_of caches them
    for the request, so roles_of(user) asks the database no more.
    """
    rows = list(
        RoleAssignment.objects.filter(is_active=True)
        .filter(Q(user=user) | Q(role=Role.STAFF, company_id=company_id, user__is_active=True))
        .select_related("user")
    )
    if getattr(user, "_linli_roles", None) is None:
        user._linli_roles = [r for r in rows if r.user_id == user.pk]  # the cache roles_of() reads
    staff: dict[int, User] = {}
    for r in rows:
        if r.role == Role.STAFF and r.company_id == company_id and r.user.is_active:
            staff.setdefault(r.user_id, r.user)
    return list(staff.values())


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def notifications_of(user: User) -> QuerySet[Notification]:
    """The signed-in user's own notifications, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)
