"""The background sweep: letters registered but left without their signed PDF (a process
killed between the signing commit and the rendering) get it without a person.

A daemon thread per process calls `documents.issue.issue_pending_letters` at start and every
PENDING_SWEEP_SECONDS (0 = off); `create_app` starts it (not inside a `flask` command). Several processes may sweep at once: a PDF is stored once
(the store is a compare-and-set on `pdf_sha256 IS NULL`). After a fork (a pre-loading
server), the first request of the child starts its own thread.
"""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask

log = logging.getLogger(__name__)

_lock = threading.Lock()


def sweep_once(app: Flask) -> int:
    from documents.issue import issue_pending_letters

    try:
        return issue_pending_letters(app)
    except Exception:  # noqa: BLE001 -- a sweep must never kill its thread; logged, retried
        log.exception("pending letters sweep failed")
        return 0


def _run(app: Flask, interval: float, stop: threading.Event) -> None:
    # The first sweep one interval after start: a process that is starting (or a tool that
    # builds an app before the schema exists) is not raced; a crash is recovered a minute on.
    while not stop.wait(interval):
        done = sweep_once(app)
        if done:
            log.info("pending letters sweep: %s PDF(s) stored", done)


def start_sweep(app: Flask) -> threading.Thread | None:
    """Start this process's sweep thread unless it runs already or the sweep is off."""
    interval = float(app.config.get("PENDING_SWEEP_SECONDS") or 0)
    if interval <= 0:
        return None
    with _lock:
        state = app.extensions.setdefault("pending_sweep", {})
        thread = state.get("thread")
        if thread is not None and thread.is_alive() and state.get("pid") == os.getpid():
            return thread
        stop = threading.Event()
        thread = threading.Thread(target=_run, args=(app, interval, stop),
                                  name="pending-letters-sweep", daemon=True)
        state.update(thread=thread, pid=os.getpid(), stop=stop)
        thread.start()
        return thread


def stop_sweep(app: Flask) -> None:
    state = app.extensions.get("pending_sweep") or {}
    if state.get("stop") is not None:
        state["stop"].set()
    if state.get("thread") is not None:
        state["thread"].join(timeout=30)


def init_app(app: Flask) -> None:
    if float(app.config.get("PENDING_SWEEP_SECONDS") or 0) <= 0:
        return
    # A `flask` command (init-db on an empty database, seed-demo) must not race a sweep; a
    # server started by `flask run` begins sweeping with its first request.
    import click

    if click.get_current_context(silent=True) is None:
        start_sweep(app)

    @app.before_request
    def _sweep_in_this_process():
        state = app.extensions.get("pending_sweep") or {}
        if state.get("pid") != os.getpid():
            start_sweep(app)
