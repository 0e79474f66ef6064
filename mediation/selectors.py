"""Reads of the mediation app, already scoped to the user, and the counts the district reports.

Who sees what (SPEC §3):
- officials and mediators: everything of the compounds in their scope (meetings, topics, disputes,
  consultations, screenings, liaisons, police cases); a community worker is an official of a community;
- committee members: meetings and topics of their compound;
- residents: meetings and topics of the compounds they own a unit in (public data) and the topics
  they proposed themselves; never disputes, consultations or screenings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from communities import selectors as places
from communities.models import Community, Compound, RoleAssignment, Subdistrict
from core.models import User
from mediation.models import (
    ActionItem,
    Attendee,
    CaseMediator,
    DeliberationRule,
    DisputeCase,
    Hazard,
    LegalConsultation,
    LegalLiaison,
    Meeting,
    PoliceCase,
    Screening,
    Topic,
    Venue,
)

Role = RoleAssignment.Role
MANAGERS = [Role.OFFICIAL, Role.MEDIATOR]
READERS = [Role.OFFICIAL, Role.MEDIATOR, Role.COMMITTEE, Role.RESIDENT]


# --- who may do what ---------------------------------------------------------------------------
def managed_compound_ids(user: User) -> QuerySet:
    """Compounds where the user may record meetings, cases and logs (officials and mediators)."""
    return places.compound_ids_visible_to(user, roles=MANAGERS)


def can_manage(user: User, compound: Compound | int) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    pk = compound if isinstance(compound, int) else compound.pk
    return places.compounds_visible_to(user, roles=MANAGERS).filter(pk=pk).exists()


def is_manager(user: User) -> bool:
    return getattr(user, "is_superuser", False) or places.has_role(user, *MANAGERS)


def managed_communities(user: User) -> QuerySet[Community]:
    """Communities the user manages whole: an official or mediator of the community, its town or district."""
    return Community.objects.filter(places.area_q(user, roles=MANAGERS, path="", level="community"))


def managed_towns(user: User) -> QuerySet[Subdistrict]:
    """Towns the user manages whole: an official or mediator of the town or of the district."""
    return Subdistrict.objects.filter(places.area_q(user, roles=MANAGERS, path="", level="subdistrict"))


def own_compound_ids(user: User) -> QuerySet:
    """Compounds the user owns a unit in (verified ownership)."""
    return places.units_of_resident(user).values("compound_id")


# --- venues, rules, meetings, topics, action items ---------------------------------------------
def venues_visible_to(user: User) -> QuerySet[Venue]:
    """Venues of visible compounds, and community venues of communities the user manages or lives in."""
    qs = Venue.objects.select_related("compound", "community")
    if getattr(user, "is_superuser", False):
        return qs
    compounds = places.compound_ids_visible_to(user, roles=READERS)
    communities = Community.objects.filter(Q(compounds__in=compounds) | Q(pk__in=managed_communities(user).values("pk"))).values("pk")
    return qs.filter(Q(compound__in=compounds) | Q(community__in=communities))


def rules_visible_to(user: User) -> QuerySet[DeliberationRule]:
    return places.scope_by_compound(DeliberationRule.objects.select_related("compound", "venue"), user, roles=READERS)


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    """Meetings of the user's compounds, annotated with `four_parties_present` (0–4) and `topic_count`."""
    qs = places.scope_by_compound(Meeting.objects.select_related("compound__community", "venue"), user, roles=READERS)
    return with_party_check(qs)


def with_party_check(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Annotate how many of the four parties attended; `is_missing_parties` reads it (see Meeting list)."""
    return qs.annotate(
        four_parties_present=Count("attendees__party", filter=Q(attendees__party__in=Attendee.FOUR_PARTIES), distinct=True),
    )


def meetings_missing_parties(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Held four-party joint meetings that did not have all four parties at the table (flagged)."""
    return with_party_check(qs).filter(kind=Meeting.Kind.FOUR_PARTY, status=Meeting.Status.HELD, four_parties_present__lt=4)


def topics_visible_to(user: User) -> QuerySet[Topic]:
    """Topics of visible compounds, plus the user's own proposals wherever they are."""
    qs = Topic.objects.select_related("compound", "meeting", "merged_into")
    if getattr(user, "is_superuser", False):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(Q(compound__in=places.compound_ids_visible_to(user, roles=READERS)) | Q(proposed_by=user))


def action_items_visible_to(user: User) -> QuerySet[ActionItem]:
    return places.scope_by_compound(
        ActionItem.objects.select_related("meeting__compound", "topic"), user, field="meeting__compound", roles=READERS
    )


def action_items_overdue(user: User, *, today: dt.date | None = None) -> QuerySet[ActionItem]:
    """Not-done action items past their due date, in the user's scope, oldest due first (the dashboard's list)."""
    day = today or timezone.localdate()
    return action_items_visible_to(user).exclude(status=ActionItem.Status.DONE).filter(due_date__lt=day).order_by("due_date", "id")


# --- disputes and legal links -------------------------------------------------------------------
def disputes_visible_to(user: User) -> QuerySet[DisputeCase]:
    return places.scope_by_compound(DisputeCase.objects.select_related("compound__community", "complaint"), user, roles=MANAGERS)


def consultations_visible_to(user: User) -> QuerySet[LegalConsultation]:
    return places.scope_by_compound(LegalConsultation.objects.select_related("compound", "liaison"), user, roles=MANAGERS)


def police_cases_visible_to(user: User) -> QuerySet[PoliceCase]:
    return places.scope_by_compound(PoliceCase.objects.select_related("compound", "liaison"), user, roles=MANAGERS)


def liaisons_visible_to(user: User) -> QuerySet[LegalLiaison]:
    """Liaisons linked to at least one compound in the user's scope."""
    qs = LegalLiaison.objects.all()
    if getattr(user, "is_superuser", False):
        return qs
    linked = LegalLiaison.compounds.through.objects.filter(legalliaison_id=OuterRef("pk"), compound_id__in=managed_compound_ids(user))
    return qs.filter(Exists(linked))


def screenings_visible_to(user: User) -> QuerySet[Screening]:
    """Screenings of towns the user manages whole, or that covered a compound in their scope."""
    qs = Screening.objects.select_related("subdistrict", "workstation")
    if getattr(user, "is_superuser", False):
        return qs
    covered = Screening.compounds.through.objects.filter(screening_id=OuterRef("pk"), compound_id__in=managed_compound_ids(user))
    return qs.filter(Q(subdistrict__in=managed_towns(user).values("pk")) | Exists(covered))


def hazards_visible_to(user: User) -> QuerySet[Hazard]:
    return places.scope_by_compound(Hazard.objects.select_related("compound", "screening"), user, roles=MANAGERS)


# --- counts the district reports ----------------------------------------------------------------
METRICS = [
    "meetings_held",
    "deliberation_days",
    "micro_consultations",
    "four_party_meetings",
    "tea_house_sessions",
    "topics_settled",
    "four_party_issues_settled",
    "disputes_registered",
    "disputes_resolved",
    "disputes_resolved_by_judges",
    "consultations",
    "police_cases",
    "screenings",
    "hazards_found",
    "hazards_handled",
    "major_hazards_handled",
]

# The compound path of each level, relative to a compound foreign key.
_LEVELS = {"compound": "", "community": "__community", "subdistrict": "__community__subdistrict"}


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return lo, hi


def _metric_queries(start: dt.date, end: dt.date) -> list[tuple[str, QuerySet, str, str]]:
    """(metric, queryset already limited to the period, path to the compound, date field for the month)."""
    lo, hi = _bounds(start, end)
    held = Meeting.objects.filter(status=Meeting.Status.HELD, starts_at__gte=lo, starts_at__lt=hi)
    settled = Topic.objects.filter(status=Topic.Status.SETTLED, settled_at__gte=lo, settled_at__lt=hi)
    resolved = DisputeCase.objects.filter(outcome=DisputeCase.Outcome.AGREEMENT, closed_on__range=(start, end))
    by_judges = CaseMediator.objects.filter(case=OuterRef("pk"), kind=CaseMediator.Kind.JUDGES_WORKSTATION)
    handled = Hazard.objects.filter(status=Hazard.Status.HANDLED, handled_on__range=(start, end))
    return [
        ("meetings_held", held, "compound", "starts_at"),
        ("deliberation_days", held.filter(kind=Meeting.Kind.DELIBERATION_DAY), "compound", "starts_at"),
        ("micro_consultations", held.filter(kind=Meeting.Kind.MICRO_CONSULTATION), "compound", "starts_at"),
        ("four_party_meetings", held.filter(kind=Meeting.Kind.FOUR_PARTY), "compound", "starts_at"),
        ("tea_house_sessions", held.filter(kind=Meeting.Kind.TEA_HOUSE), "compound", "starts_at"),
        ("topics_settled", settled, "compound", "settled_at"),
        ("four_party_issues_settled", settled.filter(meeting__kind=Meeting.Kind.FOUR_PARTY), "compound", "settled_at"),
        ("disputes_registered", DisputeCase.objects.filter(registered_on__range=(start, end)), "compound", "registered_on"),
        ("disputes_resolved", resolved, "compound", "closed_on"),
        ("disputes_resolved_by_judges", resolved.filter(Exists(by_judges)), "compound", "closed_on"),
        ("consultations", LegalConsultation.objects.filter(given_on__range=(start, end)), "compound", "given_on"),
        ("police_cases", PoliceCase.objects.filter(solved_on__range=(start, end)), "compound", "solved_on"),
        ("screenings", Screening.objects.filter(held_on__range=(start, end)), "compounds", "held_on"),
        ("hazards_found", Hazard.objects.filter(screening__held_on__range=(start, end)), "compound", "screening__held_on"),
        ("hazards_handled", handled, "compound", "handled_on"),
        ("major_hazards_handled", handled.filter(severity=Hazard.Severity.MAJOR), "compound", "handled_on"),
    ]


def _aggregate(
    *, start: dt.date, end: dt.date, level: str, monthly: bool, compound_ids: QuerySet | Iterable[int] | None
) -> dict[tuple[int, dt.date | None], dict[str, int]]:
    """One GROUP BY per metric: {(area id, month or None): {metric: n}}."""
    tz = timezone.get_current_timezone()
    out: dict[tuple[int, dt.date | None], dict[str, int]] = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    for metric, qs, compound_path, date_field in _metric_queries(start, end):
        if compound_ids is not None:
            qs = qs.filter(**{f"{compound_path}__in": compound_ids})
        if metric == "screenings" and level == "subdistrict":
            # A screening belongs to its town; count each once even when it covered several compounds.
            qs, key = Screening.objects.filter(pk__in=qs.values("pk")), "subdistrict"
        else:
            key = compound_path + _LEVELS[level]
        group = {"area": F(key)}
        if monthly:
            is_datetime = date_field in ("starts_at", "settled_at")
            group["month"] = TruncMonth(date_field, tzinfo=tz) if is_datetime else TruncMonth(date_field)
        rows = qs.values(**group).annotate(n=Count("pk", distinct=True)).order_by()
        for row in rows:
            if row["area"] is None:
                continue
            month = row.get("month")
            if isinstance(month, dt.datetime):
                month = timezone.localtime(month, tz).date() if timezone.is_aware(month) else month.date()
            out[(row["area"], month)][metric] = row["n"]
    return out


def counts_by_compound_month(*, start: dt.date, end: dt.date, compound_ids: Iterable[int] | QuerySet | None = None) -> list[dict]:
    """Per compound × calendar month (local time) from `start` to `end` inclusive, unscoped (the caller scopes).

    Each row: {"compound_id", "month" (first day of the month, a date), and one int per name in METRICS}.
    Only compound-months with at least one non-zero figure appear. A screening counts for every compound it
    covered. This is what the ratings app reads for its snapshots; it runs one GROUP BY per metric.
    """
    data = _aggregate(start=start, end=end, level="compound", monthly=True, compound_ids=compound_ids)
    return [{"compound_id": area, "month": month, **values} for (area, month), values in sorted(data.items())]


def counts_by_area(user: User, *, start: dt.date, end: dt.date, level: str = "subdistrict", monthly: bool = False) -> list[dict]:
    """The counts page: one row per town (or community, or compound) in the user's scope, optionally per month.

    Rows: {"area": model instance, "month": date or None, metric: n, ...}, areas in id order, then months.
    """
    if level not in _LEVELS:
        raise ValueError(level)
    compound_ids = None if getattr(user, "is_superuser", False) else managed_compound_ids(user)
    data = _aggregate(start=start, end=end, level=level, monthly=monthly, compound_ids=compound_ids)
    compounds = places.compounds_visible_to(user, roles=MANAGERS)
    if level == "subdistrict":
        areas = Subdistrict.objects.filter(pk__in=compounds.values("community__subdistrict_id")).order_by("id")
    elif level == "community":
        areas = Community.objects.filter(pk__in=compounds.values("community_id")).select_related("subdistrict").order_by("id")
    else:
        areas = compounds.select_related("community").order_by("id")
    by_area: dict[int, list[tuple[dt.date | None, dict[str, int]]]] = defaultdict(list)
    for (area_id, month), values in data.items():
        by_area[area_id].append((month, values))
    rows = []
    for area in areas:
        entries = sorted(by_area.get(area.pk, []), key=lambda e: e[0] or dt.date.min)
        if not monthly:
            rows.append({"area": area, "month": None, **(entries[0][1] if entries else dict.fromkeys(METRICS, 0))})
            continue
        rows.extend({"area": area, "month": month, **values} for month, values in entries)
    return rows


def totals(rows: list[dict]) -> dict[str, int]:
    """Column sums of counts rows (a screening covering two compounds counts once per row it appears in)."""
    return {m: sum(r[m] for r in rows) for m in METRICS}


COVERAGE = ["compounds_with_rules", "compounds_with_venues", "legal_workers", "police_officers", "compounds_linked"]


def coverage(user: User) -> dict[str, int]:
    """Standing figures of the user's scope: compounds with a deliberation-day rule or a venue, liaisons linked."""
    compounds = places.compounds_visible_to(user, roles=MANAGERS)
    ids = compounds.values("pk")
    through = LegalLiaison.compounds.through.objects.filter(compound_id__in=ids, legalliaison__is_active=True)
    return {
        "compounds_with_rules": compounds.filter(Exists(DeliberationRule.objects.filter(compound=OuterRef("pk"), is_active=True))).count(),
        "compounds_with_venues": compounds.filter(Exists(Venue.objects.filter(compound=OuterRef("pk"), is_active=True))).count(),
        "legal_workers": through.filter(legalliaison__kind=LegalLiaison.Kind.LEGAL_WORKER).values("legalliaison_id").distinct().count(),
        "police_officers": through.filter(legalliaison__kind=LegalLiaison.Kind.POLICE_OFFICER).values("legalliaison_id").distinct().count(),
        "compounds_linked": through.values("compound_id").distinct().count(),
    }
