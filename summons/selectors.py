"""Reads of summonses, scoped to the user (communities.selectors decides the areas).

Officials of the district, or of the town a summons concerns, see it; community workers do not.
Staff see the summonses of their company.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from communities import selectors as places
from core.models import User
from summons.models import Commitment, Summons

Role = places.Role


def _official_q(user: User, prefix: str = "") -> Q:
    return places.area_q(user, roles=[Role.OFFICIAL], path=f"{prefix}district", level="district") | places.area_q(
        user, roles=[Role.OFFICIAL], path=f"{prefix}subdistrict", level="subdistrict"
    )


def summonses_visible_to(user: User, *, roles: tuple[str, ...] = (Role.OFFICIAL, Role.STAFF)) -> QuerySet[Summons]:
    """Summonses the user may read through `roles` (officials of the area, staff of the summoned company)."""
    if getattr(user, "is_superuser", False):
        return Summons.objects.all()
    q = Q(pk__in=[])
    if Role.OFFICIAL in roles:
        q |= _official_q(user)
    if Role.STAFF in roles:
        q |= Q(subject=Summons.Subject.COMPANY, company_id__in=places.company_ids_of(user))
    return Summons.objects.filter(q)


def summons_get(user: User, pk: int) -> Summons | None:
    return summonses_visible_to(user).select_related("company", "district", "subdistrict", "recorded_by").filter(pk=pk).first()


def with_progress(qs: QuerySet[Summons], today) -> QuerySet[Summons]:
    """Annotate commitments (total, done, overdue) per summons, in the same query."""
    return qs.annotate(
        n_commitments=Count("commitments"),
        n_done=Count("commitments", filter=Q(commitments__status=Commitment.Status.DONE)),
        n_overdue=Count("commitments", filter=Q(commitments__deadline__lt=today) & ~Q(commitments__status=Commitment.Status.DONE)),
    )


def commitments_visible_to(user: User, *, roles: tuple[str, ...] = (Role.OFFICIAL, Role.STAFF)) -> QuerySet[Commitment]:
    return Commitment.objects.filter(summons__in=summonses_visible_to(user, roles=roles).values("pk"))


def may_record(user: User) -> bool:
    """Officials of a town or the district record summonses."""
    return getattr(user, "is_superuser", False) or places.subdistricts_in_official_area(user).exists()


def may_answer(user: User, summons: Summons) -> bool:
    """The summoned company's staff; for an office summons, the officials of the town summoned."""
    if summons.subject == Summons.Subject.COMPANY:
        return summons.company_id in places.company_ids_of(user)
    return places.subdistricts_in_official_area(user).filter(pk=summons.subdistrict_id).exists() and not may_review(user, summons)


def may_review(user: User, summons: Summons) -> bool:
    """Officials of the district; for a company summons also the officials of its town (not the office summoned)."""
    if getattr(user, "is_superuser", False):
        return True
    districts = places.areas_of(user, roles=[Role.OFFICIAL])["district"]
    if summons.district_id in districts:
        return True
    if summons.subject == Summons.Subject.COMPANY and summons.subdistrict_id:
        return places.subdistricts_in_official_area(user).filter(pk=summons.subdistrict_id).exists()
    return False


def reviewable_q(user: User) -> Q:
    """Commitments whose answers the user reviews (as `may_review`, as a filter)."""
    district = places.area_q(user, roles=[Role.OFFICIAL], path="summons__district", level="district")
    town = places.area_q(user, roles=[Role.OFFICIAL], path="summons__subdistrict", level="subdistrict")
    return district | (town & Q(summons__subject=Summons.Subject.COMPANY))


def answerable_q(user: User) -> Q:
    """Commitments the user answers (as `may_answer`, as a filter)."""
    company = Q(summons__subject=Summons.Subject.COMPANY, summons__company_id__in=places.company_ids_of(user))
    office = Q(summons__subject=Summons.Subject.OFFICE) & places.area_q(
        user, roles=[Role.OFFICIAL], path="summons__subdistrict", level="subdistrict"
    )
    # District officials review an office's answers; they do not answer for it.
    office &= ~places.area_q(user, roles=[Role.OFFICIAL], path="summons__district", level="district")
    return company | office
