"""Database backups with PostgreSQL's own tools: pg_dump (custom format) and pg_restore.

`make backup` writes var/backups/linli-<database>-<YYYYmmdd-HHMMSS>.dump; `make restore FILE=…`
restores one (into DATABASE_URL, or into another database, created if asked). The custom format
is compressed, restores in parallel, and lets pg_restore pick single tables if ever needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import connections
from django.utils import timezone


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class Target:
    host: str
    port: str
    user: str
    password: str
    name: str

    @classmethod
    def from_url(cls, url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme not in ("postgres", "postgresql", "pgsql"):
            raise BackupError(f"not a PostgreSQL URL: {parts.scheme}://…")
        return cls(
            host=parts.hostname or "",
            port=str(parts.port or ""),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            name=parts.path.lstrip("/"),
        )

    @classmethod
    def from_connection(cls, alias: str = "default") -> Target:
        s = connections[alias].settings_dict
        if s["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError("backups need PostgreSQL (DATABASE_URL=postgres://…)")
        return cls(
            host=s.get("HOST") or "",
            port=str(s.get("PORT") or ""),
            user=s.get("USER") or "",
            password=s.get("PASSWORD") or "",
            name=s["NAME"],
        )

    def args(self) -> list[str]:
        out = []
        if self.host:
            out += ["--host", self.host]
        if self.port:
            out += ["--port", self.port]
        if self.user:
            out += ["--username", self.user]
        return [*out, "--no-password"]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password  # never on the command line, where `ps` shows it
        return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return path


def _run(cmd: list[str], target: Target) -> None:
    done = subprocess.run(cmd, env=target.env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def backup_dir() -> Path:
    return Path(os.environ.get("BACKUP_DIR", settings.VAR_DIR / "backups"))


def database_backup(*, target: Target | None = None, directory: Path | None = None) -> Path:
    """Dump the database to a new timestamped custom-format file and return its path. Writes a .partial first."""
    target = target or Target.from_connection()
    directory = Path(directory or backup_dir())
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    path = directory / f"linli-{target.name}-{stamp}.dump"
    partial = path.with_suffix(".dump.partial")
    _run([_tool("pg_dump"), *target.args(), "--format=custom", "--no-owner", "--file", str(partial), target.name], target)
    partial.rename(path)  # a half-written dump never looks like a backup
    return path


def database_restore(*, path: Path, target: Target, create: bool = False, jobs: int = 2) -> None:
    """Restore `path` into `target`. With `create`, make the (new, empty) database first; else replace its objects."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no such backup: {path}")
    if create:
        maintenance = Target(target.host, target.port, target.user, target.password, "postgres")
        _run([_tool("createdb"), *maintenance.args(), "--maintenance-db", "postgres", target.name], target)
        flags = []
    else:
        flags = ["--clean", "--if-exists"]
    _run([_tool("pg_restore"), *target.args(), "--no-owner", f"--jobs={jobs}", *flags, "--dbname", target.name, str(path)], target)


def latest_backup(directory: Path | None = None) -> Path | None:
    files = sorted(Path(directory or backup_dir()).glob("linli-*.dump"))
    return files[-1] if files else None
