"""Gunicorn for production: `gunicorn -c gunicorn.conf.py config.wsgi` (DJANGO_SETTINGS_MODULE=config.settings_production).

Sized to the machine: 2 × cores + 1 worker processes, each with a few threads (requests mostly wait on
PostgreSQL). Override with WEB_CONCURRENCY / WEB_THREADS / PORT / BIND.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "2"))
# Each thread holds one persistent PostgreSQL connection (CONN_MAX_AGE): workers × threads of them.
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never grows; jitter keeps them from restarting together.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("ACCESS_LOG", "-") or None  # ACCESS_LOG="" turns it off
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from the local proxy (set FORWARDED_ALLOW_IPS to the load balancer's address).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
