"""Throttles counted in Redis by one script call (core.throttling): DRF's sliding window, atomic, open when Redis is down."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.core.cache import caches
from django_redis.cache import RedisCache

from core.throttling import RedisRateThrottle


def throttle_class(rate: str, *, key: str | None = None, clock: list[float] | None = None):
    name = key or f"test-throttle-{uuid.uuid4().hex}"

    class Throttle(RedisRateThrottle):
        def get_cache_key(self, request, view):
            return name

        def timer(self):
            return clock[0] if clock else super().timer()

    Throttle.rate = rate
    return Throttle


def test_the_counts_live_in_redis():
    assert isinstance(caches["default"], RedisCache)  # make test runs against real Redis (REDIS_URL)


def test_requests_beyond_the_rate_are_refused_until_the_window_slides():
    clock = [1_000_000.0]
    Throttle = throttle_class("3/min", clock=clock)
    results = []
    for _ in range(4):
        clock[0] += 1
        results.append(Throttle().allow_request(None, None))
    assert results == [True, True, True, False]
    refused = Throttle()
    assert refused.allow_request(None, None) is False
    # The first request (at +1 s) leaves the window 60 s later; until then the wait says how long.
    assert 0 < refused.wait() <= 60
    clock[0] = 1_000_000.0 + 1 + 60
    assert Throttle().allow_request(None, None) is True
    assert Throttle().allow_request(None, None) is False


def test_concurrent_requests_never_pass_beyond_the_rate():
    """DRF's read-then-write history lets simultaneous requests all pass; the script counts atomically."""
    Throttle = throttle_class("5/min")
    barrier = threading.Barrier(12)
    allowed = []

    def hit():
        barrier.wait()
        allowed.append(Throttle().allow_request(None, None))

    threads = [threading.Thread(target=hit) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 5 and allowed.count(False) == 7


def test_an_unreachable_redis_lets_requests_through(monkeypatch):
    down = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}})
    Throttle = throttle_class("1/min")
    monkeypatch.setattr(Throttle, "cache", down)
    assert [Throttle().allow_request(None, None) for _ in range(3)] == [True, True, True]


@pytest.mark.parametrize("rate", [None])
def test_no_rate_means_no_limit(rate):
    Throttle = throttle_class("1/min")
    throttle = Throttle()
    throttle.rate = rate
    assert throttle.allow_request(None, None) is True
