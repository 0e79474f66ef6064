"""`manage.py seed_scale --compounds 10000 --complaints 1000000`: a large synthetic district for `make bench`.

PostgreSQL only. Everything is one `INSERT … SELECT … FROM generate_series` per table, so a million
complaints load in seconds. Deterministic (`setseed`). Use a database of its own (make bench uses linli_bench).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from communities.models import District
from complaints.models import Complaint

BENCH_DISTRICT = "基准测试区"

# Column → SQL over the generated row (g, r1..r3 random, st status, made time). Other NOT NULL columns get
# their model field's default, so the load keeps working when the complaints app adds a column.
COMPLAINT_COLUMNS = {
    "number": "'B' || g",
    "channel": "CASE WHEN r1 < 0.3 THEN 'hotline' ELSE 'app' END",
    "description": "'基准投诉'",
    "status": "st",
    "made_at": "made",
    "created_at": "made",
    "updated_at": "made",
    "dispatched_at": "made",
    "accepted_at": "CASE WHEN st IN ('accepted', 'resolved', 'closed') THEN made + r2 * interval '6 hours' END",
    "resolved_at": "CASE WHEN st IN ('resolved', 'closed') THEN made + interval '2 days' END",
    "closed_at": "CASE WHEN st = 'closed' THEN made + interval '4 days' END",
    "response_due": "made + interval '4 hours'",
    "resolve_due": "made + interval '5 days'",
    "is_overdue": "st = 'dispatched' AND r2 < 0.3",
    "rating": """CASE WHEN st = 'closed' AND r2 < 0.7 THEN 'satisfied' WHEN st = 'closed' AND r2 < 0.9 THEN 'basic'
                 WHEN st = 'closed' THEN 'dissatisfied' ELSE '' END""",
    "rated_at": "CASE WHEN st = 'closed' THEN made + interval '4 days' END",
    "reject_reason": "CASE WHEN st = 'rejected' THEN 'invalid' ELSE '' END",
    "category_id": "%(category)s",
    "compound_id": "%(lo)s + (r3 * (%(hi)s - %(lo)s + 1))::bigint %% (%(hi)s - %(lo)s + 1)",
}


def insert_columns(model, given: dict[str, str]) -> tuple[str, str, dict]:
    """(column list, select list, parameters): `given` expressions, then each other NOT NULL column's default."""
    columns, values, params = [], [], {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.column in given:
            columns.append(f.column)
            values.append(given[f.column])
        elif not f.null:
            columns.append(f.column)
            values.append(f"%(d_{f.column})s")
            params[f"d_{f.column}"] = f.get_db_prep_save(f.get_default(), connection)
    return ", ".join(columns), ", ".join(values), params


TOWNS = 7


class Command(BaseCommand):
    help = "Load a synthetic district with many compounds and complaints (PostgreSQL; for benchmarks)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--compounds", type=int, default=10_000)
        parser.add_argument("--complaints", type=int, default=1_000_000)
        parser.add_argument("--months", type=int, default=12, help="Complaints spread over this many months up to now.")
        parser.add_argument("--per-community", type=int, default=20)
        parser.add_argument(
            "--open-days",
            type=int,
            default=0,
            help="Only complaints made in the last N days are still open (older ones are closed or rejected, as a"
            " district that keeps up with its work); 0: any complaint may be open, whatever its age.",
        )
        parser.add_argument(
            "--events", action="store_true", help="Also write each complaint's timeline (filed, dispatched, signed for, resolved, closed)."
        )

    def handle(
        self, *args, compounds: int, complaints: int, months: int, per_community: int, events: bool = False, open_days: int = 0, **options
    ) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL.")
        if District.objects.filter(name=BENCH_DISTRICT).exists():
            raise CommandError(f"{BENCH_DISTRICT} exists already; seed a fresh database.")
        communities = max(1, -(-compounds // per_community))
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT setseed(0.520)")
            cur.execute("INSERT INTO communities_district (name, code) VALUES (%s, '') RETURNING id", [BENCH_DISTRICT])
            district = cur.fetchone()[0]
            cur.execute(
                """INSERT INTO communities_subdistrict (district_id, name, kind)
                SELECT %s, '基准镇' || g, 'town' FROM generate_series(1, %s) g RETURNING id""",
                [district, TOWNS],
            )
            towns = sorted(r[0] for r in cur.fetchall())
            cur.execute(
                """INSERT INTO communities_community (subdistrict_id, name)
                SELECT (%s::bigint[])[1 + (g %% %s)], '基准社区' || g FROM generate_series(1, %s) g""",
                [towns, len(towns), communities],
            )
            cur.execute("SELECT min(id) FROM communities_community WHERE name LIKE '基准社区%%'")
            first_community = cur.fetchone()[0]
            cur.execute(
                """INSERT INTO communities_compound (created_at, updated_at, name, aliases, address, household_count, is_old,
                    has_party_branch, committee_eligible, is_active, community_id, public_id, public_page)
                SELECT now(), now(), '基准小区' || g, '', '', 100 + (random() * 1900)::int, random() < 0.3,
                    random() < 0.5, true, true, %s + ((g - 1) / %s), 'b' || g || '-' || left(md5(random()::text), 24), false
                FROM generate_series(1, %s) g""",
                [first_community, per_community, compounds],
            )
            cur.execute("SELECT min(id), max(id) FROM communities_compound WHERE name LIKE '基准小区%%'")
            lo, hi = cur.fetchone()
            cur.execute(
                """INSERT INTO complaints_category (code, name_zh, name_en, "group", description, accept_hours, resolve_days,
                    is_urgent, is_target, keywords, is_active, sort_order)
                VALUES ('bench', '基准类别', 'Bench', '', '', 4, 5, false, false, '', true, 999) ON CONFLICT (code) DO NOTHING"""
            )
            cur.execute("SELECT id FROM complaints_category WHERE code = 'bench'")
            category = cur.fetchone()[0]
            # Secondary indexes are dropped for the load and rebuilt after: one sort each instead of a million inserts.
            cur.execute(
                """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'complaints_complaint'
                AND indexname NOT IN (SELECT conname FROM pg_constraint)"""
            )
            indexes = cur.fetchall()
            for name, _definition in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            # made_at spreads over the last `months` calendar months (Asia/Shanghai) up to now.
            columns, values, defaults = insert_columns(Complaint, COMPLAINT_COLUMNS)
            cur.execute(
                f"""INSERT INTO complaints_complaint ({columns})
                SELECT {values}
                FROM (
                    SELECT g, r1, r2, r3, made,
                        CASE WHEN r1 < 0.05 THEN 'rejected'
                             WHEN r1 < 0.65 OR (%(open_days)s > 0 AND made < now() - %(open_days)s * interval '1 day') THEN 'closed'
                             WHEN r1 < 0.8 THEN 'resolved' WHEN r1 < 0.9 THEN 'accepted' ELSE 'dispatched' END AS st
                    FROM (SELECT g, r1, r2, r3, start + random() * (now() - start) AS made
                          FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3,
                                  ((date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - %(back)s * interval '1 month')
                                    AT TIME ZONE 'Asia/Shanghai') AS start
                                FROM generate_series(1, %(n)s) g) s0) s
                ) x""",
                {"category": category, "lo": lo, "hi": hi, "n": complaints, "back": months - 1, "open_days": open_days, **defaults},
            )
            if events:
                # The timeline each status implies, one row per step (about 3.6 per complaint), at the step's time.
                cur.execute(
                    """INSERT INTO complaints_complaintevent (complaint_id, kind, at, from_status, to_status, note)
                    SELECT c.id, s.kind, COALESCE(s.at, c.made_at), s.from_status, s.to_status, ''
                    FROM complaints_complaint c
                    CROSS JOIN LATERAL (VALUES
                        ('create', c.made_at, '', 'submitted', true),
                        ('dispatch', c.dispatched_at, 'submitted', 'dispatched', c.status <> 'rejected'),
                        ('reject', c.made_at, 'submitted', 'rejected', c.status = 'rejected'),
                        ('accept', c.accepted_at, 'dispatched', 'accepted', c.accepted_at IS NOT NULL),
                        ('resolve', c.resolved_at, 'accepted', 'resolved', c.resolved_at IS NOT NULL),
                        ('close', c.closed_at, 'resolved', 'closed', c.closed_at IS NOT NULL)
                    ) AS s(kind, at, from_status, to_status, applies)
                    WHERE s.applies AND c.number LIKE 'B%%'"""
                )
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the deferred foreign keys now, before the index builds
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, definition in indexes:
                cur.execute(definition)
            # Statistics for the tables filled here only: ANALYZE writes them outside the transaction, and an
            # ANALYZE of every table would record the still-empty ones (owners, units, …) as empty for good.
            filled = ["communities_district", "communities_subdistrict", "communities_community", "communities_compound"]
            filled += ["complaints_category", "complaints_complaint"] + (["complaints_complaintevent"] if events else [])
            cur.execute("ANALYZE " + ", ".join(filled))
        timeline = " with their timelines" if events else ""
        self.stdout.write(
            f"{BENCH_DISTRICT}: {TOWNS} towns, {communities} communities, {compounds} compounds, {complaints} complaints{timeline}"
        )
