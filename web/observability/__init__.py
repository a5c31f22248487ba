"""An operable service: structured logs with a request id, `GET /healthz`, and Prometheus
metrics at `/metrics`.

`init_app` runs right after the database is set up and before the other extensions, so
that the request id exists before any other `before_request` hook logs anything.

Settings (environment, or the app's configuration):

| setting | default | meaning |
| --- | --- | --- |
| LOG_LEVEL | INFO | root log level |
| LOG_FORMAT | json | `json` (one object a line on stderr) or `text` |
| METRICS_TOKEN | (none) | a bearer token that opens `/metrics` from anywhere |
| METRICS_ALLOW_LOOPBACK | 1 | `/metrics` open without the token to direct loopback requests |
| HEALTHZ_TIMEOUT | 2 | seconds for the database probe of `/healthz` (PostgreSQL) |
| PROMETHEUS_MULTIPROC_DIR | (none) | environment only: multi-process metrics under gunicorn |
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask, request, session

from .health import healthz, register_check
from .logs import configure_logging, init_request_tracking
from .metrics import init_metrics, metrics_view

__all__ = ["init_app", "register_check"]

bp = Blueprint("observability", __name__)
bp.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
bp.add_url_rule("/metrics", "metrics", metrics_view, methods=["GET"])

# Machine endpoints: no session cookie, no CSRF, no rate limits.
STATELESS_PATHS = frozenset({"/healthz", "/metrics"})


def _defaults(app: Flask) -> None:
    env = os.environ
    for key, default in (
        ("LOG_LEVEL", env.get("LOG_LEVEL", "INFO")),
        ("LOG_FORMAT", env.get("LOG_FORMAT", "json")),
        ("METRICS_TOKEN", env.get("METRICS_TOKEN") or None),
        ("METRICS_ALLOW_LOOPBACK", env.get("METRICS_ALLOW_LOOPBACK", "1") not in ("0", "false", "no")),
        ("HEALTHZ_TIMEOUT", float(env.get("HEALTHZ_TIMEOUT", "2"))),
    ):
        app.config.setdefault(key, default)


def init_app(app: Flask) -> None:
    _defaults(app)
    configure_logging(app)
    metrics = init_metrics(app)

    init_request_tracking(app, metrics.observe_request)

    @app.after_request
    def _no_session_cookie(response):
        # Registered before the other modules' after_request hooks, so it runs after
        # them. A before_request hook marks every session permanent (so the cookie would
        # be re-sent on every response): undo that for the machine endpoints, and Flask
        # then writes no Set-Cookie.
        if request.path in STATELESS_PATHS:
            session.pop("_permanent", None)
            session.modified = False
        return response

    app.register_blueprint(bp)

    from ..extensions import csrf

    csrf.exempt(bp)
    limiter = app.extensions.get("limiter")
    if limiter is not None:  # Flask-Limiter, should one be added
        limiter.exempt(bp)
