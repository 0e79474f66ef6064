"""The production stack on this machine, for `make fuzz` and `make loadtest`.

gunicorn (gunicorn.conf.py, config.settings_production), a Celery worker and Celery beat, against a
scratch PostgreSQL database cloned from a seeded template (seed_demo runs once per code version of
the migrations and demo data; a clone takes seconds), with Redis as cache and broker.

Every process started here is stopped by its own process group id when the stack closes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
WORK = ROOT / "var" / "bench"

PG_RESTART = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "", "--appendonly", "no",
    "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_connect(url: str, dbname: str = "postgres"):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or None,
        port=parts.port or None,
        user=parts.username or None,
        password=parts.password or None,
        dbname=dbname,
        autocommit=True,
        connect_timeout=5,
    )


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path=f"/{name}").geturl()


def code_version() -> str:
    """A digest of everything that decides what a seeded database holds: migrations and demo data."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("*/migrations/*.py"), *ROOT.glob("*/demo.py"), ROOT / "core/management/commands/seed_demo.py"]):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


class Stack:
    """The production processes against one scratch database. Use as a context manager."""

    def __init__(self, *, name: str, base_url: str, redis_url: str, web_workers: int | None = None, extra_env: dict | None = None):
        self.base_url = base_url  # postgres://…/linli_production: its server hosts the scratch and template databases
        base_name = urlsplit(base_url).path.lstrip("/") or "linli"
        self.db_name = f"{base_name}_{name}"
        self.template = f"{base_name}_tpl_{code_version()}"
        self.redis_url = redis_url
        self.port = free_port()
        self.web_workers = web_workers
        self.extra_env = extra_env or {}
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        WORK.mkdir(parents=True, exist_ok=True)
        self.secret = secrets.token_urlsafe(64)

    # --- environment ---------------------------------------------------------------------------
    @property
    def db_url(self) -> str:
        return _with_db(self.base_url, self.db_name)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, db_url: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings_production",
            SECRET_KEY=self.secret,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=db_url or self.db_url,
            REDIS_URL=self.redis_url,
            CELERY_BROKER_URL=self.redis_url,
            BEHIND_TLS_PROXY="1",  # clients send X-Forwarded-Proto: https, as the TLS-terminating proxy would
            STATIC_ROOT=str(WORK / "static"),
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            PORT=str(self.port),
            BIND=f"127.0.0.1:{self.port}",
            ACCESS_LOG="",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        if self.web_workers:
            env["WEB_CONCURRENCY"] = str(self.web_workers)
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, db_url: str | None = None, quiet: bool = True) -> str:
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=self.env(db_url), capture_output=True, text=True, timeout=1800
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return done.stdout

    def shell(self, code: str) -> str:
        """Run Python in the site's environment (production settings, scratch database); return its stdout."""
        return self.manage("shell", "-c", code)

    # --- database ------------------------------------------------------------------------------
    def prepare_database(self) -> None:
        with _pg_connect(self.base_url) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.template]).fetchone()
            if not exists:
                stale = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [self.template[:-10] + "%"])]
                for name in stale:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                log(f"seeding template database {self.template} (migrate + seed_demo; once per code version)")
                conn.execute(f'CREATE DATABASE "{self.template}_partial"')
                partial = _with_db(self.base_url, f"{self.template}_partial")
                started = time.time()
                self.manage("migrate", "--noinput", db_url=partial)
                self.manage("seed_demo", db_url=partial)
                conn.execute(f'ALTER DATABASE "{self.template}_partial" RENAME TO "{self.template}"')
                log(f"template ready in {time.time() - started:.0f} s")
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.db_name}" TEMPLATE "{self.template}"')
        log(f"scratch database {self.db_name} cloned from {self.template}")

    def drop_database(self) -> None:
        with contextlib.suppress(Exception), _pg_connect(self.base_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with _pg_connect(self.base_url, self.db_name) as conn:
            return conn.execute(sql, params or []).fetchall()

    def collectstatic(self) -> None:
        if not (WORK / "static" / "staticfiles.json").exists():
            log("collectstatic (once)")
            self.manage("collectstatic", "--noinput")

    # --- processes -----------------------------------------------------------------------------
    def _spawn(self, name: str, args: list[str]) -> None:
        path = WORK / f"{self.db_name}-{name}.log"
        handle = path.open("w")
        self.logs[name] = path
        self.procs[name] = subprocess.Popen(args, cwd=ROOT, env=self.env(), stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)

    def start(self, *, celery: bool = True) -> None:
        self._spawn("web", [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "config.wsgi:application"])
        if celery:
            self._spawn("worker", [str(BIN / "celery"), "-A", "config", "worker", "--pool=threads", "--concurrency=4", "-l", "WARNING"])
            beat_db = WORK / f"{self.db_name}-beat.pid"
            self._spawn("beat", [str(BIN / "celery"), "-A", "config", "beat", "-l", "WARNING", "--pidfile", str(beat_db)])
        self.wait_ready()

    def wait_ready(self, timeout: float = 90) -> dict:
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            if self.procs["web"].poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.logs['web']}")
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=5) as response:
                    return json.loads(response.read())
            except Exception as exc:  # not up yet
                last = exc
                time.sleep(0.5)
        raise RuntimeError(f"the stack did not become ready: {last}")

    def alive(self) -> dict[str, bool]:
        return {name: proc.poll() is None for name, proc in self.procs.items()}

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        self.procs.clear()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def tokens(stack_url: str, usernames: list[str], password: str) -> dict[str, str]:
    """JWT access tokens through the real token endpoint."""
    out = {}
    for username in usernames:
        request = urllib.request.Request(
            f"{stack_url}/api/v1/auth/token/",
            data=json.dumps({"username": username, "password": password}).encode(),
            headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            out[username] = json.loads(response.read())["access"]
    return out


def redis_is_up(port: int = 6379) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def postgres_is_up(url: str) -> bool:
    try:
        with _pg_connect(url) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


if __name__ == "__main__":  # a smoke test: python bench/prodstack.py
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linli_production")
    with Stack(name="smoke", base_url=base, redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9")) as s:
        s.prepare_database()
        s.collectstatic()
        s.start()
        print(s.wait_ready())
        print(s.alive())
    s.drop_database()
    sys.exit(0)
