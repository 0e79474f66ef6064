"""Reads of the complaints app, already limited to what the user may see (SPEC §3).

- property staff: complaints of compounds their company manages now, plus those assigned to it;
- officials (district, town, community): complaints of compounds in their area — a community
  worker therefore also sees (and handles) the self-managed compounds of the community;
- everyone: the complaints they filed themselves. Committee members and mediators see no other
  complaints (SPEC §3 gives them committee and dispute data, not work orders).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from communities.models import Community, Compound, ManagementContract, PropertyCompany, RoleAssignment, Subdistrict
from communities.selectors import area_q, company_ids_of
from complaints.models import Category, Complaint, ComplaintEvent, ComplaintPhoto, ComplaintSupporter
from complaints.services import FilingContext
from core import errors
from core.models import User
from core.sql import ModelColumns, fetch_all
from core.workdays import add_working_hours

Role = RoleAssignment.Role


def complaints_visible_to(user: User) -> QuerySet[Complaint]:
    """Every complaint the user may see, in one query (subqueries, no Python loops over rows)."""
    if not getattr(user, "is_authenticated", False):
        return Complaint.objects.none()
    if user.is_superuser:
        return Complaint.objects.all()
    q = Q(reporter=user) | area_q(user, roles=[Role.STAFF, Role.OFFICIAL], path="compound")
    company_ids = company_ids_of(user)
    if company_ids:
        q |= Q(assigned_company_id__in=company_ids)
    return Complaint.objects.filter(q)


def complaints_for_list(user: User) -> QuerySet[Complaint]:
    """The visible complaints with what a list row shows, in a fixed number of queries.

    The compound and its town are joined (the area filter joins them anyway); the category, the assignee
    and the reporter are read by id in small queries of their own. Joined as well, the list's query has
    nine tables and PostgreSQL spends 15–30 ms planning it for a millisecond of execution
    (bench/lists.py, at 1,000,000 complaints).
    """
    return (
        complaints_visible_to(user)
        .select_related("compound__community__subdistrict")
        .prefetch_related("category", "assigned_company", "assigned_community", "reporter")
    )


def complaints_for_detail(user: User) -> QuerySet[Complaint]:
    """One complaint with everything its page shows: a single row, so its relations are joined (one
    query to plan, not four more round trips), then its timeline and photos."""
    return (
        complaints_visible_to(user)
        .select_related("compound__community__subdistrict", "category", "assigned_company", "assigned_community", "reporter")
        .prefetch_related(
            Prefetch("events", queryset=ComplaintEvent.objects.select_related("actor").order_by("at", "id")),
            Prefetch("photos", queryset=ComplaintPhoto.objects.order_by("id")),
        )
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


DUE_SOON_WORKING_HOURS = 4


def due_soon_q(now: dt.datetime) -> Q:
    """Open complaints whose next deadline falls within the next 4 working hours (即将超时), not yet past it.

    Not signed for: the sign-for or the resolve deadline; signed for: the resolve deadline. Working
    hours follow core.workdays, so on Friday at 17:00 a deadline on Monday at 11:00 is 3 hours away.
    """
    horizon = add_working_hours(now, DUE_SOON_WORKING_HOURS)
    unsigned = Q(status__in=("submitted", "dispatched")) & (
        Q(response_due__gt=now, response_due__lte=horizon) | Q(resolve_due__gt=now, resolve_due__lte=horizon)
    )
    signed = Q(status="accepted", resolve_due__gt=now, resolve_due__lte=horizon)
    past = Q(status__in=("submitted", "dispatched"), response_due__lte=now) | Q(resolve_due__lte=now)
    return (unsigned | signed) & ~past


def supervision_list(user: User) -> QuerySet[Complaint]:
    """Open complaints for the supervising official: overdue first, then by nearest deadline."""
    return complaints_for_list(user).filter(status__in=Complaint.AWAITING_RESOLUTION).order_by("-is_overdue", "resolve_due", "id")


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
    context: FilingContext  # today's managing company (None: self-managed) and its active staff


def filing_targets(*, compound_id: int, category_id: int) -> FilingTargets:
    """The active compound and category a complaint is filed about (None if unknown or inactive), in one query.

    The compound comes with its community and town; `context` holds the company managing it today
    (id and name; other fields load when read) and that company's active staff, which is what
    complaint_create needs to dispatch it and whom it notifies.
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
    company = None
    if compound is not None:
        community.subdistrict = subdistrict
        compound.community = community
        if row[at] is not None:
            company = PropertyCompany.from_db("default", ["id", "name"], [row[at], row[at + 1]])
    at += 2
    staff: dict[int, User] = {}
    for row in rows:
        member = _USER.instance(row, at)
        if member is not None:
            staff.setdefault(member.pk, member)  # one user may hold two staff roles of the company
    return FilingTargets(compound=compound, category=category, context=FilingContext(company=company, staff=list(staff.values())))


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


# --- 我也遇到: similar open complaints a resident may join instead of filing anew -------------------
SIMILAR_WINDOW = dt.timedelta(days=14)
SIMILAR_LIMIT = 5
# pg_trgm similarity (shared trigrams ÷ all trigrams of both texts). Chinese has no spaces, so a whole
# sentence is one "word" and two accounts of one problem in different words score low: "3号楼电梯停运两天了"
# against "3号楼的电梯又坏了停运" is 0.15, against an unrelated "小区路灯不亮" 0. The candidates are already
# narrowed to one compound, category and fortnight, so a low bar is enough to drop the unrelated.
SIMILAR_MIN_SCORE = 0.1
OPEN = Complaint.AWAITING_RESOLUTION


def complaints_joinable_by(user: User, *, roles: list[str]) -> QuerySet[Complaint]:
    """Complaints of the compounds the user's `roles` cover — residents: the compounds they own a unit in;
    officials: their area (walk-ins) — whoever filed them. Only what a suggestion shows is read from
    them (SimilarComplaintSerializer): never the reporter."""
    if not getattr(user, "is_authenticated", False):
        return Complaint.objects.none()
    return Complaint.objects.filter(area_q(user, roles=roles, path="compound"))


def complaint_joinable_get(*, user: User, pk: int | str, roles: list[str]) -> Complaint:
    """One complaint the user may join (see complaints_joinable_by); ScopeError (404) otherwise."""
    try:
        return complaints_joinable_by(user, roles=roles).select_related("compound__community", "category", "reporter").get(pk=pk)
    except (Complaint.DoesNotExist, ValueError):
        raise errors.ScopeError("Not found.") from None


@dataclass
class Similar:
    complaint: Complaint
    score: float


def _bigrams(text: str) -> set[str]:
    """Character pairs of each run of non-space text, lower-cased: a rough stand-in for pg_trgm's trigrams
    that also matches two-character Chinese words (漏水, 电梯)."""
    grams: set[str] = set()
    for word in text.lower().split():
        grams.update(word[i : i + 2] for i in range(max(len(word) - 1, 1)))
    return grams


def similar_complaints(
    user: User,
    *,
    compound_id: int,
    category_id: int,
    text: str,
    roles: list[str],
    limit: int = SIMILAR_LIMIT,
    now: dt.datetime | None = None,
) -> list[Similar]:
    """Open complaints about the same compound and category made in the last 14 days whose description
    resembles `text`, most similar first (then the most supported, then the newest), excluding the
    user's own. Limited to complaints the user may join (`complaints_joinable_by`), so a compound
    outside the user's scope gives nothing.

    PostgreSQL ranks by pg_trgm's `similarity` (django.contrib.postgres TrigramSimilarity; pg_trgm is
    installed by migration 0005). Another database (the SQLite of `make run`) narrows the candidates
    with `icontains` on the text's character pairs and ranks them by the share of pairs in common.
    """
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        return []
    base = (
        complaints_joinable_by(user, roles=roles)
        .filter(compound_id=compound_id, category_id=category_id, status__in=OPEN, made_at__gte=now - SIMILAR_WINDOW)
        .exclude(reporter_id=user.pk)
        .select_related("category")
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        ranked = (
            base.annotate(score=TrigramSimilarity("description", text))
            .filter(score__gte=SIMILAR_MIN_SCORE)
            .order_by("-score", "-supporter_count", "-made_at", "-id")[:limit]
        )
        return [Similar(complaint=c, score=round(float(c.score), 3)) for c in ranked]
    wanted = _bigrams(text)
    terms = sorted(wanted)[:30]
    q = Q()
    for term in terms:
        q |= Q(description__icontains=term)
    found = []
    for c in base.filter(q).order_by("-made_at")[:200]:
        theirs = _bigrams(c.description)
        score = len(wanted & theirs) / len(wanted | theirs) if wanted | theirs else 0.0
        if score >= SIMILAR_MIN_SCORE:
            found.append(Similar(complaint=c, score=round(score, 3)))
    found.sort(key=lambda s: (-s.score, -s.complaint.supporter_count, -s.complaint.made_at.timestamp(), -s.complaint.pk))
    return found[:limit]


def complaint_ids_supported_by(user: User, among: list[int]) -> set[int]:
    """Which of the complaints `among` the user has joined."""
    if not getattr(user, "is_authenticated", False) or not among:
        return set()
    return set(ComplaintSupporter.objects.filter(user=user, complaint_id__in=among).values_list("complaint_id", flat=True))


def complaints_supported_by(user: User) -> QuerySet[Complaint]:
    """The complaints the user joined (我也遇到), newest complaint first (the API pages it by cursor over
    the complaint's own columns); shown without personal data."""
    if not getattr(user, "is_authenticated", False):
        return Complaint.objects.none()
    return Complaint.objects.filter(supporters__user=user).select_related("category", "compound").order_by("-id")
