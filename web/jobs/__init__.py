"""The job queue: Huey delivers background work; durable intent lives in the application database.

One Huey instance per process, chosen from the environment when this module is imported (the
consumer imports it the same way): `RedisHuey` when REDIS_URL is set (any number of consumers
on any number of machines), otherwise `SqliteHuey` in the instance folder (the embedded
default: no server). A job never carries the only copy of what must happen: the row that
causes it (a signed letter without its PDF, a mail not yet sent) is written in the same
transaction as the change, jobs look it up by id and are idempotent, and a periodic sweep
re-enqueues whatever is still pending.

Task modules register themselves on import; `TASK_MODULES` lists them so that the consumer
and the web app agree on the task names.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from huey import RedisHuey, SqliteHuey

ROOT = Path(__file__).resolve().parents[2]
TASK_MODULES = ("web.jobs.maintenance", "web.jobs.mail", "web.jobs.deadlines")

_app = None
_app_lock = threading.Lock()


def _make_huey():
    name = "programme-approval"
    redis_url = os.environ.get("JOBS_REDIS_URL") or os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey(name, url=redis_url)
    instance = Path(os.environ.get("APP_INSTANCE_PATH", str(ROOT / "instance")))
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(instance / "jobs.sqlite3"))


huey = _make_huey()


def job_app():
    """The Flask app a job runs against: the one registered by `use_app`, else one built from
    the environment on first use (a consumer process)."""
    global _app
    with _app_lock:
        if _app is None:
            from web import create_app

            _app = create_app()
        return _app


def use_app(app) -> None:
    """Run jobs of this process against `app` (the web app itself, or a test's app)."""
    global _app
    with _app_lock:
        _app = app
