"""Gunicorn as production would run it: sync workers, cores + 1, no access log, no reload.

cores + 1 rather than gunicorn's usual 2 x cores + 1: PostgreSQL, Redis (and here the load driver)
share the same cores, so extra workers only add context switches. On the 2-core bench machine 3
workers served both the bare view and the API about twice as many requests/s as 5 did.
"""

import multiprocessing
import os

bind = os.environ.get("BENCH_BIND", "127.0.0.1:8765")
workers = int(os.environ.get("BENCH_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = 30
accesslog = None
loglevel = "warning"
preload_app = True
