"""Parallel test workers share one Redis database: a worker clearing its cache leaves the other's keys alone."""

from django.core.cache import caches

from tests.cache import WorkerRedisCache


def test_clear_keeps_to_its_prefix(settings):

    import redis

    url = settings.CACHES["default"]["LOCATION"]
    r = redis.Redis.from_url(url)
    r.set("other-worker:1:k", "v")
    c = caches["default"]
    assert isinstance(c, WorkerRedisCache)
    c.set("mine", 1)
    c.clear()
    assert c.get("mine") is None
    assert r.get("other-worker:1:k") == b"v"
    r.delete("other-worker:1:k")
