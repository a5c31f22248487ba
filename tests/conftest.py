"""Shared fixtures. Every database test runs on SQLite and, when TEST_DATABASE_URL points
at a PostgreSQL server (CI sets it), on PostgreSQL too."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from tests.factories import PASSWORD, TOTP_SECRET
from workflow import users
from workflow.db import make_engine, make_session_factory
from workflow.models import Base


def _per_worker_environment(worker: str) -> None:
    """Under pytest-xdist each worker process (gw0, gw1, ...) gets resources of its own,
    derived here before any test module reads the environment (and inherited by the servers
    and workers the tests start): the PostgreSQL database `<name>_gw0` beside
    TEST_DATABASE_URL's (created by `db_url` when missing), and the Redis database of
    REDIS_URL / JOBS_REDIS_URL plus the worker's number (minus it past db 15), so rate-limit
    counters and queues of one worker never meet the other's; and an instance folder
    (instance/gw0: secrets, SQLite job queue, default database) unless APP_INSTANCE_PATH is set."""
    from sqlalchemy.engine import make_url

    index = int(worker.removeprefix("gw"))
    if not os.environ.get("APP_INSTANCE_PATH"):  # apps built without one, and the job queue
        root = Path(__file__).resolve().parents[1]
        os.environ["APP_INSTANCE_PATH"] = str(root / "instance" / worker)
    if os.environ.get("TEST_DATABASE_URL"):
        url = make_url(os.environ["TEST_DATABASE_URL"])
        os.environ["TEST_DATABASE_URL"] = url.set(database=f"{url.database}_{worker}") \
            .render_as_string(hide_password=False)
    for name in ("REDIS_URL", "JOBS_REDIS_URL"):
        if os.environ.get(name):
            os.environ[name] = _redis_db_of_worker(os.environ[name], index)


def _redis_db_of_worker(url: str, index: int) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    db = base + index if base + index <= 15 else base - index
    return urlunsplit(parts._replace(path=f"/{db}"))


if os.environ.get("PYTEST_XDIST_WORKER"):
    _per_worker_environment(os.environ["PYTEST_XDIST_WORKER"])
PG_URL = os.environ.get("TEST_DATABASE_URL")

# Apps built by tests run their background jobs inside the call that enqueues them (Huey's
# immediate mode, in memory; emptied after every test); the tests of real consumers start
# worker processes with JOBS_IMMEDIATE=0 and a queue of their own. They seal signing
# sessions with the tests' key (factories).
os.environ.setdefault("JOBS_IMMEDIATE", "1")
os.environ.setdefault("SIGNING_SESSION_KEY", "test-signing-session-key")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_report_header(config):
    if PG_URL:
        return f"PostgreSQL tests: on ({PG_URL})"
    return "PostgreSQL tests: SKIPPED — set TEST_DATABASE_URL to run them"


TEST_AUDIT_KEY = "test-audit-key-not-a-secret"


@pytest.fixture(scope="session", autouse=True)
def _audit_key():
    """The audit chains are keyed (workflow/audit.py). Sessions built without an app read
    the key from the environment; the apps the tests build read the same variable, and
    worker processes inherit it, so every part of a test seals with one key."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUDIT_KEY", TEST_AUDIT_KEY)
        patch.delenv("AUDIT_CHECKPOINT_DIR", raising=False)
        yield


@pytest.fixture(autouse=True)
def _empty_job_queue():
    """No job outlives its test: retries scheduled in immediate mode are dropped."""
    from web.jobs import huey

    huey.immediate = True
    yield
    if huey.immediate:
        huey.flush()
    huey.immediate = True  # an app built without the environment may have turned it off


@pytest.fixture(scope="session", autouse=True)
def _verify_pages_not_throttled():
    """/verify is rate-limited per client address (VERIFY_RATE_LIMIT, default 30 a minute);
    every test client is 127.0.0.1, and the apps live for the whole session, so the tests'
    apps get a limit no test reaches. The rate-limit tests set their own in test_config,
    which overrides the environment."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VERIFY_RATE_LIMIT", "1000000 per second")
        yield


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    """scrypt at its production cost (~0.1-0.3 s a hash) would dominate the tests, which
    create the world's six users per test and sign in many times. Tests hash with the same
    algorithm at a test-only work factor; verification reads the parameters from the hash,
    so sign-in takes the production code path. Production `hash_password` is untouched."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "hash_password",
                      lambda password: generate_password_hash(password, method="scrypt:1024:8:1"))
        yield


def csrf_token(client, url: str = "/login") -> str | None:
    page = client.get(url)
    found = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data)
    return found.group(1).decode() if found else None


def totp_code(app, login: str) -> str | None:
    """The code the tests' authenticator app (TOTP_SECRET) shows for `login`, or None when
    the user has no second factor. Codes are single-use: if the steps the server accepts
    now are used up (tests run on a stopped clock), the app's clock moves on 30 seconds,
    as a person would wait for the next code."""
    from sqlalchemy import select

    from workflow.models import SecondFactor, User
    from workflow.second_factor import PERIOD, WINDOW, code_at_step, step_at

    with app.extensions["engine"].connect() as conn:
        row = conn.execute(select(SecondFactor.last_step, SecondFactor.confirmed_at)
                           .join(User, User.id == SecondFactor.user_id)
                           .where(User.login == login)).first()
    if row is None or row.confirmed_at is None:
        return None
    clock = app.config["CLOCK"]
    for _ in range(3):
        current = step_at(clock())
        for step in range(current - WINDOW, current + WINDOW + 1):
            if row.last_step is None or step > row.last_step:
                return code_at_step(TOTP_SECRET, step)
        getattr(clock, "clock", clock).tick(PERIOD / 60)
    raise AssertionError("no unused TOTP step")


def sign_in(client, login: str, password: str = PASSWORD, *, address: str = "127.0.0.1",
            expect: int | None = 302):
    """Sign in through the login form (with its CSRF token when the app asks for one), and
    through the second step with the authenticator's code when the user has a second factor."""
    data = {"login": login, "password": password}
    token = csrf_token(client)
    if token:
        data["csrf_token"] = token
    response = client.post("/login", data=data, environ_base={"REMOTE_ADDR": address})
    if response.status_code == 302 and response.headers["Location"].startswith("/login/code"):
        data = {"code": totp_code(client.application, login)}
        token = csrf_token(client, "/login/code")
        if token:
            data["csrf_token"] = token
        response = client.post("/login/code", data=data, environ_base={"REMOTE_ADDR": address})
    if expect is not None:
        assert response.status_code == expect, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL")
    create_database_if_missing(PG_URL)
    return PG_URL


def create_database_if_missing(url: str) -> None:
    """TEST_DATABASE_URL's database, a pytest-xdist worker's one derived from it, or one beside."""
    from sqlalchemy.engine import make_url

    url = make_url(url)
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                               {"name": url.database}):
                conn.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    finally:
        admin.dispose()


def reset_schema(engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


@pytest.fixture(scope="session")
def engine(db_url):
    engine = make_engine(db_url)
    reset_schema(engine)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def wipe(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def session_factory(engine):
    yield make_session_factory(engine)
    wipe(engine)


@pytest.fixture
def fresh(session_factory):
    """A short-lived session for arranging and inspecting the database: it is committed (or
    rolled back) and closed at once, so it never holds a lock the app would wait for."""

    @contextmanager
    def _open(commit: bool = True):
        s = session_factory()
        try:
            yield s
            if commit:
                s.commit()
        finally:
            s.rollback()
            s.close()

    return _open


@pytest.fixture
def session(session_factory):
    s = session_factory()
    yield s
    s.rollback()
    s.close()


class FakeClock:
    def __init__(self, start: datetime | None = None):
        self.now = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, minutes: float = 1) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now


class ClockHolder:
    """A clock for an app built once per session: each test points `clock` at its own."""

    clock = None

    def __call__(self):
        return self.clock()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def world(session, clock):
    from tests.factories import build_world

    w = build_world(session, clock)
    session.commit()
    return w


@pytest.fixture
def scratch_db_url(db_url, tmp_path):
    """An empty database of the test's own: a SQLite file, or a PostgreSQL database created
    beside the test database and dropped afterwards. For tests that create the schema with
    the migrations or run the application in other processes."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    name = f"{url.database}_scratch"
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')

    drop()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    drop()
    admin.dispose()
