"""Benchmark settings: the production settings on a database of their own, DEBUG off.

The database URL is put in place before the main settings are imported, so that the bench database gets
exactly the same engine options (SQLite WAL mode and busy timeout, PostgreSQL connection reuse) as a
deployment.
"""

import os
from pathlib import Path

_DATA_DIR = Path(
    os.environ.get("MERIDIAN_DATA_DIR") or Path(__file__).resolve().parent.parent / "var"
).resolve()
BENCH_DIR = _DATA_DIR / "bench"
BENCH_DIR.mkdir(parents=True, exist_ok=True)
# One SQLite file per data-set size, so that a quick run does not throw the large data set away.
_SQLITE = BENCH_DIR / f"bench-{os.environ.get('BENCH_SIZE', 'full')}.sqlite3"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{_SQLITE}"
os.environ.pop("DATABASE_URL_FILE", None)

from meridian.settings import *  # noqa: E402, F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
STATIC_ROOT = BENCH_DIR / "static"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
