"""Run the real application under gunicorn against a database in a temp folder, and drive
it over HTTP like its users would. Used by the crash and load tests and by the load script."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(url: str, instance: Path, *, editors: int = 1) -> None:
    """Schema by migrations, a small world, and the signatory's own demo certificate."""
    code = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from workflow import schema
from workflow.db import make_engine, make_session_factory
from tests.conftest import FakeClock
from tests.factories import build_world
from workflow.users import create_user
from workflow.models import Municipality
engine = make_engine({url!r})
schema.upgrade(engine)
with make_session_factory(engine)() as s:
    w = build_world(s, FakeClock())
    for i in range({editors}):
        m = Municipality(code=f"m{{i}}", name=f"Муниципалитет {{i}}", kind="округ",
                         authority_name="Управление образования")
        s.add(m); s.flush()
        create_user(s, login=f"ed{{i}}", full_name=f"Редактор {{i}} Тестович", role="municipal_editor",
                    password="correct-horse-battery", now=w.clock(), municipality_code=m.code,
                    enforce_policy=False)
    s.commit()
"""
    # The world's signatory gets their certificate from a demo CA in the server's PKI_DIR,
    # which the server therefore trusts.
    env = dict(os.environ, TEST_PKI_DIR=str(instance / "pki"))
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)


def open_prepared(url: str):
    """(engine, session factory, campaign id, requirement ids) of a prepared database."""
    from sqlalchemy import select

    from workflow.db import make_engine, make_session_factory
    from workflow.models import Campaign

    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        campaign = session.scalars(select(Campaign)).one()
        return engine, factory, campaign.id, [r.id for r in campaign.requirements]


class Server:
    def __init__(self, url: str, instance: Path, *, workers: int = 2, threads: int = 1,
                 sweep_seconds: float = 0):
        self.sweep_seconds = sweep_seconds
        self.db_url = url
        self.instance = instance
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = dict(os.environ, DATABASE_URL=self.db_url, APP_INSTANCE_PATH=str(self.instance),
                   SECRET_KEY="resilience-test", PYTHONPATH=str(ROOT),
                   JOBS_SWEEP_SECONDS=str(self.sweep_seconds))
        self.log = open(self.instance / "gunicorn.log", "ab")  # noqa: SIM115 -- lives with the server
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--threads", str(self.threads),
             "--timeout", "60", "wsgi:app"],
            cwd=ROOT, env=env, stdout=self.log, stderr=self.log, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/api/v1/openapi.json", timeout=2).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start; see " + str(self.instance / "gunicorn.log"))

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: a power cut, not a shutdown."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# The world's signatory and administrator sign in with a TOTP code, and a code is good once
# (workflow/second_factor.py): the clients of one login share its token, and a new sign-in
# takes the next unused time step.
_shared_tokens: dict[tuple[str, str], str] = {}
_last_steps: dict[str, int] = {}
_shared_lock = threading.Lock()


def _totp_code(login: str) -> str | None:
    from tests.factories import TOTP_SECRET
    from workflow.second_factor import PERIOD, code_at_step

    if login not in ("signatory", "admin"):
        return None
    current = int(time.time()) // PERIOD
    step = max(current, _last_steps.get(login, 0) + 1)
    if step > current + 1:
        time.sleep((step - 1) * PERIOD - time.time() + 0.5)
    _last_steps[login] = step
    return code_at_step(TOTP_SECRET, step)


class ApiClient:
    def __init__(self, base: str, login: str, password: str = "correct-horse-battery"):
        self.base = base
        self.login = login
        self.password = password
        self.token: str | None = None
        self._held: str | None = None

    def call(self, method: str, path: str, body: dict | None = None, *, timeout: float = 30):
        """(status, parsed JSON or raw bytes). Network errors propagate as OSError."""
        if self.token is None and not path.startswith("/auth/"):
            self.authenticate()
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + "/api/v1" + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, _decode(response.read(), response.headers)
        except urllib.error.HTTPError as error:
            return error.code, _decode(error.read(), error.headers)
        except http.client.HTTPException as error:
            # The server was killed in the middle of its answer (IncompleteRead): for the
            # caller that is a dropped connection like any other.
            raise ConnectionError(f"{method} {path}: {error!r}") from error

    def authenticate(self) -> None:
        key = (self.base, self.login)
        with _shared_lock:
            shared = _shared_tokens.get(key)
            if shared is not None and shared != self._held:
                self.token = self._held = shared
                return
            request = {"login": self.login, "password": self.password}
            code = _totp_code(self.login)
            if code:
                request["code"] = code
            status, body = self.call("POST", "/auth/token", request)
            if status != 200 and status != 201:
                raise RuntimeError(f"sign-in of {self.login} failed: {status} {body}")
            self.token = self._held = _shared_tokens[key] = body["token"]


def _decode(raw: bytes, headers):
    if "json" in (headers.get("Content-Type") or ""):
        return json.loads(raw)
    return raw
