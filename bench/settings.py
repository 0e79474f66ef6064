"""Production-like settings for benchmarks: DEBUG off, persistent checked DB connections, bench URLs.

Used only by `bench/` scripts (DJANGO_SETTINGS_MODULE=bench.settings); production never loads it,
so the bench-only views in bench/urls.py are unreachable there.
"""

import os

from bench.without import settings_without
from config.settings import *  # noqa: F403
from config.settings import DATABASES, INSTALLED_APPS, REST_FRAMEWORK

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The throttle still runs (its Redis round trip is part of the cost) but never refuses the bench. A one-second
# window keeps the history it counts near production's size (30 a minute) for DRF's list and our sorted set.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "complaint_create": "100000000/s"},
}
# BENCH_WITHOUT=<name> (bench/without.py): one fast path replaced by its plain version, to measure it.
INSTALLED_APPS = [*INSTALLED_APPS, "bench.apps.BenchConfig"]
BENCH_WITHOUT = os.environ.get("BENCH_WITHOUT", "")
settings_without(BENCH_WITHOUT, globals())
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
