"""Production server settings for `gunicorn finder.wsgi` (read from this folder by default)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Requests wait on PostgreSQL as much as on Python: two workers per core, two threads each.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
max_requests = 2000
max_requests_jitter = 200
# Health data: no request lines with query strings (search terms) in the logs.
accesslog = None
errorlog = "-"
