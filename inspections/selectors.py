"""Reads of the inspections app, already scoped to the user (SPEC §3).

Officials see inspections and rectification lists of compounds in their area. Property staff see
the rectification lists *issued to their company* (the list's `company`), and nothing else here:
not inspections, not other companies' lists. We scope staff by the list's company rather than by
today's contract because the list is that company's obligation: if the contract changes hands, the
old company can still answer (and read the review of) the list it was given, and the new company
never sees its predecessor's lists. Lists are only ever issued to the company managing the
compound on the day of issue, so at issue time both rules agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from communities.models import Compound, PropertyCompany, RoleAssignment
from communities.selectors import company_ids_of, has_role, scope_by_compound
from core.models import User
from inspections.models import (
    ChecklistTemplate,
    Inspection,
    RectificationList,
)

Role = RoleAssignment.Role
ACCEPTED = RectificationList.Status.ACCEPTED
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole × 100, exact to two decimals (SPEC §5); None when nothing is due."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_decimal(part: Decimal, whole: Decimal) -> Decimal:
    """A score as a percentage of the maximum, exact to two decimals."""
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Checklists ----------------------------------------------------------------------------------


def templates_visible_to(user: User) -> QuerySet[ChecklistTemplate]:
    """Checklists are public standards: every signed-in user may read every version."""
    return ChecklistTemplate.objects.all()


def current_template(name: str | None = None) -> ChecklistTemplate | None:
    qs = ChecklistTemplate.objects.filter(is_current=True)
    if name:
        qs = qs.filter(name=name)
    return qs.order_by("id").first()


# --- Inspections -------------------------------------------------------------------------------


def inspections_visible_to(user: User) -> QuerySet[Inspection]:
    """Inspections of compounds in the user's area; only officials record and read them."""
    return scope_by_compound(Inspection.objects.all(), user, roles=[Role.OFFICIAL])


def is_official(user: User) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.OFFICIAL)


def latest_inspection_percentages(*, compound_ids: list[int] | None = None, on: date | None = None) -> dict[int, Decimal]:
    """The latest submitted inspection score (%) per compound, for the star rating (one query)."""
    submitted = Inspection.objects.filter(status=Inspection.Status.SUBMITTED)
    if on is not None:
        submitted = submitted.filter(inspected_on__lte=on)
    # A correlated subquery rather than DISTINCT ON, so it also runs on the embedded SQLite.
    latest = submitted.filter(compound_id=OuterRef("compound_id")).order_by("-inspected_on", "-id").values("id")[:1]
    qs = submitted.filter(pk=Subquery(latest))
    if compound_ids is not None:
        qs = qs.filter(compound_id__in=compound_ids)
    return dict(qs.values_list("compound_id", "percentage"))


# --- Rectification lists ------------------------------------------------------------------------


def rectification_lists_visible_to(user: User) -> QuerySet[RectificationList]:
    """Officials: lists of compounds in their area. Staff: lists issued to their company."""
    if getattr(user, "is_superuser", False):
        return RectificationList.objects.all()
    if not getattr(user, "is_authenticated", False):
        return RectificationList.objects.none()
    official = scope_by_compound(RectificationList.objects.all(), user, roles=[Role.OFFICIAL]).values("id")
    q = Q(pk__in=official)
    companies = company_ids_of(user)
    if companies:
        q |= Q(company_id__in=companies)
    return RectificationList.objects.filter(q)


def review_queue(user: User) -> QuerySet[RectificationList]:
    """Lists whose report waits for an official of the area, oldest deadline first."""
    qs = scope_by_compound(RectificationList.objects.all(), user, roles=[Role.OFFICIAL])
    return qs.filter(status=RectificationList.Status.REPORTED).order_by("deadline", "id")


def may_review(user: User, rect: RectificationList) -> bool:
    """Officials of the compound's area review; staff only read."""
    return scope_by_compound(RectificationList.objects.filter(pk=rect.pk), user, roles=[Role.OFFICIAL]).exists()


def may_report(user: User, rect: RectificationList) -> bool:
    return rect.company_id in company_ids_of(user)


def officials_for_compound(compound: Compound) -> QuerySet[User]:
    """Officials whose area holds the compound (community, town or district), for alerts."""
    sub = compound.community.subdistrict
    place = Q(community_id=compound.community_id) | Q(subdistrict_id=sub.id) | Q(district_id=sub.district_id)
    ids = RoleAssignment.objects.filter(place, role=Role.OFFICIAL, is_active=True).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)


def _staff_assignments(**company) -> QuerySet[RoleAssignment]:
    """Active staff roles of active users at the company (or companies) given."""
    return RoleAssignment.objects.filter(role=Role.STAFF, is_active=True, user__is_active=True, **company)


def staff_of_company(company: PropertyCompany | int) -> QuerySet[User]:
    return User.objects.filter(pk__in=_staff_assignments(company=company).values("user_id"))


def staff_by_company(company_ids: list[int]) -> dict[int, list[User]]:
    """`staff_of_company` for many companies in one query: company id → its staff."""
    out: dict[int, list[User]] = {}
    for assignment in _staff_assignments(company__in=company_ids).select_related("user"):
        out.setdefault(assignment.company_id, []).append(assignment.user)
    return out


# --- Figures the district reports (SPEC §5) -------------------------------------------------------


def _counts(today: date) -> dict:
    """Count expressions over rectification lists; `due` = deadline passed or already accepted."""
    accepted = Q(status=ACCEPTED)
    return {
        "issued": Count("id"),
        "closed_on_time": Count("id", filter=accepted & Q(accepted_on__lte=F("deadline"))),
        "closed_late": Count("id", filter=accepted & Q(accepted_on__gt=F("deadline"))),
        "overdue": Count("id", filter=~accepted & Q(deadline__lt=today)),
        "open": Count("id", filter=~accepted & Q(deadline__gte=today)),
        "due": Count("id", filter=accepted | Q(deadline__lt=today)),
    }


GROUPS = {
    "town": ("compound__community__subdistrict_id", "compound__community__subdistrict__name"),
    "company": ("company_id", "company__name"),
    "compound": ("compound_id", "compound__name"),
}


def rectification_figures(
    user: User, *, by: str = "town", start: date | None = None, end: date | None = None, today: date | None = None
) -> dict:
    """Lists issued (in [start, end] by issue date), closed on time, closed late, overdue and open,
    grouped by town, company or compound, with the on-time rate; SQL aggregates, one query per call
    plus one for the total. Returns {"rows": [...], "total": {...}}."""
    if by not in GROUPS:
        raise ValueError(by)
    today = today or timezone.localdate()
    qs = rectification_lists_visible_to(user)
    if start:
        qs = qs.filter(issued_at__date__gte=start)
    if end:
        qs = qs.filter(issued_at__date__lte=end)
    key, label = GROUPS[by]
    counts = _counts(today)
    rows = list(qs.values(key, label).annotate(**counts).order_by(label, key))
    out = []
    for row in rows:
        item = {"id": row[key], "name": row[label], **{k: row[k] for k in counts}}
        item["on_time_rate"] = percent(item["closed_on_time"], item["due"])
        out.append(item)
    total = qs.aggregate(**counts)
    total["on_time_rate"] = percent(total["closed_on_time"], total["due"])
    return {"rows": out, "total": total}


@dataclass(frozen=True)
class Timeliness:
    due: int
    on_time: int

    @property
    def rate(self) -> Decimal | None:
        return percent(self.on_time, self.due)


def rectification_timeliness(
    *, compound_ids: list[int] | None = None, start: date | None = None, end: date | None = None, as_of: date | None = None
) -> dict[int, Timeliness]:
    """On-time rectification rate per compound (SPEC §5), for the ratings app.

    Lists considered: deadline within [start, end]. A list is *due* once its deadline has passed
    (deadline < as_of) or once it has been accepted; it is *on time* if accepted on or before its
    deadline. Rate = on time ÷ due. One grouped SQL query; unscoped (the ratings engine runs as a task).
    """
    as_of = as_of or timezone.localdate()
    qs = RectificationList.objects.filter(Q(status=ACCEPTED, accepted_on__lte=as_of) | Q(deadline__lt=as_of))
    if compound_ids is not None:
        qs = qs.filter(compound_id__in=compound_ids)
    if start:
        qs = qs.filter(deadline__gte=start)
    if end:
        qs = qs.filter(deadline__lte=end)
    rows = qs.values("compound_id").annotate(
        due=Count("id"), on_time=Count("id", filter=Q(status=ACCEPTED) & Q(accepted_on__lte=F("deadline")) & Q(accepted_on__lte=as_of))
    )
    return {r["compound_id"]: Timeliness(r["due"], r["on_time"]) for r in rows}


def on_time_rectification_rate(
    *, compound_ids: list[int] | None = None, start: date | None = None, end: date | None = None, as_of: date | None = None
) -> Decimal | None:
    """The same rate rolled up over the given compounds (Σ on time ÷ Σ due, never a mean of rates)."""
    per = rectification_timeliness(compound_ids=compound_ids, start=start, end=end, as_of=as_of)
    return percent(sum(t.on_time for t in per.values()), sum(t.due for t in per.values()))
