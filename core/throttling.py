"""API throttles: DRF's rates and keys, counted in Redis in one round trip, open when Redis is down.

DRF's SimpleRateThrottle reads the request history from the cache and writes it back: two round
trips, and two concurrent requests can both read the same history and both pass. Here the same
sliding window (a request counts for `duration` seconds after it was made) lives in a Redis sorted
set that one Lua script trims, counts and appends to atomically. With another cache backend (the
local-memory cache of `make run`) DRF's own counting is used unchanged.

If Redis cannot be reached the request is allowed and a warning logged: better unthrottled than
unavailable (SPEC §8, filing keeps working while Redis is down).
"""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.utils.connection import ConnectionProxy
from django_redis.cache import RedisCache
from rest_framework import throttling

log = logging.getLogger(__name__)

# KEYS[1] the window; ARGV now, duration (s), allowed requests, a unique member for this request.
# Returns {allowed 0/1, requests in the window, oldest request's time as a string}.
_WINDOW = """
local now = tonumber(ARGV[1])
local duration = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - duration)
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, count, oldest[2]}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(duration))
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {1, count + 1, oldest[2]}
"""


class RedisRateThrottle(throttling.SimpleRateThrottle):
    """SimpleRateThrottle's `allow_request` and `wait` over one Redis script call.

    DRF's subclasses are combined with it as `class X(throttling.X, RedisRateThrottle)`, so their
    own `allow_request` (ScopedRateThrottle finds its rate there) runs first and calls this one.
    """

    _script = None  # redis-py Script, registered once per process

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        try:
            backend = caches[DEFAULT_CACHE_ALIAS] if isinstance(self.cache, ConnectionProxy) else self.cache
            if not isinstance(backend, RedisCache):
                return super().allow_request(request, view)
            self.key = self.get_cache_key(request, view)
            if self.key is None:
                return True
            self.now = self.timer()
            client = backend.client.get_client(write=True)
            if RedisRateThrottle._script is None:
                RedisRateThrottle._script = client.register_script(_WINDOW)
            allowed, count, oldest = RedisRateThrottle._script(
                keys=[backend.make_key(self.key)],
                args=[repr(self.now), self.duration, self.num_requests, uuid.uuid4().hex],
                client=client,
            )
        except Exception:  # Redis unreachable: better unthrottled than unavailable
            log.warning("throttle cache unavailable; %s not throttled", type(self).__name__, exc_info=True)
            return True
        self._count, self._oldest = int(count), float(oldest)
        return bool(allowed)

    def wait(self) -> float | None:
        if not hasattr(self, "_count"):
            return super().wait()
        remaining = self.duration - (self.now - self._oldest)
        available = self.num_requests - self._count + 1
        return remaining / available if available > 0 else None


class AnonRateThrottle(throttling.AnonRateThrottle, RedisRateThrottle):
    pass


class UserRateThrottle(throttling.UserRateThrottle, RedisRateThrottle):
    pass


class ScopedRateThrottle(throttling.ScopedRateThrottle, RedisRateThrottle):
    pass


def window_exceeded(key: str, *, limit: int, seconds: int = 60) -> bool:
    """A fixed-window counter in the cache for plain Django views (the API's throttles are DRF's).

    True once more than `limit` hits were counted for `key` in the current window of `seconds`.
    Fails open (False) when the cache (Redis) cannot be reached, like the API's throttles.
    """
    bucket = f"linli:window:{key}:{int(time.time() // seconds)}"
    try:
        cache = caches[DEFAULT_CACHE_ALIAS]
        cache.add(bucket, 0, timeout=seconds + 10)
        return int(cache.incr(bucket)) > limit
    except Exception:  # cache unreachable: better unthrottled than unavailable
        log.warning("throttle cache unavailable; %s not limited", key.split(":")[0], exc_info=True)
        return False
