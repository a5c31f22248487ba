"""The job queue: Huey delivers background work; durable intent lives in the application database.

One Huey instance per process, chosen from the environment when this module is imported (the
consumer imports it the same way): `RedisHuey` when REDIS_URL is set (any number of consumers
on any number of machines), otherwise `SqliteHuey` in the instance folder (the embedded
default: no server). A job never carries the only copy of what must happen: the row that
causes it (a signed letter without its PDF, a mail not yet sent) is written in the same
transaction as the change, jobs look it up by id and are idempotent, and a periodic sweep
re-enqueues whatever is still pending.

Task modules register themselves on import; `TASK_MODULES` lists them so that the consumer
and the web app agree on the task names (`init_app` imports them in every process).

Modes: JOBS_IMMEDIATE runs every job inside the call that enqueues it (tests, one-process
tools); `flask worker` starts Huey's consumer with JOBS_WORKERS workers (processes by
default: rendering is CPU-bound). JOBS_QUEUE_NAME separates queues sharing one Redis.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from pathlib import Path

from huey import RedisHuey, SqliteHuey

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
TASK_MODULES = ("web.jobs.letters", "web.jobs.maintenance", "web.jobs.mail", "web.jobs.deadlines")

_app = None
_app_lock = threading.Lock()


def _make_huey():
    name = os.environ.get("JOBS_QUEUE_NAME") or "programme-approval"
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
    global _app, _app_pid
    local = getattr(_local, "app", None)
    if local is not None:
        return local
    with _app_lock:
        if _app is None:
            from web import create_app

            _app = create_app()
            _app_pid = os.getpid()
        return _app


_local = threading.local()


def use_app(app) -> None:
    """Run jobs of this process against `app` (the web app itself, or a test's app)."""
    global _app, _app_pid
    with _app_lock:
        _app = app
        _app_pid = os.getpid()


_app_pid = None


def _after_fork() -> None:
    """A worker process forked from the consumer: connections of the parent's pool are not
    shared with it (the pool is emptied without closing the parent's sockets)."""
    global _app_pid
    with _app_lock:
        if _app is not None and _app_pid != os.getpid():
            engine = _app.extensions.get("engine")
            if engine is not None:
                engine.dispose(close=False)
            _app_pid = os.getpid()


@huey.on_startup()
def _worker_started() -> None:
    _after_fork()


def load_task_modules() -> list:
    return [importlib.import_module(name) for name in TASK_MODULES]


def init_app(app) -> None:
    """Every process that enqueues or runs jobs: the task names, the mode, the checks."""
    modules = load_task_modules()
    huey.immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    for module in modules:
        if hasattr(module, "init_app"):
            module.init_app(app)
    from . import monitoring

    monitoring.init_app(app)


def queue_depth() -> int:
    """Jobs waiting in the queue (not the scheduled retries)."""
    return int(huey.pending_count())


def enqueue(task, *args, app=None, **kwargs) -> bool:
    """Enqueue, or log and return False when the queue cannot be reached (Redis down): the
    durable intent is in the database and the periodic sweep delivers it later. `app`: the
    app that enqueues; in immediate mode the job runs against it (tests build many apps)."""
    previous = getattr(_local, "app", None)
    _local.app = app if huey.immediate and app is not None else previous
    try:
        task(*args, **kwargs)
    except Exception:  # noqa: BLE001 -- the caller's change is committed; the sweep retries
        log.exception("could not enqueue %s%r; the sweep will deliver it", task.name, args)
        return False
    finally:
        _local.app = previous
    return True
