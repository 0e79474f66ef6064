"""Run a snippet of Python under the production settings, in a fresh interpreter.

Settings are read once per process, so the only honest way to test `config.settings_production`
(which refuses to start without its environment) is a child process with that environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROD_SECRET = "test-only-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY=PROD_SECRET,
        ALLOWED_HOSTS="linli.example.cn,testserver",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linli"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        CELERY_BROKER_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=production_env(**env), capture_output=True, text=True, timeout=120)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    prelude = "import django, json\ndjango.setup()\n"
    return run([sys.executable, "-c", prelude + code], **env)


def run_json(code: str, **env: str):
    """Run `code`, which must print one JSON document as its last line; return it parsed."""
    done = run_python(code, **env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def collect_own_static(static_root: Path) -> None:
    """collectstatic of our own files only (admin and Swagger UI take long to compress and are not needed)."""
    done = run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-i", "admin", "-i", "drf_spectacular_sidecar", "-i", "rest_framework"],
        STATIC_ROOT=str(static_root),
    )
    assert done.returncode == 0, done.stderr[-3000:]
