"""Logging: one handler on the root logger, JSON lines (or text) on stderr, every record
tagged with the request id and the signed-in user; one access line per request.

Configured once per `create_app` (a second app in the same process replaces the handler
instead of adding another). LOG_LEVEL (default INFO) and LOG_FORMAT (`json` or `text`,
default `json`) come from the environment or the app's configuration.

Secrets are kept out by construction: nothing here logs a request body, a query string, a
header or a cookie, and the access line names the route rule (`/verify/<code>`), never the
path. As a second line of defence the formatter masks anything that looks like a bearer
token, an API token (`pa_...`) or a `password=` / `"password": ...` pair that a careless
message might carry.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect

# A client- or proxy-supplied X-Request-ID is kept only when it is short and plain, so it
# cannot forge log lines or smuggle anything into the response header.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

# Endpoints polled by machines every few seconds: their access lines go at DEBUG.
QUIET_ENDPOINTS = frozenset({"observability.healthz", "observability.metrics"})

_SECRET_PATTERNS = (
    (re.compile(r"(?i)\b(bearer)\s+[^\s,;\"']+"), r"\1 [redacted]"),
    (re.compile(r"\bpa_[A-Za-z0-9_-]{8,}"), "[redacted-token]"),
    (re.compile(r"(?i)(\b(?:password|passwd|pin|secret|token|csrf_token|cookie)\b[\"']?\s*[:=]\s*)"
                r"(\"[^\"]*\"|'[^']*'|[^\s,;&}]+)"), r"\1[redacted]"),
)

# Attributes every LogRecord has; anything else came in through `extra=` and is emitted.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "taskName", "request_id", "user_id",
}

# alembic.runtime.migration: one line per migration step would bury what `flask init-db`
# and `seed-demo` print for the person running them.
NOISY_LOGGERS = ("werkzeug", "fontTools", "transitions", "weasyprint.progress",
                 "alembic.runtime.plugins", "alembic.runtime.migration")

_HANDLER_MARK = "_programme_approval_handler"


def scrub(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `user_id` to every record emitted during a request. Reads only
    what the request already holds and never touches the database: a log call made while
    the session is failing (a refused flush) must not query, nor raise."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = user_id = None
        if has_request_context():
            try:
                request_id = g.get("request_id")
                user_id = current_user_id()
            except Exception:  # noqa: BLE001 -- a log line never fails its caller
                pass
        record.request_id = getattr(record, "request_id", None) or request_id
        record.user_id = getattr(record, "user_id", None) or user_id
        return True


def _row_id(row) -> int | None:
    """The primary key from the row's identity key: no attribute load, so no SQL even
    when the row is expired or its session awaits a rollback."""
    state = sa_inspect(row, raiseerr=False)
    identity = getattr(state, "identity", None)
    return identity[0] if identity else None


def current_user_id() -> int | None:
    """The API caller or the screens' user, if this request has already loaded it."""
    api_user = g.get("api_user")
    if api_user is not None:
        return _row_id(api_user)
    session_user = g.get("_login_user")  # Flask-Login's per-request cache
    user = getattr(session_user, "user", None)
    return _row_id(user) if user is not None else None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    user_id, then any `extra=` fields, then the traceback if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = scrub(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time of the call (test runners and
    servers swap it), never to a stream captured when the app was built."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure_logging(app: Flask) -> None:
    level_name = str(app.config["LOG_LEVEL"]).upper()
    level = logging.getLevelName(level_name)
    if not isinstance(level, int):
        raise ValueError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {level_name!r}")
    fmt = str(app.config["LOG_FORMAT"]).lower()
    if fmt not in ("json", "text"):
        raise ValueError(f"LOG_FORMAT must be json or text, not {fmt!r}")

    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    handler = StderrHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestContextFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries that narrate routine work at INFO are kept to warnings unless LOG_LEVEL is
    # DEBUG. Werkzeug's development server prints its own access line (with the query
    # string): ours replaces it.
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(level if level <= logging.DEBUG else logging.WARNING)
    # Flask's app.logger adds a plain stderr handler unless the root has one: it has now.
    app.logger.handlers.clear()


access_log = logging.getLogger("web.access")


def init_request_tracking(app: Flask, on_finish) -> None:
    """Request id in, request id out, one access line, and `on_finish(endpoint, method,
    status, seconds)` for the metrics."""

    @app.before_request
    def _start():
        g.request_started = time.perf_counter()
        supplied = request.headers.get("X-Request-ID", "")
        g.request_id = supplied if SANE_REQUEST_ID.fullmatch(supplied) else uuid.uuid4().hex

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id") or ""
        _record(response.status_code)
        return response

    @app.teardown_request
    def _unfinished(_exc):
        # An exception that escaped every error handler skips after_request.
        if "request_started" in g and not g.get("request_logged"):
            _record(500)

    def _record(status: int) -> None:
        started = g.get("request_started")
        if started is None or g.get("request_logged"):
            return
        g.request_logged = True
        seconds = time.perf_counter() - started
        endpoint = request.endpoint or "unmatched"
        route = request.url_rule.rule if request.url_rule is not None else None
        on_finish(endpoint, request.method, status, seconds)
        level = logging.DEBUG if endpoint in QUIET_ENDPOINTS else logging.INFO
        if not access_log.isEnabledFor(level):
            return
        access_log.log(
            level, "%s %s %s", request.method, route or "(no route)", status,
            extra={"endpoint": endpoint, "route": route, "method": request.method,
                   "status": status, "duration_ms": round(seconds * 1000, 2)},
        )
