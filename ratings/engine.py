"""The metrics engine: SQL that fills `ratings_metricsnapshot` (SPEC §5).

One run, inside one transaction:

1. takes the engine's lock (core.locks: a PostgreSQL advisory lock; elsewhere a cache lock) so runs never overlap;
2. works out the month range (first month with data .. the current month, Asia/Shanghai);
3. upserts the compound rows in ONE `INSERT … SELECT … ON CONFLICT DO UPDATE` statement: every compound ×
   month of the grid, left-joined to one aggregate subquery per metric family (complaints, surveys, and the
   families the other domain apps contribute), each a single GROUP BY with conditional aggregates;
4. sums community rows from compound rows, subdistrict rows from community rows, district rows from
   subdistrict rows (Σ ÷ Σ, never a mean of rates), one statement per level.

A full run uses the whole grid. An incremental run first collects the compound-months touched since the
last run's watermark into a temporary table (complaints and survey responses whose `updated_at` is later,
compounds edited since, months newly in range) and restricts every statement to them. An update that
would not change a row is skipped (`WHERE … IS DISTINCT FROM …`), so a second run writes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from communities.models import Community, Compound, Subdistrict
from complaints.models import Complaint
from core.locks import exclusive
from ratings.models import Answer, MetricRun, MetricSnapshot, SurveyResponse, SurveyRound

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOCK = "ratings.metrics"  # core.locks name of the engine's lock
# Rows written by a transaction that commits while a run is reading may carry an `updated_at` just before
# the run's start; the next incremental run looks back this far to catch them (recomputing is harmless).
OVERLAP = timedelta(seconds=getattr(settings, "RATINGS_WATERMARK_OVERLAP", 300))

SNAP = MetricSnapshot._meta.db_table
# Tables and choice values come from the models, so a renamed table or value cannot leave the SQL behind.
COMPLAINTS = Complaint._meta.db_table
SURVEY_RESPONSES = SurveyResponse._meta.db_table
SURVEY_ROUNDS = SurveyRound._meta.db_table
COMPOUNDS = Compound._meta.db_table
COMMUNITIES = Community._meta.db_table
SUBDISTRICTS = Subdistrict._meta.db_table
# An incremental run touching more than 1/INCREMENTAL_SHARE of the compound-months (and at least
# INCREMENTAL_MAX of them) does a full pass instead: per-row index lookups stop paying off.
INCREMENTAL_SHARE = 10
INCREMENTAL_MAX = 5000


# --- SQL dialects -------------------------------------------------------------------------------
def _pg() -> bool:
    return connection.vendor == "postgresql"


def month_of(col: str) -> str:
    """The calendar month (first day, a date) of a timestamp column in Asia/Shanghai."""
    if _pg():
        return f"(date_trunc('month', {col} AT TIME ZONE 'Asia/Shanghai'))::date"
    # SQLite stores UTC text; Shanghai has had no daylight saving since 1991, so +8 hours is exact.
    return f"date({col}, '+8 hours', 'start of month')"


def _month_bounds() -> tuple[str, str]:
    """Expressions for the UTC start and end of `month` (a date column), comparable with stored timestamps."""
    if _pg():
        return (
            "(month::timestamp AT TIME ZONE 'Asia/Shanghai')",
            "((month + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai')",
        )
    return ("datetime(month, '-8 hours')", "datetime(month, '+1 month', '-8 hours')")


def _db_moment(moment: datetime):
    """`moment` as a parameter comparable with stored timestamps (SQLite keeps UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)


def sql_in(*values: str) -> str:
    """A SQL list of choice values, `('resolved', 'closed')`: the models' constants, never user input."""
    return "(" + ", ".join(sql_value(v) for v in values) + ")"


def sql_value(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _distinct(a: str, b: str) -> str:
    return f"{a} IS DISTINCT FROM {b}" if _pg() else f"{a} IS NOT {b}"


def _rate(num: str, den: str, scale: str = "100.0") -> str:
    return f"CASE WHEN {den} > 0 THEN ROUND(({num}) * {scale} / ({den}), 6) END"


# --- Metric families -----------------------------------------------------------------------------
@dataclass
class Family:
    """A source of compound × month counts.

    `select(scope)` returns SQL yielding `compound_id, month, <columns>`; `scope` is "" for a full run or
    the name of the touched table (columns compound_id, month, starts, ends) for an incremental one.
    `touched` returns SQL yielding `compound_id, month` for rows changed after `%(wm)s`.
    `months` returns (first, last) month with data, or None.
    """

    name: str
    columns: list[str]
    select: Callable[[str], str]
    touched: Callable[[], str] | None = None
    months: Callable[[], tuple[date | None, date | None]] | None = None
    defaults: dict[str, str] = field(default_factory=dict)


def _complaints_select(scope: str) -> str:
    status, rating = Complaint.Status, Complaint.Rating
    closed, rejected = sql_value(status.CLOSED), sql_value(status.REJECTED)
    # Due for signing once signed for or past its sign-for deadline (SPEC §5 response rate): one whose
    # deadline is still ahead and is not yet signed counts in neither numerator nor denominator.
    aggs = f"""
        count(*) AS complaints,
        count(*) FILTER (WHERE x.status IN {sql_in(status.RESOLVED, status.CLOSED)}) AS resolved,
        count(*) FILTER (WHERE x.accepted_at IS NOT NULL OR x.response_due <= %(now_db)s) AS response_due,
        count(*) FILTER (WHERE x.accepted_at IS NOT NULL AND x.accepted_at <= x.response_due) AS responded_on_time,
        count(*) FILTER (WHERE x.status = {closed} AND x.rating <> '') AS rated,
        count(*) FILTER (WHERE x.status = {closed} AND x.rating IN {sql_in(rating.SATISFIED, rating.BASIC)}) AS rated_satisfied,
        count(*) FILTER (WHERE x.is_overdue) AS overdue,
        count(*) FILTER (WHERE x.supervised) AS supervised"""
    if not scope:
        return f"""SELECT x.compound_id, {month_of("x.made_at")} AS month, {aggs}
            FROM {COMPLAINTS} x WHERE x.status <> {rejected} GROUP BY 1, 2"""
    # Incremental: each touched compound-month is a range scan of the (compound, made_at) index. On
    # PostgreSQL a LATERAL subquery makes that plan explicit (a hash join would read the whole table).
    if _pg():
        return f"""SELECT t.compound_id, t.month, a.* FROM {scope} t CROSS JOIN LATERAL (
            SELECT {aggs} FROM {COMPLAINTS} x
            WHERE x.compound_id = t.compound_id AND x.made_at >= t.starts AND x.made_at < t.ends AND x.status <> {rejected}) a"""
    return f"""SELECT t.compound_id, t.month, {aggs}
        FROM {scope} t JOIN {COMPLAINTS} x
          ON x.compound_id = t.compound_id AND x.made_at >= t.starts AND x.made_at < t.ends
        WHERE x.status <> {rejected} GROUP BY t.compound_id, t.month"""


def _complaints_touched() -> str:
    # A sign-for deadline passing makes a complaint due without any write; only an unsigned complaint
    # (still submitted or dispatched, found through the status index) can be in that case.
    unsigned = sql_in(*Complaint.AWAITING_SIGN_FOR)
    return f"""SELECT compound_id, {month_of("made_at")} AS month FROM {COMPLAINTS} WHERE updated_at > %(wm)s
        UNION SELECT compound_id, {month_of("made_at")} AS month FROM {COMPLAINTS}
        WHERE status IN {unsigned} AND response_due > %(wm)s AND response_due <= %(now_db)s"""


def _complaints_months() -> tuple[date | None, date | None]:
    agg = Complaint.objects.aggregate(lo=Min("made_at"), hi=Max("made_at"))
    return (local_month(agg["lo"]) if agg["lo"] else None, local_month(agg["hi"]) if agg["hi"] else None)


def _survey_select(scope: str) -> str:
    ok = f"IN {sql_in(Answer.SATISFIED, Answer.BASIC)}"
    aggs = f"""
        count(*) AS survey_responses,
        count(*) FILTER (WHERE r.overall {ok}) AS survey_satisfied,
        count(*) FILTER (WHERE r.governance {ok}) AS dim_governance,
        count(*) FILTER (WHERE r.environment {ok}) AS dim_environment,
        count(*) FILTER (WHERE r.service {ok}) AS dim_service,
        count(*) FILTER (WHERE r.public_order {ok}) AS dim_order,
        count(*) FILTER (WHERE r.neighbours {ok}) AS dim_neighbours"""
    join = f"JOIN {scope} t ON t.compound_id = r.compound_id AND t.month = s.month" if scope else ""
    return f"""SELECT r.compound_id, s.month, {aggs}
        FROM {SURVEY_RESPONSES} r JOIN {SURVEY_ROUNDS} s ON s.id = r.round_id {join}
        GROUP BY r.compound_id, s.month"""


def _survey_touched() -> str:
    return f"""SELECT r.compound_id, s.month FROM {SURVEY_RESPONSES} r
        JOIN {SURVEY_ROUNDS} s ON s.id = r.round_id WHERE r.updated_at > %(wm)s"""


def _survey_months() -> tuple[date | None, date | None]:
    agg = SurveyRound.objects.aggregate(lo=Min("month"), hi=Max("month"))
    return agg["lo"], agg["hi"]


FAMILIES: list[Family] = [
    Family(
        "complaints",
        ["complaints", "resolved", "response_due", "responded_on_time", "rated", "rated_satisfied", "overdue", "supervised"],
        _complaints_select,
        _complaints_touched,
        _complaints_months,
    ),
    Family(
        "surveys",
        ["survey_responses", "survey_satisfied", "dim_governance", "dim_environment", "dim_service", "dim_order", "dim_neighbours"],
        _survey_select,
        _survey_touched,
        _survey_months,
    ),
]


def register_family(family: Family) -> None:
    """Add (or replace) a metric family; the domain hooks in ratings.sources call this."""
    FAMILIES[:] = [f for f in FAMILIES if f.name != family.name] + [family]


# Every summable column of a snapshot, and the rates computed from them.
SUM_COLUMNS = [
    "compounds",
    "households",
    "complaints",
    "resolved",
    "response_due",
    "responded_on_time",
    "rated",
    "rated_satisfied",
    "overdue",
    "supervised",
    "survey_responses",
    "survey_satisfied",
    "dim_governance",
    "dim_environment",
    "dim_service",
    "dim_order",
    "dim_neighbours",
    "rect_due",
    "rect_on_time",
    "inspections",
    "inspection_score_sum",
    "committee_eligible",
    "committee_formed",
    "committees_active",
    "committees_red",
    "disputes",
    "disputes_settled",
    "meetings",
    "micro_consultations",
]
RATES = {
    "complaint_ratio": ("complaints", "households", "100.0"),
    "resolution_rate": ("resolved", "complaints", "100.0"),
    "response_rate": ("responded_on_time", "response_due", "100.0"),
    "ticket_satisfaction_rate": ("rated_satisfied", "rated", "100.0"),
    "satisfaction_rate": ("survey_satisfied", "survey_responses", "100.0"),
    "rectification_rate": ("rect_on_time", "rect_due", "100.0"),
    "formation_rate": ("committee_formed", "committee_eligible", "100.0"),
    "red_ratio": ("committees_red", "committees_active", "100.0"),
    "inspection_score": ("inspection_score_sum", "inspections", "1.0"),
    "overdue_rate": ("overdue", "complaints", "100.0"),
}
TREE = ["compound_id", "community_id", "subdistrict_id", "district_id"]


def _rate_exprs(prefix: str = "") -> list[str]:
    return [_rate(f"{prefix}{num}", f"{prefix}{den}", scale) for num, den, scale in RATES.values()]


def _upsert_tail(columns: list[str]) -> str:
    """ON CONFLICT clause updating `columns`, skipping rows where nothing changed."""
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*columns, "computed_at"])
    old = "(" + ", ".join(f"{SNAP}.{c}" for c in columns) + ")"
    new = "(" + ", ".join(f"EXCLUDED.{c}" for c in columns) + ")"
    return f" ON CONFLICT (level, area_id, month) DO UPDATE SET {sets} WHERE {_distinct(old, new)}"


# --- Months --------------------------------------------------------------------------------------
def local_month(moment: datetime) -> date:
    return timezone.localtime(moment, SHANGHAI).date().replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_span(first: date, last: date) -> list[date]:
    months, m = [], first
    while m <= last:
        months.append(m)
        m = add_months(m, 1)
    return months


def _month_range(now: datetime) -> tuple[date, date]:
    current = local_month(now)
    lows, highs = [current], [current]
    for family in FAMILIES:
        if family.months:
            lo, hi = family.months()
            if lo:
                lows.append(lo)
            if hi:
                highs.append(hi)
    return min(lows), max(highs)


# --- The run -------------------------------------------------------------------------------------
def _compound_upsert(scope: str, months_table: str) -> str:
    joins, source = [], {}
    for i, family in enumerate(FAMILIES):
        alias = f"f{i}"
        joins.append(f"LEFT JOIN ({family.select(scope)}) {alias} ON {alias}.compound_id = g.compound_id AND {alias}.month = g.month")
        for c in family.columns:
            source[c] = f"COALESCE({alias}.{c}, {family.defaults.get(c, '0')})"
    # Eligibility for a committee is the compound's own flag; committee_formed needs the committees family.
    source.setdefault("committee_eligible", "CASE WHEN c.committee_eligible THEN 1 ELSE 0 END")
    picks = [f"{source[c]} AS {c}" for c in SUM_COLUMNS if c not in ("compounds", "households")]
    grid = (
        f"(SELECT compound_id, month FROM {scope})"
        if scope
        else f"(SELECT c0.id AS compound_id, m.month FROM {COMPOUNDS} c0 CROSS JOIN {months_table} m)"
    )
    inner = f"""SELECT g.compound_id, g.month, cm.id AS community_id, cm.subdistrict_id, sd.district_id,
            1 AS compounds, c.household_count AS households, {", ".join(picks)}
        FROM {grid} g
        JOIN {COMPOUNDS} c ON c.id = g.compound_id
        JOIN {COMMUNITIES} cm ON cm.id = c.community_id
        JOIN {SUBDISTRICTS} sd ON sd.id = cm.subdistrict_id
        {" ".join(joins)}"""
    rates = list(RATES)
    insert_cols = ["level", "area_id", "month", *TREE, *SUM_COLUMNS, *rates, "computed_at"]
    select = (
        "SELECT 'compound', q.compound_id, q.month, q.compound_id, q.community_id, q.subdistrict_id, q.district_id, "
        + ", ".join(f"q.{c}" for c in SUM_COLUMNS)
        + ", "
        + ", ".join(_rate_exprs("q."))
        + ", %(now)s"
    )
    return f"INSERT INTO {SNAP} ({', '.join(insert_cols)}) {select} FROM ({inner}) q WHERE true" + _upsert_tail(
        ["community_id", "subdistrict_id", "district_id", *SUM_COLUMNS, *rates]
    )


def _rollup(level: str, child: str, key: str, parents: list[str], areas: str) -> str:
    """Sum the `child` rows into `level` rows keyed by `key` (community_id, subdistrict_id, district_id)."""
    sums = ", ".join(f"sum(s.{c}) AS {c}" for c in SUM_COLUMNS)
    parent_picks = ", ".join(f"max(s.{p}) AS {p}" for p in parents)
    picks = f"{parent_picks}, {sums}" if parents else sums
    if areas and _pg():
        # One index range scan of (level, key, month) per touched area-month; the planner would rather
        # read the whole table for a few hundred of them.
        inner = f"""SELECT a.{key}, a.month, l.* FROM (SELECT DISTINCT {key}, month FROM {areas}) a
            CROSS JOIN LATERAL (SELECT {picks} FROM {SNAP} s
                WHERE s.level = '{child}' AND s.{key} = a.{key} AND s.month = a.month) l
            WHERE l.compounds IS NOT NULL"""
    else:
        where = f"s.level = '{child}'"
        if areas:
            where += f" AND (s.{key}, s.month) IN (SELECT DISTINCT {key}, month FROM {areas})"
        inner = f"SELECT s.{key}, s.month, {picks} FROM {SNAP} s WHERE {where} GROUP BY s.{key}, s.month"
    tree_values = {c: "NULL" for c in TREE}
    tree_values[key] = f"q.{key}"
    for p in parents:
        tree_values[p] = f"q.{p}"
    rates = list(RATES)
    insert_cols = ["level", "area_id", "month", *TREE, *SUM_COLUMNS, *rates, "computed_at"]
    select = (
        f"SELECT '{level}', q.{key}, q.month, "
        + ", ".join(tree_values[c] for c in TREE)
        + ", "
        + ", ".join(f"q.{c}" for c in SUM_COLUMNS)
        + ", "
        + ", ".join(_rate_exprs("q."))
        + ", %(now)s"
    )
    return f"INSERT INTO {SNAP} ({', '.join(insert_cols)}) {select} FROM ({inner}) q WHERE true" + _upsert_tail(
        [*TREE, *SUM_COLUMNS, *rates]
    )


ROLLUPS = [
    ("community", "compound", "community_id", ["subdistrict_id", "district_id"]),
    ("subdistrict", "community", "subdistrict_id", ["district_id"]),
    ("district", "subdistrict", "district_id", []),
]


def _temp_tables(cur) -> None:
    for name, cols in (
        ("ratings_months", "month date PRIMARY KEY, fresh integer NOT NULL DEFAULT 0"),
        ("ratings_touched", "compound_id bigint, month date, starts timestamp, ends timestamp, PRIMARY KEY (compound_id, month)"),
        ("ratings_touched_areas", "community_id bigint, subdistrict_id bigint, district_id bigint, month date"),
    ):
        cur.execute(f"DROP TABLE IF EXISTS {name}")
        if _pg() and name == "ratings_touched":
            cols = cols.replace("timestamp", "timestamptz")
        cur.execute(f"CREATE TEMP TABLE {name} ({cols})")


def _drop_temp_tables(cur) -> None:
    for name in ("ratings_months", "ratings_touched", "ratings_touched_areas"):
        cur.execute(f"DROP TABLE IF EXISTS {name}")


def _collect_touched(cur, *, watermark: datetime, now: datetime, new_months: list[date]) -> int:
    """Fill ratings_touched with the compound-months changed after `watermark`; return how many."""
    sources = [f.touched() for f in FAMILIES if f.touched]
    # A compound edited since (households, community) changes every month of it.
    sources.append(f"SELECT c.id AS compound_id, m.month FROM {COMPOUNDS} c CROSS JOIN ratings_months m WHERE c.updated_at > %(wm)s")
    if new_months:
        sources.append(f"SELECT c.id AS compound_id, m.month FROM {COMPOUNDS} c CROSS JOIN ratings_months m WHERE m.fresh = 1")
    union = " UNION ".join(f"SELECT compound_id, month FROM ({s}) u{i}" for i, s in enumerate(sources))
    starts, ends = _month_bounds()
    # Only months inside the grid count (a full run has exactly those).
    cur.execute(
        f"""INSERT INTO ratings_touched (compound_id, month, starts, ends)
        SELECT t.compound_id, t.month, {starts}, {ends} FROM ({union}) t
        WHERE t.month IN (SELECT month FROM ratings_months) AND t.compound_id IN (SELECT id FROM {COMPOUNDS})""",
        {"wm": watermark, "now_db": _db_moment(now), "today": timezone.localtime(now, SHANGHAI).date()},
    )
    cur.execute("SELECT count(*) FROM ratings_touched")
    return cur.fetchone()[0]


def _collect_areas(cur, *, watermark: datetime) -> None:
    """Fill ratings_touched_areas with the community/town/district of every touched compound-month: where the
    compound is now (from the places tables) and, for compounds edited since the watermark (they may have
    moved), where their snapshot rows put them before this run."""
    cur.execute(
        f"""INSERT INTO ratings_touched_areas (community_id, subdistrict_id, district_id, month)
        SELECT cm.id, cm.subdistrict_id, sd.district_id, t.month FROM ratings_touched t
        JOIN {COMPOUNDS} c ON c.id = t.compound_id
        JOIN {COMMUNITIES} cm ON cm.id = c.community_id
        JOIN {SUBDISTRICTS} sd ON sd.id = cm.subdistrict_id"""
    )
    cur.execute(
        f"""INSERT INTO ratings_touched_areas (community_id, subdistrict_id, district_id, month)
        SELECT s.community_id, s.subdistrict_id, s.district_id, s.month FROM ratings_touched t
        JOIN {COMPOUNDS} c ON c.id = t.compound_id AND c.updated_at > %(wm)s
        JOIN {SNAP} s ON s.level = 'compound' AND s.area_id = t.compound_id AND s.month = t.month""",
        {"wm": watermark},
    )


@dataclass
class RunResult:
    run: MetricRun | None
    skipped: bool = False


def compute(*, full: bool = False, now: datetime | None = None) -> RunResult:
    """Recompute the snapshots; incremental unless `full` (or no run has finished yet).

    Takes the engine lock: if another run holds it, returns at once with `skipped=True`, writing nothing.
    """
    with exclusive(LOCK) as held:
        if not held:
            return RunResult(None, skipped=True)
        return _compute(full=full, now=now)


def _compute(*, full: bool, now: datetime | None) -> RunResult:
    started = time.monotonic()
    now = now or timezone.now()
    with transaction.atomic():
        if _pg():
            with connection.cursor() as cur:
                # JIT compiling these wide aggregates costs seconds and saves nothing; enough memory keeps
                # the compound × month hash aggregate off the disk.
                cur.execute("SET LOCAL jit = off")
                cur.execute("SET LOCAL work_mem = '128MB'")
        last = MetricRun.objects.filter(finished_at__isnull=False).order_by("-id").first()
        if last is None or last.month_from is None:
            full = True
        first, last_month = _month_range(now)
        months = month_span(first, last_month)
        params = {"now": now, "now_db": _db_moment(now), "today": timezone.localtime(now, SHANGHAI).date()}
        with connection.cursor() as cur:
            _temp_tables(cur)
            old = set() if full else set(month_span(last.month_from, last.month_to))
            new_months = [m for m in months if m not in old]
            cur.executemany("INSERT INTO ratings_months (month, fresh) VALUES (%s, %s)", [(m, int(m in new_months)) for m in months])
            touched = 0
            if not full:
                touched = _collect_touched(cur, watermark=last.watermark, now=now, new_months=new_months)
                # So much changed (a new month, many compounds edited) that one pass over everything is cheaper.
                full = touched > max(INCREMENTAL_MAX, len(months) * _compound_count(cur) // INCREMENTAL_SHARE)
            if full:
                touched = len(months) * _compound_count(cur)
                cur.execute(f"DELETE FROM {SNAP} WHERE month < %s OR month > %s", [first, last_month])
                cur.execute(_compound_upsert("", "ratings_months"), params)
                for level, child, key, parents in ROLLUPS:
                    cur.execute(_rollup(level, child, key, parents, ""), params)
                _delete_orphan_areas(cur)
                if _pg():
                    # Fresh statistics let incremental runs pick index lookups over the few rows they touch.
                    cur.execute(f"ANALYZE {SNAP}")
            elif touched:
                if _pg():
                    cur.execute("ANALYZE ratings_touched")  # so the planner sees a few rows, not a guess
                _collect_areas(cur, watermark=last.watermark)
                cur.execute(_compound_upsert("ratings_touched", "ratings_months"), params)
                if _pg():
                    cur.execute("ANALYZE ratings_touched_areas")
                for level, child, key, parents in ROLLUPS:
                    cur.execute(_rollup(level, child, key, parents, "ratings_touched_areas"), params)
            _drop_temp_tables(cur)
        run = MetricRun.objects.create(
            kind=MetricRun.Kind.FULL if full else MetricRun.Kind.INCREMENTAL,
            started_at=now,
            finished_at=timezone.now(),
            watermark=now - OVERLAP,
            month_from=first,
            month_to=last_month,
            touched=touched,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
    return RunResult(run)


def _compound_count(cur) -> int:
    cur.execute(f"SELECT count(*) FROM {COMPOUNDS}")
    return cur.fetchone()[0]


def _delete_orphan_areas(cur) -> None:
    """Area rows whose children are all gone (a community emptied by moves) are not produced by a full run."""
    for level, child, key, _parents in ROLLUPS:
        cur.execute(
            f"""DELETE FROM {SNAP} WHERE level = %s AND NOT EXISTS (
                SELECT 1 FROM {SNAP} c WHERE c.level = %s AND c.{key} = {SNAP}.area_id AND c.month = {SNAP}.month)""",
            [level, child],
        )
