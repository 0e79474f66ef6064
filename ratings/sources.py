"""Metric families the other domain apps contribute (inspections, committees, mediation).

Each family is SQL over the app's own tables (ratings reads them; they never import ratings). A family
registers only if its app's model exists, so the engine works before and after an app lands.
The rows of these apps are few (lists, inspections, committees per compound), so their incremental
"touched" sets are generous: recomputing a few hundred compound-months is cheap and keeps the result
exactly equal to a full run even where the app's tables carry no `updated_at`.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection

from ratings.engine import Family, register_family


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
            count(*) FILTER (WHERE r.status = 'accepted' OR r.deadline < %(today)s) AS rect_due,
            count(*) FILTER (WHERE r.status = 'accepted' AND r.accepted_on <= r.deadline) AS rect_on_time
        FROM inspections_rectificationlist r GROUP BY 1, 2"""
    if not scope:
        return inner
    return f"SELECT q.* FROM ({inner}) q JOIN {scope} t ON t.compound_id = q.compound_id AND t.month = q.month"


def _rect_touched() -> str:
    # Every list's compound-month: a deadline passing changes "due" without any write.
    return f"SELECT compound_id, {month_of_date('deadline')} AS month FROM inspections_rectificationlist"


def _rect_months():
    from django.db.models import Max, Min

    from inspections.models import RectificationList

    agg = RectificationList.objects.aggregate(lo=Min("deadline"), hi=Max("deadline"))
    return (agg["lo"].replace(day=1) if agg["lo"] else None, agg["hi"].replace(day=1) if agg["hi"] else None)


def _inspection_select(scope: str) -> str:
    # The latest submitted inspection on or before the month's end, per compound and month.
    latest = f"""(SELECT x.percentage FROM inspections_inspection x
        WHERE x.compound_id = g.compound_id AND x.status = 'submitted' AND x.inspected_on < {next_month("g.month")}
        ORDER BY x.inspected_on DESC, x.id DESC LIMIT 1)"""
    if scope:
        grid = f"""SELECT t.compound_id, t.month FROM {scope} t
            WHERE t.compound_id IN (SELECT compound_id FROM inspections_inspection WHERE status = 'submitted')"""
    else:
        grid = """SELECT c.compound_id, m.month FROM (SELECT DISTINCT compound_id FROM inspections_inspection
            WHERE status = 'submitted') c CROSS JOIN ratings_months m"""
    return f"""SELECT s.compound_id, s.month, CASE WHEN s.score IS NULL THEN 0 ELSE 1 END AS inspections,
            COALESCE(s.score, 0) AS inspection_score_sum
        FROM (SELECT g.compound_id, g.month, {latest} AS score FROM ({grid}) g) s"""


def _inspection_touched() -> str:
    # A newly submitted inspection changes its month and every later one.
    return f"""SELECT x.compound_id, m.month FROM inspections_inspection x JOIN ratings_months m
        ON m.month >= {month_of_date("x.inspected_on")} WHERE x.status = 'submitted' AND x.submitted_at > %(wm)s"""


def _inspection_months():
    from django.db.models import Min

    from inspections.models import Inspection

    lo = Inspection.objects.filter(status="submitted").aggregate(lo=Min("inspected_on"))["lo"]
    return (lo.replace(day=1) if lo else None, None)


def register_all() -> None:
    """Register the families of the domain apps whose models exist."""
    if _has("inspections", "RectificationList"):
        register_family(Family("rectification", ["rect_due", "rect_on_time"], _rect_select, _rect_touched, _rect_months))
    if _has("inspections", "Inspection"):
        register_family(
            Family("inspections", ["inspections", "inspection_score_sum"], _inspection_select, _inspection_touched, _inspection_months)
        )


def _has(app: str, model: str) -> bool:
    try:
        apps.get_model(app, model)
    except LookupError:
        return False
    return True
