"""Scoping, written once (SPEC §3). Every API view, portal page and export starts here.

`compound_ids_visible_to(user)` is the heart: a subquery of the compound ids a user may see
through any of their roles. Domain apps scope their own rows with `scope_by_compound`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Q, QuerySet, Subquery

from communities.models import (
    Community,
    Compound,
    ManagementContract,
    OwnershipClaim,
    PropertyCompany,
    RoleAssignment,
    Subdistrict,
    Unit,
)
from core.models import User

Role = RoleAssignment.Role
ALL_ROLES = frozenset(Role.values)


def roles_of(user: User) -> list[RoleAssignment]:
    """The user's active role assignments, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_linli_roles", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user, is_active=True))
        user._linli_roles = cached
    return cached


def has_role(user: User, *roles: str) -> bool:
    return any(r.role in roles for r in roles_of(user))


def is_resident(user: User) -> bool:
    """A signed-in user with the resident role, or with no role at all (a fresh registration)."""
    roles = roles_of(user)
    return bool(user.is_authenticated) and (not roles or any(r.role == Role.RESIDENT for r in roles))


def _place_q(role: RoleAssignment, prefix: str = "") -> Q:
    if role.compound_id:
        return Q(**{f"{prefix}id": role.compound_id})
    if role.community_id:
        return Q(**{f"{prefix}community_id": role.community_id})
    if role.subdistrict_id:
        return Q(**{f"{prefix}community__subdistrict_id": role.subdistrict_id})
    if role.district_id:
        return Q(**{f"{prefix}community__subdistrict__district_id": role.district_id})
    return Q(pk__in=[])


def _compound_q(user: User, roles: Iterable[str]) -> Q:
    wanted = set(roles)
    q = Q(pk__in=[])
    for role in roles_of(user):
        if role.role not in wanted:
            continue
        if role.role in (Role.OFFICIAL, Role.MEDIATOR, Role.COMMITTEE):
            q |= _place_q(role)
        elif role.role == Role.STAFF:
            q |= Q(pk__in=ManagementContract.objects.in_force().filter(company_id=role.company_id).values("compound_id"))
    if Role.RESIDENT in wanted and is_resident(user):
        q |= Q(pk__in=Unit.objects.filter(owners__user=user).values("compound_id"))
    return q


def compounds_visible_to(user: User, *, roles: Iterable[str] = ALL_ROLES) -> QuerySet[Compound]:
    """Compounds the user may see in full through the given roles (all roles by default)."""
    if getattr(user, "is_superuser", False):
        return Compound.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Compound.objects.none()
    return Compound.objects.filter(_compound_q(user, roles))


def compound_ids_visible_to(user: User, *, roles: Iterable[str] = ALL_ROLES) -> QuerySet:
    """A subquery of visible compound ids; use as `filter(compound__in=...)`."""
    return compounds_visible_to(user, roles=roles).values("id")


def scope_by_compound(qs: QuerySet, user: User, *, field: str = "compound", roles: Iterable[str] = ALL_ROLES) -> QuerySet:
    """Limit any queryset whose rows belong to a compound to what the user may see."""
    if getattr(user, "is_superuser", False):
        return qs
    return qs.filter(**{f"{field}__in": compound_ids_visible_to(user, roles=roles)})


def compound_public_search() -> QuerySet[Compound]:
    """Every active compound, for residents picking the one they complain about (public fields only)."""
    return Compound.objects.filter(is_active=True)


def compounds_for_api(user: User) -> QuerySet[Compound]:
    """What GET /compounds/ lists: the user's scope, plus every compound's public card for residents."""
    if is_resident(user) and not getattr(user, "is_superuser", False):
        return compound_public_search() | compounds_visible_to(user)
    return compounds_visible_to(user)


def subdistricts_visible_to(user: User) -> QuerySet[Subdistrict]:
    if getattr(user, "is_superuser", False) or is_resident(user):
        return Subdistrict.objects.all()
    return (
        Subdistrict.objects.filter(pk__in=compounds_visible_to(user).values("community__subdistrict_id"))
        | Subdistrict.objects.filter(pk__in=[r.subdistrict_id for r in roles_of(user) if r.subdistrict_id])
        | Subdistrict.objects.filter(district_id__in=[r.district_id for r in roles_of(user) if r.district_id and r.role == Role.OFFICIAL])
    )


def communities_visible_to(user: User) -> QuerySet[Community]:
    if getattr(user, "is_superuser", False) or is_resident(user):
        return Community.objects.all()
    q = Q(pk__in=compounds_visible_to(user).values("community_id"))
    for role in roles_of(user):
        if role.role not in (Role.OFFICIAL, Role.MEDIATOR):
            continue
        if role.community_id:
            q |= Q(pk=role.community_id)
        elif role.subdistrict_id:
            q |= Q(subdistrict_id=role.subdistrict_id)
        elif role.district_id:
            q |= Q(subdistrict__district_id=role.district_id)
    return Community.objects.filter(q)


def companies_visible_to(user: User) -> QuerySet[PropertyCompany]:
    """Officials see companies working in their area; staff their own; residents all (public directory)."""
    if getattr(user, "is_superuser", False) or is_resident(user):
        return PropertyCompany.objects.all()
    q = Q(pk__in=ManagementContract.objects.filter(compound__in=compound_ids_visible_to(user)).values("company_id"))
    q |= Q(pk__in=[r.company_id for r in roles_of(user) if r.company_id])
    return PropertyCompany.objects.filter(q)


def units_of_resident(user: User) -> QuerySet[Unit]:
    """Units the user owns (verified), with their compound."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return Unit.objects.filter(owners__user=user).select_related("compound").distinct()


def units_visible_to(user: User) -> QuerySet[Unit]:
    """Units of compounds in scope (officials, committee), plus the resident's own."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    scoped = scope_by_compound(Unit.objects.all(), user, roles=[Role.OFFICIAL, Role.COMMITTEE])
    return (scoped | Unit.objects.filter(owners__user=user)).distinct()


def official_places(user: User) -> list[RoleAssignment]:
    return [r for r in roles_of(user) if r.role == Role.OFFICIAL]


def is_official_for(user: User, compound: Compound) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return compounds_visible_to(user, roles=[Role.OFFICIAL]).filter(pk=compound.pk).exists()


def claims_visible_to(user: User) -> QuerySet[OwnershipClaim]:
    """Residents see their own claims; officials the claims for units in their area."""
    if not getattr(user, "is_authenticated", False):
        return OwnershipClaim.objects.none()
    own = OwnershipClaim.objects.filter(user=user)
    scoped = scope_by_compound(OwnershipClaim.objects.all(), user, field="unit__compound", roles=[Role.OFFICIAL])
    return (own | scoped).distinct()


def with_current_company(qs: QuerySet[Compound]) -> QuerySet[Compound]:
    """Annotate `cc_id` and `cc_name`: the company managing each compound today (one query, no N+1)."""
    contract = ManagementContract.objects.in_force().filter(compound=OuterRef("pk"))
    return qs.annotate(
        cc_id=Subquery(contract.values("company_id")[:1]),
        cc_name=Subquery(contract.values("company__name")[:1]),
    )


def _official_q(user: User, *, district: str, subdistrict: str, community: str) -> Q:
    """Q over the user's official roles; the arguments name the lookups leading to each level."""
    q = Q(pk__in=[])
    for role in official_places(user):
        if role.community_id and community:
            q |= Q(**{community: role.community_id})
        elif role.subdistrict_id and subdistrict:
            q |= Q(**{subdistrict: role.subdistrict_id})
        elif role.district_id and district:
            q |= Q(**{district: role.district_id})
    return q


def communities_in_official_area(user: User) -> QuerySet[Community]:
    """Communities the user is an official of (directly or through their town or district)."""
    if getattr(user, "is_superuser", False):
        return Community.objects.all()
    return Community.objects.filter(_official_q(user, district="subdistrict__district_id", subdistrict="subdistrict_id", community="pk"))


def subdistricts_in_official_area(user: User) -> QuerySet[Subdistrict]:
    """Towns the user governs whole: a community worker governs none."""
    if getattr(user, "is_superuser", False):
        return Subdistrict.objects.all()
    return Subdistrict.objects.filter(_official_q(user, district="district_id", subdistrict="pk", community=""))


def administered_company_ids(user: User) -> set[int]:
    """Companies whose staff the user administers (RoleAssignment.is_admin)."""
    return {r.company_id for r in roles_of(user) if r.role == Role.STAFF and r.is_admin}


def accounts_visible_to(user: User) -> QuerySet[RoleAssignment]:
    """Role assignments of workers the user manages: officials see officials, mediators and company
    staff within their area (staff of companies working there); a company's administrator its staff."""
    managed = [Role.OFFICIAL, Role.MEDIATOR, Role.STAFF]
    qs = RoleAssignment.objects.filter(role__in=managed)
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(company_id__in=administered_company_ids(user))
    if official_places(user):
        place = _official_q(user, district="district_id", subdistrict="subdistrict_id", community="community_id")
        place |= _official_q(user, district="subdistrict__district_id", subdistrict="subdistrict_id", community="")
        place |= _official_q(user, district="community__subdistrict__district_id", subdistrict="community__subdistrict_id", community="")
        place |= Q(compound__in=compounds_visible_to(user, roles=[Role.OFFICIAL]).values("id"))
        q |= Q(role__in=[Role.OFFICIAL, Role.MEDIATOR]) & place
        q |= Q(role=Role.STAFF, company__in=companies_visible_to(user).values("id"))
    return qs.filter(q)


def claims_to_decide(user: User) -> QuerySet[OwnershipClaim]:
    """Pending ownership claims for units in the user's official area, oldest first (the verification queue)."""
    qs = OwnershipClaim.objects.filter(status=OwnershipClaim.Status.PENDING)
    return scope_by_compound(qs, user, field="unit__compound", roles=[Role.OFFICIAL]).order_by("created_at", "id")
