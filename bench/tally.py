"""Tally benchmark (`make bench`): an owners' vote over a compound of 20,000 units, in a database of its own.

Builds the compound with bulk inserts (multi-unit buyers, co-owned units, the developer's unsold
units), freezes the register, casts ballots for 75% of the heads (an election with 9 candidates and
a decision on one question), then times `vote_tally` — the SQL aggregates the portal and API run on
every view of a vote. Prints the median of several runs.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_TALLY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linli_bench_tally")
UNITS = int(os.environ.get("BENCH_UNITS", "20000"))
CANDIDATES = 9
SEATS = 7


def recreate_database() -> None:
    base, name = BENCH_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    recreate_database()
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from committees.models import Ballot, BallotMark, Candidate, Choice, Matter, RollEntry, RollOwner, Vote
    from committees.services import roll_build
    from committees.tally import vote_tally
    from communities.models import Community, Compound, District, Owner, Ownership, Subdistrict, Unit

    call_command("migrate", verbosity=0)
    rng = random.Random("bench-tally")
    district = District.objects.create(name="基准区")
    town = Subdistrict.objects.create(district=district, name="基准镇")
    community = Community.objects.create(subdistrict=town, name="基准社区")
    compound = Compound.objects.create(community=community, name="基准小区", household_count=UNITS)

    t0 = time.perf_counter()
    units = Unit.objects.bulk_create(
        [
            Unit(
                compound=compound,
                building=f"{i // 200 + 1}幢",
                entrance=f"{(i // 100) % 2 + 1}单元",
                room=f"{i % 100 + 101}",
                area=Decimal(rng.randint(6000, 14000)) / 100,
                is_developer_unsold=i >= UNITS - UNITS // 100,
            )
            for i in range(UNITS)
        ],
        batch_size=5000,
    )
    developer = Owner.objects.create(name="开发商", is_developer=True)
    owners = Owner.objects.bulk_create([Owner(name=f"业主{i}") for i in range(UNITS)], batch_size=5000)
    links, next_owner = [], 0
    for i, unit in enumerate(units):
        if unit.is_developer_unsold:
            links.append(Ownership(unit=unit, owner=developer))
        elif i % 25 == 1:  # one buyer with several units
            links.append(Ownership(unit=unit, owner=owners[next_owner - 1]))
        elif i % 40 == 3:  # a co-owned unit
            links += [Ownership(unit=unit, owner=owners[next_owner]), Ownership(unit=unit, owner=owners[next_owner + 1])]
            next_owner += 2
        else:
            links.append(Ownership(unit=unit, owner=owners[next_owner]))
            next_owner += 1
    Ownership.objects.bulk_create(links, batch_size=5000)
    build = time.perf_counter() - t0

    now = timezone.now()
    votes = {}
    for matter in (Matter.ELECTION, Matter.RAISE_FUND):
        election = matter == Matter.ELECTION
        votes[matter] = Vote.objects.create(
            compound=compound,
            matter=matter,
            title=str(matter),
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1),
            seats=SEATS if election else None,
            term_years=5 if election else None,
            status=Vote.Status.OPEN,
        )
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                compound=compound,
                vote=votes[Matter.ELECTION],
                name=f"候选人{i}",
                source=Candidate.Source.COMPOUND_BRANCH,
                vetting="approved",
            )
            for i in range(CANDIDATES)
        ]
    )
    roll_time, heads = timed(lambda: roll_build(votes[Matter.ELECTION]))
    roll_build(votes[Matter.RAISE_FUND])

    t0 = time.perf_counter()
    for matter, vote in votes.items():
        entries = list(RollEntry.objects.filter(vote=vote).values_list("id", flat=True))
        first_owner = dict(RollOwner.objects.filter(entry__vote=vote).values_list("entry_id", "owner_id").order_by("owner_id"))
        cast = [e for e in entries if rng.random() < 0.75 and e in first_owner]
        ballots = Ballot.objects.bulk_create(
            [
                Ballot(
                    vote=vote,
                    entry_id=e,
                    owner_id=first_owner[e],
                    status=Ballot.Status.COUNTED,
                    choice=None if matter == Matter.ELECTION else rng.choice(list(Choice)),
                )
                for e in cast
            ],
            batch_size=5000,
        )
        if matter == Matter.ELECTION:
            marks = []
            for b in ballots:
                approve = set(rng.sample(candidates, SEATS))
                marks += [BallotMark(ballot=b, candidate=c, choice=Choice.APPROVE if c in approve else Choice.OPPOSE) for c in candidates]
            BallotMark.objects.bulk_create(marks, batch_size=10000)
    cast_time = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"compound of {UNITS:,} units, {heads:,} heads on the register; data built in {build:.1f} s, ballots in {cast_time:.1f} s")
    print(f"register freeze (roll_build)           {roll_time * 1000:8.0f} ms")
    for matter, vote in votes.items():
        vote_tally(vote)  # warm
        seconds, result = timed(lambda v=vote: vote_tally(v), repeat=7)
        with CaptureQueriesContext(connection) as queries:
            vote_tally(vote)
        label = f"tally {matter} ({Ballot.objects.filter(vote=vote).count():,} ballots)"
        print(f"{label:<39}{seconds * 1000:8.1f} ms  median of 7, {len(queries)} queries; verdict {result['verdict']}")


if __name__ == "__main__":
    main()
