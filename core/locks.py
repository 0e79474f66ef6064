"""One lock for periodic runs that must never overlap (two beat ticks, a manual run during a scheduled one).

    with exclusive("<app>.<task>") as held:
        if not held:
            return 0  # another run is at work; this one does nothing
        ...

On PostgreSQL it is an advisory lock keyed by the database and the name: taken with `pg_try_advisory_lock` and released
when the block ends (or with the session, should the process die). Inside a transaction that is
already open it is `pg_try_advisory_xact_lock` instead, released when that transaction ends, since a
failed statement would leave the session unable to run the unlock. Elsewhere (SQLite for `make run`)
it is `cache.add` of a key that expires after `timeout` seconds: Redis when REDIS_URL is set.
Nothing waits: a second run learns at once that the lock is taken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection


def advisory_key(name: str, database: str | None = None) -> int:
    """The signed 64-bit PostgreSQL advisory lock key of `name` in `database` (default: this connection's).

    Stable across processes and releases. Advisory locks are shared by every database of a server,
    so the key includes the database's name: a run on one database never blocks a run on another.
    """
    database = connection.settings_dict["NAME"] if database is None else database
    return int.from_bytes(hashlib.blake2b(f"{database}:{name}".encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def exclusive(name: str, *, timeout: int = 3600) -> Iterator[bool]:
    """Hold the lock called `name` for the block if nobody else does; yields whether it is held."""
    if connection.vendor == "postgresql":
        with _advisory(advisory_key(name)) as held:
            yield held
    else:
        with _cached(f"lock:{name}", timeout) as held:
            yield held


@contextmanager
def _advisory(key: int) -> Iterator[bool]:
    in_transaction = connection.in_atomic_block
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s)" if in_transaction else "SELECT pg_try_advisory_lock(%s)", [key])
        held = bool(cur.fetchone()[0])
    try:
        yield held
    finally:
        if held and not in_transaction:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [key])


@contextmanager
def _cached(key: str, timeout: int) -> Iterator[bool]:
    held = cache.add(key, "1", timeout=timeout)
    try:
        yield held
    finally:
        if held:
            cache.delete(key)
