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


def _insert(cur, model, given: dict[str, str], source: str, params: dict | None = None) -> int:
    """`INSERT INTO <model's table> SELECT <given, then defaults> <source>`; returns the row count."""
    columns, values, defaults = insert_columns(model, given)
    cur.execute(f"INSERT INTO {model._meta.db_table} ({columns}) SELECT {values} {source}", {**(params or {}), **defaults})
    return cur.rowcount


def _copy_history(cur, model, since: int, when: str) -> str:
    """The creation row ('+') django-simple-history would have written for each row of `model` from id `since` on."""
    history = model.history.model
    columns = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    listed = ", ".join(columns)
    cur.execute(
        f"""INSERT INTO {history._meta.db_table} ({listed}, history_date, history_change_reason, history_type, history_user_id)
        SELECT {listed}, {when}, NULL, '+', NULL FROM {model._meta.db_table} WHERE id >= %s""",
        [since],
    )
    return history._meta.db_table


def _next_id(cur, model) -> int:
    """The id the next insert into `model`'s table gets (its rows are numbered on from there, one session
    loading alone): taken from the id sequence, which rolled-back inserts also advance, not from max(id)."""
    cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])
    return cur.fetchone()[0] + 1


def seed_activity(cur, *, lo: int, hi: int) -> tuple[dict[str, int], list[str]]:
    """What a district's compounds accumulate besides complaints, in proportion to the compounds `lo`..`hi`:
    a management contract each (one company per 50 compounds); two submitted inspections a year with every
    item scored and three findings, a rectification list for a third of them (items, reports, actions); an
    active committee for 70 % of compounds with five members, 20 units and owners, and one vote on its
    register (an election in a quarter of them, with candidates and ballot marks), 60 % of heads voting;
    five export-log rows per compound; and the history rows django-simple-history keeps for them (the audit log).
    """
    from committees.models import Ballot, BallotMark, Candidate, Committee, CommitteeMember, RollEntry, Vote
    from communities.models import ManagementContract, Owner, Ownership, PropertyCompany, Unit
    from core.models import ExportLog, User
    from inspections.models import (
        ChecklistTemplate,
        Finding,
        Inspection,
        RectificationList,
        RectificationReport,
    )

    n = hi - lo + 1
    actor = User.objects.create(username="bench_inspector", display_name="基准检查员").pk
    template = ChecklistTemplate.objects.get(is_current=True)
    items = list(template.items.order_by("id").values_list("id", flat=True))
    stamp = {"created_at": "now()", "updated_at": "now()"}
    p = {"lo": lo, "hi": hi, "actor": actor, "template": template.pk, "items": items, "n_items": len(items)}
    counts: dict[str, int] = {}

    first = _next_id(cur, PropertyCompany)
    companies = max(1, n // 50)
    counts["companies"] = _insert(
        cur,
        PropertyCompany,
        {**stamp, "name": "'基准物业' || g", "credit_code": "'B' || lpad(g::text, 17, '0')"},
        "FROM generate_series(1, %(k)s) g",
        {"k": companies},
    )
    _insert(
        cur,
        ManagementContract,
        {**stamp, "compound_id": "c.id", "company_id": "%(first)s + (c.id - %(lo)s) %% %(k)s", "start": "current_date - 730"},
        "FROM communities_compound c WHERE c.id BETWEEN %(lo)s AND %(hi)s",
        {**p, "first": first, "k": companies},
    )

    # Inspections: two a year per compound, every checklist item scored, the totals summed from the scores.
    first_inspection = _next_id(cur, Inspection)
    counts["inspections"] = _insert(
        cur,
        Inspection,
        {
            "compound_id": "c.id",
            "template_id": "%(template)s",
            "inspected_on": "current_date - ((k - 1) * 182 + (random() * 180)::int)",
            "recorded_by_id": "%(actor)s",
            "company_id": "m.company_id",
            "status": "'submitted'",
            "total_score": "0",
            "max_total": "0",
            "percentage": "0",
            "created_at": "now()",
            "submitted_at": "now()",
        },
        """FROM communities_compound c JOIN communities_managementcontract m ON m.compound_id = c.id AND m."end" IS NULL
        CROSS JOIN generate_series(1, 2) k WHERE c.id BETWEEN %(lo)s AND %(hi)s ORDER BY c.id, k""",
        p,
    )
    p["first_inspection"] = first_inspection
    cur.execute(
        """INSERT INTO inspections_inspectionscore (inspection_id, item_id, score, max_score, note)
        SELECT i.id, it.id, LEAST(it.max_score, round(it.max_score * (0.55 + 0.5 * random())::numeric, 1)), it.max_score, ''
        FROM inspections_inspection i CROSS JOIN inspections_checklistitem it
        WHERE i.id >= %(first_inspection)s AND it.template_id = %(template)s""",
        p,
    )
    counts["scores"] = cur.rowcount
    cur.execute(
        """UPDATE inspections_inspection i SET total_score = s.total, max_total = s.most,
            percentage = round(100 * s.total / s.most, 2), submitted_at = i.inspected_on + time '16:00'
        FROM (SELECT inspection_id, sum(score) AS total, sum(max_score) AS most FROM inspections_inspectionscore
              WHERE inspection_id >= %(first_inspection)s GROUP BY inspection_id) s
        WHERE i.id = s.inspection_id""",
        p,
    )
    counts["findings"] = _insert(
        cur,
        Finding,
        {
            "inspection_id": "i.id",
            "item_id": "(%(items)s::bigint[])[1 + floor(random() * %(n_items)s)::int]",
            "severity": "CASE WHEN random() < 0.7 THEN 'minor' WHEN random() < 0.8 THEN 'major' ELSE 'serious' END",
            "description": "'基准发现' || k",
            "created_by_id": "%(actor)s",
            "created_at": "i.submitted_at",
        },
        "FROM inspections_inspection i CROSS JOIN generate_series(1, 3) k WHERE i.id >= %(first_inspection)s",
        p,
    )
    # A rectification list for every third inspection: 60 % accepted, 20 % awaiting a report, 15 % under review, 5 % returned.
    first_list = _next_id(cur, RectificationList)
    p["first_list"] = first_list
    counts["rectification lists"] = _insert(
        cur,
        RectificationList,
        {
            "number": "'ZGB' || i.id",
            "inspection_id": "i.id",
            "compound_id": "i.compound_id",
            "company_id": "i.company_id",
            "issued_by_id": "%(actor)s",
            "issued_at": "i.submitted_at + interval '1 day'",
            "deadline": "i.inspected_on + 31",
            "status": "st",
            "accepted_at": "CASE WHEN st = 'accepted' THEN i.submitted_at + interval '20 days' END",
            "accepted_on": "CASE WHEN st = 'accepted' THEN i.inspected_on + 21 END",
            "round_count": "CASE WHEN st = 'issued' THEN 0 ELSE 1 END",
        },
        """FROM (SELECT i.*, CASE WHEN r < 0.6 THEN 'accepted' WHEN r < 0.8 THEN 'issued' WHEN r < 0.95 THEN 'reported'
                ELSE 'returned' END AS st FROM (SELECT *, random() AS r FROM inspections_inspection) i
              WHERE i.id >= %(first_inspection)s AND (i.id - %(first_inspection)s) %% 3 = 0) i""",
        p,
    )
    cur.execute(
        """INSERT INTO inspections_rectificationitem (rectification_list_id, finding_id, complaint_id, description, "order")
        SELECT l.id, f.id, NULL, f.description, row_number() OVER (PARTITION BY l.id ORDER BY f.id)
        FROM inspections_rectificationlist l JOIN inspections_finding f ON f.inspection_id = l.inspection_id
        WHERE l.id >= %(first_list)s""",
        p,
    )
    first_report = _next_id(cur, RectificationReport)
    counts["rectification reports"] = _insert(
        cur,
        RectificationReport,
        {
            "rectification_list_id": "l.id",
            "round": "1",
            "submitted_by_id": "%(actor)s",
            "submitted_at": "l.issued_at + interval '10 days'",
            "decision": "CASE l.status WHEN 'reported' THEN 'pending' ELSE l.status END",
            "reviewed_by_id": "CASE WHEN l.status <> 'reported' THEN %(actor)s END",
            "reviewed_at": "CASE WHEN l.status <> 'reported' THEN l.issued_at + interval '15 days' END",
            "review_comment": "CASE WHEN l.status = 'returned' THEN '部分问题未整改到位，请继续整改' ELSE '' END",
        },
        "FROM inspections_rectificationlist l WHERE l.id >= %(first_list)s AND l.status <> 'issued'",
        p,
    )
    cur.execute(
        """INSERT INTO inspections_reportaction (report_id, item_id, action)
        SELECT r.id, it.id, '已整改' FROM inspections_rectificationreport r
        JOIN inspections_rectificationitem it ON it.rectification_list_id = r.rectification_list_id WHERE r.id >= %s""",
        [first_report],
    )

    # Committees: 70 % of compounds, each with 20 units (one owner each), five seated members and one vote.
    first_committee = _next_id(cur, Committee)
    counts["committees"] = _insert(
        cur,
        Committee,
        {
            **stamp,
            "compound_id": "c.id",
            "status": "'active'",
            "term_start": "current_date - (c.id %% 1000)::int",
            "term_end": "(current_date - (c.id %% 1000)::int + interval '3 years')::date",
            "filed_on": "current_date - (c.id %% 1000)::int + 30",
        },
        "FROM communities_compound c WHERE c.id BETWEEN %(lo)s AND %(hi)s AND (c.id - %(lo)s) %% 10 < 7",
        p,
    )
    p["first_committee"] = first_committee
    first_member = _next_id(cur, CommitteeMember)
    _insert(
        cur,
        CommitteeMember,
        {
            **stamp,
            "committee_id": "m.id",
            "name": "'基准委员' || k",
            "role": "CASE k WHEN 1 THEN 'director' WHEN 2 THEN 'deputy' ELSE 'member' END",
            "is_party_member": "random() < 0.6",
            "seat_start": "m.term_start",
        },
        "FROM committees_committee m CROSS JOIN generate_series(1, 5) k WHERE m.id >= %(first_committee)s",
        p,
    )
    # The committees keep their seated and Party-member counts (Committee.seated_members, party_members); the
    # rows above sent no signals, so the new committees are counted here by the model's own recount.
    Committee.objects.filter(pk__gte=first_committee).recount()
    first_unit = _next_id(cur, Unit)
    p["first_unit"] = first_unit
    counts["units"] = _insert(
        cur,
        Unit,
        {
            **stamp,
            "compound_id": "m.compound_id",
            "building": "(1 + (k - 1) / 10)::text",
            "entrance": "'1'",
            "room": "(100 + k)::text",
            "area": "round((60 + random() * 80)::numeric, 2)",
        },
        "FROM committees_committee m CROSS JOIN generate_series(1, 20) k WHERE m.id >= %(first_committee)s",
        p,
    )
    first_owner = _next_id(cur, Owner)
    p["first_owner"] = first_owner
    # Owner n belongs to unit n: both are numbered in the same order from their first id.
    _insert(cur, Owner, {**stamp, "name": "'基准业主' || u.id"}, "FROM communities_unit u WHERE u.id >= %(first_unit)s ORDER BY u.id", p)
    _insert(
        cur,
        Ownership,
        {**stamp, "unit_id": "u.id", "owner_id": "o.id"},
        """FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM communities_unit WHERE id >= %(first_unit)s) u
        JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM communities_owner WHERE id >= %(first_owner)s) o ON o.k = u.k""",
        p,
    )
    first_vote = _next_id(cur, Vote)
    p["first_vote"] = first_vote
    # One vote per committee: an election in a quarter, a maintenance-fund vote otherwise; a third certified, the rest open.
    counts["votes"] = _insert(
        cur,
        Vote,
        {
            **stamp,
            "compound_id": "m.compound_id",
            "matter": "CASE WHEN m.id %% 4 = 0 THEN 'election' ELSE 'use_fund' END",
            "title": "CASE WHEN m.id %% 4 = 0 THEN '基准换届选举' ELSE '基准维修资金使用表决' END",
            "opens_at": "now() - interval '20 days'",
            "closes_at": "CASE WHEN m.id %% 3 = 0 THEN now() - interval '5 days' ELSE now() + interval '10 days' END",
            "seats": "CASE WHEN m.id %% 4 = 0 THEN 3 END",
            "term_years": "CASE WHEN m.id %% 4 = 0 THEN 3 END",
            "status": "CASE WHEN m.id %% 3 = 0 THEN 'certified' ELSE 'open' END",
            "created_by_id": "%(actor)s",
            "published_at": "now() - interval '21 days'",
            "certified_by_id": "CASE WHEN m.id %% 3 = 0 THEN %(actor)s END",
            "certified_at": "CASE WHEN m.id %% 3 = 0 THEN now() - interval '4 days' END",
            "result": "CASE WHEN m.id %% 3 = 0 THEN '{}'::jsonb END",
        },
        "FROM committees_committee m WHERE m.id >= %(first_committee)s ORDER BY m.id",
        p,
    )
    first_candidate = _next_id(cur, Candidate)
    _insert(
        cur,
        Candidate,
        {
            **stamp,
            "compound_id": "v.compound_id",
            "vote_id": "v.id",
            "name": "'基准候选人' || k",
            "source": "'owners_joint'",
            "vetting": "'approved'",
            "vetted_by_id": "%(actor)s",
            "vetted_at": "v.published_at",
        },
        "FROM committees_vote v CROSS JOIN generate_series(1, 4) k WHERE v.id >= %(first_vote)s AND v.matter = 'election'",
        p,
    )
    first_entry = _next_id(cur, RollEntry)
    p["first_entry"] = first_entry
    counts["register entries"] = _insert(
        cur,
        RollEntry,
        {
            "vote_id": "v.id",
            "key": "'o:' || os.owner_id",
            "area": "u.area",
            "unit_count": "1",
            "label": "u.building || '-' || u.entrance || '-' || u.room",
        },
        """FROM committees_vote v JOIN communities_unit u ON u.compound_id = v.compound_id AND u.id >= %(first_unit)s
        JOIN communities_ownership os ON os.unit_id = u.id WHERE v.id >= %(first_vote)s""",
        p,
    )
    cur.execute(
        """INSERT INTO committees_rollowner (entry_id, owner_id)
        SELECT e.id, substr(e.key, 3)::bigint FROM committees_rollentry e WHERE e.id >= %(first_entry)s""",
        p,
    )
    first_ballot = _next_id(cur, Ballot)
    counts["ballots"] = _insert(
        cur,
        Ballot,
        {
            "vote_id": "v.id",
            "entry_id": "e.id",
            "owner_id": "substr(e.key, 3)::bigint",
            "channel": "'online'",
            "choice": """CASE WHEN v.matter = 'election' THEN NULL WHEN r < 0.5 THEN 'approve' WHEN r < 0.55 THEN 'oppose'
                         ELSE 'abstain' END""",
            "status": "'counted'",
            "cast_at": "v.opens_at + r * interval '10 days'",
        },
        """FROM (SELECT *, random() AS r FROM committees_rollentry WHERE id >= %(first_entry)s) e
        JOIN committees_vote v ON v.id = e.vote_id WHERE e.r < 0.6""",
        p,
    )
    first_mark = _next_id(cur, BallotMark)
    counts["ballot marks"] = _insert(
        cur,
        BallotMark,
        {"ballot_id": "b.id", "candidate_id": "c.id", "choice": "CASE WHEN random() < 0.8 THEN 'approve' ELSE 'oppose' END"},
        """FROM committees_ballot b JOIN committees_candidate c ON c.vote_id = b.vote_id AND c.id >= %(first_candidate)s
        WHERE b.id >= %(first_ballot)s""",
        {**p, "first_candidate": first_candidate, "first_ballot": first_ballot},
    )

    # The audit log reads django-simple-history's tables: a creation row for each audited row written here.
    histories = [
        _copy_history(cur, RectificationList, first_list, "issued_at"),
        _copy_history(cur, RectificationReport, first_report, "submitted_at"),
        _copy_history(cur, Committee, first_committee, "created_at"),
        _copy_history(cur, CommitteeMember, first_member, "created_at"),
        _copy_history(cur, Vote, first_vote, "published_at"),
        _copy_history(cur, BallotMark, first_mark, "(SELECT b.cast_at FROM committees_ballot b WHERE b.id = ballot_id)"),
        _copy_history(cur, Ballot, first_ballot, "cast_at"),
    ]

    counts["export log rows"] = _insert(
        cur,
        ExportLog,
        {
            "user_id": "%(actor)s",
            "username": "'bench_inspector'",
            "at": "now() - random() * interval '365 days'",
            "what": "CASE WHEN random() < 0.5 THEN 'complaints' ELSE 'inspections' END",
            "rows": "(random() * 5000)::int",
            "params": "'{}'::jsonb",
        },
        "FROM generate_series(1, %(k)s) g",
        {**p, "k": 5 * n},
    )
    return counts, histories


ACTIVITY_TABLES = [
    "communities_propertycompany",
    "communities_managementcontract",
    "communities_unit",
    "communities_owner",
    "communities_ownership",
    "inspections_inspection",
    "inspections_inspectionscore",
    "inspections_finding",
    "inspections_rectificationlist",
    "inspections_rectificationitem",
    "inspections_rectificationreport",
    "inspections_reportaction",
    "committees_committee",
    "committees_committeemember",
    "committees_vote",
    "committees_candidate",
    "committees_rollentry",
    "committees_rollowner",
    "committees_ballot",
    "committees_ballotmark",
    "core_exportlog",
]


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
        parser.add_argument(
            "--activity",
            action="store_true",
            help="Also write inspections, rectification lists, committees with units and votes, export-log and audit rows.",
        )

    def handle(
        self,
        *args,
        compounds: int,
        complaints: int,
        months: int,
        per_community: int,
        events: bool = False,
        activity: bool = False,
        open_days: int = 0,
        **options,
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
            counts, histories = seed_activity(cur, lo=lo, hi=hi) if activity else ({}, [])
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the deferred foreign keys now, before the index builds
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, definition in indexes:
                cur.execute(definition)
            # Statistics for the tables filled here only: ANALYZE writes them outside the transaction, and an
            # ANALYZE of every table would record the still-empty ones (owners, units, …) as empty for good.
            filled = ["communities_district", "communities_subdistrict", "communities_community", "communities_compound"]
            filled += ["complaints_category", "complaints_complaint"] + (["complaints_complaintevent"] if events else [])
            if activity:
                filled += ACTIVITY_TABLES + histories
            cur.execute("ANALYZE " + ", ".join(filled))
        timeline = " with their timelines" if events else ""
        extra = "".join(f", {count} {what}" for what, count in counts.items())
        self.stdout.write(
            f"{BENCH_DISTRICT}: {TOWNS} towns, {communities} communities, {compounds} compounds, {complaints} complaints{timeline}{extra}"
        )
