"""gunicorn reads this file from the working directory (`gunicorn wsgi:app`).

The pool of database connections follows the thread count (post_fork).

Multi-process metrics: with PROMETHEUS_MULTIPROC_DIR set (an empty directory the workers
may write), prometheus_client keeps each worker's values in files there and `/metrics`
adds them up. The directory is emptied when the server starts (values from a previous run
would be counted again), and a worker that exits is marked dead so its gauges stop
counting. Without the variable these hooks do nothing.
"""

from __future__ import annotations

import glob
import os

# Threads per worker. Requests here are mostly Python, which runs one thread at a time per
# process: more threads than cores buy no throughput, and every thread added stretches the
# requests it shares the interpreter with, a writer holding the database's write lock
# included (benchmarks/load.py, 64 users, 2 cores: see docs/notes/NOTES-load.md).
threads = int(os.environ.get("GUNICORN_THREADS", "3"))

# Only prometheus_client's own files: counter_123.db, histogram_123.db, gauge_all_123.db...
_METRIC_FILES = ("counter_*.db", "gauge_*.db", "histogram_*.db", "summary_*.db")


def on_starting(server):
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        return
    os.makedirs(path, exist_ok=True)
    for pattern in _METRIC_FILES:
        for name in glob.glob(os.path.join(path, pattern)):
            os.remove(name)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_fork(server, worker):
    # Before the worker loads the app: one pooled database connection per request thread
    # (workflow/db.py), so that under load none is closed and reopened.
    os.environ.setdefault("DB_POOL_SIZE", str(max(2, server.cfg.threads)))
