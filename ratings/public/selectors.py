"""Reads behind the public compound page (/p/<public id>/): no login, so nothing here is scoped to a
user; instead every read is limited to what the page may show. No name, phone, ID digest or unit of
any owner, reporter or committee member leaves this module (the committee's contact phone is masked).

Figures come from the metric snapshots (SPEC §5), never from raw complaints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from committees.models import Committee, CommitteeMember
from communities.models import Compound
from core.privacy import mask_phone
from inspections.models import RectificationList, RectificationReport, ReportAction
from ratings import calc, indicators
from ratings.engine import add_months, local_month
from ratings.models import Level, MetricSnapshot

MONTHS = 12
# The summary rows of the page and the notice: catalogue indicator per row.
SUMMARY = {"ratio": "complaint_ratio", "ticket_satisfaction": "ticket_satisfaction_rate", "survey_satisfaction": "satisfaction_rate"}


def published_compounds() -> QuerySet[Compound]:
    """Compounds whose public page officials have published (the sitemap lists exactly these)."""
    return Compound.objects.filter(public_page=True, is_active=True)


def public_compound_get(public_id: str) -> Compound | None:
    """The published compound with this public id, or None (an unpublished one reads as unknown)."""
    return published_compounds().select_related("community__subdistrict__district").filter(public_id=public_id).first()


@dataclass
class MonthFigures:
    month: date
    partial: bool
    # complaint ratio and satisfaction rates per area: compound, town, district (None: no denominator)
    ratio: tuple[Decimal | None, Decimal | None, Decimal | None]
    ticket_satisfaction: tuple[Decimal | None, Decimal | None, Decimal | None]
    survey_satisfaction: tuple[Decimal | None, Decimal | None, Decimal | None]


@dataclass
class OpenList:
    number: str
    issued_on: date
    deadline: date
    status: str
    overdue: bool
    items: int
    items_done: int


@dataclass
class PublicCard:
    compound: Compound
    town: str
    district: str
    community: str
    company: str | None
    contract_start: date | None
    contract_end: date | None
    month_from: date
    month_to: date
    months: list[MonthFigures] = field(default_factory=list)
    open_lists: list[OpenList] = field(default_factory=list)
    committee_status: str | None = None
    committee_term: tuple[date, date] | None = None
    committee_contact: str = ""
    # Over the twelve months, per area (compound, town, district): the catalogue's figures (with their
    # periods) of the monthly-average complaint ratio, ticket satisfaction and residents' satisfaction.
    summary: dict[str, tuple[indicators.Figure, ...]] = field(default_factory=dict)


def _series(level: str, area_id: int, month_from: date, month_to: date) -> dict[date, dict]:
    rows = MetricSnapshot.objects.filter(level=level, area_id=area_id, month__gte=month_from, month__lte=month_to).values(
        "month", "complaints", "households", "rated", "rated_satisfied", "survey_responses", "survey_satisfied"
    )

    return {r["month"]: r for r in rows}


def _three(rows: list[dict | None], num: str, den: str) -> tuple[Decimal | None, ...]:
    return tuple(calc.ratio(r[num], r[den]) if r else None for r in rows)


def monthly_figures(compound: Compound, *, today: date | None = None) -> tuple[date, date, list[MonthFigures], dict]:
    """The last twelve months (the current, partial one included) for the compound against its town
    and its district: complaint ratio, ticket and survey satisfaction (three snapshot reads), and the
    figures over the whole span."""
    current = local_month(timezone.now()) if today is None else today.replace(day=1)
    month_from = add_months(current, -(MONTHS - 1))
    town = compound.community.subdistrict
    keys = [(Level.COMPOUND, compound.pk), (Level.SUBDISTRICT, town.pk), (Level.DISTRICT, town.district_id)]
    areas = [_series(level, pk, month_from, current) for level, pk in keys]
    months = []
    for i in range(MONTHS):
        month = add_months(month_from, i)
        rows = [a.get(month) for a in areas]
        months.append(
            MonthFigures(
                month=month,
                partial=month == current,
                ratio=_three(rows, "complaints", "households"),
                ticket_satisfaction=_three(rows, "rated_satisfied", "rated"),
                survey_satisfaction=_three(rows, "survey_satisfied", "survey_responses"),
            )
        )
    # The span figures follow the catalogue (ratings.indicators), as on the dashboard: the monthly average
    # over finished months, ticket satisfaction Σ÷Σ, the latest survey round; each with its period.
    span = indicators.Span(month_from, current, today or timezone.localdate())
    year_rows = [_series(level, pk, indicators.rows_from(span), current) for level, pk in keys]
    summary = {name: tuple(indicators.get(key).figure(list(rows.values()), span) for rows in year_rows) for name, key in SUMMARY.items()}
    return month_from, current, months, summary


def open_rectification_lists(compound: Compound, *, today: date | None = None) -> list[OpenList]:
    """Lists not yet accepted, with their item count and the items reported done in the latest report
    that is not returned (a returned report's work was not accepted, so it counts as not done)."""
    day = today or timezone.localdate()
    lists = list(
        RectificationList.objects.filter(compound=compound)
        .exclude(status=RectificationList.Status.ACCEPTED)
        .annotate(item_count=Count("items", distinct=True), latest_round=Max("reports__round"))
        .order_by("deadline", "id")
    )
    done: dict[int, int] = {}
    if lists:
        latest = Q()
        for rect in lists:
            if rect.latest_round is not None:
                latest |= Q(report__rectification_list_id=rect.pk, report__round=rect.latest_round)
        if latest:
            done = dict(
                ReportAction.objects.filter(latest)
                .exclude(report__decision=RectificationReport.Decision.RETURNED)
                .values("report__rectification_list_id")
                .annotate(n=Count("item_id", distinct=True))
                .values_list("report__rectification_list_id", "n")
            )
    return [
        OpenList(
            number=rect.number,
            issued_on=timezone.localtime(rect.issued_at).date(),
            deadline=rect.deadline,
            status=rect.get_status_display(),
            overdue=rect.deadline < day,
            items=rect.item_count,
            items_done=done.get(rect.pk, 0),
        )
        for rect in lists
    ]


def committee_public(compound: Compound) -> tuple[Committee | None, str]:
    """The compound's current committee and its public contact: the director's phone, masked."""
    committee = Committee.objects.current().filter(compound=compound).order_by("-term_start").first()
    if committee is None:
        return None, ""
    director = (
        CommitteeMember.objects.filter(committee=committee, role=CommitteeMember.Role.DIRECTOR, seat_end__isnull=True)
        .select_related("user", "owner")
        .first()
    )
    phone = ""
    if director is not None:
        phone = (director.user.phone if director.user_id else "") or (director.owner.phone if director.owner_id else "")
    return committee, mask_phone(phone)


def public_card(compound: Compound, *, today: date | None = None) -> PublicCard:
    """Everything the public page and the printed notice show about one published compound."""
    contract = compound.current_contract()
    month_from, month_to, months, summary = monthly_figures(compound, today=today)
    committee, contact = committee_public(compound)
    town = compound.community.subdistrict
    return PublicCard(
        compound=compound,
        town=town.name,
        district=town.district.name,
        community=compound.community.name,
        company=contract.company.name if contract else None,
        contract_start=contract.start if contract else None,
        contract_end=contract.end if contract else None,
        month_from=month_from,
        month_to=month_to,
        months=months,
        open_lists=open_rectification_lists(compound, today=today),
        committee_status=committee.get_status_display() if committee else None,
        committee_term=(committee.term_start, committee.term_end) if committee else None,
        committee_contact=contact,
        summary=summary,
    )
