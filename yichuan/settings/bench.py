"""Settings for `make bench`: production settings, served over loopback with a fixed key.

Production as it ships (DEBUG off, manifest static files, persistent connections, the same
middleware) plus the benchmarks app, whose L0/L1 baseline views are wired by the bench
URLconf only here. The load tool sends X-Forwarded-Proto: https as a TLS proxy would, so
the HTTPS redirect and secure cookies stay as in production.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("EMAIL_URL", "dummymail://")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yichuan_bench")
# As production runs: a cache all gunicorn workers share (the run empties this database).
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/14")
# Deliveries are queued in-process and dropped: the bench measures the web request, which
# must never wait on the broker anyway.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

from .production import *  # noqa: E402, F403
from .production import BASE_DIR, INSTALLED_APPS, VAR_DIR  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]
ROOT_URLCONF = "benchmarks.urls"
STATIC_ROOT = VAR_DIR / "bench-static"
STATIC_ROOT.mkdir(exist_ok=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
BENCH_DIR = BASE_DIR / "bench-results"
