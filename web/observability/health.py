"""`GET /healthz`: is the service able to work? 200 when every check passes, 503 naming
the failing part otherwise. No authentication, no session cookie, no CSRF, no throttling:
load balancers and orchestrators poll it.

Checks are registered per app by name (`register_check(app, "queue", fn)`): a check returns
normally when its part works and raises when it does not. The database check is built in;
the background-jobs issue adds its queue check here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app, jsonify
from sqlalchemy import Engine, text

from workflow.db import is_sqlite, make_engine, read_only_engine

log = logging.getLogger(__name__)

Check = Callable[[Flask], None]
_CHECKS = "health_checks"


def register_check(app: Flask, name: str, check: Check) -> None:
    app.extensions.setdefault(_CHECKS, {})[name] = check


def _probe_engine(app: Flask) -> Engine:
    """A small engine of its own with short timeouts, so a hung server answers 503 within
    HEALTHZ_TIMEOUT seconds instead of holding the probe (and an app pool slot) for the
    operating system's TCP timeout. SQLite is a local file: the app's engine, reading
    without the write lock."""
    engine = app.extensions.get("healthz_engine")
    if engine is not None:
        return engine
    app_engine: Engine = app.extensions["engine"]
    if is_sqlite(app_engine):
        engine = read_only_engine(app_engine)
    else:
        seconds = max(1, int(app.config["HEALTHZ_TIMEOUT"]))
        engine = make_engine(
            app_engine.url.render_as_string(hide_password=False),
            pool_size=1, max_overflow=1, pool_timeout=seconds,
            connect_args={"connect_timeout": seconds,
                          "options": f"-c statement_timeout={seconds * 1000}"},
        )
    app.extensions["healthz_engine"] = engine
    return engine


def check_database(app: Flask) -> None:
    engine = _probe_engine(app)
    # On SQLite `SELECT 1` would not open the file; reading the schema does.
    probe = "SELECT count(*) FROM sqlite_master" if is_sqlite(engine) else "SELECT 1"
    with engine.connect() as connection:
        connection.execute(text(probe)).scalar()


def healthz():
    app = current_app._get_current_object()
    checks: dict[str, Check] = {"database": check_database, **app.extensions.get(_CHECKS, {})}
    body: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check(app)
            body[name] = "ok"
        except Exception as error:  # noqa: BLE001 -- any failure makes the part unhealthy
            # The class and first line only: enough to act on, no connection string.
            detail = str(getattr(error, "orig", None) or error).splitlines()[0][:200] if str(error) else ""
            log.warning("health check %s failed: %s: %s", name, type(error).__name__, detail)
            body[name] = "fail"
    failed = [name for name, state in body.items() if state != "ok"]
    status = "fail" if failed else "ok"
    response = jsonify({"status": status, **body})
    response.status_code = 503 if failed else 200
    response.headers["Cache-Control"] = "no-store"
    return response
