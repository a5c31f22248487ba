"""What every headless-Chromium test needs, written once: the app on a loopback port over a
fresh SQLite file seeded by the test, a clock that moves with real time, and a page that signs
in as a demo user (password, then the TOTP code when the role has a second factor)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import FakeClock
from tests.factories import PASSWORD, TOTP_SECRET, shared_pki_dir
from web import create_app
from workflow.db import make_engine, make_session_factory
from workflow.models import Base
from workflow.second_factor import code_at_step, step_at

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


class RunningClock:
    """The test world's date, moving forward with real time (so ordering is natural)."""

    def __init__(self, start):
        self.start, self.t0 = start, time.monotonic()

    def __call__(self):
        return self.start + timedelta(seconds=time.monotonic() - self.t0)


@contextmanager
def serving(app) -> Iterator[str]:
    """The app on a free loopback port in a thread, for the browser; its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        thread.join(5)
        app.extensions["engine"].dispose()


@dataclass
class Served:
    base: str
    clock: RunningClock
    seeded: Any  # what the seed function returned (ids, never ORM objects: its session is closed)
    url: str


@contextmanager
def served_app(tmp_path, monkeypatch, seed: Callable[[Any, FakeClock], Any]) -> Iterator[Served]:
    """A fresh SQLite database seeded by `seed(session, clock)` (committed here), served."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    seed_clock = FakeClock()
    session = make_session_factory(engine)()
    seeded = seed(session, seed_clock)
    session.commit()
    session.close()
    engine.dispose()
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    clock = RunningClock(seed_clock.tick(60))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test", "CLOCK": clock,
                      "PKI_DIR": str(shared_pki_dir()), "UPLOAD_DIR": str(tmp_path / "uploads")})
    with serving(app) as base:
        yield Served(base, clock, seeded, url)


@contextmanager
def browser_page(*, record_http_errors: bool = False) -> Iterator[Any]:
    """A Russian-locale page in headless Chromium; `page.errors` collects script errors (and,
    if asked, responses of 400 and above) for the test to assert empty at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ru-RU")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        if record_http_errors:
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        page.errors = errors
        try:
            yield page
        finally:
            browser.close()


def sign_in(page, served: Served, login: str) -> None:
    """Sign out whoever is signed in, then sign in as `login` with the demo password and, when
    the role asks for it, the current TOTP code of the test key."""
    if page.locator("button:has-text('Выйти')").count():
        page.click("button:has-text('Выйти')")
    page.goto(f"{served.base}/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    if "/login/code" in page.url:
        page.fill("#code", code_at_step(TOTP_SECRET, step_at(served.clock())))
        page.click("button[type=submit]")
