"""Gunicorn as production would run it: sync workers, 2 x cores + 1, no access log, no reload."""

import multiprocessing
import os

bind = os.environ.get("BENCH_BIND", "127.0.0.1:8765")
workers = int(os.environ.get("BENCH_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = 30
accesslog = None
loglevel = "warning"
preload_app = True
