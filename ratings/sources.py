"""Metric families the other domain apps contribute (inspections, committees, mediation).

Written against those apps' models (read, never imported by them):
inspections.Inspection / RectificationList, committees.Committee / CommitteeMember,
mediation.DisputeCase / Meeting.

Each family is SQL over the app's own tables (ratings reads them; they never import ratings).
The rows of these apps are few (lists, inspections, committees per compound), so their incremental
"touched" sets are generous: recomputing a few hundred compound-months is cheap and keeps the result
exactly equal to a full run even where the app's tables carry no `updated_at`.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Max, Min

from committees.models import Committee, CommitteeMember
from communities.models import Compound
from inspections.models import Inspection, RectificationList
from mediation.models import DisputeCase, Meeting
from ratings.engine import Family, local_month, month_of, register_family, sql_in, sql_value

# Tables and choice values from the models (ratings reads these apps; they never import ratings).
RECT_LISTS = RectificationList._meta.db_table
INSPECTIONS = Inspection._meta.db_table
COMMITTEES = Committee._meta.db_table
MEMBERS = CommitteeMember._meta.db_table
COMPOUNDS = Compound._meta.db_table
DISPUTES = DisputeCase._meta.db_table
MEETINGS = Meeting._meta.db_table
ACCEPTED = sql_value(RectificationList.Status.ACCEPTED)
SUBMITTED = sql_value(Inspection.Status.SUBMITTED)
SEATED = sql_in(Committee.Status.ACTIVE, Committee.Status.EXPIRED)
AGREEMENT = sql_value(DisputeCase.Outcome.AGREEMENT)
HELD = sql_value(Meeting.Status.HELD)
MICRO = sql_value(Meeting.Kind.MICRO_CONSULTATION)


def _pg() -> bool:
    return connection.vendor == "postgresql"


def month_of_date(col: str) -> str:
    """The first day of the month of a date column."""
    return f"(date_trunc('month', {col}))::date" if _pg() else f"date({col}, 'start of month')"


def next_month(col: str) -> str:
    """The first day of the month after a month column (a date)."""
    return f"(({col}) + interval '1 month')::date" if _pg() else f"date({col}, '+1 month')"


# --- Inspections: on-time rectification and the latest inspection score ---------------------------
def _rect_select(scope: str) -> str:
    # A list is due once its deadline has passed or it has been accepted; on time if accepted by its
    # deadline (inspections.selectors.rectification_timeliness, SPEC §5). Counted in its deadline's month.
    inner = f"""SELECT r.compound_id, {month_of_date("r.deadline")} AS month,
            count(*) FILTER (WHERE r.status = {ACCEPTED} OR r.deadline < %(today)s) AS rect_due,
            count(*) FILTER (WHERE r.status = {ACCEPTED} AND r.accepted_on <= r.deadline) AS rect_on_time
        FROM {RECT_LISTS} r GROUP BY 1, 2"""
    if not scope:
        return inner
    return f"SELECT q.* FROM ({inner}) q JOIN {scope} t ON t.compound_id = q.compound_id AND t.month = q.month"


def _rect_touched() -> str:
    # Every list's compound-month: a deadline passing changes "due" without any write.
    return f"SELECT compound_id, {month_of_date('deadline')} AS month FROM {RECT_LISTS}"


def _rect_months():
    agg = RectificationList.objects.aggregate(lo=Min("deadline"), hi=Max("deadline"))
    return (agg["lo"].replace(day=1) if agg["lo"] else None, agg["hi"].replace(day=1) if agg["hi"] else None)


def _inspection_select(scope: str) -> str:
    # The latest submitted inspection on or before the month's end, per compound and month.
    latest = f"""(SELECT x.percentage FROM {INSPECTIONS} x
        WHERE x.compound_id = g.compound_id AND x.status = {SUBMITTED} AND x.inspected_on < {next_month("g.month")}
        ORDER BY x.inspected_on DESC, x.id DESC LIMIT 1)"""
    if scope:
        grid = f"""SELECT t.compound_id, t.month FROM {scope} t
            WHERE t.compound_id IN (SELECT compound_id FROM {INSPECTIONS} WHERE status = {SUBMITTED})"""
    else:
        grid = f"""SELECT c.compound_id, m.month FROM (SELECT DISTINCT compound_id FROM {INSPECTIONS}
            WHERE status = {SUBMITTED}) c CROSS JOIN ratings_months m"""
    return f"""SELECT s.compound_id, s.month, CASE WHEN s.score IS NULL THEN 0 ELSE 1 END AS inspections,
            COALESCE(s.score, 0) AS inspection_score_sum
        FROM (SELECT g.compound_id, g.month, {latest} AS score FROM ({grid}) g) s"""


def _inspection_touched() -> str:
    # A newly submitted inspection changes its month and every later one.
    return f"""SELECT x.compound_id, m.month FROM {INSPECTIONS} x JOIN ratings_months m
        ON m.month >= {month_of_date("x.inspected_on")} WHERE x.status = {SUBMITTED} AND x.submitted_at > %(wm)s"""


def _inspection_months():
    lo = Inspection.objects.filter(status=Inspection.Status.SUBMITTED).aggregate(lo=Min("inspected_on"))["lo"]
    return (lo.replace(day=1) if lo else None, None)


# --- Committees: formation rate and red committee ratio --------------------------------------------
def _last_day(month: str) -> str:
    return f"(({month}) + interval '1 month' - interval '1 day')::date" if _pg() else f"date({month}, '+1 month', '-1 day')"


def _committee_select(scope: str) -> str:
    # State on the month's last day, or today for the current month (as_of): a committee counts when its
    # term covers that day and it was seated (active, or since expired); it is red when its Party members
    # are more than half of the members seated that day (committees.models.Committee.is_red).
    grid = f"SELECT compound_id, month FROM {scope}" if scope else "SELECT CAST(NULL AS bigint) AS compound_id, month FROM ratings_months"
    as_of = f"CASE WHEN {_last_day('g.month')} < %(today)s THEN {_last_day('g.month')} ELSE %(today)s END"
    seated = "x.committee_id = k.id AND x.seat_start <= a.day AND (x.seat_end IS NULL OR x.seat_end > a.day)"
    match = "a.compound_id IS NULL OR a.compound_id = k.compound_id"
    return f"""SELECT k.compound_id, a.month,
            max(CASE WHEN cc.committee_eligible THEN 1 ELSE 0 END) AS committee_formed,
            1 AS committees_active,
            max(CASE WHEN 2 * (SELECT count(*) FROM {MEMBERS} x WHERE {seated} AND x.is_party_member)
                          > (SELECT count(*) FROM {MEMBERS} x WHERE {seated}) THEN 1 ELSE 0 END) AS committees_red
        FROM (SELECT g.compound_id, g.month, {as_of} AS day FROM ({grid}) g) a
        JOIN {COMMITTEES} k ON ({match}) AND k.term_start <= a.day AND k.term_end >= a.day
        JOIN {COMPOUNDS} cc ON cc.id = k.compound_id
        WHERE k.status IN {SEATED}
        GROUP BY k.compound_id, a.month"""


def _committee_touched() -> str:
    # Committees or seats written since, and every committee's current month (a term or seat may end today).
    return f"""SELECT k.compound_id, m.month FROM {COMMITTEES} k CROSS JOIN ratings_months m
        WHERE k.updated_at > %(wm)s OR k.id IN (SELECT committee_id FROM {MEMBERS} WHERE updated_at > %(wm)s)
           OR (k.status IN {SEATED} AND m.month = {month_of_date("%(today)s")})"""


# --- Mediation: disputes registered and settled, meetings and micro-consultations held -------------
def _mediation_select(scope: str) -> str:
    held = month_of("m.starts_at")
    parts = [
        f"""SELECT d.compound_id, {month_of_date("d.registered_on")} AS month, 1 AS disputes, 0 AS disputes_settled,
            0 AS meetings, 0 AS micro_consultations FROM {DISPUTES} d""",
        f"""SELECT d.compound_id, {month_of_date("d.closed_on")}, 0, 1, 0, 0 FROM {DISPUTES} d
            WHERE d.outcome = {AGREEMENT} AND d.closed_on IS NOT NULL""",
        f"""SELECT m.compound_id, {held}, 0, 0, 1, CASE WHEN m.kind = {MICRO} THEN 1 ELSE 0 END
            FROM {MEETINGS} m WHERE m.status = {HELD}""",
    ]
    union = " UNION ALL ".join(parts)
    join = f"JOIN {scope} t ON t.compound_id = e.compound_id AND t.month = e.month" if scope else ""
    return f"""SELECT e.compound_id, e.month, sum(e.disputes) AS disputes, sum(e.disputes_settled) AS disputes_settled,
            sum(e.meetings) AS meetings, sum(e.micro_consultations) AS micro_consultations
        FROM ({union}) e {join} GROUP BY e.compound_id, e.month"""


def _mediation_touched() -> str:
    return f"""SELECT compound_id, {month_of_date("registered_on")} AS month FROM {DISPUTES} WHERE updated_at > %(wm)s
        UNION SELECT compound_id, {month_of_date("closed_on")} FROM {DISPUTES}
            WHERE updated_at > %(wm)s AND closed_on IS NOT NULL
        UNION SELECT compound_id, {month_of("starts_at")} FROM {MEETINGS} WHERE updated_at > %(wm)s"""


def _mediation_months():
    lows = [DisputeCase.objects.aggregate(lo=Min("registered_on"))["lo"]]
    first_meeting = Meeting.objects.filter(status=Meeting.Status.HELD).aggregate(lo=Min("starts_at"))["lo"]
    lows = [d.replace(day=1) for d in lows if d] + ([local_month(first_meeting)] if first_meeting else [])
    return (min(lows) if lows else None, None)


def register_all() -> None:
    """Register the families of the domain apps."""
    register_family(Family("rectification", ["rect_due", "rect_on_time"], _rect_select, _rect_touched, _rect_months))
    register_family(
        Family("inspections", ["inspections", "inspection_score_sum"], _inspection_select, _inspection_touched, _inspection_months)
    )
    register_family(
        Family("committees", ["committee_formed", "committees_active", "committees_red"], _committee_select, _committee_touched)
    )
    register_family(
        Family(
            "mediation",
            ["disputes", "disputes_settled", "meetings", "micro_consultations"],
            _mediation_select,
            _mediation_touched,
            _mediation_months,
        )
    )
