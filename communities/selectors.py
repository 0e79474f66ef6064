"""Scoping, written once (SPEC §3). Every API view, portal page and export starts here.

`area_q(user, roles=..., path=..., level=...)` is the heart: the one filter that turns a user's roles
into the areas they cover, for any model that reaches a place through `path`. No other module reads
a role's places to build a filter. `compound_ids_visible_to(user)` is the subquery of visible
compounds built on it; domain apps scope their rows with `scope_by_compound` or `area_q`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects

from communities.models import (
    Community,
    Compound,
    ManagementContract,
    Ownership,
    OwnershipClaim,
    PropertyCompany,
    RoleAssignment,
    Subdistrict,
    Unit,
)
from core import registry
from core.models import User

Role = RoleAssignment.Role
ALL_ROLES = frozenset(Role.values)


# A user's active role assignments are read once per user object, as Django's prefetching would:
# `Prefetch("roles", queryset=<active>, to_attr=ACTIVE_ROLES)`. The JWT authentication reads them with
# the user in one query and hands them over with `remember_roles`.
ACTIVE_ROLES = "active_roles"


def _active_roles_prefetch() -> Prefetch:
    return Prefetch("roles", queryset=RoleAssignment.objects.filter(is_active=True).order_by("id"), to_attr=ACTIVE_ROLES)


def remember_roles(user: User, roles: list[RoleAssignment]) -> None:
    """Give a user object its active roles, read elsewhere (what prefetching `_active_roles_prefetch` stores)."""
    setattr(user, ACTIVE_ROLES, roles)


def roles_of(user: User) -> list[RoleAssignment]:
    """The user's active role assignments, read once per user object (a request's user)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if not hasattr(user, ACTIVE_ROLES):
        prefetch_related_objects([user], _active_roles_prefetch())
    return getattr(user, ACTIVE_ROLES)


def has_role(user: User, *roles: str) -> bool:
    return any(r.role in roles for r in roles_of(user))


def is_resident(user: User) -> bool:
    """A signed-in user with the resident role, or with no role at all (a fresh registration)."""
    roles = roles_of(user)
    return bool(user.is_authenticated) and (not roles or any(r.role == Role.RESIDENT for r in roles))


# --- The scoping vocabulary ------------------------------------------------------------------------
# Every app turns roles into areas here and nowhere else. A role covers a place (a district, town,
# community or compound; staff: the compounds their company manages today; residents: the compounds
# they own a unit in) and everything below it. `area_q` is the one filter: rows of any model that
# reaches a place of `level` through `path` and lie inside an area one of the user's `roles` covers.

LEVELS = ("compound", "community", "subdistrict", "district")  # narrowest first
# The foreign key from each level to the one above it (Compound.community, Community.subdistrict, …).
_UP = {"compound": "community", "community": "subdistrict", "subdistrict": "district"}


def _lookup(path: str, level: str, role_level: str) -> str | None:
    """The lookup from a model (through `path` to a place of `level`) to the id of its ancestor at `role_level`;
    None when `role_level` lies below `level` (a compound's role does not cover its whole community)."""
    chain, at = [], level
    while at != role_level:
        if at not in _UP:
            return None
        chain.append(_UP[at])
        at = _UP[at]
    parts = [p for p in (path, *chain) if p]
    return "__".join(parts) + "_id" if chain or path else "pk"


def role_level(role: RoleAssignment) -> str | None:
    """The level of the place a role assignment names (None for staff and residents, whose places are sets)."""
    for level in LEVELS:
        if getattr(role, f"{level}_id"):
            return level
    return None


def area_q(
    user: User,
    *,
    roles: Iterable[str] = ALL_ROLES,
    path: str = "compound",
    level: str = "compound",
    columns: dict[str, str] | None = None,
) -> Q:
    """Rows inside the areas the user's `roles` cover: the one scoping filter of every app.

    `path` leads from the model to a place of `level` ("" when the model is that place): a complaint is
    `path="compound"`, a ballot `path="vote__compound"`, a community `path="", level="community"`.
    `columns` names, instead, a column per level for tables that carry each level's id themselves
    (the metrics snapshots: `{"district": "district_id", …}`). Staff and residents cover compounds
    only. A superuser's filter lets everything through; an anonymous user's lets nothing through.
    """
    if getattr(user, "is_superuser", False):
        return Q()
    wanted = set(roles)
    q = Q(pk__in=[])
    if not getattr(user, "is_authenticated", False):
        return q
    for role in roles_of(user):
        if role.role not in wanted:
            continue
        if role.role in (Role.OFFICIAL, Role.MEDIATOR, Role.COMMITTEE):
            at = role_level(role)
            lookup = columns.get(at) if columns is not None else (_lookup(path, level, at) if at else None)
            if lookup:
                q |= Q(**{lookup: getattr(role, f"{at}_id")})
        elif role.role == Role.STAFF and level == "compound" and columns is None:
            managed = ManagementContract.objects.in_force().filter(company_id=role.company_id).values("compound_id")
            q |= Q(**{_lookup(path, level, level) + "__in": managed})
    if Role.RESIDENT in wanted and level == "compound" and columns is None and is_resident(user):
        q |= Q(**{_lookup(path, level, level) + "__in": Unit.objects.filter(owners__user=user).values("compound_id")})
    return q


# The reverse of _UP: from each level to the places just below it (District.subdistricts, …).
_DOWN = {"district": "subdistricts", "subdistrict": "communities", "community": "compounds"}


def containing_q(user: User, *, roles: Iterable[str], path: str, level: str) -> Q:
    """Rows whose place of `level` (through `path`) holds a place one of the user's `roles` names: the
    areas *around* the user (a district-wide survey covers a town official and the residents of its
    compounds). Residents name the compounds they own a unit in. Join rows may repeat; filter by pk."""
    wanted = set(roles)
    q = Q(pk__in=[])
    if not getattr(user, "is_authenticated", False):
        return q

    def lookup(to: str) -> str | None:
        chain, at = [], level
        while at != to:
            if at not in _DOWN:
                return None
            chain.append(_DOWN[at])
            at = {v: k for k, v in _UP.items()}[at]
        return "__".join([p for p in (path, *chain) if p]) + ("__id" if chain else "_id")

    for at, ids in areas_of(user, roles=wanted).items():
        found = lookup(at) if ids else None
        if found:
            q |= Q(**{f"{found}__in": sorted(ids)})
    if Role.RESIDENT in wanted and is_resident(user):
        found = lookup("compound")
        if found:
            q |= Q(**{f"{found}__in": Unit.objects.filter(owners__user=user).values("compound_id")})
    return q


def areas_of(user: User, *, roles: Iterable[str]) -> dict[str, set[int]]:
    """The places the user's `roles` name, by level: {"district": {…}, "subdistrict": {…}, …}."""
    wanted = set(roles)
    found: dict[str, set[int]] = {level: set() for level in LEVELS}
    for role in roles_of(user):
        at = role_level(role) if role.role in wanted else None
        if at:
            found[at].add(getattr(role, f"{at}_id"))
    return found


def compounds_visible_to(user: User, *, roles: Iterable[str] = ALL_ROLES) -> QuerySet[Compound]:
    """Compounds the user may see in full through the given roles (all roles by default)."""
    if getattr(user, "is_superuser", False):
        return Compound.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Compound.objects.none()
    return Compound.objects.filter(area_q(user, roles=roles, path=""))


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
        # EXISTS, not IN: a town is in once one visible compound is found there (a district's list of
        # towns does not read its 10,000 compounds).
        Subdistrict.objects.filter(Exists(compounds_visible_to(user).filter(community__subdistrict_id=OuterRef("pk"))))
        | Subdistrict.objects.filter(pk__in=[r.subdistrict_id for r in roles_of(user) if r.subdistrict_id])
        | Subdistrict.objects.filter(district_id__in=[r.district_id for r in roles_of(user) if r.district_id and r.role == Role.OFFICIAL])
    )


def communities_visible_to(user: User) -> QuerySet[Community]:
    if getattr(user, "is_superuser", False) or is_resident(user):
        return Community.objects.all()
    q = Q(pk__in=compounds_visible_to(user).values("community_id"))
    q |= area_q(user, roles=[Role.OFFICIAL, Role.MEDIATOR], path="", level="community")
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
    if getattr(user, "is_superuser", False):
        return Unit.objects.all()
    # The compounds in scope, or an id subquery of the user's own units: not a join through the owners plus
    # DISTINCT, which made every count and page de-duplicate all the district's units (0.5 s at 140,000).
    in_scope = Q(compound__in=compound_ids_visible_to(user, roles=[Role.OFFICIAL, Role.COMMITTEE]))
    return Unit.objects.filter(in_scope | Q(pk__in=Ownership.objects.filter(owner__user=user).values("unit_id")))


def company_ids_of(user: User) -> list[int]:
    """The companies the user works for as staff."""
    return [r.company_id for r in roles_of(user) if r.role == Role.STAFF and r.company_id]


def community_ids_of(user: User) -> list[int]:
    """The communities whose residents' committee (社区居委会) the user works for as a community worker."""
    return [r.community_id for r in roles_of(user) if r.role == Role.OFFICIAL and r.community_id]


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


# --- Audit and export log (officials) ----------------------------------------------------------------
# The audit trail is kept by django-simple-history (committees, ballots, rectification lists…) and by
# append-only event tables the apps declare (core.registry.AuditEvents). This reads them all through
# the registries, so it names none of the domain apps (which import us).


def _compound_path(model, depth: int = 3, prefix: str = "") -> str | None:
    """The shortest chain of foreign keys from `model` to Compound (e.g. "ballot__vote__compound"), if any."""
    frontier = [(model, prefix)]
    for _ in range(depth):
        nxt = []
        for current, path in frontier:
            for field in current._meta.concrete_fields:
                if not field.many_to_one or field.related_model is None or field.name == "history_user":
                    continue
                if field.related_model is Compound:
                    return f"{path}{field.name}"
                nxt.append((field.related_model, f"{path}{field.name}__"))
        frontier = nxt
    return None


def audit_sources() -> list[dict]:
    """Every audited table that exists: {key, label, model, time, actor, action, path}."""
    from django.apps import apps
    from simple_history.models import registered_models

    sources = []
    for model in sorted(registered_models.values(), key=lambda m: m._meta.label):
        manager = getattr(model._meta, "simple_history_manager_attribute", "history")
        history = getattr(model, manager).model
        sources.append(
            {
                "key": model._meta.label_lower,
                "label": model._meta.verbose_name,
                "model": history,
                "time": "history_date",
                "actor": "history_user",
                "action": "history_type",
                "path": _compound_path(model),
                "historical": True,
            }
        )
    for events in registry.audit_events():
        model = apps.get_model(events.model)
        time, actor, action, path = events.time, events.actor, events.action, events.path
        sources.append(
            {
                "key": model._meta.label_lower,
                "label": model._meta.verbose_name,
                "model": model,
                "time": time,
                "actor": actor,
                "action": action,
                "path": path,
                "historical": False,
            }
        )
    return sources


def _sees_whole_district(user: User) -> bool:
    return getattr(user, "is_superuser", False) or any(r.role == Role.OFFICIAL and r.district_id for r in roles_of(user))


def audit_entries_visible_to(user: User, *, source: str = "", before=None, limit: int = 50) -> list[dict]:
    """The newest audit entries across the audited tables, limited to the official's area.

    A table with a link to a compound is filtered to the official's compounds; one without (no
    compound to scope by) is shown to district officials only. Non-officials see nothing.
    """
    if not (getattr(user, "is_superuser", False) or has_role(user, Role.OFFICIAL)):
        return []
    whole = _sees_whole_district(user)
    entries = []
    for src in audit_sources():
        if source and src["key"] != source:
            continue
        qs = src["model"]._default_manager.all()
        if not whole:
            if not src["path"]:
                continue
            qs = qs.filter(**{f"{src['path']}__in": compound_ids_visible_to(user, roles=[Role.OFFICIAL])})
        if before is not None:
            qs = qs.filter(**{f"{src['time']}__lt": before})
        related = [src["actor"]]
        if not src["historical"] and src["path"]:
            related.append(src["path"].split("__")[0])  # the object each event names (the page shows it): one query, not 50
        for row in qs.select_related(*related).order_by(f"-{src['time']}")[:limit]:
            entries.append({"source": src, "row": row, "at": getattr(row, src["time"]), "actor": getattr(row, src["actor"])})
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]


def exports_visible_to(user: User) -> QuerySet:
    """The export log: district officials and administrators read all of it, other officials their own exports."""
    from core.models import ExportLog

    if _sees_whole_district(user):
        return ExportLog.objects.all()
    if has_role(user, Role.OFFICIAL):
        return ExportLog.objects.filter(user=user)
    return ExportLog.objects.none()


def communities_in_official_area(user: User) -> QuerySet[Community]:
    """Communities the user is an official of (directly or through their town or district)."""
    return Community.objects.filter(area_q(user, roles=[Role.OFFICIAL], path="", level="community"))


def subdistricts_in_official_area(user: User) -> QuerySet[Subdistrict]:
    """Towns the user governs whole: a community worker governs none."""
    return Subdistrict.objects.filter(area_q(user, roles=[Role.OFFICIAL], path="", level="subdistrict"))


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
        # A worker's role names one place, at any level: inside the official's area, whichever it is.
        place = Q(pk__in=[])
        for level in ("district", "subdistrict", "community", "compound"):
            place |= area_q(user, roles=[Role.OFFICIAL], path=level, level=level)
        q |= Q(role__in=[Role.OFFICIAL, Role.MEDIATOR]) & place
        q |= Q(role=Role.STAFF, company__in=companies_visible_to(user).values("id"))
    return qs.filter(q)


def claims_to_decide(user: User) -> QuerySet[OwnershipClaim]:
    """Pending ownership claims for units in the user's official area, oldest first (the verification queue)."""
    qs = OwnershipClaim.objects.filter(status=OwnershipClaim.Status.PENDING)
    return scope_by_compound(qs, user, field="unit__compound", roles=[Role.OFFICIAL]).order_by("created_at", "id")


AUTOCOMPLETE_KINDS = ("compound", "community", "company", "subdistrict")
AUTOCOMPLETE_LIMIT = 20


def places_matching(user: User, *, kind: str, q: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[dict]:
    """At most `limit` places of `kind` the user may filter lists by, whose name contains `q` (or whose id is `q`).

    The choices behind the portal's searchable filter inputs: scoped exactly as the choice lists they
    replace (compounds_visible_to, communities_visible_to, companies_visible_to, subdistricts_visible_to),
    so a filter can only name a place the user could pick before. Chinese names: a substring match.
    """
    qs = {
        "compound": lambda: compounds_visible_to(user).select_related("community"),
        "community": lambda: communities_visible_to(user).select_related("subdistrict"),
        "company": lambda: companies_visible_to(user),
        "subdistrict": lambda: subdistricts_visible_to(user),
    }[kind]()
    q = q.strip()
    if q.isdigit():
        qs = qs.filter(Q(name__icontains=q) | Q(pk=int(q)))
    elif q:
        qs = qs.filter(name__icontains=q)
    rows = []
    for place in qs.order_by("name", "id")[:limit]:
        detail = ""
        if kind == "compound":
            detail = place.community.name
        elif kind == "community":
            detail = place.subdistrict.name
        rows.append({"id": place.pk, "name": place.name, "detail": detail})
    return rows
