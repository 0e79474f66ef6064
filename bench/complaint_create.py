"""Complaint creation: the real API against the floor, side by side, under production-like gunicorn.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/complaint_create.py [--seconds 20] [--clients 8]

What it does (SPEC §8, issue "Show it"):
1. Migrates the database named by DATABASE_URL (PostgreSQL required) and makes a small bench world:
   a compound managed by a company with two staff members, a resident owning a unit there.
2. Starts gunicorn with bench/gunicorn_conf.py (sync workers, cores + 1) and bench.settings
   (DEBUG off, CONN_MAX_AGE 600 with health checks, the production URLs plus one bench-only view).
3. Drives `--clients` concurrent keep-alive clients (asyncio, raw HTTP/1.1: the driver must cost far
   less than the server) against
     (a) POST /api/v1/complaints/ as the resident with a JWT (JSON body), and
     (b) POST /bench/bare-complaint/ (bench/views.py): the same rows in one transaction, nothing else.
   The two alternate in rounds (a b a b ...) so both see the same background load of a shared machine;
   each gets `--seconds` in total, after a warm-up.
4. Prints requests/s, the ratio API / floor (target >= 0.60), p50/p99 latency, errors, and checks that
   every 201 left exactly one complaint (nothing lost, nothing doubled).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"


# --- Load driver --------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    conn_errors: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return self.statuses.get(201, 0)

    def merge(self, other: Result) -> None:
        self.latencies += other.latencies
        for k, v in other.statuses.items():
            self.statuses[k] = self.statuses.get(k, 0) + v
        self.conn_errors += other.conn_errors
        self.seconds += other.seconds

    def pct(self, p: float) -> float:
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(p * len(data)))] * 1000 if data else float("nan")

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    close = headers.get("connection", "").lower() == "close"
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body = await reader.read()
        close = True
    return status, close, body


async def _client(host: str, port: int, path: str, headers: str, body_for, deadline: float, result: Result, seq: list[int]) -> None:
    reader = writer = None
    while time.perf_counter() < deadline:
        seq[0] += 1
        body = body_for(seq[0])
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n{headers}\r\n"
        ).encode() + body
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            status, close, _ = await _read_response(reader)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            result.conn_errors += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
            continue
        result.latencies.append(time.perf_counter() - started)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def drive(name: str, host: str, port: int, path: str, headers: str, body_for, clients: int, seconds: float) -> Result:
    result = Result(name)
    seq = [0]
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(_client(host, port, path, headers, body_for, deadline, result, seq) for _ in range(clients)))
    result.seconds = time.perf_counter() - started
    return result


# --- Bench world and server ---------------------------------------------------------------------


def prepare() -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from rest_framework_simplejwt.tokens import AccessToken

    from communities.models import ManagementContract, RoleAssignment
    from communities.tests import factories as f
    from complaints.models import Category, Complaint

    if connection.vendor != "postgresql":
        sys.exit("bench: DATABASE_URL must point at PostgreSQL")
    call_command("migrate", verbosity=0)
    district = f.DistrictFactory(name="基准测试区")
    town = f.SubdistrictFactory(district=district, name="基准镇")
    community = f.CommunityFactory(subdistrict=town, name="基准社区")
    compound = f.CompoundFactory(community=community, name="基准小区", household_count=1000)
    company = f.CompanyFactory(name="基准物业")
    if not ManagementContract.objects.filter(compound=compound).exists():
        f.ContractFactory(compound=compound, company=company)
    for i in (1, 2):
        staff = f.UserFactory(username=f"bench_staff{i}")
        RoleAssignment.objects.get_or_create(user=staff, role="staff", company=company)
    resident = f.UserFactory(username="bench_resident", display_name="基准居民", phone="13900000000")
    RoleAssignment.objects.get_or_create(user=resident, role="resident")
    from communities.models import Unit

    if not Unit.objects.filter(compound=compound, owners__user=resident).exists():
        f.give_unit(resident, compound)
    category = Category.objects.get(code="sanitation")
    # Start from an empty bench compound so the table does not grow run after run.
    Complaint.objects.filter(compound=compound).delete()
    connection.close()
    return {
        "compound": compound.pk,
        "category": category.pk,
        "reporter": resident.pk,
        "token": str(AccessToken.for_user(resident)),
    }


def count_complaints(compound_id: int) -> int:
    from django.db import connection

    from complaints.models import Complaint

    n = Complaint.objects.filter(compound_id=compound_id).count()
    connection.close()
    return n


def start_server(bind: str, without: str = "") -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "BENCH_BIND": bind, "BENCH_WITHOUT": without}
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi:application", "-c", str(ROOT / "bench/gunicorn_conf.py")],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    host, port = bind.split(":")
    for _ in range(100):
        try:
            import socket

            with socket.create_connection((host, int(port)), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    stop_server(proc)
    sys.exit("bench: gunicorn did not start")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per side (default 20)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds the seconds are split into (default 4)")
    parser.add_argument("--bind", default="127.0.0.1:8765")
    parser.add_argument("--sides", default="bare,api", help="which sides to run (default bare,api)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--plain",
        metavar="NAME",
        help="also drive a second server with fast path NAME replaced by its plain version (BENCH_WITHOUT, bench/without.py;"
        " 'none' for a second identical server), in the same rounds as the others (bench/fastpaths.py)",
    )
    args = parser.parse_args()
    plain = None if args.plain is None else ("" if args.plain == "none" else args.plain)

    world = prepare()
    host, port = args.bind.split(":")
    port = int(port)

    def body(seq: int) -> bytes:
        return json.dumps(
            {
                "compound": world["compound"],
                "category": world["category"],
                "reporter": world["reporter"],
                "description": f"楼道垃圾堆放未清运 #{seq}",
            },
            ensure_ascii=False,
        ).encode()

    wanted = [s.strip() for s in args.sides.split(",")]
    sides = {
        name: spec
        for name, spec in {
            "bare": ("/bench/bare-complaint/", ""),
            "api": ("/api/v1/complaints/", f"Authorization: Bearer {world['token']}\r\n"),
        }.items()
        if name in wanted
    }
    proc = start_server(args.bind)
    totals = {name: Result(name) for name in ("api", "bare", "plain")}
    servers = {name: port for name in sides}
    second = None
    if plain is not None:
        second = start_server(f"{host}:{port + 1}", plain)
        sides["plain"] = sides["api"]
        servers["plain"] = port + 1
    try:
        # Warm-up: imports, connections, caches of every worker.
        for name, (path, headers) in sides.items():
            warm = asyncio.run(drive(name, host, servers[name], path, headers, body, args.clients, 2.0))
            if warm.ok == 0:
                sys.exit(f"bench: {name} warm-up failed: statuses {warm.statuses}, connection errors {warm.conn_errors}")
        before = count_complaints(world["compound"])
        per_round = args.seconds / args.rounds
        for i in range(args.rounds):
            # The plain API goes before the API every other round, so neither always follows the other.
            order = list(sides) if i % 2 == 0 or "plain" not in sides else [n for n in ("bare", "plain", "api") if n in sides]
            for name in order:
                path, headers = sides[name]
                totals[name].merge(asyncio.run(drive(name, host, servers[name], path, headers, body, args.clients, per_round)))
    finally:
        stop_server(proc)
        if second is not None:
            stop_server(second)
    after = count_complaints(world["compound"])

    api, bare, plain_api = totals["api"], totals["bare"], totals["plain"]
    ratio = api.rps / bare.rps if bare.rps else 0.0
    created = after - before
    figures = {
        "clients": args.clients,
        "seconds_per_side": args.seconds,
        "workers": int(os.environ.get("BENCH_WORKERS", os.cpu_count() + 1)),
        "cores": os.cpu_count(),
        "api": {"rps": round(api.rps, 1), "p50_ms": round(api.pct(0.50), 1), "p99_ms": round(api.pct(0.99), 1), "statuses": api.statuses},
        "bare": {
            "rps": round(bare.rps, 1),
            "p50_ms": round(bare.pct(0.50), 1),
            "p99_ms": round(bare.pct(0.99), 1),
            "statuses": bare.statuses,
        },
        "ratio": round(ratio, 3),
        "plain": None
        if plain is None
        else {"without": plain, "rps": round(plain_api.rps, 1), "ratio": round(plain_api.rps / bare.rps if bare.rps else 0.0, 3)},
        "target": 0.60,
        "complaints_created": created,
        "responses_201": api.ok + bare.ok + plain_api.ok,
        "connection_errors": api.conn_errors + bare.conn_errors,
    }
    print()
    print(
        f"complaint creation, {args.clients} clients, {figures['workers']} gunicorn sync workers"
        f" on {figures['cores']} cores, {args.seconds:.0f} s per side"
    )
    print(f"{'':6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for r in (bare, api, plain_api) if plain is not None else (bare, api):
        print(f"{r.name:6} {r.rps:8.1f} {r.pct(0.5):8.1f} {r.pct(0.99):8.1f}  {r.statuses}")
    verdict = "meets" if ratio >= 0.60 else "BELOW"
    print(f"ratio api/bare = {ratio:.2f} ({verdict} the 0.60 target)")
    if plain is not None:
        print(f"ratio plain/bare = {figures['plain']['ratio']:.2f} (without {plain or 'nothing'})")
    ok = api.ok + bare.ok + plain_api.ok
    print(f"complaints written {created}, 201 responses {ok}: {'consistent' if created == ok else 'MISMATCH'}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    if created != ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
