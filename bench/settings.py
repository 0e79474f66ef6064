"""Production-like settings for benchmarks: DEBUG off, persistent checked DB connections, bench URLs.

Used only by `bench/` scripts (DJANGO_SETTINGS_MODULE=bench.settings); production never loads it,
so the bench-only views in bench/urls.py are unreachable there.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import DATABASES, REST_FRAMEWORK

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The throttle still runs (its Redis round trip is part of the cost) but never refuses the bench.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "complaint_create": "100000000/min"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
