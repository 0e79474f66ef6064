"""The test cache: Redis, shared by the parallel test workers, each under its own key prefix
(settings_test). django-redis's `clear()` empties the whole Redis database (FLUSHDB), which would wipe
the other worker's keys (a rate-limit window, a cached page) in the middle of its test; here `clear()`
deletes only this worker's keys."""

from django_redis.cache import RedisCache


class WorkerRedisCache(RedisCache):
    def clear(self) -> None:
        self.delete_pattern("*")  # django-redis applies the key prefix and version to the pattern
