"""core.locks: one lock for the periodic runs of every app (tests/test_periodic_locks.py: the apps' tasks)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from core import locks


@contextmanager
def held_elsewhere(name: str):
    """Hold the advisory lock `name` on a second PostgreSQL connection for the block."""
    db = settings.DATABASES["default"]
    held, release = threading.Event(), threading.Event()

    def hold():
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], password=db["PASSWORD"] or None
        ) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", [locks.advisory_key(name)])
            held.set()
            release.wait(10)
            # Explicitly: a closing connection's locks go when the server has ended its session, a little later.
            conn.execute("SELECT pg_advisory_unlock(%s)", [locks.advisory_key(name)])

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10)
        yield
    finally:
        release.set()
        thread.join()


def test_the_key_is_stable_and_differs_by_name():
    assert locks.advisory_key("app.first_task") == locks.advisory_key("app.first_task")
    assert locks.advisory_key("app.first_task") != locks.advisory_key("app.second_task")
    assert -(2**63) <= locks.advisory_key("app.third_task") < 2**63


def test_the_same_lock_name_in_two_databases_does_not_collide():
    # Advisory locks are server-wide: two databases on one server (two deployments, two test workers)
    # must not skip each other's runs.
    assert locks.advisory_key("app.first_task", "linli_a") != locks.advisory_key("app.first_task", "linli_b")
    assert locks.advisory_key("app.first_task") == locks.advisory_key("app.first_task", connection.settings_dict["NAME"])


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_lock_is_refused_while_held_and_released_after_the_block():
    with held_elsewhere("test.lock"):
        with locks.exclusive("test.lock") as held:
            assert held is False
        with locks.exclusive("test.other") as held:
            assert held is True
    with locks.exclusive("test.lock") as held:
        assert held is True
    # Released at the end of the block: another connection can take it now.
    with held_elsewhere("test.lock"):
        pass


@pytest.mark.django_db
def test_inside_a_transaction_the_lock_is_refused_while_held(world):
    with held_elsewhere("test.lock"):
        with locks.exclusive("test.lock") as held:
            assert held is False
    with locks.exclusive("test.lock") as held:
        assert held is True


def test_without_postgresql_the_cache_holds_the_lock():
    cache.delete("lock:test.cached")
    with locks._cached("lock:test.cached", 60) as first:
        with locks._cached("lock:test.cached", 60) as second:
            assert (first, second) == (True, False)
    with locks._cached("lock:test.cached", 60) as again:
        assert again is True
    assert cache.get("lock:test.cached") is None
