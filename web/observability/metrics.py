"""Prometheus metrics: requests, latencies, workflow transitions, letters signed.

Each app has its own registry (tests build several apps in one process). Under gunicorn
with several workers, set PROMETHEUS_MULTIPROC_DIR to an empty directory before the server
starts: prometheus_client then keeps the values in files there and `/metrics` adds up
every worker's (see gunicorn.conf.py for the clean-up when a worker exits).

Transitions and signed letters are counted from what the database session commits, not
from the handlers: a `WorkflowEvent` row is written by every programme transition, and a
letter whose `state` becomes `signed` in a flush is a signing. The counts are collected at
flush and emitted only after the commit, so a rolled-back attempt counts nothing. This
keeps `workflow/` free of any metrics import and covers the screens, the API and the CLI
alike.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from flask import Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event, inspect

from workflow.models import Letter, WorkflowEvent
from workflow.states import LetterState

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_PENDING = "metrics_pending"


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests", "HTTP requests by endpoint, method and status",
            ["endpoint", "method", "status"], registry=self.registry)
        self.latency = Histogram(
            "http_request_duration_seconds", "Time to answer a request, by endpoint",
            ["endpoint"], registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.transitions = Counter(
            "workflow_transitions", "Programme transitions committed, by trigger",
            ["trigger"], registry=self.registry)
        self.letters_signed = Counter(
            "letters_signed", "Letters registered and signed (committed)",
            registry=self.registry)
        # The job queue's depth is read at scrape time (web/jobs/monitoring.py).
        self.queue_collector = None

    def observe_request(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "OTHER"
        self.requests.labels(endpoint, method, str(status)).inc()
        self.latency.labels(endpoint).observe(seconds)

    def exposition(self) -> bytes:
        if multiprocess_dir():
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            if self.queue_collector is not None:
                registry.register(self.queue_collector)
            return generate_latest(registry)
        return generate_latest(self.registry)

    # ------------------------------------------------------------ session listeners

    def watch_sessions(self, session_factory) -> None:
        event.listen(session_factory, "after_flush", self._collect)
        event.listen(session_factory, "after_commit", self._emit)
        event.listen(session_factory, "after_soft_rollback", self._forget)

    @staticmethod
    def _collect(session, _flush_context) -> None:
        triggers = [obj.trigger for obj in session.new if isinstance(obj, WorkflowEvent)]
        signed = 0
        for obj in session.dirty:
            if isinstance(obj, Letter) and LetterState.SIGNED in inspect(obj).attrs.state.history.added:
                signed += 1
        if triggers or signed:
            pending = session.info.setdefault(_PENDING, {"triggers": [], "signed": 0})
            pending["triggers"].extend(triggers)
            pending["signed"] += signed

    def _emit(self, session) -> None:
        if session.in_nested_transaction():  # a savepoint: the real commit comes later
            return
        pending = session.info.pop(_PENDING, None)
        if not pending:
            return
        for trigger in pending["triggers"]:
            self.transitions.labels(trigger).inc()
        if pending["signed"]:
            self.letters_signed.inc(pending["signed"])

    @staticmethod
    def _forget(session, previous_transaction) -> None:
        if previous_transaction.nested:  # a savepoint: the outer work stands
            return
        session.info.pop(_PENDING, None)


# ---------------------------------------------------------------- access to /metrics

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


def _from_loopback() -> bool:
    # A request relayed by a proxy on this host arrives from 127.0.0.1 too: anything that
    # carries a forwarding header came from elsewhere and needs the token.
    if any(h in request.headers for h in ("X-Forwarded-For", "Forwarded", "X-Real-IP")):
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in net for net in LOOPBACK)


def _token_ok(expected: str) -> bool:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return (scheme.lower() == "bearer" and bool(value.strip())
            and hmac.compare_digest(value.strip().encode(), expected.encode()))


def metrics_view():
    config = current_app.config
    token = config.get("METRICS_TOKEN") or ""
    allowed = (config.get("METRICS_ALLOW_LOOPBACK") and _from_loopback()) or (
        token and _token_ok(token))
    if not allowed:
        if token:
            return Response("metrics: bearer token required\n", 401, mimetype="text/plain",
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return Response("metrics: allowed from this host only\n", 403, mimetype="text/plain")
    metrics: Metrics = current_app.extensions["metrics"]
    return Response(metrics.exposition(), 200, headers={
        "Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def init_metrics(app: Flask) -> Metrics:
    metrics = Metrics()
    app.extensions["metrics"] = metrics
    for name in ("session_factory", "read_session_factory"):
        if name in app.extensions:
            metrics.watch_sessions(app.extensions[name])
    return metrics
