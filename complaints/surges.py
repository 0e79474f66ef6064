"""Target problems and early warning (预警): counts of the target categories by town and month, and a
weekly detector that flags a category whose complaints in a town or community rise well above that
series' own recent baseline.

**The test.** For each (target category, area) the detector counts this week's complaints `k` (the
calendar week in Asia/Shanghai, Monday to Sunday, counted as far as it has gone) and the mean `λ` of
the eight whole weeks before it. Under "nothing changed", weekly counts of independent reports are
close to Poisson with mean λ, so the chance of seeing `k` or more is the Poisson upper tail
P(X ≥ k | λ). A warning is raised when

    k ≥ MIN_COUNT (5)   and   P(X ≥ k | max(λ, BASELINE_FLOOR)) < P_THRESHOLD (0.001).

Why these numbers: the district has 7 towns and about 30 communities, and 10 target categories, so
the detector asks roughly 370 questions a week; at 0.001 the expected number of false alarms in a
quiet week is about 0.4 for the whole district (few enough that officials read every warning),
while a real doubling of a busy series (λ = 6 → 15) gives P ≈ 0.0015–0.0004 and is caught within
the week. MIN_COUNT keeps a handful of complaints in a quiet community from ever being "a surge",
and BASELINE_FLOOR (0.5 a week) stops a series with no history from alarming on its first few
reports (5 complaints against a floor of 0.5: P ≈ 0.00017, flagged; 3: P ≈ 0.014, not). A partial
week is compared with whole weeks, which only makes the test more conservative early in the week.
Rejected complaints (invalid or duplicates) are not counted, as in every other figure.

The tail is computed exactly in floating point (no scipy): summing the terms e^−λ λ^i / i! from i =
k upwards (each from the previous by × λ/(i+1)) when k > λ, else 1 − the lower sum.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from communities import selectors as places
from communities.models import RoleAssignment, Subdistrict
from complaints.models import Category, Complaint, SurgeWarning
from complaints.selectors import complaints_visible_to
from core.models import User
from core.notifications import notify

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASELINE_WEEKS = 8
MIN_COUNT = 5
P_THRESHOLD = 0.001
BASELINE_FLOOR = 0.5


# --- The test ---------------------------------------------------------------------------------------


def poisson_upper_tail(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(λ)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    if k > lam:
        term = math.exp(-lam + k * math.log(lam) - math.lgamma(k + 1))  # P(X = k)
        total, i = 0.0, k
        while term > total * 1e-17 and term > 0:
            total += term
            i += 1
            term *= lam / i
        return min(total, 1.0)
    term = math.exp(-lam)
    lower = term
    for i in range(1, k):
        term *= lam / i
        lower += term
    return max(0.0, 1.0 - lower)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Finding:
    category_id: int
    level: str
    subdistrict_id: int
    community_id: int | None
    count: int
    baseline: float
    p_value: float


def weekly_counts(this_week: date) -> tuple[dict[tuple[str, int, int], dict[date, int]], dict[int, int]]:
    """(level, area id, category id) → {week start: complaints} over the eight weeks before `this_week`
    and that week, for target categories, from one GROUP BY (communities summed into their towns);
    and each community's town."""
    first = this_week - timedelta(weeks=BASELINE_WEEKS)
    rows = (
        Complaint.objects.filter(
            category__is_target=True, made_at__gte=local_midnight(first), made_at__lt=local_midnight(this_week + timedelta(weeks=1))
        )
        .exclude(status=Complaint.Status.REJECTED)
        .annotate(week=TruncWeek("made_at", output_field=DateField(), tzinfo=SHANGHAI))
        .values("week", "category_id", "compound__community_id", "compound__community__subdistrict_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    series: dict[tuple[str, int, int], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    towns: dict[int, int] = {}
    for r in rows:
        community, town = r["compound__community_id"], r["compound__community__subdistrict_id"]
        towns[community] = town
        series[(SurgeWarning.Level.COMMUNITY, community, r["category_id"])][r["week"]] += r["n"]
        series[(SurgeWarning.Level.SUBDISTRICT, town, r["category_id"])][r["week"]] += r["n"]
    return series, towns


def surge_findings(this_week: date) -> list[Finding]:
    """Every (category, area) whose count this week passes the test (pure: writes nothing)."""
    series, towns = weekly_counts(this_week)
    findings = []
    for (level, area_id, category_id), weeks in series.items():
        count = weeks.get(this_week, 0)
        if count < MIN_COUNT:
            continue
        baseline = sum(n for w, n in weeks.items() if w < this_week) / BASELINE_WEEKS
        p = poisson_upper_tail(count, max(baseline, BASELINE_FLOOR))
        if p < P_THRESHOLD:
            community = area_id if level == SurgeWarning.Level.COMMUNITY else None
            town = towns[area_id] if community else area_id
            findings.append(Finding(category_id, level, town, community, count, baseline, p))
    return findings


# --- The detector (service) -------------------------------------------------------------------------


def _responsible_officials(warning: SurgeWarning) -> list[User]:
    """The officials of the warning's own area; if it has none, those of the town, then the district."""
    active = RoleAssignment.objects.filter(role=RoleAssignment.Role.OFFICIAL, is_active=True, user__is_active=True)
    town = Subdistrict.objects.get(pk=warning.subdistrict_id)
    for scope in ([Q(community_id=warning.community_id)] if warning.community_id else []) + [
        Q(subdistrict_id=warning.subdistrict_id),
        Q(district_id=town.district_id),
    ]:
        users = list(User.objects.filter(pk__in=active.filter(scope).values("user_id")))
        if users:
            return users
    return []


def surge_detect(*, now: datetime | None = None) -> list[SurgeWarning]:
    """Raise or update this week's warnings and notify each warning's officials once.

    Side effects: creates a `SurgeWarning` per new finding (unique per category, area and week), updates
    the count, baseline and probability of an existing one, and writes one notification per responsible
    official the first time a warning is seen (claimed by a conditional update of `notified_at`, so a
    retried or duplicate run notifies nobody twice). Returns the warnings of this week's findings.
    """
    now = now or timezone.now()
    this_week = week_start(timezone.localtime(now, SHANGHAI).date())
    warnings = []
    for found in surge_findings(this_week):
        area = {"community_id": found.community_id} if found.community_id else {"subdistrict_id": found.subdistrict_id}
        values = {
            "count": found.count,
            "baseline": Decimal(found.baseline).quantize(Decimal("0.001")),
            "p_value": found.p_value,
        }
        with transaction.atomic():
            key = {"category_id": found.category_id, "level": found.level, "week_start": this_week, **area}
            warning = SurgeWarning.objects.select_for_update().filter(**key).first()
            if warning is None:
                try:
                    with transaction.atomic():
                        town = {} if "subdistrict_id" in key else {"subdistrict_id": found.subdistrict_id}
                        warning = SurgeWarning.objects.create(**key, **town, created_at=now, updated_at=now, **values)
                except IntegrityError:  # a concurrent run created it first
                    warning = SurgeWarning.objects.select_for_update().get(**key)
            if (warning.count, warning.baseline, warning.p_value) != tuple(values.values()):
                SurgeWarning.objects.filter(pk=warning.pk).update(updated_at=now, **values)
            if SurgeWarning.objects.filter(pk=warning.pk, notified_at__isnull=True).update(notified_at=now):
                _notify(warning, found)
        warnings.append(warning)
    return warnings


def _notify(warning: SurgeWarning, found: Finding) -> None:
    warning = SurgeWarning.objects.select_related("category", "subdistrict", "community").get(pk=warning.pk)
    title = _("Early warning: %(category)s complaints in %(area)s rose to %(count)d this week (weekly mean before: %(mean)s)") % {
        "category": warning.category.name_zh,
        "area": warning.area.name,
        "count": found.count,
        "mean": f"{found.baseline:.1f}",
    }
    body = _("Week starting %(week)s; Poisson upper-tail probability %(p).2g. Please look into the complaints behind it.") % {
        "week": f"{warning.week_start:%Y-%m-%d}",
        "p": found.p_value,
    }
    notify(
        users=_responsible_officials(warning),
        kind="surge_warning",
        title=title,
        body=body,
        url=reverse("complaints:surge_detail", args=[warning.pk]),
    )


# --- Reads (scoped through communities.selectors) ---------------------------------------------------


def surge_warnings_visible_to(user: User) -> QuerySet[SurgeWarning]:
    """Warnings of the towns an official governs whole, and of the communities in their area."""
    if not getattr(user, "is_authenticated", False):
        return SurgeWarning.objects.none()
    towns = places.subdistricts_in_official_area(user).values("pk")
    communities = places.communities_in_official_area(user).values("pk")
    return SurgeWarning.objects.filter(
        Q(level=SurgeWarning.Level.SUBDISTRICT, subdistrict__in=towns) | Q(level=SurgeWarning.Level.COMMUNITY, community__in=communities)
    ).select_related("category", "subdistrict", "community")


def surge_complaints(warning: SurgeWarning, user: User) -> QuerySet[Complaint]:
    """The complaints behind a warning (its category, area and week), as far as the user may see them."""
    area = (
        Q(compound__community_id=warning.community_id)
        if warning.community_id
        else Q(compound__community__subdistrict_id=warning.subdistrict_id)
    )
    return (
        complaints_visible_to(user)
        .filter(
            area,
            category_id=warning.category_id,
            made_at__gte=local_midnight(warning.week_start),
            made_at__lt=local_midnight(warning.week_start + timedelta(weeks=1)),
        )
        .exclude(status=Complaint.Status.REJECTED)
        .select_related("compound", "category")
        .order_by("made_at")
    )


def recent_months(n: int, *, today: date | None = None) -> list[date]:
    """The first days of the last `n` months, the current (partial) one last."""
    day = today or timezone.localdate()
    index = day.year * 12 + day.month - 1
    return [date((index - k) // 12, (index - k) % 12 + 1, 1) for k in range(n - 1, -1, -1)]


@dataclass
class TrendRow:
    town: str
    category: str
    counts: list[int]
    change: Decimal | None  # the last whole month against the one before, %


def target_trends(user: User, *, months: list[date]) -> list[TrendRow]:
    """Complaints of the target categories per town and month over `months` (first days, oldest first)
    in the user's official area: one GROUP BY; rejected complaints excluded."""
    start = local_midnight(months[0])
    last = months[-1]
    end = local_midnight(date(last.year + last.month // 12, last.month % 12 + 1, 1))
    compounds = places.compound_ids_visible_to(user, roles=[RoleAssignment.Role.OFFICIAL])
    rows = (
        Complaint.objects.filter(category__is_target=True, compound__in=compounds, made_at__gte=start, made_at__lt=end)
        .exclude(status=Complaint.Status.REJECTED)
        .annotate(month=TruncMonth("made_at", output_field=DateField(), tzinfo=SHANGHAI))
        .values("month", "category_id", "compound__community__subdistrict_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, int], dict[date, int]] = defaultdict(dict)
    for r in rows:
        counts[(r["compound__community__subdistrict_id"], r["category_id"])][r["month"]] = r["n"]
    towns = Subdistrict.objects.filter(pk__in=places.compounds_visible_to(user, roles=["official"]).values("community__subdistrict_id"))
    categories = list(Category.objects.filter(is_target=True).order_by("sort_order", "id"))
    english = (get_language() or "").startswith("en")
    result = []
    for town in towns.order_by("id"):
        for category in categories:
            series = [counts.get((town.pk, category.pk), {}).get(m, 0) for m in months]
            before, after = (series[-3], series[-2]) if len(series) >= 3 else (0, 0)
            change = (Decimal(after - before) / before * 100) if before else None
            result.append(TrendRow(town.name, category.name_en if english else category.name_zh, series, change))
    return result
