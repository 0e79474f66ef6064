"""`make loadtest`: 32 users filing, reading and updating complaints for 60 s against the production stack.

    DATABASE_URL=postgres://…/linli_x REDIS_URL=redis://…/N .venv/bin/python bench/loadtest.py \
        [--faults none,redis,postgres] [--users 32] [--seconds 60]

Each run (one per fault kind):
1. clones a scratch database from the seeded template (seed_demo) and adds load accounts: 24
   residents and 8 staff of 一方物业 / 怡家园物业 (argon2 passwords, e-mail addresses);
2. starts gunicorn (gunicorn.conf.py, config.settings_production), a Celery worker and Celery beat;
3. drives the users for `--seconds` (asyncio, keep-alive HTTP/1.1, JWT from the real token endpoint):
   residents file complaints (with an Idempotency-Key, retried with the same key after a 503 or a
   broken connection, as a mobile client would), list and read their own and confirm resolved ones;
   staff read their queue, sign for (accept) and resolve;
4. with `redis`: at 20 s stops Redis (`redis-cli shutdown nosave`) for 20 s, then starts it again;
   with `postgres`: at 20 s restarts PostgreSQL (`pg_ctlcluster … restart`);
5. reports requests, failures, p50/p95/p99 per request kind and per phase (before / during / after
   the fault), checks that every 201 is in the database exactly once, that no 500 was answered, and
   (redis) that the notifications queued meanwhile are e-mailed once Redis is back (outbox sweep).

Whatever happens, every service it stopped is started again (try/finally) and every process it
started is stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from prodstack import PG_RESTART, REDIS_START, Stack, log, postgres_is_up, redis_is_up, tokens

PASSWORD = "load-test-Passw0rd-2026"
RESIDENTS, STAFF = 24, 8
FILE_EVERY = 2.2  # seconds between filings per resident: stays under the 30/min complaint_create throttle

SETUP = r"""
import json, random
from django.contrib.auth.hashers import make_password
from communities.models import ManagementContract, Owner, Ownership, RoleAssignment, Unit
from complaints.models import Category
from core.models import User

roles = RoleAssignment.objects.filter(user__username__in=["staff_yifang", "staff_yijiayuan"], role="staff").select_related("company")
companies = {r.company.name: r.company for r in roles}
compounds = {}
for name, company in companies.items():
    contracts = ManagementContract.objects.in_force().filter(company=company).order_by("compound_id")
    ids = list(contracts.values_list("compound_id", flat=True)[:6])
    compounds[name] = ids
password = make_password(PASSWORD)
residents, staff = [], []
all_compounds = [cid for ids in compounds.values() for cid in ids]
for i in range(RESIDENTS):
    u, _ = User.objects.update_or_create(username=f"load_res_{i:02d}", defaults=dict(
        display_name=f"压测居民{i:02d}", phone=f"1390000{i:04d}", email=f"load_res_{i:02d}@example.cn", password=password, is_active=True))
    RoleAssignment.objects.get_or_create(user=u, role="resident")
    cid = all_compounds[i % len(all_compounds)]
    unit = Unit.objects.filter(compound_id=cid).order_by("id")[i // len(all_compounds)]
    owner, _ = Owner.objects.get_or_create(user=u, defaults={"name": u.display_name, "phone": u.phone})
    Ownership.objects.get_or_create(unit=unit, owner=owner)
    residents.append({"username": u.username, "compound": cid})
for i in range(STAFF):
    name = list(companies)[i % 2]
    u, _ = User.objects.update_or_create(username=f"load_staff_{i}", defaults=dict(
        display_name=f"压测物业{i}", email=f"load_staff_{i}@example.cn", password=password, is_active=True))
    RoleAssignment.objects.get_or_create(user=u, role="staff", company=companies[name], defaults={"is_admin": True})
    staff.append({"username": u.username})
categories = list(Category.objects.filter(is_active=True).values_list("id", flat=True))
print(json.dumps({"residents": residents, "staff": staff, "categories": categories}))
"""


# --- A small keep-alive HTTP/1.1 client (the driver must cost far less than the server) ---------


class Conn:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict, body: bytes | None = None, timeout: float = 30):
        if self.writer is None:
            self.reader, self.writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), timeout)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "X-Forwarded-Proto: https", "Accept: application/json"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        try:
            return await asyncio.wait_for(self._read(), timeout)
        except BaseException:
            self.close()
            raise

    async def _read(self):
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in header_lines:
            if line:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# --- Recording ----------------------------------------------------------------------------------


@dataclass
class Record:
    started: float = 0.0
    samples: list = field(default_factory=list)  # (t, kind, status, seconds); status 0 = connection error
    created: dict = field(default_factory=dict)  # idempotency key -> (id, number) from its 201
    attempted: int = 0  # filings started (one key each, however many retries)
    replays: int = 0
    fault_window: tuple[float, float] | None = None
    fault_note: str = ""

    def add(self, kind: str, status: int, seconds: float) -> None:
        self.samples.append((time.monotonic() - self.started, kind, status, seconds))


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    data = sorted(values)
    return data[min(len(data) - 1, int(p * len(data)))] * 1000


# --- Users ----------------------------------------------------------------------------------------


async def call(conn: Conn, rec: Record, kind: str, method: str, path: str, token: str, payload=None, extra=None):
    headers = {"Authorization": f"Bearer {token}", **(extra or {})}
    body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else None
    t0 = time.monotonic()
    try:
        status, headers_in, raw = await conn.request(method, path, headers, body)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        rec.add(kind, 0, time.monotonic() - t0)
        return 0, {}, None
    rec.add(kind, status, time.monotonic() - t0)
    data = None
    if raw and headers_in.get("content-type", "").startswith("application/json"):
        with contextlib.suppress(ValueError):
            data = json.loads(raw)
    return status, headers_in, data


async def resident(host, port, token, me, categories, deadline, rec: Record, rnd: random.Random):
    conn = Conn(host, port)
    mine: list[int] = []
    last_filed = -FILE_EVERY
    n = 0
    while time.monotonic() < deadline:
        now = time.monotonic()
        if now - last_filed >= FILE_EVERY:
            last_filed = now
            n += 1
            key = str(uuid.uuid4())
            rec.attempted += 1
            payload = {
                "compound": me["compound"],
                "category": rnd.choice(categories),
                "description": f"压测投诉：楼道照明不足，第{n}次反映（{me['username']}）",
                "location": f"{rnd.randint(1, 20)}号楼",
            }
            for attempt in range(6):  # a client that saw no answer retries with the same key
                status, headers, data = await call(
                    conn, rec, "file", "POST", "/api/v1/complaints/", token, payload, {"Idempotency-Key": key}
                )
                if status == 201 and data:
                    if headers.get("idempotent-replayed"):
                        rec.replays += 1
                    previous = rec.created.get(key)
                    rec.created[key] = (data["id"], data["number"])
                    if previous and previous[0] != data["id"]:
                        rec.created[key + "#dup"] = previous
                    mine.append(data["id"])
                    break
                if status not in (0, 502, 503, 504):
                    break
                await asyncio.sleep(0.5 + attempt * 0.5)
        elif mine and rnd.random() < 0.5:
            cid = rnd.choice(mine[-20:])
            status, _, data = await call(conn, rec, "read", "GET", f"/api/v1/complaints/{cid}/", token)
            if status == 200 and data and data.get("status") == "resolved":
                await call(
                    conn,
                    rec,
                    "confirm",
                    "POST",
                    f"/api/v1/complaints/{cid}/confirm/",
                    token,
                    {"rating": rnd.choice(["satisfied", "basic"])},
                )
        else:
            await call(conn, rec, "list", "GET", "/api/v1/complaints/?page_size=10", token)
        await asyncio.sleep(rnd.uniform(0.05, 0.15))
    conn.close()


async def staff(host, port, token, deadline, rec: Record, rnd: random.Random):
    conn = Conn(host, port)
    while time.monotonic() < deadline:
        status, _, data = await call(conn, rec, "queue", "GET", "/api/v1/complaints/?status=dispatched&page_size=20", token)
        if status == 200 and data and data.get("results"):
            target = rnd.choice(data["results"])["id"]
            status, _, _ = await call(conn, rec, "accept", "POST", f"/api/v1/complaints/{target}/accept/", token)
            if status == 200 and rnd.random() < 0.7:
                await asyncio.sleep(rnd.uniform(0.05, 0.2))
                await call(conn, rec, "resolve", "POST", f"/api/v1/complaints/{target}/resolve/", token, {"note": "已处理，灯具已更换。"})
        else:
            await call(conn, rec, "queue", "GET", "/api/v1/complaints/?status=accepted&page_size=20", token)
        await asyncio.sleep(rnd.uniform(0.1, 0.3))
    conn.close()


async def drive(stack: Stack, world: dict, keys: dict, seconds: float, rec: Record) -> None:
    host, port = "127.0.0.1", stack.port
    rec.started = time.monotonic()
    deadline = rec.started + seconds
    tasks = []
    for i, me in enumerate(world["residents"]):
        tasks.append(resident(host, port, keys[me["username"]], me, world["categories"], deadline, rec, random.Random(i)))
    for i, s in enumerate(world["staff"]):
        tasks.append(staff(host, port, keys[s["username"]], deadline, rec, random.Random(1000 + i)))
    await asyncio.gather(*tasks)


# --- Faults -----------------------------------------------------------------------------------------


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    log(f"$ {' '.join(cmd)}  -> {done.returncode} {done.stdout.strip()} {done.stderr.strip()}")


def redis_fault(rec: Record, at: float, down_for: float, port: int, stop: threading.Event) -> None:
    if stop.wait(at):
        return
    start = time.monotonic() - rec.started
    try:
        _run(["redis-cli", "-p", str(port), "shutdown", "nosave"])
        log(f"Redis stopped; it stays down {down_for:.0f} s")
        stop.wait(down_for)
    finally:
        restart_redis(port)
        rec.fault_window = (start, time.monotonic() - rec.started)


def pg_restart(cluster: str) -> list[str]:
    """The machine's cluster is "main"; a private rehearsal cluster (`--pg-cluster`) restarts the same way."""
    return [*PG_RESTART[:-2], cluster, PG_RESTART[-1]]


def restart_redis(port: int) -> None:
    if redis_is_up(port):
        return
    # The machine's Redis restarts with exactly the command it was started with; a private rehearsal
    # instance (another port) keeps its files to itself.
    private = ["--port", str(port), "--dir", "/tmp", "--logfile", f"/tmp/linli-redis-{port}.log"]
    cmd = REDIS_START if port == 6379 else [*REDIS_START[:5], "--save", "", "--appendonly", "no", *private]
    _run(cmd)
    for _ in range(50):
        if redis_is_up(port):
            log("Redis is back")
            return
        time.sleep(0.2)
    log("WARNING: Redis did not come back")


def postgres_fault(rec: Record, at: float, base_url: str, stop: threading.Event, cluster: str) -> None:
    if stop.wait(at):
        return
    start = time.monotonic() - rec.started
    try:
        _run(pg_restart(cluster))
    finally:
        for _ in range(150):
            if postgres_is_up(base_url):
                break
            time.sleep(0.2)
        rec.fault_window = (start, time.monotonic() - rec.started)
        log(f"PostgreSQL is back after {rec.fault_window[1] - start:.1f} s")


# --- Report -------------------------------------------------------------------------------------------


def report(rec: Record, stack: Stack, fault: str, seconds: float) -> dict:
    samples = rec.samples
    by_status = Counter(s[2] for s in samples)
    print(f"\n===== load run: fault={fault}, {RESIDENTS + STAFF} users, {seconds:.0f} s =====")
    total = len(samples)
    failures = sum(1 for s in samples if s[2] == 0 or s[2] >= 500)
    print(
        f"requests {total} ({total / seconds:.1f}/s), failures (5xx or no answer) {failures} "
        f"[500: {by_status.get(500, 0)}, 503: {by_status.get(503, 0)}, no answer: {by_status.get(0, 0)}], "
        f"statuses {dict(sorted(by_status.items()))}"
    )
    print(f"{'kind':10} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    kinds = defaultdict(list)
    for s in samples:
        kinds[s[1]].append(s)
    for kind in ["file", "list", "read", "confirm", "queue", "accept", "resolve"]:
        rows = kinds.get(kind, [])
        if not rows:
            continue
        lat = [s[3] for s in rows]
        statuses = dict(sorted(Counter(s[2] for s in rows).items()))
        print(f"{kind:10} {len(rows):6} {pct(lat, 0.5):8.1f} {pct(lat, 0.95):8.1f} {pct(lat, 0.99):8.1f}  {statuses}")
    lat = [s[3] for s in samples]
    print(f"{'all':10} {total:6} {pct(lat, 0.5):8.1f} {pct(lat, 0.95):8.1f} {pct(lat, 0.99):8.1f}")

    phases = {}
    if rec.fault_window:
        a, b = rec.fault_window
        phases = {"before": (0, a), "during": (a, b + 2.0), "after": (b + 2.0, seconds + 30)}
        print(f"fault window {a:.1f}–{b:.1f} s ({rec.fault_note}); per phase:")
        for name, (lo, hi) in phases.items():
            rows = [s for s in samples if lo <= s[0] < hi]
            statuses = dict(sorted(Counter(s[2] for s in rows).items()))
            files = dict(sorted(Counter(s[2] for s in rows if s[1] == "file").items()))
            print(f"  {name:7} {len(rows):6} requests  statuses {statuses}  filing {files}")

    # Every 201 in the database exactly once; nothing extra written for the load residents.
    created = {k: v for k, v in rec.created.items() if not k.endswith("#dup")}
    dup_keys = [k for k in rec.created if k.endswith("#dup")]
    ids = sorted({v[0] for v in created.values()})
    numbers = [v[1] for v in created.values()]
    rows = stack.query("SELECT id, number FROM complaints_complaint WHERE id = ANY(%s)", [ids])
    found = {r[0]: r[1] for r in rows}
    missing = [i for i in ids if i not in found]
    mismatched = [k for k, (i, n) in created.items() if found.get(i) not in (None, n)]
    by_number = stack.query("SELECT number, count(*) FROM complaints_complaint WHERE number = ANY(%s) GROUP BY number", [numbers])
    doubled = [n for n, c in by_number if c != 1]
    written = stack.query(
        "SELECT count(*) FROM complaints_complaint c JOIN core_user u ON u.id = c.reporter_id WHERE u.username LIKE 'load_res_%%'"
    )[0][0]
    given_up = rec.attempted - len(created)
    print(f"filings: {rec.attempted} started, {len(created)} answered 201 (retries keep the key), {given_up} given up")
    print(
        f"complaints: {len(created)} keys answered 201 ({by_status.get(201, 0)} responses incl. replays: {rec.replays}), "
        f"{len(ids)} distinct ids; in the database: {len(found)} found, {len(missing)} missing, {len(doubled)} doubled, "
        f"{len(mismatched)} number mismatches, {len(dup_keys)} keys that gave two ids; rows written by load residents {written}"
    )
    consistent = not missing and not doubled and not mismatched and not dup_keys and written == len(ids)
    if written != len(ids):
        print(f"  rows without a 201 (their client saw no answer and gave up): {written - len(ids)}")
    print("exactly once:", "yes" if consistent else "NO")
    five_hundreds = by_status.get(500, 0)
    print(f"HTTP 500 answers: {five_hundreds}")
    return {"consistent": consistent, "http500": five_hundreds, "phases": phases, "statuses": dict(by_status)}


def notifications_delivered(stack: Stack, since_sql: str, wait: float = 150) -> bool:
    """Wait for the outbox: every notification of the run with an e-mail address gets sent (beat sweeps each minute)."""
    deadline = time.time() + wait
    sql = (
        "SELECT email_status, count(*) FROM core_notification n JOIN core_user u ON u.id = n.user_id "
        "WHERE n.created_at >= %s AND u.email <> '' GROUP BY email_status"
    )
    first = None
    while True:
        counts = dict(stack.query(sql, [since_sql]))
        first = first or counts
        if counts.get("pending", 0) == 0 or time.time() > deadline:
            break
        time.sleep(5)
    print(f"notifications of the run: right after the run {first}; after the outbox sweep {counts}")
    return counts.get("pending", 0) == 0


# --- One run --------------------------------------------------------------------------------------------


def one_run(fault: str, args, base_url: str, redis_url: str) -> dict:
    redis_port = urlsplit(redis_url).port or 6379
    stack = Stack(name="load", base_url=base_url, redis_url=redis_url)
    stack.prepare_database()
    stack.collectstatic()
    out: dict = {"fault": fault}
    stop = threading.Event()
    injector = None
    try:
        code = SETUP.replace("RESIDENTS", str(RESIDENTS)).replace("STAFF", str(STAFF)).replace("PASSWORD", repr(PASSWORD))
        world = json.loads(stack.shell(code).strip().splitlines()[-1])
        since = stack.query("SELECT now()")[0][0]
        with stack:
            stack.start()
            log(f"stack up at {stack.url}: {stack.alive()}; readyz {stack.wait_ready()}")
            usernames = [u["username"] for u in world["residents"] + world["staff"]]
            keys = tokens(stack.url, usernames, PASSWORD)
            rec = Record()
            if fault == "redis":
                rec.fault_note = f"redis-cli shutdown nosave, restarted after {args.down:.0f} s"
                injector = threading.Thread(target=redis_fault, args=(rec, args.fault_at, args.down, redis_port, stop), daemon=True)
            elif fault == "postgres":
                rec.fault_note = " ".join(pg_restart(args.pg_cluster))
                injector = threading.Thread(target=postgres_fault, args=(rec, args.fault_at, base_url, stop, args.pg_cluster), daemon=True)
            if injector:
                injector.start()
            log(f"driving {len(usernames)} users for {args.seconds:.0f} s (fault: {fault})")
            asyncio.run(drive(stack, world, keys, args.seconds, rec))
            stop.set()
            if injector:
                injector.join(timeout=120)
            out.update(report(rec, stack, fault, args.seconds))
            ready = stack.wait_ready(timeout=60)
            out["alive"] = stack.alive()
            print(f"after the run: processes alive {out['alive']} (gunicorn never restarted); readyz {ready}")
            if fault in ("redis", "none"):
                out["notifications"] = notifications_delivered(stack, since)
    finally:
        stop.set()
        if injector and injector.is_alive():
            injector.join(timeout=120)
        if fault == "redis":
            restart_redis(redis_port)
        if fault == "postgres":
            for _ in range(150):
                if postgres_is_up(base_url):
                    break
                time.sleep(0.2)
        stack.stop()
        stack.drop_database()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faults", default="none", help="comma-separated: none, redis, postgres (default none)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--fault-at", type=float, default=20.0)
    parser.add_argument("--down", type=float, default=20.0, help="seconds Redis stays down")
    parser.add_argument("--pg-cluster", default="main", help="PostgreSQL 15 cluster to restart (a private one to rehearse)")
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linli")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    results = []
    for fault in [f for f in args.faults.split(",") if f]:
        results.append(one_run(fault, args, base_url, redis_url))
    print("\n===== make loadtest: verdict =====")
    ok = True
    for r in results:
        good = r.get("consistent") and r.get("http500") == 0 and all(r.get("alive", {}).values()) and r.get("notifications", True)
        ok &= bool(good)
        print(
            f"{r['fault']:9} exactly-once={r.get('consistent')} http500={r.get('http500')} "
            f"processes-alive={all(r.get('alive', {}).values())} notifications-delivered={r.get('notifications', 'n/a')} -> "
            f"{'PASS' if good else 'FAIL'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
