"""Test settings: the real services (PostgreSQL and Redis from the environment), fast hashing."""

import os
import tempfile

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="linli-media-")
LINLI_EXPORT_ROOT = Path(tempfile.mkdtemp(prefix="linli-exports-"))  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process unless a test exercises the broker itself.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
# Every test client comes from 127.0.0.1: the anonymous and per-user throttles would make tests depend
# on each other. They stay installed; tests of throttling lower the rates themselves (tests/test_security.py).
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "100000/min", "user": "100000/min"},  # noqa: F405
}
# Parallel test workers share one Redis database; their users have the same ids, so keep their keys apart.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":  # noqa: F405
    CACHES["default"]["BACKEND"] = "tests.cache.WorkerRedisCache"  # noqa: F405  # clear() keeps to its own prefix
LANGUAGE_CODE = "zh-hans"
